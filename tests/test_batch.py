"""batch: a folder of valid, erroneous, corrupt, foreign, hanging and crashing files; summary row by row."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from workbook_tools.batch import pipeline, result
from workbook_tools.batch.inbox import discover, file_sha256
from workbook_tools.batch.isolation import EngineError, ProcessEngine, open_executor
from workbook_tools.batch.result import BatchOptions, FileResult
from workbook_tools.batch.summary import summary_rows
from workbook_tools.batch.work import process_workbook
from workbook_tools.core.findings import CATALOGUE
from workbook_tools.core.model import Evaluation
from workbook_tools.template import write_filled

from .conftest import CONSISTENT_JSON, SEED_JSON, load_json
from .faults import HANG_SECONDS, faulty
from .procs import running


def write_model(data: dict, dest: Path, **values: object) -> Path:
    model = Evaluation.from_json(data)
    model.values.update(values)
    return write_filled(model, dest)


def make_inbox(root: Path) -> Path:
    """The mixed inbox of the issue: valid, erroneous, corrupt, foreign, plus litter that must be skipped."""
    inbox = root / "inbox"
    (inbox / "乡镇").mkdir(parents=True)
    write_model(load_json(CONSISTENT_JSON), inbox / "consistent.xlsx")
    write_model(load_json(SEED_JSON), inbox / "乡镇" / "seed.xlsx")
    good = (inbox / "consistent.xlsx").read_bytes()
    (inbox / "truncated.xlsx").write_bytes(good[: len(good) // 3])
    import docx

    d = docx.Document()
    d.add_paragraph("不是工作簿")
    d.save(str(inbox / "report_renamed.xlsx"))
    (inbox / "random.xlsx").write_bytes(os.urandom(4096))
    (inbox / "~$consistent.xlsx").write_bytes(b"owner lock file")
    (inbox / ".~lock.consistent.xlsx#").write_text("lock")
    return inbox


def run_inbox(inbox: Path, out: Path, **kw: object) -> result.BatchOutcome:
    options = BatchOptions(root=str(inbox), out_dir=str(out), timeout=float(kw.pop("timeout", 60)))  # type: ignore[arg-type]
    return pipeline.run(inbox, options, workers=2, **kw)  # type: ignore[arg-type]


def by_path(outcome: result.BatchOutcome) -> dict[str, FileResult]:
    return {r.path: r for r in outcome.results}


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return make_inbox(tmp_path)


def test_discover_skips_litter_and_own_output(tmp_path: Path, inbox: Path) -> None:
    out = inbox / "out"
    out.mkdir()
    (out / "summary.xlsx").write_bytes(b"ours")
    (inbox / ".git").mkdir()
    (inbox / ".git" / "x.xlsx").write_bytes(b"hidden")
    names = [p.relative_to(inbox).as_posix() for p in discover(inbox, out)]
    assert names == ["consistent.xlsx", "random.xlsx", "report_renamed.xlsx", "truncated.xlsx", "乡镇/seed.xlsx"]
    assert discover(inbox / "consistent.xlsx") == [inbox / "consistent.xlsx"]


def test_mixed_inbox_summary_row_by_row(tmp_path: Path, inbox: Path) -> None:
    out = tmp_path / "out"
    outcome = run_inbox(inbox, out)
    rows = by_path(outcome)
    assert sorted(rows) == ["consistent.xlsx", "random.xlsx", "report_renamed.xlsx", "truncated.xlsx", "乡镇/seed.xlsx"]

    seed = rows["乡镇/seed.xlsx"]
    assert seed.status == "errors" and seed.unit == "安化县重点建设项目事务中心" and seed.year == 2022
    f = seed.figures
    assert (f["total_budget"], f["total_actual"], f["total_rate"]) == ("509.76", "1918.71", "376.39")
    assert (f["basic_budget"], f["basic_actual"], f["project_budget"], f["project_actual"]) == (
        "329.76", "584.32", "180", "1334.39")
    assert (f["sangong_actual"], f["sangong_prev"], f["sangong_change_pct"]) == ("13.4", "20.67", "-35.17")
    assert (f["staff_control_rate"], f["score_total"], f["grade"]) == ("96.67", "100", "优秀")
    codes = {x["code"] for x in seed.findings}
    assert "project-list-mismatch" in codes and "value-truncated" in codes
    assert seed.errors == sum(1 for x in seed.findings if x["severity"] == "error") >= 1

    ok = rows["consistent.xlsx"]
    assert ok.status == "ok" and ok.errors == 0 and ok.unit == "青山县教育局" and ok.year == 2023
    assert (ok.figures["total_actual"], ok.figures["total_rate"], ok.figures["grade"]) == ("3474.84", "98.60", "良好")

    assert rows["truncated.xlsx"].status == "unreadable" and rows["truncated.xlsx"].reason_code == "file-corrupt"
    assert rows["random.xlsx"].reason_code == "file-not-workbook"
    renamed = rows["report_renamed.xlsx"]
    assert renamed.reason_code == "file-not-workbook" and "Word" in (renamed.reason or "")
    assert outcome.exit_code == 2 and outcome.processed == 5

    from openpyxl import load_workbook

    wb = load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["汇总", "问题清单", "未处理", "图表", "问题统计"]
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    table = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    s = table["乡镇/seed.xlsx"]
    assert (s["决算（万元）"], s["执行率%"], s["得分"], s["等级"], s["状态"]) == (1918.71, 376.39, 100, "优秀", "有错误")
    assert table["random.xlsx"]["状态"] == "无法读取" and table["random.xlsx"]["决算（万元）"] is None
    unprocessed = [r for r in wb["未处理"].iter_rows(min_row=2, values_only=True)]
    assert {r[0] for r in unprocessed} == {"random.xlsx", "report_renamed.xlsx", "truncated.xlsx"}
    findings = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert ("乡镇/seed.xlsx", "安化县重点建设项目事务中心", "项目支出", "C5", "project-list-mismatch", "错误") in [
        r[:6] for r in findings]
    assert len(findings) == sum(len(r.findings) for r in outcome.results)
    data = json.loads((out / "summary.json").read_text("utf-8"))
    assert data["counts"] == {"errors": 1, "ok": 1, "unreadable": 3}
    assert [t["year"] for t in data["totals"]] == [2022, 2023]


def test_duplicate_submissions_flagged_and_counted_once(tmp_path: Path, inbox: Path) -> None:
    shutil.copyfile(inbox / "乡镇" / "seed.xlsx", inbox / "seed_resubmitted.xlsx")
    outcome = run_inbox(inbox, tmp_path / "out")
    rows = by_path(outcome)
    for name, other in (("乡镇/seed.xlsx", "seed_resubmitted.xlsx"), ("seed_resubmitted.xlsx", "乡镇/seed.xlsx")):
        r = rows[name]
        assert r.status == "duplicate"
        dup = [x for x in r.findings if x["code"] == "duplicate-submission"]
        assert len(dup) == 1 and other in dup[0]["message"]
    assert outcome.counts()["duplicate"] == 2 and rows["consistent.xlsx"].status == "ok"
    total_2022 = [r for r in summary_rows(outcome.results) if r["file"] == "合计" and r["year"] == 2022]
    assert total_2022[0]["total_actual"] == Decimal("1918.71")  # once, not twice


def test_hanging_file_is_stopped_and_batch_completes(tmp_path: Path, inbox: Path) -> None:
    shutil.copyfile(inbox / "consistent.xlsx", inbox / "hang.xlsx")
    out = tmp_path / "out"
    started = time.monotonic()
    outcome = run_inbox(inbox, out, timeout=3, worker=faulty)
    elapsed = time.monotonic() - started
    rows = by_path(outcome)
    assert rows["hang.xlsx"].status == "timeout" and rows["hang.xlsx"].reason_code == "batch-timeout"
    assert rows["consistent.xlsx"].status == "ok" and rows["乡镇/seed.xlsx"].status == "errors"
    assert elapsed < 60 < HANG_SECONDS
    pid = int((out / "hang.pid").read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and running(pid):
        time.sleep(0.1)
    assert not running(pid), "the hanging worker process must really be stopped"
    assert outcome.exit_code == 2
    unprocessed = json.loads((out / "summary.json").read_text("utf-8"))["files"]
    assert [f["status"] for f in unprocessed if f["path"] == "hang.xlsx"] == ["timeout"]
    # a timeout is not cached: the next run tries the file again
    again = run_inbox(inbox, out, timeout=3, worker=faulty)
    assert again.processed == 1 and by_path(again)["hang.xlsx"].status == "timeout"


def test_crashing_file_is_isolated(tmp_path: Path, inbox: Path) -> None:
    shutil.copyfile(inbox / "consistent.xlsx", inbox / "crash.xlsx")
    outcome = run_inbox(inbox, tmp_path / "out", worker=faulty)
    rows = by_path(outcome)
    assert rows["crash.xlsx"].status == "unreadable" and rows["crash.xlsx"].reason_code == "batch-worker-crashed"
    assert rows["consistent.xlsx"].status == "ok" and rows["乡镇/seed.xlsx"].status == "errors"
    assert len(outcome.results) == 6


def test_rerun_is_incremental(tmp_path: Path, inbox: Path) -> None:
    out = tmp_path / "out"
    first = run_inbox(inbox, out)
    assert first.processed == 5 and first.cached == 0
    assert (out / ".cache.json").exists()
    second = run_inbox(inbox, out)
    assert second.processed == 0 and second.cached == 5
    assert summary_rows(second.results) == summary_rows(first.results)
    os.utime(inbox / "consistent.xlsx", (time.time() + 5, time.time() + 5))  # same bytes: content hash unchanged
    assert run_inbox(inbox, out).processed == 0
    write_model(load_json(CONSISTENT_JSON), inbox / "consistent.xlsx", project_actual=Decimal("2800"))
    third = run_inbox(inbox, out)
    assert third.processed == 1 and third.cached == 4
    assert by_path(third)["consistent.xlsx"].figures["project_actual"] == "2800"
    (inbox / "random.xlsx").unlink()
    fourth = run_inbox(inbox, out)
    assert fourth.processed == 0 and "random.xlsx" not in by_path(fourth)
    assert "random.xlsx" not in json.loads((out / ".cache.json").read_text("utf-8"))["files"]
    assert run_inbox(inbox, out, use_cache=False).processed == 4


def test_cache_is_invalidated_by_options(tmp_path: Path, inbox: Path) -> None:
    out = tmp_path / "out"
    run_inbox(inbox, out)
    options = BatchOptions(root=str(inbox), out_dir=str(out), lang="en")
    assert pipeline.run(inbox, options, workers=1).processed == 5


@pytest.mark.usefixtures("no_process_left")
def test_dask_engine_gives_the_same_summary(tmp_path: Path, inbox: Path) -> None:
    if os.environ.get("CI") != "true":
        pytest.importorskip("distributed")
    process = run_inbox(inbox, tmp_path / "p")
    options = BatchOptions(root=str(inbox), out_dir=str(tmp_path / "d"))
    dask = pipeline.run(inbox, options, engine="dask", workers=2, processes=False)
    assert summary_rows(dask.results) == summary_rows(process.results)
    assert [r.findings for r in dask.results] == [r.findings for r in process.results]


@pytest.mark.usefixtures("no_process_left")
@pytest.mark.parametrize("processes", [False, True])
def test_dask_timeout_stops_the_file(tmp_path: Path, inbox: Path, processes: bool) -> None:
    if os.environ.get("CI") != "true":
        pytest.importorskip("distributed")
    shutil.copyfile(inbox / "consistent.xlsx", inbox / "hang.xlsx")
    out = tmp_path / "d"
    options = BatchOptions(root=str(inbox), out_dir=str(out), timeout=4)
    outcome = pipeline.run(inbox, options, engine="dask", workers=2, processes=processes, worker=faulty)
    rows = by_path(outcome)
    assert rows["hang.xlsx"].status == "timeout" and rows["consistent.xlsx"].status == "ok"
    assert rows["乡镇/seed.xlsx"].status == "errors" and rows["truncated.xlsx"].status == "unreadable"
    assert not running(int((out / "hang.pid").read_text()))


def test_process_workbook_is_plain_data(tmp_path: Path, inbox: Path) -> None:
    options = BatchOptions(root=str(inbox), out_dir=str(tmp_path / "o"))
    r = process_workbook(str(inbox / "乡镇" / "seed.xlsx"), options)
    import pickle

    again = pickle.loads(pickle.dumps(r))
    assert again == r and FileResult.from_json(json.loads(json.dumps(r.to_json()))) == r
    assert r.path == "乡镇/seed.xlsx" and r.seconds > 0


def test_fill_and_export_outputs_have_predictable_names(tmp_path: Path, inbox: Path) -> None:
    out = tmp_path / "out"
    before = file_sha256(inbox / "乡镇" / "seed.xlsx")
    options = BatchOptions(root=str(inbox), out_dir=str(out), fill=True, export=("md", "docx"))
    outcome = pipeline.run(inbox, options, workers=2)
    rows = by_path(outcome)
    ok = rows["consistent.xlsx"]
    assert ok.outputs == {"filled": "filled/consistent.xlsx", "md": "reports/consistent.md",
                          "docx": "reports/consistent.docx"}
    for rel in ok.outputs.values():
        assert (out / rel).stat().st_size > 0
    assert "青山县教育局" in (out / "reports" / "consistent.md").read_text("utf-8")
    seed = rows["乡镇/seed.xlsx"]
    assert seed.outputs["filled"] == "filled/乡镇/seed.xlsx" and (out / "filled" / "乡镇" / "seed.xlsx").exists()
    assert "md" not in seed.outputs and any("md" in n for n in seed.notes)  # errors: no report, said why
    assert any(x["code"].startswith("fill-") for x in seed.findings)
    assert file_sha256(inbox / "乡镇" / "seed.xlsx") == before  # the input is never modified
    assert pipeline.run(inbox, options, workers=2).processed == 0
    (out / "reports" / "consistent.md").unlink()  # a missing output invalidates the cache entry
    assert pipeline.run(inbox, options, workers=2).processed == 1


def test_report_names_never_collide() -> None:
    assert result.report_name("a/b.xlsx", ".docx") == "a/b.docx"
    assert result.report_name("a/b.xlsm", ".docx") == "a/b.xlsm.docx"
    assert result.report_name("b.XLSX", ".md") == "b.md"


def test_exit_codes() -> None:
    def outcome(*statuses: str) -> result.BatchOutcome:
        return result.BatchOutcome([FileResult(f"{i}.xlsx", s) for i, s in enumerate(statuses)], 0, 0)  # type: ignore[arg-type]

    assert outcome("ok", "ok").exit_code == 0
    assert outcome("ok", "errors").exit_code == 1
    assert outcome("ok", "duplicate").exit_code == 1
    assert outcome("errors", "unreadable").exit_code == 2
    assert outcome("ok", "timeout").exit_code == 2


def test_duplicate_finding_takes_code_severity_and_message_from_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    def results() -> list[FileResult]:
        return [FileResult("a.xlsx", "ok", unit="青山县教育局", year=2023, warnings=1),
                FileResult("b/c.xlsx", "errors", unit="青山县教育局", year=2023, errors=2),
                FileResult("d.xlsx", "ok", unit="青山县教育局", year=2022)]

    a, c, d = result.mark_duplicates(results())
    assert (a.status, c.status, d.status) == ("duplicate", "duplicate", "ok") and not d.findings
    assert a.findings == [{"file": "a.xlsx", "sheet": None, "cell": None, "code": "duplicate-submission",
                           "severity": "error", "message": "与 b/c.xlsx 的单位名称和年度相同（重复提交），请确认以哪一份为准"}]
    assert (a.errors, a.warnings, c.errors, c.warnings) == (1, 1, 3, 0)
    assert result.mark_duplicates(results(), "en")[1].findings[0]["message"] == \
        "same unit and year as a.xlsx (duplicate submission)"
    # the severity is the catalogue entry's, not the batch's: re-graded there, the finding and the counts follow
    entry = CATALOGUE["duplicate-submission"]
    monkeypatch.setitem(CATALOGUE, "duplicate-submission", msgspec.structs.replace(entry, severity="warning"))
    a, c, _ = result.mark_duplicates(results())
    assert a.findings[0]["severity"] == "warning" and (a.errors, a.warnings, c.errors, c.warnings) == (0, 2, 2, 1)


def test_unprocessed_reasons_are_the_catalogue_messages_in_the_batch_language() -> None:
    zh = BatchOptions(root="in", out_dir="out", timeout=4.0, memory_mb=1024)
    en = BatchOptions(root="in", out_dir="out", timeout=2.5, lang="en")
    assert result.timeout_result("in/a.xlsx", zh).reason == \
        "处理超过 4 秒，已停止（文件可能异常，请打开检查或重新保存后再提交）"
    assert result.timeout_result("in/a.xlsx", en).reason == "processing took longer than 2.5 s and was stopped"
    assert result.memory_result("a.xlsx", zh).reason == "读取时超出内存上限（1024 MB），已停止；文件可能异常庞大或已损坏"
    assert result.crashed_result("in/a.xlsx", en).reason == "the worker process died while reading this file"


def test_engine_arguments_are_checked() -> None:
    with pytest.raises(EngineError), open_executor("nope"):
        pass
    with pytest.raises(EngineError), open_executor("process", workers=0):
        pass
    with pytest.raises(EngineError), open_executor("process", scheduler="tcp://127.0.0.1:1"):
        pass


def test_dask_unreachable_scheduler_is_one_line() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(EngineError) as exc, open_executor("dask", scheduler="tcp://127.0.0.1:9", connect_timeout=1):
        pass
    assert "127.0.0.1:9" in exc.value.message()


def test_process_engine_restart_gives_a_working_pool() -> None:
    engine = ProcessEngine(1)
    try:
        assert engine.submit(abs, -3).result(timeout=30) == 3
        engine.restart()
        assert engine.submit(abs, -4).result(timeout=30) == 4 and engine.restarts == 1
    finally:
        engine.shutdown()


KILLED_WITH_ITS_POOL = """
import os, signal, sys
from workbook_tools.batch.isolation import ProcessEngine

