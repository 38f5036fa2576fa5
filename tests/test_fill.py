"""fill: restores formulas, converts obvious text numbers, writes cached values, and touches nothing else."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from python_calamine import CalamineWorkbook

from workbook_tools.core import spec
from workbook_tools.core.cells import address, rc
from workbook_tools.core.compute import compute
from workbook_tools.core.scoring import parse_rules
from workbook_tools.fill import FillError, default_output, fill, write_cached_values
from workbook_tools.xlsx import reader

from .conftest import CONSISTENT_JSON

#: name → text typed instead of the number (the consistent example's own values, so the numbers come back).
TEXT_NUMBERS = {
    "basic_wages_budget": "５２０.３６",  # full-width digits → 520.36
    "project_budget": "2,860.00",  # thousands separator
    "basic_goods_actual": "\u00a092.18 ",  # non-breaking and stray spaces
    "sangong_reception_prev": "'7.95",  # a literal leading apostrophe
    "staff_quota": "３６",  # int field
}
TYPED_OVER, DELETED, CHANGED = "sangong_vehicle_rate", "basic_rate", "sangong_change_pct"


def where(path: Path) -> dict[str, tuple[str, str]]:
    """Cell of every named field, from the workbook's defined names (never hard-coded addresses)."""
    return {n: (loc.sheet, loc.cell) for n, loc in reader.load(path).locations.items()}


def list_cell(path: Path, table: str, key: str, index: int) -> tuple[str, str]:
    loaded = reader.load(path)
    loc = loaded.list_locations[table][key]
    row, col = rc(loc.cell)
    return loc.sheet, address(row + index, col)


def messy(src: Path, dest: Path) -> Path:
    """The consistent example damaged the ways real submissions are, plus user content fill must keep."""
    at = where(src)
    wb = load_workbook(src, rich_text=True)

    def cell(name: str):  # noqa: ANN202 - openpyxl cell
        sheet, ref = at[name]
        return wb[sheet][ref]

    cell(TYPED_OVER).value = D("77.7")
    cell(DELETED).value = None
    cell(CHANGED).value = "=sangong_actual-sangong_prev"
    for name, text in TEXT_NUMBERS.items():
        cell(name).value = text
        cell(name).data_type = "s"
    cell("basic_wages_budget").number_format = "@"
    sheet, ref = list_cell(src, "projects", "budget", 1)
    wb[sheet][ref].value = "1,350"
    cell(DELETED).comment = Comment("审核：这里原来是公式", "财政局")
    cell("unit_name").comment = Comment("单位全称，与公章一致", "张三")
    cell("unit_name").font = Font(name="黑体", color="FF0000")
    wb["资金使用"]["G3"] = "我的备注"
    wb["资金使用"]["G3"].fill = PatternFill("solid", fgColor="00FF00")
    extra = wb.create_sheet("我的计算")
    extra["A1"] = "三公合计×2"
    extra["B1"] = "=sangong_actual*2"
    extra["A2"] = D("12.345")
    extra["A2"].comment = Comment("自用", "李四")
    wb.save(dest)
    return dest


@pytest.fixture
def messy_xlsx(consistent_xlsx: Path, tmp_path: Path) -> Path:
    return messy(consistent_xlsx, tmp_path / "messy.xlsx")


