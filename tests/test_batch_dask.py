"""The dask engine: long-lived isolated processes on every dask worker, chunks gathered as they finish, and
every guarantee of the process engine (time limit, memory limit, crash isolation) on LocalCluster workers and
on a separately started ``dask scheduler`` + ``dask worker`` processes (daemonic, as in production)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from workbook_tools.batch import pipeline
from workbook_tools.batch.result import BatchOptions, BatchOutcome, FileResult
from workbook_tools.batch.summary import summary_rows

from .conftest import EXAMPLES, ROOT
from .faults import faulty, worker_pids
from .procs import running
from .test_batch import make_inbox

if os.environ.get("CI") != "true":
    pytest.importorskip("distributed")

from workbook_tools.batch import cluster  # noqa: E402 - needs distributed

CONSISTENT = EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx"
pytestmark = pytest.mark.usefixtures("no_process_left")  # no dask worker, fork server or tracker outlives a test


def big_inbox(root: Path, copies: int = 36) -> Path:
    """The mixed inbox plus enough copies (in sub-folders, so duplicates too) that chunks hold several files."""
    inbox = make_inbox(root)
    for i in range(copies):
        folder = inbox / f"县{i % 4}"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(CONSISTENT if i % 3 else inbox / "乡镇" / "seed.xlsx", folder / f"单位{i:02d}.xlsx")
    return inbox


def with_faults(inbox: Path, *names: str) -> Path:
    for name in names:
        shutil.copyfile(CONSISTENT, inbox / name)
    return inbox


def json_files(out: Path) -> list[dict]:
    files = json.loads((out / "summary.json").read_text("utf-8"))["files"]
    return [{k: v for k, v in f.items() if k != "seconds"} for f in files]


def by_path(outcome: BatchOutcome) -> dict[str, FileResult]:
    return {r.path: r for r in outcome.results}


def test_chunks_shrink_towards_the_end() -> None:
    assert cluster.chunk_size(5000, 2) == cluster.MAX_CHUNK
    assert cluster.chunk_size(40, 2) == 5
    assert cluster.chunk_size(3, 2) == 1 and cluster.chunk_size(1, 8) == 1


def test_dask_summary_equals_the_process_engine_row_for_row(tmp_path: Path) -> None:
    inbox = big_inbox(tmp_path)
    p_out, d_out = tmp_path / "p", tmp_path / "d"
    process = pipeline.run(inbox, BatchOptions(root=str(inbox), out_dir=str(p_out)), workers=2)
    dask = pipeline.run(inbox, BatchOptions(root=str(inbox), out_dir=str(d_out)), engine="dask", workers=2,
                     worker=faulty)
    assert len(dask.results) == len(process.results) == 41
    assert summary_rows(dask.results) == summary_rows(process.results)
    assert [(r.path, r.status, r.findings) for r in dask.results] == [
        (r.path, r.status, r.findings) for r in process.results]
    assert json_files(d_out) == json_files(p_out)
    assert dask.counts() == process.counts() and dask.counts()["duplicate"] > 0
    # 41 files, no fault: the two long-lived isolated processes did all the work (no process per file)
    assert len(worker_pids(d_out)) == 2


def test_dask_faults_each_fail_alone(tmp_path: Path) -> None:
    inbox = with_faults(big_inbox(tmp_path, copies=12), "hang.xlsx", "crash.xlsx", "hog.xlsx")
    out = tmp_path / "d"
    options = BatchOptions(root=str(inbox), out_dir=str(out), timeout=10, memory_mb=1024)
    started = time.monotonic()
    outcome = pipeline.run(inbox, options, engine="dask", workers=2, worker=faulty)
    assert time.monotonic() - started < 120
    rows = by_path(outcome)
    assert len(rows) == 20
    assert (rows["hang.xlsx"].status, rows["hang.xlsx"].reason_code) == ("timeout", "batch-timeout")
    assert not running(int((out / "hang.pid").read_text())), "the hanging process must really be stopped"
    assert (rows["crash.xlsx"].status, rows["crash.xlsx"].reason_code) == ("unreadable", "batch-worker-crashed")
    assert (rows["hog.xlsx"].status, rows["hog.xlsx"].reason_code) == ("unreadable", "batch-memory")
    assert rows["consistent.xlsx"].status == rows["乡镇/seed.xlsx"].status == "duplicate"  # of the copies
    assert rows["consistent.xlsx"].figures["total_actual"] == "3474.84"
    assert rows["truncated.xlsx"].reason_code == "file-corrupt"
    assert all(rows[f"县{i % 4}/单位{i:02d}.xlsx"].status in ("ok", "duplicate") for i in range(12))
    assert outcome.exit_code == 2


@pytest.mark.slow  # starts a scheduler and two workers (five processes)
def test_dask_on_a_separate_scheduler_and_daemonic_workers(tmp_path: Path) -> None:
    """The same summary as the process engine, a crash found and a hang stopped, on daemonic workers; and
    neither the workers closed by their nannies nor one killed outright leave a process (``no_process_left``).

    The hang runs on its own: a time limit short enough for a quick test would, on a starved machine, also
    stop ordinary files (seen at 5 s under `nice -n 19` at load 11), and then the engines' summaries would
    differ by chance. The other files keep the default limit, which only a hang reaches.
    """
    from distributed import Client

    from workbook_tools.batch.isolation import ProcessEngine

    inbox = with_faults(big_inbox(tmp_path / "a", copies=12), "crash.xlsx")
    (tmp_path / "h").mkdir()
    hanging = with_faults(tmp_path / "h", "hang.xlsx")
    p_out, d_out, ph_out, dh_out = tmp_path / "p", tmp_path / "d", tmp_path / "ph", tmp_path / "dh"
    process = pipeline.run(inbox, BatchOptions(root=str(inbox), out_dir=str(p_out)), workers=2, worker=faulty)
    process_hang = pipeline.run(hanging, BatchOptions(root=str(hanging), out_dir=str(ph_out), timeout=5), workers=1,
                                worker=faulty)
    with cluster.LoopbackCluster(2, env={"PYTHONPATH": str(ROOT)}) as remote:
        dask = pipeline.run(inbox, BatchOptions(root=str(inbox), out_dir=str(d_out)), engine="dask",
                            scheduler=remote.address, worker=faulty)
        dask_hang = pipeline.run(hanging, BatchOptions(root=str(hanging), out_dir=str(dh_out), timeout=5),
                                 engine="dask", scheduler=remote.address, worker=faulty)
        with Client(remote.address) as client:  # every worker with its file process running (not after a restart)
            cluster.register(client, ProcessEngine)
            victim = min(client.run(os.getpid).values())
        os.kill(victim, signal.SIGKILL)  # no teardown: as a nanny kills a worker whose close hangs
    assert summary_rows(dask.results) == summary_rows(process.results)
    assert json_files(d_out) == json_files(p_out)
    assert summary_rows(dask_hang.results) == summary_rows(process_hang.results)
    assert json_files(dh_out) == json_files(ph_out)
    assert by_path(dask_hang)["hang.xlsx"].status == "timeout" and not running(int((dh_out / "hang.pid").read_text()))
    assert by_path(dask)["crash.xlsx"].reason_code == "batch-worker-crashed"
    # 18 files: two isolated processes, plus one fresh one after the dead (crash) process, plus at most one
    # per file re-run alone to find the crash (the files in flight with it)
    assert len(worker_pids(d_out)) <= 2 + 1 + 2


def test_a_lost_chunk_is_rerun_file_by_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk whose task fails (its dask worker died, KilledWorker) costs no file: each is re-run alone,
    and only a file whose own task fails again is listed, as crashed."""
    inbox = big_inbox(tmp_path, copies=8)
    shutil.copyfile(CONSISTENT, inbox / "boom.xlsx")
    real = cluster.process_chunk

    def dies_on_boom(paths: list[str], options: BatchOptions, worker: cluster.Worker,
                     loop: cluster.Loop) -> list[FileResult]:
        if any(Path(p).name == "boom.xlsx" for p in paths):
            raise RuntimeError("worker lost")
        return real(paths, options, worker, loop)

    monkeypatch.setattr(cluster, "process_chunk", dies_on_boom)
    options = BatchOptions(root=str(inbox), out_dir=str(tmp_path / "d"))
    outcome = pipeline.run(inbox, options, engine="dask", workers=2, processes=False)
    rows = by_path(outcome)
    assert len(rows) == 14
    assert rows["boom.xlsx"].reason_code == "batch-worker-crashed"
    assert sum(r.reason_code == "batch-worker-crashed" for r in rows.values()) == 1
    assert rows["consistent.xlsx"].figures["total_actual"] == "3474.84" and rows["random.xlsx"].reason_code


def test_a_scheduler_without_workers_is_one_line() -> None:
    from distributed import LocalCluster

    from workbook_tools.batch.isolation import EngineError, open_executor

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty:
        with pytest.raises(EngineError) as exc, open_executor("dask", scheduler=empty.scheduler_address,
                                                              connect_timeout=1):
            pass
    assert "没有工作进程" in str(exc.value)