engine = ProcessEngine(1)
with open(sys.argv[1], "w") as fh:
    fh.write(str(engine.submit(os.getpid).result()))
os.kill(os.getpid(), signal.SIGKILL)  # no shutdown, no atexit: as a nanny kills a dask worker that hangs
"""


@pytest.mark.usefixtures("no_process_left")  # and the killed process's fork server and tracker end too
def test_a_file_process_ends_with_its_killed_parent(tmp_path: Path) -> None:
    import signal
    import subprocess

    pid_file = tmp_path / "pid"
    with open(tmp_path / "log", "wb") as log:  # not a pipe: the fork server would hold it open
        code = subprocess.run([sys.executable, "-c", KILLED_WITH_ITS_POOL, str(pid_file)], stdout=log,
                              stderr=subprocess.STDOUT, timeout=120).returncode
    assert code == -signal.SIGKILL, (tmp_path / "log").read_text(errors="replace")
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 30
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid), "the file process outlived its parent"


def test_progress_is_off_for_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.delenv("CI", raising=False)
    assert pipeline.Progress.wanted(quiet=False)
    assert not pipeline.Progress.wanted(quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not pipeline.Progress.wanted(quiet=False)
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr", open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    assert not pipeline.Progress.wanted(quiet=False)


def test_progress_counts(capsys: pytest.CaptureFixture[str]) -> None:
    p = pipeline.Progress(True)
    p.start(3)
    for s in ("ok", "errors", "unreadable"):
        p.update(FileResult("x", s))  # type: ignore[arg-type]
    p.stop()
    err = capsys.readouterr().err
    assert "通过 1 · 有错误 1 · 无法处理 1" in err


def test_one_read_and_one_validation_per_file(tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session per file: --export docx,md reads and validates it once; --fill adds one read of the filled copy."""
    from workbook_tools import session as session_module
    from workbook_tools.xlsx import reader

    reads: list[str] = []
    checks: list[str] = []
    real_read, real_validate = reader.read, session_module.validate_loaded
    monkeypatch.setattr(reader, "read", lambda path, *a, **k: reads.append(Path(path).name) or real_read(path, *a, **k))
    monkeypatch.setattr(session_module, "validate_loaded",
                        lambda loaded, *a, **k: checks.append(Path(loaded.path).name) or real_validate(loaded, *a, **k))
    src = str(inbox / "consistent.xlsx")
    plain = process_workbook(src, BatchOptions(root=str(inbox), out_dir=str(tmp_path / "a"), export=("docx", "md")))
    assert plain.status == "ok" and set(plain.outputs) == {"docx", "md"}
    assert (reads, checks) == (["consistent.xlsx"], ["consistent.xlsx"])
    reads.clear()
    checks.clear()
    filled = process_workbook(src, BatchOptions(root=str(inbox), out_dir=str(tmp_path / "b"), fill=True,
                                                export=("docx", "md")))
    assert set(filled.outputs) == {"filled", "docx", "md"}
    assert reads == ["consistent.xlsx", "consistent.xlsx"]  # the source, then the filled copy (same name)
    assert len(checks) == 2


def test_a_temporary_folder_too_deep_for_a_socket_falls_back_to_spawn(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    """The fork server's Unix socket lives under TMPDIR; a deep one (a CI runner's, pytest's) must not stop a batch."""
    import tempfile

    from workbook_tools.batch.isolation import mp_context

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    assert mp_context().get_start_method() == "spawn"
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert mp_context().get_start_method() == ("forkserver" if sys.platform.startswith("linux") else "spawn")
