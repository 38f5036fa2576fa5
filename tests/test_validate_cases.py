"""One change to the consistent example → the expected finding code at the expected cell.

Every catalogue code (except fill's own) has at least one row here or in FILE_CASES; tests/test_catalogue.py
fails when a code has none.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from workbook_tools.checks.validate import validate
from workbook_tools.core import spec

from .factory import (
    CONSISTENT_XLSX,
    Formula,
    cell_of,
    consistent_input,
    consistent_value,
    filled_workbook,
    insert_rows_like_excel,
    set_cached,
)

D = Decimal


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    at: str | None  # defined name / table__col__row whose template cell is expected; None: file-level
    overrides: dict[str, Any] = field(default_factory=dict)
    edit: Callable[[Workbook], None] | None = None
    post: Callable[[Path], None] | None = None
    sheet: str | None = None  # when at is None but the finding names a sheet
    cell: str | None = None  # explicit cell when the finding is not at a template cell


def _delete_sheet(title: str) -> Callable[[Workbook], None]:
    return lambda wb: wb.remove(wb[title])


def _move_sheet(wb: Workbook) -> None:
    wb.move_sheet("评分表", offset=-2)


def _hide(wb: Workbook) -> None:
    wb["主要职责"].sheet_state = "hidden"


def _drop_name(wb: Workbook) -> None:
    del wb.defined_names["unit_name"]


def _break_name(wb: Workbook) -> None:
    wb.defined_names["region"].attr_text = "#REF!"


def _point_name_elsewhere(wb: Workbook) -> None:
    wb.defined_names["main_tasks"].attr_text = "'基本情况'!$B$40"


def _insert_row(wb: Workbook) -> None:
    label_row = int(cell_of("basic_goods_budget")[1][1:])
    insert_rows_like_excel(wb, "资金使用", label_row)


def _edit_label(wb: Workbook) -> None:
    f = spec.field("basic_goods_budget")
    wb[f.sheet]["A" + f.cell[1:]].value = "商品服务"


def _merge_inputs(wb: Workbook) -> None:
    sheet, cell = cell_of("unit_name")
    wb[sheet].merge_cells(f"{cell}:C{cell[1:]}")


def _date_format(wb: Workbook) -> None:
    sheet, cell = cell_of("staff_quota")
    wb[sheet][cell].number_format = "yyyy-mm-dd"


def _quote_prefix(wb: Workbook) -> None:
    sheet, cell = cell_of("basic_wages_actual")
    wb[sheet][cell].value = "538.72"
    wb[sheet][cell].data_type = "s"
    wb[sheet][cell].quotePrefix = True


def _foreign(wb: Workbook) -> None:
    """Someone else's workbook: none of our sheets, names or properties."""
    ws = wb.create_sheet("Sheet1")
    ws["A1"] = "别人的表格"
    for title in list(wb.sheetnames):
        if title != "Sheet1":
            wb.remove(wb[title])
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb.custom_doc_props.props.clear()


def _version(wb: Workbook) -> None:
    sheet, cell = spec.META_NAMES["template_version"]
    wb[sheet][cell].value = "0.9"


def _older_version(wb: Workbook) -> None:
    sheet, cell = spec.META_NAMES["template_version"]
    wb[sheet][cell].value = "1.0"


def _unknown_profile(wb: Workbook) -> None:
    sheet, cell = spec.META_NAMES["profile"]
    wb[sheet][cell].value = "火星县"


def _external_formula(wb: Workbook) -> None:
    sheet, cell = cell_of("region")
    wb[sheet][cell].value = "=[1]Sheet1!A1"


def _external_part(path: Path) -> None:
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")


W = consistent_input
WEIGHT0 = D(W("indicators__weight__0"))
PROJECT0 = D(W("projects__actual__0"))

