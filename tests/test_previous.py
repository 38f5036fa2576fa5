"""This year against last: ``validate --previous`` and ``batch --previous-dir`` (matched by unit name)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbook_tools.checks import previous
from workbook_tools.checks.validate import validate
from workbook_tools.cli.app import app
from workbook_tools.core import spec
from workbook_tools.core.findings import CATALOGUE

from .test_reviewer_checks import Data, book, both, cell, reviewer, set_list, set_values

runner = CliRunner()


def last_year(d: Data) -> None:
    """The consistent example one year earlier, with the figures this year's 上年 cells quote."""
    d["values"].update(fiscal_year=2022, sangong_reception_actual="7.95", sangong_vehicle_actual="12.31",
                       sangong_abroad_actual="0", carryover_end="48.62")
    for rows in d["lists"].values():  # last year's report spoke of its own years
        for row in rows:
            for k, v in row.items():
                if isinstance(v, str):
                    row[k] = v.replace("2022年", "2021年").replace("2023年", "2022年")


def last_year_and(*edits: object) -> object:
    return both(last_year, *edits)  # type: ignore[arg-type]


def at(name: str) -> tuple[str, str]:
    f = spec.field(name)
    return f.sheet, f.cell


def run(tmp_path: Path, this: object = None, last: object = last_year) -> list:
    mine = book(tmp_path, this, name="2023.xlsx")  # type: ignore[arg-type]
    theirs = book(tmp_path, last, name="2022.xlsx")  # type: ignore[arg-type]
    return reviewer(validate(mine, last_year=theirs))


def test_last_years_own_figures_give_nothing(tmp_path: Path) -> None:
    """Must not fire: the 上年 cells are last year's 决算, the quota is the same, copied boilerplate has no year."""
    assert run(tmp_path) == []


def test_pairs_come_from_the_spec() -> None:
    pairs = dict(previous.pairs())
    assert pairs["sangong_reception_prev"] == "sangong_reception_current"
    assert pairs["carryover_prev"] == "carryover_end"


def test_prev_figure_differs(tmp_path: Path) -> None:
    (f,) = run(tmp_path, last=last_year_and(set_values(sangong_reception_actual="8.95")))
    assert (f.code, (f.sheet, f.cell)) == ("previous-figure-mismatch", at("sangong_reception_prev"))
    assert "7.95" in f.message and "8.95" in f.message and "2022.xlsx" in f.message
    assert f.severity == CATALOGUE[f.code].severity


def test_carryover_differs(tmp_path: Path) -> None:
    (f,) = run(tmp_path, last=last_year_and(set_values(carryover_end="50")))
    assert (f.code, (f.sheet, f.cell)) == ("previous-figure-mismatch", at("carryover_prev"))


def test_blank_last_year_figure_is_not_compared(tmp_path: Path) -> None:
    assert run(tmp_path, last=last_year_and(set_values(carryover_end=None))) == []


def test_staff_quota_change(tmp_path: Path) -> None:
    (f,) = run(tmp_path, last=last_year_and(set_values(staff_quota=30)))
    assert (f.code, (f.sheet, f.cell)) == ("staff-quota-change", at("staff_quota")) and "增加 6 名" in f.message


def test_staff_quota_change_small_or_explained(tmp_path: Path) -> None:
    assert run(tmp_path, last=last_year_and(set_values(staff_quota=35))) == []
    explain = set_list("narrative", 13, text="经县编委批复，本年核增编制6名。")
    assert run(tmp_path, this=explain, last=last_year_and(set_values(staff_quota=30))) == []


COPIED = "根据县财政局通知要求，对2022年度部门整体支出开展自评。"


def test_copied_paragraph_with_last_years_year(tmp_path: Path) -> None:
    para = set_list("narrative", 4, text=COPIED)
    (f,) = run(tmp_path, this=para, last=last_year_and(para))
    assert (f.code, (f.sheet, f.cell)) == ("narrative-copied", cell("narrative", "text", 4))
    assert "“2022年”" in f.message


def test_copied_paragraph_with_last_years_figure(tmp_path: Path) -> None:
    text = "全年项目支出2700万元，重点投向农村学校办学条件改善。"
    para = set_list("narrative", 8, text=text)
    found = run(tmp_path, this=para, last=last_year_and(para, set_values(project_actual="2700")))
    assert {f.code for f in found} == {"narrative-copied", "narrative-figure-mismatch"}
    (f,) = [f for f in found if f.code == "narrative-copied"]
    assert "2700万元" in f.message


