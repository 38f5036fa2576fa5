"""summary: totals recomputed from sums, text never a formula (xlsx and CSV), charts, JSON."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from workbook_tools.batch import summary
from workbook_tools.batch.pipeline import run as run_batch
from workbook_tools.batch.result import BatchOptions, FileResult
from workbook_tools.core.expr import excel_round
from workbook_tools.core.model import Evaluation
from workbook_tools.template import write_filled

from .conftest import CONSISTENT_JSON, load_json

INJECTIONS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tx", "\rx"]


def result(path: str, unit: str, year: int, *, budget: str, actual: str, sg: str = "1", sg_prev: str = "2",
           quota: str = "10", staff: str = "9", status: str = "ok", score: str = "85", grade: str = "良好") -> FileResult:
    figures = {"total_budget": budget, "total_actual": actual, "sangong_actual": sg, "sangong_prev": sg_prev,
               "staff_quota": quota, "staff_actual": staff, "score_total": score, "grade": grade,
               "basic_budget": budget, "basic_actual": actual, "project_budget": "0", "project_actual": "0"}
    return FileResult(path, status, unit=unit, year=year, figures=figures)  # type: ignore[arg-type]


def test_total_ratios_are_recomputed_not_averaged() -> None:
    rows = [result("a.xlsx", "甲", 2023, budget="100", actual="50", sg="3", sg_prev="4", quota="10", staff="12"),
            result("b.xlsx", "乙", 2023, budget="300", actual="301", sg="7.5", sg_prev="2", quota="7", staff="5")]
    (total,) = summary.totals(rows)
    assert total.values["total_budget"] == Decimal(400) and total.values["total_actual"] == Decimal(351)
    assert total.values["total_rate"] == excel_round(Decimal(351) / Decimal(400) * 100, 2) == Decimal("87.75")
    average = (Decimal(50) + excel_round(Decimal(301) / Decimal(300) * 100, 2)) / 2
    assert total.values["total_rate"] != average
    assert total.values["sangong_change_pct"] == excel_round((Decimal("10.5") - 6) / 6 * 100, 2)
    assert total.values["staff_control_rate"] == excel_round(Decimal(17) / Decimal(17) * 100, 2)
    assert total.units == 2


def test_totals_per_year_and_duplicates_once() -> None:
    rows = [result("a.xlsx", "甲", 2022, budget="10", actual="10"),
            result("b.xlsx", "甲", 2022, budget="10", actual="10", status="duplicate"),
            result("c.xlsx", "乙", 2023, budget="5", actual="4"),
            FileResult("d.xlsx", "unreadable", reason="坏文件")]
    totals = summary.totals(rows)
    assert [(t.year, t.units, t.values["total_actual"]) for t in totals] == [(2022, 1, Decimal(10)), (2023, 1, Decimal(4))]
    table = summary.summary_rows(rows)
    assert [r["file"] for r in table] == ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx", "合计", "合计"]
    assert table[3]["status"] == "无法读取" and table[3]["note"] == "坏文件" and table[3]["errors"] is None


def test_zero_budget_total_rate_is_blank() -> None:
    (total,) = summary.totals([result("a.xlsx", "甲", 2023, budget="0", actual="5", sg_prev="0", quota="0")])
    assert total.values["total_rate"] is None and total.values["sangong_change_pct"] is None
    assert total.values["staff_control_rate"] is None


@pytest.mark.parametrize("text", INJECTIONS)
def test_csv_safe_escapes_formula_starts(text: str) -> None:
    assert summary.csv_safe(text) == "'" + text
    assert summary.csv_safe("安化县") == "安化县" and summary.csv_safe(Decimal("-35.17")) == Decimal("-35.17")


def _sheet_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]


def test_text_from_workbooks_never_becomes_a_formula(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = load_json(CONSISTENT_JSON)
    for i, name in enumerate(['=HYPERLINK("http://x","y")', "+cmd"]):
        model = Evaluation.from_json(data)
        model.values["unit_name"] = name
        write_filled(model, inbox / f"unit{i}.xlsx")
    (inbox / "=1+2.xlsx").write_bytes(b"not a workbook")  # a file name is text from outside too
    (inbox / "@x.xlsx").write_bytes(b"junk")
    out = tmp_path / "out"
    run_batch(inbox, BatchOptions(root=str(inbox), out_dir=str(out)), workers=1)

    for xml in _sheet_xml(out / "summary.xlsx"):
        assert "<f>" not in xml and "<f " not in xml
    from openpyxl import load_workbook

    wb = load_workbook(out / "summary.xlsx")
    units = {c.value: c.data_type for c in wb["汇总"]["B"][1:] if c.value}
    assert units['=HYPERLINK("http://x","y")'] == "s" and units["+cmd"] == "s"
    files = {c.value: c.data_type for c in wb["未处理"]["A"][1:] if c.value}
    assert files == {"=1+2.xlsx": "s", "@x.xlsx": "s"}
    chart_units = [c.value for c in wb["图表"]["A"][1:] if c.value]
    assert '=HYPERLINK("http://x","y")' in chart_units and all(c.data_type == "s" for c in wb["图表"]["A"][1:] if c.value)

    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = [c for row in csv.reader(raw.decode("utf-8-sig").splitlines()) for c in row]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'+cmd" in cells and "'=1+2.xlsx" in cells
    assert "'@x.xlsx" in cells
    assert not any(re.match(r"^[=+@]", c) for c in cells)
    assert "-13.23" in cells  # numbers are not escaped


def test_xlsx_layout_charts_and_english(tmp_path: Path) -> None:
    rows = [result("a.xlsx", "甲", 2023, budget="100", actual="98", grade="优秀"),
            result("b.xlsx", "乙", 2023, budget="50", actual="45", grade="良好"),
            FileResult("c.xlsx", "timeout", reason="超时")]
    path = summary.write_xlsx(rows, tmp_path / "s.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "问题清单", "未处理", "图表", "问题统计"]
    assert [c.value for c in wb["汇总"][1]][:6] == ["文件", "单位名称", "年度", "年初预算（万元）", "决算（万元）", "执行率%"]
    assert wb["汇总"]["E2"].value == 98 and wb["汇总"]["E2"].number_format == "0.00"
    assert [r for r in wb["未处理"].iter_rows(min_row=2, values_only=True)] == [("c.xlsx", "超时", None, "超时")]
    grades = {r[0]: r[1] for r in wb["图表"].iter_rows(min_row=2, min_col=6, max_col=7, values_only=True) if r[0]}
    assert grades == {"优秀": 1, "良好": 1, "中": 0, "差": 0}
    with zipfile.ZipFile(path) as zf:
        charts = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 3
        xml = "".join(zf.read(n).decode("utf-8") for n in charts)
    assert xml.count("<barChart>") == 3 and 'val="clustered"' in xml and "执行率" in xml and "三公" in xml

    en = load_workbook(summary.write_xlsx(rows, tmp_path / "e.xlsx", lang="en"))
    assert en.sheetnames == ["Summary", "Findings", "Unprocessed", "Charts", "Findings by code"]
    assert en["Summary"]["A1"].value == "File" and en["Summary"]["U4"].value == "timeout"


#: Every header row of summary.xlsx (and summary.csv, the 汇总 sheet) as the bureau's staff and scripts know it.
HEADERS = {
    "zh": {
        "汇总": ["文件", "单位名称", "年度", "年初预算（万元）", "决算（万元）", "执行率%", "基本支出预算", "基本支出决算",
                 "项目支出预算", "项目支出决算", "三公经费本年", "三公经费上年", "三公经费变动率%", "编制数", "实有人数",
                 "在职人员控制率%", "得分", "等级", "错误数", "警告数", "状态", "说明"],
        "问题清单": ["文件", "单位名称", "工作表", "单元格", "代码", "级别", "说明"],
        "未处理": ["文件", "状态", "代码", "原因"],
        "图表": ["单位", "执行率%", "三公经费本年", "三公经费上年", None, "等级", "单位数"],
        "问题统计": ["代码", "问题", "类别", "级别", "文件数", "处数"],
    },
    "en": {
        "Summary": ["File", "Unit", "Year", "Initial budget (10k yuan)", "Final account (10k yuan)", "Execution rate %",
                    "Basic: budget", "Basic: final", "Projects: budget", "Projects: final", "三公 this year",
                    "三公 last year", "三公 change %", "Staff quota", "Actual staff", "Staff control rate %", "Score",
                    "Grade", "Errors", "Warnings", "Status", "Note"],
        "Findings": ["File", "Unit", "Sheet", "Cell", "Code", "Severity", "Message"],
        "Unprocessed": ["File", "Status", "Code", "Reason"],
        "Charts": ["Unit", "Execution rate %", "三公 this year", "三公 last year", None, "Grade", "Departments"],
        "Findings by code": ["Code", "Finding", "Family", "Severity", "Files", "Findings"],
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_header_is_the_one_the_bureau_knows(tmp_path: Path, lang: str) -> None:
    """The headers come from the spec (fields' short labels, SUMMARY_HEADERS); they stay exactly these."""
    from openpyxl import load_workbook

    rows = [result("a.xlsx", "甲", 2023, budget="100", actual="98"), FileResult("c.xlsx", "timeout", reason="超时")]
    rows[0].findings.append({"file": "a.xlsx", "sheet": "资金使用", "cell": "B5", "code": "value-mismatch",
                             "severity": "error", "message": "x"})
    wb = load_workbook(summary.write_xlsx(rows, tmp_path / "s.xlsx", lang=lang))
    assert {ws.title: [c.value for c in ws[1]] for ws in wb.worksheets} == HEADERS[lang]
    csv_head = next(csv.reader(summary.write_csv(rows, tmp_path / "s.csv", lang).read_text("utf-8-sig").splitlines()))
    assert csv_head == HEADERS[lang][summary.SHEETS[lang][0]]


def test_a_field_without_a_short_label_cannot_head_a_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(summary.FIELD_OF, "region", "region")
    with pytest.raises(KeyError, match="region"):
        summary.header("region")


def test_json_and_csv_contents(tmp_path: Path) -> None:
    rows = [result("a.xlsx", "甲", 2023, budget="100", actual="98")]
    paths = summary.write_summary(rows, tmp_path)
    data = json.loads(paths["json"].read_text("utf-8"))
    assert data["counts"] == {"ok": 1} and data["files"][0]["figures"]["total_actual"] == "98"
    assert data["totals"][0]["total_rate"] == "98.00"
    lines = paths["csv"].read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("文件,单位名称,年度") and lines[2].startswith("合计,1 个单位,2023,100.00,98.00,98.00")
