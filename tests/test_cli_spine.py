"""CLI: template, new, dump — every option, and bad input without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from workbook_tools.cli.app import app

from .conftest import SEED_JSON

runner = CliRunner()


def test_template_writes_to_output(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    r = runner.invoke(app, ["template", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and str(out) in r.output


def test_new_then_dump_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "seed.xlsx"
    r = runner.invoke(app, ["new", "--from", str(SEED_JSON), "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["dump", str(out)])
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["values"]["unit_name"] == "安化县重点建设项目事务中心"
    assert data["values"]["basic_wages_actual"] == "422.49"
    j = tmp_path / "d.json"
    r = runner.invoke(app, ["dump", str(out), "-o", str(j)])
    assert r.exit_code == 0 and json.loads(j.read_text("utf-8")) == data


def test_dump_bad_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip at all")
    r = runner.invoke(app, ["dump", str(bad)])
    assert r.exit_code == 2
    assert "bad.xlsx" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["dump", str(tmp_path / "missing.xlsx")])
    assert r.exit_code == 2 and "文件不存在" in r.output


def test_new_rejects_bad_json_naming_the_key(tmp_path: Path) -> None:
    src = tmp_path / "x.json"
    src.write_text(json.dumps({"values": {"no_such_name": 1}}), encoding="utf-8")
    r = runner.invoke(app, ["new", "--from", str(src), "-o", str(tmp_path / "o.xlsx")])
    assert r.exit_code == 2 and "no_such_name" in r.output
    src.write_text("{not json", encoding="utf-8")
    r = runner.invoke(app, ["new", "--from", str(src), "-o", str(tmp_path / "o.xlsx")])
    assert r.exit_code == 2 and "JSON" in r.output
    assert not (tmp_path / "o.xlsx").exists()
