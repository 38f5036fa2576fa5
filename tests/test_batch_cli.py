"""`workbook-tools batch`: every option, exit codes 0/1/2, clean machine output, one-line failures."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbook_tools.batch import pipeline
from workbook_tools.cli.app import app

from .conftest import CONSISTENT_JSON, load_json
from .faults import faulty
from .test_batch import make_inbox, write_model

runner = CliRunner()


def invoke(*args: str) -> object:
    return runner.invoke(app, ["batch", *args])


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return make_inbox(tmp_path)


@pytest.fixture
def valid_inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "valid"
    folder.mkdir()
    write_model(load_json(CONSISTENT_JSON), folder / "consistent.xlsx")
    return folder


def test_exit_codes_follow_the_worst_file(tmp_path: Path, inbox: Path, valid_inbox: Path) -> None:
    r = invoke(str(valid_inbox), "-o", str(tmp_path / "o0"), "--workers", "1")
    assert r.exit_code == 0, r.output
    assert "共 1 个文件：通过 1" in r.stdout and str(tmp_path / "o0" / "summary.xlsx") in r.stdout
    shutil.copyfile(inbox / "乡镇" / "seed.xlsx", valid_inbox / "seed.xlsx")
    assert invoke(str(valid_inbox), "-o", str(tmp_path / "o1")).exit_code == 1
    r = invoke(str(inbox), "-o", str(tmp_path / "o2"))
    assert r.exit_code == 2
    assert "random.xlsx：不是 Excel 工作簿" in r.stderr and "Traceback" not in r.output


def test_quiet_prints_nothing_and_lang_en(tmp_path: Path, inbox: Path) -> None:
    out = tmp_path / "o"
    r = invoke(str(inbox), "-o", str(out), "--quiet")
    assert r.exit_code == 2 and r.stdout == "" and r.stderr == ""
    assert json.loads((out / "summary.json").read_text("utf-8"))["counts"]["unreadable"] == 3
    r = invoke(str(inbox), "-o", str(tmp_path / "en"), "--lang", "en")
    assert "5 files: ok 1, with errors 1" in r.stdout and "random.xlsx: not an Excel workbook" in r.stderr
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "en" / "summary.xlsx").sheetnames[0] == "Summary"
    assert invoke(str(inbox), "--lang", "fr").exit_code == 2


def test_cache_and_no_cache(tmp_path: Path, inbox: Path) -> None:
    out = tmp_path / "o"
    invoke(str(inbox), "-o", str(out))
    r = invoke(str(inbox), "-o", str(out))
    assert "本次处理 0 个，沿用缓存 5 个" in r.stdout
    r = invoke(str(inbox), "-o", str(out), "--no-cache")
    assert "本次处理 5 个，沿用缓存 0 个" in r.stdout


def test_output_inside_the_inbox_is_not_read_back(inbox: Path) -> None:
    out = inbox / "out"
    invoke(str(inbox), "-o", str(out))
    r = invoke(str(inbox), "-o", str(out), "--no-cache")
    assert "共 5 个文件" in r.stdout


def test_fill_and_export(tmp_path: Path, valid_inbox: Path) -> None:
    out = tmp_path / "o"
    r = invoke(str(valid_inbox), "-o", str(out), "--fill", "--export", "md, DOCX")
    assert r.exit_code == 0, r.output
    for rel in ("filled/consistent.xlsx", "reports/consistent.docx", "reports/consistent.md"):
        assert (out / rel).stat().st_size > 0, rel
    assert not (out / "reports" / "consistent.pdf").exists()
    data = json.loads((out / "summary.json").read_text("utf-8"))
    assert data["files"][0]["outputs"] == {"filled": "filled/consistent.xlsx", "md": "reports/consistent.md",
                                           "docx": "reports/consistent.docx"}


def test_export_pdf(tmp_path: Path, valid_inbox: Path, soffice: str) -> None:
    out = tmp_path / "o"
    r = invoke(str(valid_inbox), "-o", str(out), "--export", "pdf")
    assert r.exit_code == 0, r.output
    assert (out / "reports" / "consistent.pdf").read_bytes().startswith(b"%PDF")


def test_bad_options_are_one_line(tmp_path: Path, inbox: Path) -> None:
    cases = [
        (["--export", "docx,odt"], "odt"),
        (["--timeout", "0"], "--timeout"),
        (["--engine", "ray"], "ray"),
        (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler"),
        (["--workers", "0"], "--workers"),
    ]
    for extra, fragment in cases:
        r = invoke(str(inbox), "-o", str(tmp_path / "o"), *extra)
        assert r.exit_code == 2 and fragment in r.stderr and "Traceback" not in r.output, extra
    r = invoke(str(tmp_path / "nowhere"), "-o", str(tmp_path / "o"))
    assert r.exit_code == 2 and "nowhere" in r.stderr


def test_timeout_option_stops_a_hanging_file(tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copyfile(inbox / "consistent.xlsx", inbox / "hang.xlsx")
    monkeypatch.setattr(pipeline, "process_workbook", faulty)
    r = invoke(str(inbox), "-o", str(tmp_path / "o"), "--timeout", "4", "--workers", "2")
    assert r.exit_code == 2
    assert "hang.xlsx：处理超过 4 秒，已停止" in r.stderr and "超时 1" in r.stdout


@pytest.mark.usefixtures("no_process_left")
def test_dask_engine_local_and_scheduler(tmp_path: Path, inbox: Path) -> None:
    if os.environ.get("CI") != "true":
        pytest.importorskip("distributed")
    from distributed import LocalCluster

    r = invoke(str(inbox), "-o", str(tmp_path / "p"), "--workers", "2")
    expected = json.loads((tmp_path / "p" / "summary.json").read_text("utf-8"))
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        r = invoke(str(inbox), "-o", str(tmp_path / "d"), "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert r.exit_code == 2, r.output
    got = json.loads((tmp_path / "d" / "summary.json").read_text("utf-8"))
    strip = [{k: v for k, v in f.items() if k != "seconds"} for f in expected["files"]]
    assert [{k: v for k, v in f.items() if k != "seconds"} for f in got["files"]] == strip
    assert got["totals"] == expected["totals"]
    r = invoke(str(inbox), "-o", str(tmp_path / "d2"), "--engine", "dask", "--workers", "1")
    assert r.exit_code == 2 and "共 5 个文件" in r.stdout