CASES: list[Case] = [
    # -- structure
    Case("template-unknown", "template-unknown", None, edit=_foreign),
    Case("template-version", "template-version", None, edit=_version, sheet="_meta"),
    Case("template-old", "template-old", None, edit=_older_version, sheet="_meta"),
    Case("profile-unknown", "profile-unknown", None, edit=_unknown_profile, sheet="_meta"),
    Case("sheet-deleted", "sheet-missing", None, edit=_delete_sheet("绩效目标"), sheet="绩效目标"),
    Case("sheet-order", "sheet-order", None, edit=_move_sheet),
    Case("sheet-hidden", "sheet-hidden", None, edit=_hide, sheet="主要职责"),
    Case("name-deleted", "name-missing", "unit_name", edit=_drop_name),
    Case("name-ref", "name-missing", "region", edit=_break_name),
    Case("name-moved", "name-moved", None, edit=_point_name_elsewhere, sheet="基本情况", cell="B40"),
    Case("row-inserted", "rows-shifted", None, edit=_insert_row, sheet="资金使用",
         cell="A" + cell_of("basic_goods_budget")[1][1:]),
    Case("row-inserted-names", "name-moved", None, edit=_insert_row, sheet="资金使用",
         cell="B" + str(int(cell_of("basic_goods_budget")[1][1:]) + 1)),
    Case("label-edited", "rows-shifted", None, edit=_edit_label, sheet="资金使用",
         cell="A" + cell_of("basic_goods_budget")[1][1:]),
    Case("merged-input", "merged-input", "unit_name", edit=_merge_inputs),
    Case("external-formula", "external-link", "region", edit=_external_formula),
    Case("external-part", "external-link", None, post=_external_part),
    # -- formulas
    Case("typed-over-correct", "formula-overwritten", "total_rate", {"total_rate": consistent_value("total_rate")}),
    Case("typed-zero-blank", "formula-overwritten", "sangong_abroad_rate", {"sangong_abroad_rate": D(0)}),
    Case("formula-deleted", "formula-deleted", "total_rate", {"total_rate": None}),
    Case("formula-changed", "formula-changed", "total_rate", {"total_rate": Formula("=total_actual/total_budget*100")}),
    # -- arithmetic
    Case("typed-over-wrong", "value-mismatch", "basic_wages_rate",
         {"basic_wages_rate": consistent_value("basic_wages_rate") + 5}),
    Case("typed-over-text", "value-mismatch", "basic_wages_rate", {"basic_wages_rate": "约一百"}),
    Case("typed-over-grade", "value-mismatch", "grade", {"grade": "优秀"}),
    Case("typed-over-sum", "value-mismatch", "basic_actual", {"basic_actual": consistent_value("basic_actual") + 1}),
    Case("truncated", "value-truncated", "basic_wages_rate",
         {"basic_wages_actual": D("422.49"), "basic_wages_budget": D("285.48"), "basic_wages_rate": D("147.98")}),
    Case("truncated-total", "value-truncated", "basic_actual",
         {"basic_actual": consistent_value("basic_actual") - D("0.01")}),
    Case("imprecise", "value-imprecise", "basic_goods_rate",
         {"basic_goods_actual": D("6666.69"), "basic_goods_budget": D("2000"), "basic_goods_rate": D("333.34")}),
    Case("imprecise-project-list", "value-imprecise", "project_actual",
         {"projects__actual__0": PROJECT0 + D("0.01")}),
    Case("cache-stale", "cache-stale", "total_rate", post=set_cached({"total_rate": "12.34"})),
    Case("cache-missing", "cache-missing", None),
    # -- cross-table
    Case("project-list", "project-list-mismatch", "project_actual", {"projects__actual__0": PROJECT0 + 100}),
    Case("project-list-budget", "project-list-mismatch", "project_budget",
         {"projects__budget__0": D(W("projects__budget__0")) - 50}),
    Case("sangong-exceeds-basic", "sangong-exceeds-basic", "sangong_actual", {"sangong_reception_actual": D(99999)}),
    Case("score-exceeds-weight", "score-exceeds-weight", "indicators__score__0", {"indicators__score__0": WEIGHT0 + 1}),
    Case("weights-not-100", "weights-not-100", "weight_total", {"indicators__weight__0": WEIGHT0 + 1}),
    Case("vehicle-parts", "parts-not-total", "sangong_vehicle_actual",
         {"sangong_vehicle_purchase_actual": D(1), "sangong_vehicle_running_actual": D(1)}),
    Case("income-parts", "parts-not-total", "income_total",
         {"income_total": D(100), "income_fiscal": D(60), "income_other": D(30)}),
    Case("staff-without-quota", "staff-without-quota", "staff_quota", {"staff_quota": 0}),
    Case("staff-blank-quota", "staff-without-quota", "staff_quota", {"staff_quota": None}),
    # -- inputs
    Case("required", "required-missing", "unit_name", {"unit_name": None}),
    Case("required-choice", "required-missing", "unit_type", {"unit_type": "  "}),
    Case("list-row-incomplete", "list-row-incomplete", "projects__name__0", {"projects__name__0": None}),
    Case("text-comma", "text-number", "basic_wages_actual", {"basic_wages_actual": "1,234.50"}),
    Case("text-list", "text-number", "projects__actual__1", {"projects__actual__1": "１２３"}),
    Case("text-apostrophe", "text-number", "basic_wages_actual", edit=_quote_prefix),
    Case("negative", "negative-amount", "basic_wages_budget", {"basic_wages_budget": D(-5)}),
    Case("negative-list", "negative-amount", "projects__budget__0", {"projects__budget__0": D(-1)}),
    Case("year-range", "out-of-range", "fiscal_year", {"fiscal_year": 1999}),
    Case("money-absurd", "out-of-range", "carryover_end", {"carryover_end": D("1e9")}),
    Case("staff-fraction", "out-of-range", "staff_actual", {"staff_actual": D("30.5")}),
    Case("weight-range", "out-of-range", "indicators__weight__0", {"indicators__weight__0": D(150)}),
    Case("unit-yuan", "unit-yuan-suspected", "basic_wages_actual", {"basic_wages_actual": D("5387200")}),
    Case("excess-digits", "excess-digits", "basic_wages_actual", {"basic_wages_actual": D("538.724")}),
    Case("invalid-choice", "invalid-choice", "unit_type", {"unit_type": "事业单位"}),
    Case("invalid-section", "invalid-choice", "narrative__section__0", {"narrative__section__0": "其它"}),
    Case("date-in-number", "date-in-number", "staff_quota", edit=_date_format),
    Case("excel-error-input", "excel-error", "basic_wages_actual", {"basic_wages_actual": "#DIV/0!"}),
    Case("excel-error-anywhere", "excel-error", None, edit=lambda wb: wb["报告正文"].cell(3, 10, "#N/A"),
         sheet="报告正文", cell="J3"),
]