def test_rewritten_paragraph_is_not_copied(tmp_path: Path) -> None:
    this = set_list("narrative", 4, text="根据县财政局通知要求，对2023年度部门整体支出开展自评，并参考2022年度结果。")
    assert run(tmp_path, this=this, last=last_year_and(set_list("narrative", 4, text=COPIED))) == []


@pytest.mark.parametrize("edit", [set_values(unit_name="青山县卫生健康局"), set_values(fiscal_year=2021)],
                         ids=["other-unit", "not-the-year-before"])
def test_not_comparable(edit: object, tmp_path: Path) -> None:
    found = run(tmp_path, last=last_year_and(edit, set_values(sangong_reception_actual="99")))
    assert [f.code for f in found] == ["previous-not-comparable"]


def test_comparable_needs_the_same_unit_and_year_before(tmp_path: Path) -> None:
    """Must not fire: a unit name typed with full-width spaces is still the same unit."""
    assert run(tmp_path, last=last_year_and(set_values(unit_name="青山县\u3000教育局"))) == []


def test_unreadable_previous_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    report = validate(book(tmp_path), last_year=bad)
    assert [f.code for f in reviewer(report)] == ["previous-not-comparable"] and "bad.xlsx" in report.findings[0].message


# -- the commands -------------------------------------------------------------------------------------------


def test_validate_previous_cli(tmp_path: Path) -> None:
    mine = book(tmp_path, name="2023.xlsx")
    theirs = book(tmp_path, last_year_and(set_values(sangong_vehicle_actual="15")), name="2022.xlsx")
    r = runner.invoke(app, ["validate", str(mine), "--previous", str(theirs), "--json"])
    assert r.exit_code == 1, r.output
    data = json.loads(r.stdout)
    assert [f["code"] for f in data["findings"] if f["severity"] == "error"] == ["previous-figure-mismatch"]
    assert data["numbers_in_text"]["checked"] >= 20
    r = runner.invoke(app, ["validate", str(mine), "--previous", str(tmp_path / "none.xlsx")])
    assert r.exit_code == 2 and "上年工作簿不存在" in r.stderr


def test_validate_rules_cli(tmp_path: Path) -> None:
    mine = book(tmp_path, set_list("indicators", 2, score="4"))
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [{"indicator": "在职人员控制率", "value": "staff_control_rate",
                                            "kind": "full_if_at_most", "limit": "110", "deduct_per_point": "1"}]}),
                     encoding="utf-8")
    default = json.loads(runner.invoke(app, ["validate", str(mine), "--json"]).stdout)
    assert "score-contradicts-rule" in {f["code"] for f in default["findings"]}
    local = json.loads(runner.invoke(app, ["validate", str(mine), "--json", "--rules", str(rules)]).stdout)
    assert "score-contradicts-rule" not in {f["code"] for f in local["findings"]}
    rules.write_text("{", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(mine), "--rules", str(rules)])
    assert r.exit_code == 2 and "rules.json" in r.stderr


def test_batch_previous_dir(tmp_path: Path) -> None:
    inbox, prev, out = tmp_path / "inbox", tmp_path / "prev", tmp_path / "out"
    inbox.mkdir()
    prev.mkdir()
    book(inbox, name="教育局.xlsx")
    book(inbox, set_values(unit_name="青山县卫生健康局"), name="卫健局.xlsx")
    book(prev, last_year_and(set_values(sangong_reception_actual="9")), name="教育局2022.xlsx")
    (prev / "junk.xlsx").write_bytes(b"junk")
    r = runner.invoke(app, ["batch", str(inbox), "-o", str(out), "--previous-dir", str(prev), "--workers", "1"])
    assert r.exit_code == 1, r.output
    assert "junk.xlsx" in r.stderr and "Traceback" not in r.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    files = {f["path"]: {x["code"] for x in f["findings"]} for f in summary["files"]}
    assert "previous-figure-mismatch" in files["教育局.xlsx"]
    assert "previous-not-comparable" in files["卫健局.xlsx"]  # no workbook of that unit last year
    assert summary["codes"]["previous-figure-mismatch"] == {"files": 1, "findings": 1}
    from openpyxl import load_workbook

    ws = load_workbook(out / "summary.xlsx")["问题统计"]
    assert ("previous-figure-mismatch", 1, 1) in [(r[0], r[4], r[5]) for r in ws.iter_rows(min_row=2, values_only=True)]
    r = runner.invoke(app, ["batch", str(inbox), "-o", str(out), "--previous-dir", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "上年文件夹不存在" in r.stderr
