"""`workbook-tools validate` and scripts/validate.py: every option, exit codes, the annotated copy."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from workbook_tools.checks.render import JSON_SCHEMA_ID
from workbook_tools.cli.app import app
from workbook_tools.core import spec
from workbook_tools.core.findings import CATALOGUE

from .conftest import EXAMPLES, ROOT
from .factory import cell_of, filled_workbook

runner = CliRunner()
SEED = EXAMPLES / "seed_2022_anhua_zhongdian.xlsx"
CONSISTENT = EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_text_output_lines_and_summary() -> None:
    r = runner.invoke(app, ["validate", str(SEED)])
    assert r.exit_code == 1, r.output
    lines = r.stdout.splitlines()
    assert any(re.match(r"^\s*资金使用!D10\s+警告\s+value-truncated\s+.*147\.98.*（应为 147\.99，实为 147\.98）$", ln)
               for ln in lines), r.stdout
    assert any(re.match(r"^\s*项目支出!C5\s+错误\s+project-list-mismatch\s+.*114\.39", ln) for ln in lines)
    assert "资金使用" in lines and "项目支出" in lines  # grouped by sheet
    assert lines[-1].startswith("1 个错误，5 个警告")


def test_consistent_exit_0_also_strict() -> None:
    r = runner.invoke(app, ["validate", str(CONSISTENT)])
    assert r.exit_code == 0 and "0 个错误，0 个警告" in r.stdout
    assert runner.invoke(app, ["validate", str(CONSISTENT), "--strict"]).exit_code == 0


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "w.xlsx", basic_wages_actual=Decimal("538.724"))  # excess-digits warning
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    r = runner.invoke(app, ["validate", str(path), "--strict"])
    assert r.exit_code == 1 and "excess-digits" in r.stdout


def test_lang_en() -> None:
    r = runner.invoke(app, ["validate", str(SEED), "--lang", "en"])
    assert r.exit_code == 1
    assert "1 errors, 5 warnings" in r.stdout and "(expected 147.99, found 147.98)" in r.stdout
    assert not re.search(r"[应实]为", r.stdout)


def test_lang_must_be_known() -> None:
    r = runner.invoke(app, ["validate", str(SEED), "--lang", "fr"])
    assert r.exit_code == 2 and "zh" in r.output


def test_json_structure() -> None:
    r = runner.invoke(app, ["validate", str(SEED), "--json"])
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["$schema"] == JSON_SCHEMA_ID
    assert data["file"] == str(SEED) and data["template_version"] == spec.TEMPLATE_VERSION
    assert (data["valid"], data["errors"], data["warnings"], data["unreadable"]) == (False, 1, 5, None)
    assert data["summary"].startswith("1 个错误，5 个警告")
    keys = {"code", "severity", "title", "sheet", "cell", "name", "message", "message_en", "expected", "actual",
            "params"}
    for f in data["findings"]:
        assert set(f) == keys and f["code"] in CATALOGUE
    first = data["findings"][0]
    assert (first["code"], first["sheet"], first["cell"], first["name"]) == (
        "project-list-mismatch", "项目支出", "C5", "project_actual")
    assert (first["expected"], first["actual"]) == ("1334.39", "1220.00")


def test_json_for_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"garbage")
    r = runner.invoke(app, ["validate", str(bad), "--json"])
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    assert data["unreadable"]["code"] == "file-not-workbook" and data["findings"] == []


def test_unreadable_is_one_chinese_line_exit_2(tmp_path: Path) -> None:
    for path in (tmp_path / "nope.xlsx", _xls(tmp_path)):
        r = runner.invoke(app, ["validate", str(path)])
        assert r.exit_code == 2
        out = r.output.strip()
        assert "\n" not in out and str(path) in out and "Traceback" not in out
        assert re.search(r"[\u4e00-\u9fff]", out)


def _xls(tmp: Path) -> Path:
    """An OLE compound file saved as .xlsx (a password-protected workbook looks like this); a real .xls is
    converted by LibreOffice first (tests/test_profiles_versions.py)."""
    p = tmp / "old.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    return p


def test_annotate(tmp_path: Path) -> None:
    src = tmp_path / "seed.xlsx"
    shutil.copyfile(SEED, src)
    before = _sha(src)
    out = tmp_path / "out" / "seed_annotated.xlsx"
    r = runner.invoke(app, ["validate", str(src), "--annotate", str(out)])
    assert r.exit_code == 1 and str(out) in r.stdout
    assert _sha(src) == before  # the input is never modified
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "校验结果"
    ws = wb["校验结果"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    places = [row[2] for row in rows if row and row[0]]
    assert "资金使用!D10" in places and "项目支出!C5" in places
    links = {c.value: c.hyperlink.location for c in ws["C"][1:] if c.hyperlink is not None}
    assert links["资金使用!D10"] == "'资金使用'!D10"
    d10 = wb["资金使用"]["D10"]
    assert d10.comment is not None and "147.98" in d10.comment.text
    assert d10.fill.fgColor.rgb.endswith("FFCC80")  # warning: orange
    c5 = wb["项目支出"]["C5"]
    assert c5.comment is not None and c5.fill.fgColor.rgb.endswith("FFB3B3")  # error: red
    # the annotated copy is still our workbook: validating it gives the same findings
    again = runner.invoke(app, ["validate", str(out), "--json"])
    assert json.loads(again.stdout)["errors"] == 1


def test_annotate_refuses_to_overwrite_input(tmp_path: Path) -> None:
    src = tmp_path / "seed.xlsx"
    shutil.copyfile(SEED, src)
    before = _sha(src)
    r = runner.invoke(app, ["validate", str(src), "--annotate", str(src)])
    assert r.exit_code == 2 and "原文件" in r.output
    assert _sha(src) == before


def test_annotate_with_json_keeps_stdout_json(tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "x.xlsx", unit_name=None)
    out = tmp_path / "x_annotated.xlsx"
    r = runner.invoke(app, ["validate", str(path), "--json", "--annotate", str(out), "--lang", "en"])
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert [f["code"] for f in data["findings"] if f["severity"] == "error"] == ["required-missing"]
    wb = load_workbook(out)
    sheet, cell = cell_of("unit_name")
    assert wb[sheet][cell].comment is not None and "unit name" in wb[sheet][cell].comment.text.lower()


def test_script_wrapper() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate.py"), str(CONSISTENT), "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["valid"] is True
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate.py"), str(SEED)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1 and "project-list-mismatch" in r.stdout