def _expected_place(case: Case) -> tuple[str | None, str | None]:
    if case.at is not None:
        return cell_of(case.at)
    return case.sheet, case.cell


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_change_gives_finding(case: Case, tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / f"{case.id}.xlsx", edit=case.edit, post=case.post, **case.overrides)
    report = validate(path)
    assert report.unreadable is None, report.unreadable
    sheet, cell = _expected_place(case)
    hits = [f for f in report.findings if f.code == case.code and (sheet is None or f.sheet == sheet)
            and (cell is None or f.cell == cell)]
    assert hits, [(f.code, f.sheet, f.cell, f.message) for f in report.findings]
    for f in hits:
        assert f.message and f.message_en and f.severity == spec_severity(f.code)


def spec_severity(code: str) -> str:
    from workbook_tools.core.findings import CATALOGUE

    return CATALOGUE[code].severity


def test_base_of_the_table_is_clean(tmp_path: Path) -> None:
    """The rows above only mean something if the unedited copy has nothing to report."""
    report = validate(filled_workbook(tmp_path / "base.xlsx"))
    assert [f.code for f in report.findings] == ["cache-missing"]


# -- files that cannot be read ------------------------------------------------------------------------


def _missing(tmp: Path) -> Path:
    return tmp / "没有这个文件.xlsx"


def _empty(tmp: Path) -> Path:
    p = tmp / "empty.xlsx"
    p.write_bytes(b"")
    return p


def _truncated(tmp: Path) -> Path:
    p = tmp / "truncated.xlsx"
    data = CONSISTENT_XLSX.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def _ole(tmp: Path) -> Path:
    p = tmp / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    return p


def _random(tmp: Path) -> Path:
    p = tmp / "random.xlsx"
    p.write_bytes(bytes(range(256)) * 8)
    return p


def _docx(tmp: Path) -> Path:
    p = tmp / "report.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    return p


def _laughs(tmp: Path) -> Path:
    p = tmp / "laughs.xlsx"
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>')
    with zipfile.ZipFile(CONSISTENT_XLSX) as src, zipfile.ZipFile(p, "w") as out:
        for item in src.infolist():
            out.writestr(item, bomb if item.filename == "xl/workbook.xml" else src.read(item.filename))
    return p


FILE_CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("missing", _missing, "file-missing"),
    ("empty", _empty, "file-unreadable"),
    ("truncated", _truncated, "file-corrupt"),
    ("ole", _ole, "file-encrypted-or-xls"),
    ("random", _random, "file-not-workbook"),
    ("docx", _docx, "file-not-workbook"),
    ("billion-laughs", _laughs, "file-hostile"),
]


@pytest.mark.parametrize(("make", "code"), [(m, c) for _, m, c in FILE_CASES], ids=[i for i, _, _ in FILE_CASES])
def test_unreadable_file(make: Callable[[Path], Path], code: str, tmp_path: Path) -> None:
    path = make(tmp_path)
    report = validate(path)
    assert report.unreadable is not None and report.unreadable.code == code
    assert report.exit_code() == 2 and report.findings == []
    line = report.unreadable.text()
    assert str(path) in line and "\n" not in line


