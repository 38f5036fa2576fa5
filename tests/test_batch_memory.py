"""batch under faults: a file that would exhaust memory is stopped in its own worker and listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbook_tools.batch import pipeline, work
from workbook_tools.batch.result import BatchOptions
from workbook_tools.cli.app import app

from .conftest import EXAMPLES
from .faults import hog_or_process


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copyfile(EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx", inbox / "ok.xlsx")
    shutil.copyfile(EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx", inbox / "hog.xlsx")
    return inbox


@pytest.mark.slow  # a worker allocates until its limit stops it: CI and make test-all run it
def test_memory_hog_is_stopped_in_its_worker_and_the_batch_completes(inbox: Path, tmp_path: Path) -> None:
    options = BatchOptions(root=str(inbox), out_dir=str(tmp_path / "out"), memory_mb=1024)
    outcome = pipeline.run(inbox, options, workers=2, worker=hog_or_process)
    rows = {r.path: r for r in outcome.results}
    assert rows["hog.xlsx"].status == "unreadable" and rows["hog.xlsx"].reason_code == "batch-memory"
    assert "1024 MB" in (rows["hog.xlsx"].reason or "")
    assert rows["ok.xlsx"].status == "ok"


def test_memory_error_while_reading_becomes_a_listed_file(inbox: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(path: object) -> None:
        raise MemoryError

    monkeypatch.setattr("workbook_tools.xlsx.reader.load", exhausted)
    options = BatchOptions(root=str(inbox), out_dir=str(tmp_path / "out"), memory_mb=512)
    result = work._process(inbox / "ok.xlsx", "ok.xlsx", options)
    assert (result.status, result.reason_code) == ("unreadable", "batch-memory")


def test_the_limit_is_never_applied_to_the_callers_own_process() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with work.memory_limit(64):
        assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_cli_memory_limit_option(inbox: Path, tmp_path: Path) -> None:
    (inbox / "hog.xlsx").unlink()
    r = CliRunner().invoke(app, ["batch", str(inbox), "-o", str(tmp_path / "out"), "--memory-limit", "2048",
                                 "--quiet", "--workers", "1"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["batch", str(inbox), "-o", str(tmp_path / "out2"), "--memory-limit", "-1"])
    assert r.exit_code == 2 and "--memory-limit" in r.output