def test_fill_restores_converts_and_reports_each_change(messy_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    report = fill(messy_xlsx, out)
    at = where(messy_xlsx)
    by_cell = {(f.sheet, f.cell): f for f in report.findings if f.cell}
    restored = {f.name: f for f in report.findings if f.code == "fill-formula-restored"}
    assert set(restored) == {TYPED_OVER, DELETED, CHANGED}
    assert restored[TYPED_OVER].actual == D("77.7")
    assert restored[DELETED].actual == "（空）"
    assert restored[CHANGED].actual == "=sangong_actual-sangong_prev"
    assert "公式被改写为常数" in restored[TYPED_OVER].message and "公式被删除" in restored[DELETED].message
    converted = {f.name: f for f in report.findings if f.code == "fill-text-converted"}
    assert set(converted) == set(TEXT_NUMBERS) | {"projects_budget"}
    assert by_cell[at["basic_wages_budget"]].expected == D("520.36")
    assert "全角数字" in by_cell[at["basic_wages_budget"]].message
    assert by_cell[at["staff_quota"]].expected == 36
    row = converted["projects_budget"]
    assert (row.variant, row.params) == ("row", {"table": "项目明细", "row": 2, "column": "年初预算", "raw": "1,350",
                                                 "value": D("1350"), "why": "千分位逗号"})
    assert (row.sheet, row.cell) == list_cell(messy_xlsx, "projects", "budget", 1)
    assert row.message == "项目明细第2行 年初预算：文本“1,350”已转换为数字 1350（千分位逗号）"
    assert report.ok and report.written and not report.unreadable

    filled = reader.load(out)
    expected = compute(filled.model)
    want = json.loads(CONSISTENT_JSON.read_text("utf-8"))["values"]
    for name in TEXT_NUMBERS:
        assert filled.model.values[name] == (int(want[name]) if spec.field(name).kind == "int" else D(want[name]))
    assert filled.model.lists["projects"][1]["budget"] == D("1350")
    for f in spec.DERIVED_FIELDS:
        assert "=" + (filled.formula(f.name) or "") == f.formula, f.name
        cached = filled.cached(f.name)
        assert (cached in ("", None)) if expected[f.name] is None else cached == expected[f.name], f.name
    wb = load_workbook(out)
    sheet, ref = at["basic_wages_budget"]
    assert wb[sheet][ref].number_format == "0.00"  # no longer a text cell
    assert wb.calculation.fullCalcOnLoad


def test_fill_never_touches_cells_it_does_not_own(messy_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    report = fill(messy_xlsx, out)
    owned = {(f.sheet, f.cell) for f in report.findings if f.cell}
    assert len(owned) == 9
    before = load_workbook(messy_xlsx, rich_text=True)
    after = load_workbook(out, rich_text=True)
    assert after.sheetnames == before.sheetnames
    assert {k: v.attr_text for k, v in after.defined_names.items()} == {
        k: v.attr_text for k, v in before.defined_names.items()}
    compared = 0
    for ws in before.worksheets:
        ws2 = after[ws.title]
        assert sorted(map(str, ws2.merged_cells.ranges)) == sorted(map(str, ws.merged_cells.ranges))
        assert len(ws2.data_validations.dataValidation) == len(ws.data_validations.dataValidation)
        assert ws2.protection.sheet == ws.protection.sheet and ws2.sheet_state == ws.sheet_state
        assert {k: d.width for k, d in ws2.column_dimensions.items()} == {
            k: d.width for k, d in ws.column_dimensions.items()}
        coords = {c.coordinate for row in ws.iter_rows() for c in row} | {
            c.coordinate for row in ws2.iter_rows() for c in row}
        for coord in coords:
            a, b = ws[coord], ws2[coord]
            assert (a.comment.text if a.comment else None) == (b.comment.text if b.comment else None), coord
            assert (a.comment.author if a.comment else None) == (b.comment.author if b.comment else None), coord
            if (ws.title, coord) in owned:
                continue
            assert a.value == b.value, f"{ws.title}!{coord}"
            for attr in ("font", "fill", "border", "alignment", "protection", "number_format"):
                assert repr(getattr(a, attr)) == repr(getattr(b, attr)), f"{ws.title}!{coord} {attr}"
            compared += 1
    assert compared > 2000
    assert after["我的计算"]["B1"].value == "=sangong_actual*2"
    assert after["资金使用"]["G3"].value == "我的备注"


def test_calamine_reads_the_computed_value_of_every_derived_cell(messy_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    fill(messy_xlsx, out)
    loaded = reader.load(out)
    expected = compute(loaded.model)
    book = CalamineWorkbook.from_path(str(out))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in {f.sheet for f in spec.DERIVED_FIELDS}}
    for f in spec.DERIVED_FIELDS:
        loc = loaded.locations[f.name]
        row, col = rc(loc.cell)
        got = sheets[loc.sheet][row - 1][col - 1]
        want = expected[f.name]
        if want is None:
            assert got == "", f.name
        elif isinstance(want, str):
            assert got == want, f.name
        else:
            assert D(repr(got)) == want, f"{f.name}: calamine {got!r} != {want}"
    assert any(expected[f.name] is None for f in spec.DERIVED_FIELDS)  # blank ratios (三公 abroad: budget 0)


def test_fill_is_idempotent_and_leaves_the_input_alone(messy_xlsx: Path, tmp_path: Path) -> None:
    original = messy_xlsx.read_bytes()
    first = tmp_path / "first.xlsx"
    fill(messy_xlsx, first)
    assert messy_xlsx.read_bytes() == original
    second = tmp_path / "second.xlsx"
    again = fill(first, second)
    assert again.changed_cells == 0 and again.writer == "copy"
    assert [f for f in again.findings if f.code != "fill-score-suggested"] == []
    assert second.read_bytes() == first.read_bytes()


def test_in_place_keeps_a_backup_and_replaces(messy_xlsx: Path) -> None:
    original = messy_xlsx.read_bytes()
    report = fill(messy_xlsx, in_place=True)
    bak = messy_xlsx.with_name(messy_xlsx.name + ".bak")
    assert report.backup == str(bak) and bak.read_bytes() == original
    assert messy_xlsx.read_bytes() != original
    assert reader.load(messy_xlsx).formula(DELETED)
    assert not list(messy_xlsx.parent.glob(".*.tmp"))


def test_in_place_without_changes_does_not_rewrite(consistent_xlsx: Path, tmp_path: Path) -> None:
    done = tmp_path / "done.xlsx"
    fill(consistent_xlsx, done)
    before = done.read_bytes()
    report = fill(done, in_place=True)
    assert report.changed_cells == 0 and report.backup is None and report.writer is None
    assert done.read_bytes() == before


def test_output_over_the_input_is_refused(consistent_xlsx: Path) -> None:
    with pytest.raises(FillError, match="--in-place"):
        fill(consistent_xlsx, consistent_xlsx)
    assert default_output(consistent_xlsx).name == "consistent_filled.xlsx"


def typed_over(src: Path, dest: Path, texts: dict[str, str]) -> Path:
    """``src`` with each named field's cell typed over with a text, saved by openpyxl as ``dest``."""
    at = where(src)
    wb = load_workbook(src)
    for name, text in texts.items():
        sheet, ref = at[name]
        wb[sheet][ref].value = text
    wb.save(dest)
    return dest


def test_text_that_is_not_obviously_a_number_is_left_for_validate(consistent_xlsx: Path, tmp_path: Path) -> None:
    odd = {"carryover_prev": "—", "carryover_end": "无", "staff_actual": "38.5", "staff_quota": "3万"}
    src = typed_over(consistent_xlsx, tmp_path / "odd.xlsx", odd)
    report = fill(src, tmp_path / "out.xlsx")
    assert not [f for f in report.findings if f.code == "fill-text-converted"]
    out = reader.load(tmp_path / "out.xlsx").model
    assert out.values["carryover_prev"] == "—" and out.values["carryover_end"] == "无"
    assert out.values["staff_actual"] == "38.5"  # an int field: 38.5 is not obviously a head count
    assert out.values["staff_quota"] == "3万"  # 万 is a unit of money only


def test_amounts_with_their_unit_inside_are_converted_and_reported(consistent_xlsx: Path, tmp_path: Path) -> None:
    units = {"adjusted_budget": "1235.6万", "carryover_prev": "1,235.60 万元", "carryover_end": "12,356,000元"}
    src = typed_over(consistent_xlsx, tmp_path / "units.xlsx", units)
    report = fill(src, tmp_path / "out.xlsx")
    converted = {f.name: f for f in report.findings if f.code == "fill-text-converted"}
    assert set(converted) == {"adjusted_budget", "carryover_prev", "carryover_end"}
    assert "万" in converted["adjusted_budget"].message and "以元填写" in converted["carryover_end"].message
    out = reader.load(tmp_path / "out.xlsx").model
    assert out.values["adjusted_budget"] == D("1235.6")
    assert out.values["carryover_prev"] == D("1235.60")
    assert out.values["carryover_end"] == D("1235.60")  # 12,356,000 元 ÷ 10000, ROUND to 2 places


def blank_score(src: Path, dest: Path, level3: str) -> tuple[Path, tuple[str, str]]:
    rows = reader.load(src).model.rows("indicators")
    index = next(i for i, r in enumerate(rows) if r["level3"] == level3)
    sheet, ref = list_cell(src, "indicators", "score", index)
    wb = load_workbook(src)
    wb[sheet][ref].value = None
    wb.save(dest)
    return dest, (sheet, ref)


#: The parameters of the suggested score of the consistent example's 在职人员控制率 (38 staff of a quota of 36).
STAFF_SCORE = {"indicator": "在职人员控制率",
               "basis": "在职人员控制率 105.56%，超过 100% 5.56 个百分点，每个百分点扣 0.5 分，得 1.22 分",
               "basis_en": "在职人员控制率 105.56% is 5.56 points above 100%; 0.5 off per 1 point(s): 1.22"}


def test_suggested_score_only_for_blank_scores(consistent_xlsx: Path, tmp_path: Path) -> None:
    src, cell = blank_score(consistent_xlsx, tmp_path / "blank.xlsx", "在职人员控制率")
    report = fill(src, tmp_path / "out.xlsx")
    (s,) = [f for f in report.findings if f.code == "fill-score-suggested"]
    assert (s.sheet, s.cell) == cell
    assert s.expected == D("1.22")  # 38 / 36 = 105.56%: 4 − 5.56 × 0.5
    assert "105.56%" in s.message
    assert (s.variant, s.params) == ("default", {**STAFF_SCORE, "score": D("1.22")})
    assert s.message == f"评分表“在职人员控制率”得分为空，建议得分 1.22：{STAFF_SCORE['basis']}"
    assert reader.load(tmp_path / "out.xlsx").model.rows("indicators")[2]["score"] is None  # not written
    # the typed 1.22 of the example is never touched, nor reported
    assert not [f for f in fill(consistent_xlsx, tmp_path / "o2.xlsx").findings if f.code.startswith("fill-score")]


def test_write_scores_fills_blank_score_and_recomputes_total(consistent_xlsx: Path, tmp_path: Path) -> None:
    src, cell = blank_score(consistent_xlsx, tmp_path / "blank.xlsx", "在职人员控制率")
    out = tmp_path / "out.xlsx"
    report = fill(src, out, write_scores=True)
    (w,) = [f for f in report.findings if f.code == "fill-score-written"]
    assert (w.sheet, w.cell) == cell
    assert (w.variant, w.params) == ("default", {**STAFF_SCORE, "score": D("1.22")})
    assert w.message == f"评分表“在职人员控制率”得分为空，已写入建议得分 1.22：{STAFF_SCORE['basis']}"
    assert not [f for f in report.findings if f.code == "fill-score-suggested"]
    filled = reader.load(out)
    assert filled.model.rows("indicators")[2]["score"] == D("1.22")
    assert filled.cached("score_total") == D("82.94")  # the example's total, computed by fill
    assert filled.cached("grade") == "良好"


def test_county_grade_thresholds_are_written_to_the_table(consistent_xlsx: Path, tmp_path: Path) -> None:
    rules = parse_rules({"grades": [{"label": "优", "min": 90}, {"label": "良", "min": 80},
                                    {"label": "合格", "min": 60}, {"label": "不合格", "min": 0}]}, "county.json")
    out = tmp_path / "out.xlsx"
    report = fill(consistent_xlsx, out, rules=rules)
    assert len([f for f in report.findings if f.name == "grade_labels"]) == 4
    table = [f for f in report.findings if f.code == "fill-value-computed" and f.variant == "grade-table"]
    assert [(f.name, f.params, f.actual) for f in table] == [
        ("grade_labels", {"source": "county.json", "value": new}, old)
        for new, old in (("不合格", "差"), ("合格", "中"), ("良", "良好"), ("优", "优秀"))]  # the minimums are unchanged
    assert [f.message for f in table] == [f"等级标准表：已按评分规则（county.json）写入 {g}" for g in ("不合格", "合格", "良", "优")]
    filled = reader.load(out)
    assert filled.cached("grade") == "良"  # 82.94
    labels = reader.locate(filled.book, "grade_labels", "", "")
    first_row, col = rc(labels[1].split(":")[0])
    assert [filled.book.cell(labels[0], address(first_row + i, col)).value for i in range(4)] == [
        "不合格", "合格", "良", "优"]


def test_unreadable_and_foreign_files_write_nothing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    report = fill(junk, tmp_path / "out.xlsx")
    assert report.unreadable is not None and report.unreadable.code == "file-not-workbook"
    assert report.exit_code() == 2 and not (tmp_path / "out.xlsx").exists()
    from openpyxl import Workbook

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    report = fill(other, tmp_path / "out.xlsx")
    assert [f.code for f in report.findings] == ["template-unknown"]
    assert report.exit_code() == 1 and not (tmp_path / "out.xlsx").exists()


def test_recalc_without_libreoffice_says_so_and_still_writes(consistent_xlsx: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_SOFFICE", str(tmp_path / "no-soffice"))
    out = tmp_path / "out.xlsx"
    report = fill(consistent_xlsx, out, recalc=True)
    (skip,) = [f for f in report.findings if f.code == "fill-recalc-skipped"]
    assert "LibreOffice" in skip.message and "\n" not in skip.message
    assert (skip.variant, skip.params, skip.severity) == ("missing", {}, "warning")
    assert skip.message == "未找到 LibreOffice，未重新计算；文件已写出，公式单元格带有 Python 计算的缓存值"
    assert out.exists() and not report.recalculated
    assert reader.load(out).cached("total_rate") == compute(reader.load(out).model)["total_rate"]


def test_recalc_failure_says_so_and_keeps_what_fill_wrote(consistent_xlsx: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")  # found, starts, fails
    soffice.chmod(0o755)
    monkeypatch.setenv("WORKBOOK_TOOLS_SOFFICE", str(soffice))
    out = tmp_path / "out.xlsx"
    report = fill(consistent_xlsx, out, recalc=True)
    (skip,) = [f for f in report.findings if f.code == "fill-recalc-skipped"]
    error = f"LibreOffice 运行失败（退出码 3）。涉及文件：{out}"
    assert (skip.variant, skip.params, skip.severity) == ("failed", {"error": error}, "warning")
    assert skip.message == f"LibreOffice 重算失败，文件保持 fill 写出的内容：{error}"
    assert report.written and not report.recalculated
    assert reader.load(out).cached("total_rate") == compute(reader.load(out).model)["total_rate"]


@pytest.mark.libreoffice
def test_recalc_with_libreoffice_agrees(soffice: str, messy_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    report = fill(messy_xlsx, out, recalc=True)
    assert report.recalculated
    lo = reader.load(out)
    assert lo.book.application.startswith("LibreOffice")
    expected = compute(lo.model)
    for f in spec.DERIVED_FIELDS:
        want, got = expected[f.name], lo.cached(f.name)
        assert (got in ("", None)) if want is None else (got == want), f"{f.name}: {got!r} != {want!r}"


def test_a_merge_over_a_derived_cell_is_undone_and_reported(consistent_xlsx: Path, tmp_path: Path) -> None:
    """A merged range drawn from the cell on the left over 基本支出 占比 hides (and empties) its formula."""
    sheet, ref = where(consistent_xlsx)[DELETED]
    row, col = rc(ref)
    merged = f"{address(row, col - 1)}:{ref}"
    wb = load_workbook(consistent_xlsx, rich_text=True)
    wb[sheet].merge_cells(merged)
    src = tmp_path / "merged.xlsx"
    wb.save(src)
    out = tmp_path / "out.xlsx"
    report = fill(src, out)
    (u,) = [f for f in report.findings if f.code == "fill-unmerged"]
    assert (u.variant, u.params, u.sheet, u.cell) == ("default", {"range": merged}, sheet, address(row, col - 1))
    assert u.message == f"合并单元格 {merged} 遮住了计算单元格，已取消合并以恢复模板的单元格"
    assert DELETED in {f.name for f in report.findings if f.code == "fill-formula-restored"}
    assert merged not in map(str, load_workbook(out)[sheet].merged_cells.ranges)
    assert "=" + (reader.load(out).formula(DELETED) or "") == spec.field(DELETED).formula


def test_deleted_status_lines_are_restored_one_by_one(consistent_xlsx: Path, tmp_path: Path) -> None:
    """Up to three live-check formulas are restored with a finding each (more: one finding, live-many)."""
    from workbook_tools.core import live_checks

    places = [(s.title, s.status_cell or "") for s in spec.SHEETS if s.key in ("funds", "scores")]
    wb = load_workbook(consistent_xlsx, rich_text=True)
    for sheet, cell in places:
        assert cell and wb[sheet][cell].value
        wb[sheet][cell].value = None
    src = tmp_path / "no_status.xlsx"
    wb.save(src)
    report = fill(src, tmp_path / "out.xlsx")
    restored = [f for f in report.findings if f.code == "fill-formula-restored"]
    live = {(c.sheet, c.cell): c for c in live_checks.cells()}
    assert [(f.sheet, f.cell) for f in restored] == places
    filled = load_workbook(tmp_path / "out.xlsx")
    for f, (sheet, cell) in zip(restored, places, strict=True):
        lc = live[(sheet, cell)]
        assert (f.variant, f.params, f.expected) == ("live", {"sheet": sheet, "cell": cell, "what": lc.what}, lc.formula)
        assert f.message == f"“{sheet}”表 {cell}（{lc.what}）：自动检查公式已恢复"
        assert filled[sheet][cell].value == lc.formula


def test_write_cached_values_types(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    for ref in ("A1", "A2", "A3", "A4"):
        ws[ref] = "=1+1"
    ws["A5"] = "text & <tag>"
    path = tmp_path / "c.xlsx"
    wb.save(path)
    n = write_cached_values(path, {("表", "A1"): D("12.50"), ("表", "A2"): "优秀", ("表", "A3"): None,
                                   ("表", "A4"): "a<b&c", ("表", "A5"): D("1"), ("没有", "A1"): D("1")})
    assert n == 4  # A5 holds no formula, the sheet 没有 does not exist
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>12.5</v>" in xml and 't="str"><f>1+1</f><v>优秀</v>' in xml and "<v>a&lt;b&amp;c</v>" in xml
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表").to_python()
    assert [r[0] for r in rows] == [12.5, "优秀", "", "a<b&c", "text & <tag>"]


def test_rows_inserted_leave_that_sheet_alone(messy_xlsx: Path, tmp_path: Path) -> None:
    """openpyxl inserts rows without moving names: the names now point at other cells, so fill must not write."""
    sheet = spec.field(DELETED).sheet
    wb = load_workbook(messy_xlsx, rich_text=True)
    first = rc(where(messy_xlsx)[DELETED][1])[0] - 3
    wb[sheet].insert_rows(first, 2)
    src = tmp_path / "shifted.xlsx"
    wb.save(src)
    before = load_workbook(src, rich_text=True)[sheet]
    out = tmp_path / "out.xlsx"
    report = fill(src, out)
    assert "rows-shifted" in {f.code for f in report.findings} and report.exit_code() == 1
    assert not [f for f in report.findings if f.sheet == sheet and f.code.startswith("fill-")]
    after = load_workbook(out, rich_text=True)[sheet]
    assert [[c.value for c in r] for r in after.iter_rows()] == [[c.value for c in r] for r in before.iter_rows()]
    assert reader.load(out).cached("staff_control_rate") == D("105.56")  # other sheets are filled


def test_missing_sheet_is_reported_and_the_rest_filled(messy_xlsx: Path, tmp_path: Path) -> None:
    wb = load_workbook(messy_xlsx, rich_text=True)
    del wb["项目支出"]
    src = tmp_path / "no_projects.xlsx"
    wb.save(src)
    report = fill(src, tmp_path / "out.xlsx")
    assert "sheet-missing" in {f.code for f in report.findings}
    restored = {f.name for f in report.findings if f.code == "fill-formula-restored"}
    assert restored == {TYPED_OVER, DELETED, CHANGED}
    assert load_workbook(tmp_path / "out.xlsx").sheetnames == wb.sheetnames


def test_label_retyped_in_place_does_not_block_fill(messy_xlsx: Path, tmp_path: Path) -> None:
    wb = load_workbook(messy_xlsx, rich_text=True)
    sheet = spec.field("basic_wages_rate").sheet
    label = next(t for t in spec.SHEET_BY_TITLE[sheet].texts if t.text == "工资福利支出")
    wb[sheet][label.cell] = "工资福利支出（含社保）"  # the row label of 表1, reworded in place
    src = tmp_path / "relabelled.xlsx"
    wb.save(src)
    report = fill(src, tmp_path / "out.xlsx")
    assert DELETED in {f.name for f in report.findings if f.code == "fill-formula-restored"}
