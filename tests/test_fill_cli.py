"""`workbook-tools fill`: every option, and bad input as one line without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from workbook_tools.cli.app import app
from workbook_tools.core import spec
from workbook_tools.xlsx import reader

from .test_fill import DELETED, blank_score, messy

runner = CliRunner()
#: 3 formulas restored + 6 text numbers converted + the cached values of the 39 other derived cells.
CHANGED_CELLS = 3 + 6 + len(spec.DERIVED_FIELDS) - 3


@pytest.fixture
def messy_xlsx(consistent_xlsx: Path, tmp_path: Path) -> Path:
    return messy(consistent_xlsx, tmp_path / "messy.xlsx")


def test_output_option_lists_changes_and_writes(messy_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    r = runner.invoke(app, ["fill", str(messy_xlsx), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "已恢复公式" in r.output and "已把文本数字转换为数字" in r.output
    assert f"已写出：{out}（改动 {CHANGED_CELLS} 个单元格）" in r.output
    assert "输出文件不含" not in r.output  # comments are carried over: nothing is lost
    assert reader.load(out).formula(DELETED)


def test_default_output_is_beside_the_input(messy_xlsx: Path) -> None:
    r = runner.invoke(app, ["fill", str(messy_xlsx)])
    assert r.exit_code == 0, r.output
    assert (messy_xlsx.parent / "messy_filled.xlsx").exists()


def test_in_place_option(messy_xlsx: Path) -> None:
    original = messy_xlsx.read_bytes()
    r = runner.invoke(app, ["fill", str(messy_xlsx), "--in-place"])
    assert r.exit_code == 0, r.output
    assert "备份：" in r.output
    assert Path(str(messy_xlsx) + ".bak").read_bytes() == original
    assert reader.load(messy_xlsx).formula(DELETED)


def test_in_place_with_output_is_refused(messy_xlsx: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["fill", str(messy_xlsx), "--in-place", "-o", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 2 and "--in-place" in r.output and "Traceback" not in r.output


def test_output_same_as_input_is_refused(messy_xlsx: Path) -> None:
    r = runner.invoke(app, ["fill", str(messy_xlsx), "-o", str(messy_xlsx)])
    assert r.exit_code == 2 and "--in-place" in r.output


def test_json_option(messy_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    r = runner.invoke(app, ["fill", str(messy_xlsx), "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["output"] == str(out) and data["written"] is True and data["changed_cells"] == CHANGED_CELLS
    codes = {f["code"] for f in data["findings"]}
    assert {"fill-formula-restored", "fill-text-converted"} <= codes


def test_lang_en(messy_xlsx: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["fill", str(messy_xlsx), "-o", str(tmp_path / "o.xlsx"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "[Formula restored]" in r.output and "formula typed over" in r.output
    assert "written: " in r.output and "已写出" not in r.output


def test_write_scores_and_rules_options(consistent_xlsx: Path, tmp_path: Path) -> None:
    src, (sheet, cell) = blank_score(consistent_xlsx, tmp_path / "blank.xlsx", "在职人员控制率")
    rules = tmp_path / "county.json"
    rules.write_text(json.dumps({"rules": [{"indicator": "在职人员控制率", "value": "staff_control_rate",
                                            "kind": "full_if_at_most", "limit": "100", "deduct_per_point": "0.25"}]},
                                ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "o.xlsx"
    r = runner.invoke(app, ["fill", str(src), "-o", str(out), "--rules", str(rules), "--write-scores"])
    assert r.exit_code == 0, r.output
    assert "已写入建议得分" in r.output
    assert load_workbook(out)[sheet][cell].value == 2.61  # 4 − 5.56 × 0.25 = 2.61
    r = runner.invoke(app, ["fill", str(src), "-o", str(tmp_path / "p.xlsx")])
    assert "建议得分" in r.output and "1.22" in r.output  # default rules, not written
    assert load_workbook(tmp_path / "p.xlsx")[sheet][cell].value is None


def test_bad_rules_file_is_one_line(messy_xlsx: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules": [{"indicator": "x", "value": "nope", "kind": "bands"}]}', encoding="utf-8")
    r = runner.invoke(app, ["fill", str(messy_xlsx), "--rules", str(bad)])
    assert r.exit_code == 2 and "bad.json" in r.output and "nope" in r.output and "Traceback" not in r.output


def test_recalc_option_without_libreoffice(messy_xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_SOFFICE", str(tmp_path / "missing-soffice"))
    out = tmp_path / "o.xlsx"
    r = runner.invoke(app, ["fill", str(messy_xlsx), "-o", str(out), "--recalc"])
    assert r.exit_code == 0, r.output
    assert sum("LibreOffice" in line for line in r.output.splitlines()) == 1
    assert out.exists()


@pytest.mark.libreoffice
def test_recalc_option_with_libreoffice(soffice: str, messy_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    r = runner.invoke(app, ["fill", str(messy_xlsx), "-o", str(out), "--recalc", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["recalculated"] is True
    assert reader.load(out).book.application.startswith("LibreOffice")


def test_missing_and_unreadable_files_exit_2(tmp_path: Path) -> None:
    r = runner.invoke(app, ["fill", str(tmp_path / "none.xlsx")])
    assert r.exit_code == 2 and "文件不存在" in r.output and "Traceback" not in r.output
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 broken")
    r = runner.invoke(app, ["fill", str(junk)])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1


def test_script_wrapper_runs_the_same_command(messy_xlsx: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    out = tmp_path / "s.xlsx"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "fill.py"), str(messy_xlsx), "-o", str(out),
                           "--lang", "en"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"written: {out}" in done.stdout and reader.load(out).formula(DELETED)


def test_in_place_on_a_complete_workbook_says_nothing_to_do(consistent_xlsx: Path, tmp_path: Path) -> None:
    done = tmp_path / "done.xlsx"
    assert runner.invoke(app, ["fill", str(consistent_xlsx), "-o", str(done)]).exit_code == 0
    before = done.read_bytes()
    r = runner.invoke(app, ["fill", str(done), "--in-place"])
    assert r.exit_code == 0 and f"无需改动：{done} 保持原样" in r.output
    assert done.read_bytes() == before and not Path(str(done) + ".bak").exists()
