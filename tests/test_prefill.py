"""prefill: one workbook per row of the budget system's export; bad rows named by row number."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbook_tools import prefill as pf
from workbook_tools.checks.validate import validate
from workbook_tools.cli.app import app
from workbook_tools.xlsx import reader

from .conftest import EXAMPLES, SEED_JSON, load_json

DEPARTMENTS = EXAMPLES / "departments.csv"
runner = CliRunner()


def _csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pf.PrefillResult]:
    out = tmp_path_factory.mktemp("outbox")
    return out, pf.prefill(DEPARTMENTS, out)


def test_example_export_writes_every_good_row(outbox: tuple[Path, pf.PrefillResult]) -> None:
    out, result = outbox
    assert result.rows == 6
    assert [w.row for w in result.written] == [2, 3, 4, 5, 7]
    assert sorted(p.name for p in out.iterdir()) == sorted(w.path.name for w in result.written)
    (bad,) = result.errors
    assert bad.row == 6 and bad.column == "工资福利支出年初预算" and "二百三十万" in bad.message
    assert "第 6 行" in bad.text() and "row 6" in bad.text("en")
    assert result.exit_code == 1


def test_seed_row_holds_the_seed_figures(outbox: tuple[Path, pf.PrefillResult]) -> None:
    out, _ = outbox
    loaded = reader.load(out / "安化县重点建设项目事务中心_2022.xlsx")
    seed = load_json(SEED_JSON)["values"]
    values = loaded.model.values
    for name in ("basic_wages_budget", "basic_wages_actual", "basic_goods_actual", "sangong_reception_actual",
                 "sangong_reception_prev", "project_budget", "project_actual"):
        assert values[name] == Decimal(seed[name]), name
    assert values["staff_quota"] == 30 and values["staff_actual"] == 29 and values["fiscal_year"] == 2022
    assert values["unit_type"] == "全额拨款事业单位" and values["basic_capital_actual"] is None
    codes = {f.code for f in validate(out / "安化县重点建设项目事务中心_2022.xlsx").findings}
    assert not codes & {"text-number", "formula-deleted", "formula-changed", "value-mismatch"}


def test_xlsx_and_gbk_exports_give_the_same_models(tmp_path: Path) -> None:
    import pandas as pd
    from openpyxl import Workbook

    frame = pd.read_csv(DEPARTMENTS, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    wb = Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([_typed(v) for v in row])
    wb.save(tmp_path / "departments.xlsx")
    gbk = tmp_path / "departments_gbk.csv"
    gbk.write_bytes(DEPARTMENTS.read_text("utf-8").encode("gbk"))

    def models(src: Path) -> list[tuple[int, dict | None]]:
        return [(n, m.to_json()["values"] if m else None) for n, m, _ in pf.iter_models(src)]

    reference = models(DEPARTMENTS)
    assert models(tmp_path / "departments.xlsx") == reference
    assert models(gbk) == reference


def _typed(v: str) -> object:
    try:
        return float(v) if "." in v else int(v)
    except ValueError:
        return v or None


def test_unsafe_unit_names_stay_inside_and_never_collide(tmp_path: Path) -> None:
    header = ["单位名称", "年度", "项目支出年初预算"]
    names = ["../../evil", "a/b\\c", "..", "CON", "名\x01称", "同名", "同名", "ABC", "abc", "/", "x" * 300]
    src = _csv(tmp_path / "d.csv", header, [[n, 2023, 1] for n in names])
    out = tmp_path / "out"
    result = pf.prefill(src, out)
    assert len(result.written) == len(names)
    files = sorted(out.iterdir())
    assert len(files) == len(names) and len({f.name.casefold() for f in files}) == len(names)
    for f in files:
        assert f.resolve().parent == out.resolve()
        assert not any(ch in f.name for ch in "/\\\x01") and not f.name.startswith(".")
        assert len(f.name.encode("utf-8")) < 255
    assert not (tmp_path / "evil_2023.xlsx").exists()
    assert any(i.severity == "warning" and i.row == 8 for i in result.issues)  # the second 同名
    assert any("控制字符" in i.message for i in result.issues)
    assert reader.load(out / "名称_2023.xlsx").model.unit_name == "名称"


def test_safe_filename() -> None:
    assert pf.safe_filename("../../etc/passwd") == "etc_passwd"
    assert pf.safe_filename("a:b*c?") == "a_b_c"
    assert pf.safe_filename("nul") == "_nul"
    assert pf.safe_filename("   ") == "单位"
    names = pf.NameAllocator()
    assert [names.take("A", ".xlsx"), names.take("a", ".xlsx"), names.take("A", ".xlsx")] == [
        "A.xlsx", "a_2.xlsx", "A_3.xlsx"]


def test_malformed_rows_are_named_and_the_others_written(tmp_path: Path) -> None:
    header = ["单位名称", "年度", "编制数", "工资福利支出决算", "单位性质", "项目支出决算"]
    rows = [
        ["甲局", 2023, 10, "1,234.50", "行政单位", 5],   # thousands separator: accepted
        ["", 2023, 10, 1, "行政单位", 5],                # no unit name
        ["乙局", 2023, "十", 1, "行政单位", 5],           # text in a count
        ["丙局", 2023, 10, -3, "行政单位", 5],            # negative amount
        ["丁局", 1899, 10, 1, "机关", 5],                 # year out of range and a bad choice
        ["戊局", "", 10, 1, "行政单位", 5],               # no year, --year given
        ["", "", "", "", "", ""],                        # blank row: skipped, still counted in row numbers
        ["己局", 2023, 10.0, 2, "行政单位", 5],
    ]
    src = _csv(tmp_path / "d.csv", header, rows)
    result = pf.prefill(src, tmp_path / "out", year=2024)
    assert [w.unit for w in result.written] == ["甲局", "戊局", "己局"]
    errors = {(i.row, i.column) for i in result.errors}
    assert errors == {(3, "单位名称"), (4, "编制数"), (5, "工资福利支出决算"), (6, "年度"), (6, "单位性质")}
    assert result.written[1].year == 2024 and result.rows == 7
    values = reader.load(result.written[0].path).model.values
    assert values["basic_wages_actual"] == Decimal("1234.50")


def test_missing_year_column_needs_year(tmp_path: Path) -> None:
    src = _csv(tmp_path / "d.csv", ["单位名称", "项目支出决算"], [["甲局", 1]])
    with pytest.raises(pf.PrefillError, match="--year"):
        pf.prefill(src, tmp_path / "out")
    result = pf.prefill(src, tmp_path / "out", year=2023)
    assert reader.load(result.written[0].path).model.fiscal_year == 2023


def test_mapping_file_overrides_headers_and_unit(tmp_path: Path) -> None:
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"amount_unit": "元", "columns": {
        "unit_name": "部门", "fiscal_year": "预算年度", "project_actual": ["项目支出（元）"], "region": None}},
        ensure_ascii=False), encoding="utf-8")
    src = _csv(tmp_path / "d.csv", ["部门", "预算年度", "项目支出（元）", "所属地区"], [["甲局", 2023, "12345600", "某地"]])
    m = pf.load_mapping(mapping)
    assert "region" not in m.columns and m.scale == 10000
    result = pf.prefill(src, tmp_path / "out", mapping=m)
    values = reader.load(result.written[0].path).model.values
    assert values["project_actual"] == Decimal("1234.56") and values["region"] is None


@pytest.mark.parametrize("content, fragment", [
    ("{not json", "JSON"),
    ('{"columns": {"no_such_name": "x"}}', "no_such_name"),
    ('{"columns": {"total_rate": "x"}}', "total_rate"),
    ('{"amount_unit": "亿元"}', "amount_unit"),
    ('{"columns": {"unit_name": null}}', "unit_name"),
    ('{"colums": {}}', "colums"),
])
def test_bad_mapping_is_one_line(tmp_path: Path, content: str, fragment: str) -> None:
    m = tmp_path / "m.json"
    m.write_text(content, encoding="utf-8")
    with pytest.raises(pf.PrefillError) as exc:
        pf.load_mapping(m)
    assert fragment in exc.value.message() and "\n" not in exc.value.message()


def test_default_mapping_names_only_inputs() -> None:
    from workbook_tools.core import spec

    m = pf.load_mapping()
    assert set(m.columns) <= {f.name for f in spec.INPUT_FIELDS}
    assert {"unit_name", "fiscal_year", "staff_quota", "sangong_abroad_prev", "project_actual"} <= set(m.columns)


def test_unreadable_export_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(pf.PrefillError, match="不存在"):
        pf.prefill(tmp_path / "none.csv", tmp_path / "out")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\x00garbage")
    with pytest.raises(pf.PrefillError, match="bad.xlsx"):
        pf.prefill(bad, tmp_path / "out")
    nounit = _csv(tmp_path / "n.csv", ["名字", "年度"], [["甲", 2023]])
    with pytest.raises(pf.PrefillError, match="单位名称"):
        pf.prefill(nounit, tmp_path / "out")


def test_cli_prefill_every_option(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    r = runner.invoke(app, ["prefill", str(DEPARTMENTS), "-o", str(out)])
    assert r.exit_code == 1
    assert "第 6 行" in r.stderr and "共 6 行，已写出 5 个工作簿" in r.stdout
    assert len(list(out.glob("*.xlsx"))) == 5

    src = _csv(tmp_path / "d.csv", ["部门", "项目支出决算"], [["甲局", 1]])
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"unit_name": "部门"}}, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(app, ["prefill", str(src), "-o", str(tmp_path / "o2"), "--mapping", str(mapping),
                            "--year", "2023", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "1 of 1 rows written" in r.stdout and (tmp_path / "o2" / "甲局_2023.xlsx").exists()

    r = runner.invoke(app, ["prefill", str(tmp_path / "none.csv"), "-o", str(out)])
    assert r.exit_code == 2 and "none.csv" in r.stderr and "Traceback" not in r.output
    r = runner.invoke(app, ["prefill", str(src), "-o", str(out), "--mapping", str(tmp_path / "nomap.json")])
    assert r.exit_code == 2 and "nomap.json" in r.stderr