def test_template_unknown(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "别人的表格"
    wb.save(tmp_path / "other.xlsx")
    report = validate(tmp_path / "other.xlsx")
    assert [f.code for f in report.findings] == ["template-unknown"]
    assert report.exit_code() == 1


def test_other_version_stops_detailed_checks(tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "v.xlsx", edit=_version, unit_name=None, basic_wages_rate=D(1))
    report = validate(path)
    assert [f.code for f in report.findings] == ["template-version"]
    assert "0.9" in report.findings[0].message and spec.TEMPLATE_VERSION in report.findings[0].message


def test_inserted_row_reads_values_through_names(tmp_path: Path) -> None:
    """Rows inserted the way Excel does it: reported as structure, the values are still read right."""
    report = validate(filled_workbook(tmp_path / "ins.xlsx", edit=_insert_row))
    codes = sorted({f.code for f in report.findings})
    assert codes == ["cache-missing", "name-moved", "rows-shifted"]
    moved = [f for f in report.findings if f.code == "name-moved"]
    assert len(moved) == 1 and "下移了 1 行" in moved[0].message
    shifted = [f for f in report.findings if f.code == "rows-shifted"]
    assert len(shifted) == 1 and "插入了 1 行" in shifted[0].message


def test_sheet_missing_gives_one_finding_not_one_per_name(tmp_path: Path) -> None:
    report = validate(filled_workbook(tmp_path / "s.xlsx", edit=_delete_sheet("评分表")))
    assert [f.code for f in report.errors] == ["sheet-missing"]


@pytest.mark.parametrize(("raw", "expected", "words"), [
    ("1,234.50", "1234.50", "不要千分位逗号"),
    ("１２３", "123.00", "半角"),
    ("123.4 ", "123.40", "空格"),
    ("12.3万", None, "12.30"),
    ("无", None, "不是数字"),
])
def test_text_number_says_what_to_type(raw: str, expected: str | None, words: str, tmp_path: Path) -> None:
    report = validate(filled_workbook(tmp_path / "t.xlsx", basic_wages_actual=raw))
    (f,) = [f for f in report.findings if f.code == "text-number"]
    assert (f.sheet, f.cell) == cell_of("basic_wages_actual")
    assert "工资福利支出 决算金额" in f.message and words in f.message and raw in f.message
    if expected is not None:
        assert f.expected == expected and f"改为数字 {expected}" in f.message
    # the text is not arithmetic's problem too: no value finding for the ratio or total built on it
    assert not [g for g in report.findings if g.code.startswith("value-")]


def test_apostrophe_is_named(tmp_path: Path) -> None:
    report = validate(filled_workbook(tmp_path / "q.xlsx", edit=_quote_prefix))
    (f,) = [f for f in report.findings if f.code == "text-number"]
    assert "撇号" in f.message and f.expected == "538.72"


def test_one_finding_per_typed_over_cell(tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "o.xlsx", basic_wages_rate=D("150.00"))
    report = validate(path)
    at = [f for f in report.findings if (f.sheet, f.cell) == cell_of("basic_wages_rate")]
    assert [f.code for f in at] == ["value-mismatch"]
    assert at[0].expected == format(consistent_value("basic_wages_rate"), "f") and at[0].actual == "150.00"


def test_seed_150_instead_of_147_99_is_an_error(tmp_path: Path) -> None:
    from .factory import SEED_XLSX

    report = validate(filled_workbook(tmp_path / "s.xlsx", source=SEED_XLSX, basic_wages_rate=D("150.00")))
    (f,) = [f for f in report.findings if f.cell == cell_of("basic_wages_rate")[1] and f.sheet == "资金使用"]
    assert f.code == "value-mismatch" and f.expected == "147.99"


def test_row_inserted_inside_a_list(tmp_path: Path) -> None:
    """Excel stretches the list's names over an inserted row: one finding for the stretched ranges, one for
    the names below that moved, one for the labels; the projects are still read and still add up."""
    t = spec.table("projects")
    path = filled_workbook(tmp_path / "list.xlsx", edit=lambda wb: insert_rows_like_excel(wb, t.sheet, t.first_row + 2))
    report = validate(path)
    moved = [f for f in report.findings if f.code == "name-moved"]
    assert len(moved) == 2
    stretched = [f for f in moved if "范围多了 1 行" in f.message]
    assert len(stretched) == 1 and f"{len(t.columns) + 1} 个列表名称" in stretched[0].message
    assert [f.code for f in report.findings if f.code not in ("name-moved", "cache-missing")] == ["rows-shifted"]
