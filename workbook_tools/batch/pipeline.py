"""The finance bureau's run over every department's workbook.

Each file is processed independently by :func:`process_workbook` (top-level and picklable, so it runs
in a worker process or on a dask worker, and returns plain data). :func:`run_batch` feeds an executor,
keeps a per-file time limit (a hanging file is killed and listed, the batch goes on), and isolates a
file that crashes its worker. :func:`run` adds discovery, the content-hash cache, duplicate detection
and the summary. Nothing a department sent can stop the batch: bad files become rows with a reason.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.fsutil import TEMP_TAG, leftover_temp, sweep_orphans
from ..core.textsafe import clean_data
from .inbox import Cache, discover_entries, file_sha256
from .isolation import ProcessEngine, capacity, open_executor, warm_up
from .result import (
    BatchOptions,
    BatchOutcome,
    FileResult,
    Worker,
    allocate_names,
    crashed_result,
    mark_duplicates,
    rel_path,
    relative,
    timeout_result,
)
from .summary import write_summary
from .work import process_workbook

POLL_SECONDS = 0.25

@dataclass
class _Slot:
    path: str
    started: float | None = None
    suspect: bool = False

def for_file(options: BatchOptions, path: str) -> BatchOptions:
    """The options one file's worker needs: only that file's output name travels with it (the run's table of
    10,000 names, pickled with every file, cost 6 ms to send and 8 ms to receive per file)."""
    if not options.names:
        return options
    rel = relative(path, options.root)
    return replace(options, names={rel: options.names[rel]} if rel in options.names else {})


def run_batch(paths: Iterable[str], options: BatchOptions, executor: Executor,
              worker: Worker | None = None) -> Iterator[FileResult]:
    """Results in completion order. Each file gets ``options.timeout`` seconds of running time.

    With a :class:`~workbook_tools.batch.isolation.ProcessEngine` a file over its time is really stopped (its
    worker is killed and the pool restarted; the other files in flight are resubmitted), and a file
    that kills its worker is found by re-running the files that were in flight one at a time. An engine
    with its own loop (``run_files``: dask, in chunks, each run by this function on a worker's own
    ProcessEngine) gets the whole list. With other executors an overdue file is cancelled and listed; its
    worker thread is not killable.
    """
    fn: Worker = worker or process_workbook
    run_files = getattr(executor, "run_files", None)
    if run_files is not None:
        yield from run_files(paths, options, fn, run_batch)
        return
    queue: deque[str] = deque(paths)
    suspects: deque[str] = deque()
    inflight: dict[Future[FileResult], _Slot] = {}  # in submission order
    restartable = isinstance(executor, ProcessEngine)
    running_clock = bool(getattr(executor, "clock_starts_when_running", False))
    cap = capacity(executor)
    limit = cap * 2 if running_clock else cap
    allowed = options.timeout

    def submit(path: str, suspect: bool = False) -> FileResult | None:
        try:
            fut = executor.submit(fn, path, for_file(options, path))
        except (BrokenProcessPool, RuntimeError):  # an executor we cannot restart is gone
            return crashed_result(path, options)
        inflight[fut] = _Slot(path, None if running_clock else time.monotonic(), suspect)
        return None

    while queue or suspects or inflight:
        if suspects:  # isolation: one suspect alone, so a crash names its file
            if not inflight and (failed := submit(suspects.popleft(), suspect=True)) is not None:
                yield failed
        else:
            while queue and len(inflight) < limit:
                if (failed := submit(queue.popleft())) is not None:
                    yield failed
        if not inflight:
            continue
        now = time.monotonic()
        for fut, slot in inflight.items():
            if slot.started is None and (fut.running() or fut.done()):
                slot.started = now
        deadlines = [s.started + allowed for s in inflight.values() if s.started is not None]
        done, _ = wait(list(inflight), timeout=max(0.0, min([POLL_SECONDS, *(d - now for d in deadlines)])),
                       return_when=FIRST_COMPLETED)
        broken = False
        for fut in done:
            slot = inflight.pop(fut)
            try:
                yield fut.result()
            except BrokenProcessPool:
                broken = True
                if slot.suspect:
                    yield crashed_result(slot.path, options)
                else:
                    suspects.append(slot.path)
            except CancelledError:
                queue.appendleft(slot.path)
            except Exception as exc:  # noqa: BLE001 - e.g. a dask worker lost; the file is listed, not lost
                yield FileResult(rel_path(slot.path, options), "unreadable", reason_code="file-unreadable",
                                 reason=f"{type(exc).__name__}: {exc}")
        if broken:  # nobody knows which in-flight file killed the worker: all of them are suspects
            suspects.extend(s.path for s in inflight.values())
            inflight.clear()
        now = time.monotonic()
        # Only the oldest `cap` unfinished futures can really be running (the pool works in order);
        # one merely queued behind a hanging file is not charged for the wait.
        running = [f for f in inflight if not f.done()][:cap]
        expired = [f for f in running
                   if inflight[f].started is not None and now - inflight[f].started >= allowed]  # type: ignore[operator]
        for fut in expired:
            slot = inflight.pop(fut)
            fut.cancel()
            yield timeout_result(slot.path, options)
        if (expired or broken) and restartable:
            assert isinstance(executor, ProcessEngine)
            innocent = list(inflight.values())
            inflight.clear()
            executor.restart()
            for s in reversed(innocent):
                (suspects if s.suspect else queue).appendleft(s.path)

class Progress:
    """A rich progress bar on stderr with counts of ok / with errors / unreadable; silent when disabled."""

    def __init__(self, enabled: bool, lang: str = "zh") -> None:
        self.enabled = enabled
        self.lang = lang
        self._bar: Any = None
        self._task: Any = None
        self._counts = {"ok": 0, "errors": 0, "unreadable": 0}

    @staticmethod
    def wanted(quiet: bool) -> bool:
        """Shown only to a person: not with --quiet, not when stderr is not a terminal, not under CI."""
        return not quiet and sys.stderr.isatty() and os.environ.get("CI") != "true"

    def _label(self) -> str:
        c = self._counts
        if self.lang == "en":
            return f"ok {c['ok']} · with errors {c['errors']} · unreadable {c['unreadable']}"
        return f"通过 {c['ok']} · 有错误 {c['errors']} · 无法处理 {c['unreadable']}"

    def start(self, total: int) -> None:
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self._bar.start()
        self._task = self._bar.add_task(self._label(), total=total)

    def update(self, result: FileResult) -> None:
        key = "ok" if result.status == "ok" else ("errors" if result.status in ("errors", "duplicate") else "unreadable")
        self._counts[key] += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=self._label())

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _convert_legacy(todo: list[str], options: BatchOptions, workdir: Path) -> BatchOptions:
    """Every .xls/.ods of the batch converted in one LibreOffice run (start-up dominates its cost)."""
    from ..xlsx.legacy import convert_all, is_legacy

    legacy = [p for p in todo if is_legacy(p)]
    if not legacy:
        return options
    done = convert_all(legacy, workdir, timeout=max(options.timeout, 60) * max(1, len(legacy) // 20 + 1))
    return replace(
        options,
        converted=tuple((p, c.converted) for p, c in done.items() if c.converted),
        legacy_failed=tuple((p, c.reason_zh, c.reason_en) for p, c in done.items() if not c.converted))


def run(inbox: Path, options: BatchOptions, *, engine: str = "process", workers: int | None = None,
        scheduler: str | None = None, use_cache: bool = True, progress: Progress | None = None,
        worker: Worker | None = None, processes: bool = False) -> BatchOutcome:
    """Discover, process what changed, mark duplicates, write the summary and the cache."""
    inbox = Path(inbox)
    out = Path(options.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _check_writable(out)
    files, locks = discover_entries(inbox, out)
    root = Path(options.root)
    options = replace(options, names=allocate_names(relative(str(p), str(root)) for p in files))
    cache = Cache(out, options.fingerprint(), enabled=use_cache)
    progress = progress or Progress(False)
    results: list[FileResult] = []
    todo: list[str] = []
    hashes: dict[str, str] = {}
    if engine == "process" and any(relative(str(p), str(root)) not in cache.entries for p in files):
        warm_up()  # work ahead (a file the cache has never seen): the workers' imports overlap the hashing
    for p in files:
        rel = relative(str(p), str(root))
        sha = file_sha256(p)
        hashes[rel] = sha
        hit = cache.lookup(rel, sha)
        if hit is not None:
            results.append(hit)
        else:
            todo.append(str(p))
    progress.start(len(files))
    legacy_dir = tempfile.TemporaryDirectory(prefix="workbook_tools-legacy-")
    try:
        options = _convert_legacy(todo, options, Path(legacy_dir.name))
        for r in results:
            progress.update(r)
        if todo:
            with open_executor(engine, workers, scheduler, processes=processes) as executor:
                for r in run_batch(todo, options, executor, worker or globals()["process_workbook"]):
                    r = _clean(r)
                    r.sha256 = hashes.get(r.path, "")
                    cache.store(r)
                    results.append(r)
                    progress.update(r)
    finally:
        progress.stop()
        legacy_dir.cleanup()
        # a worker killed at its time limit (or by an interrupt) cannot remove its temporary files
        _sweep(out)
    results.sort(key=lambda r: r.path)
    final = mark_duplicates(results, options.lang)
    outcome = BatchOutcome(final, processed=len(todo), cached=len(files) - len(todo),
                           skipped=[relative(str(p), str(root)) for p in locks])
    outcome.outputs = write_summary(final, out, options.lang)
    if use_cache:
        cache.save(set(hashes))
    return outcome


def _clean(r: FileResult) -> FileResult:
    """Text a worker returned, made safe to store (summary xlsx/CSV/JSON, cache): no lone surrogates."""
    return FileResult.from_json(clean_data(r.to_json()))


def _check_writable(out: Path) -> None:
    """Fail before any work when the output folder cannot take files (read-only, full, not a folder):
    one OSError naming the folder, which the command line prints as one line with exit code 2."""
    import tempfile

    if not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(out))
    try:
        fd, probe = tempfile.mkstemp(prefix=f".probe{TEMP_TAG}{os.getpid()}-", dir=out)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(out)) from None
    os.close(fd)
    os.unlink(probe)


def _sweep(out: Path) -> None:
    """Remove what dead workers left (their temporary files in ``out``, LibreOffice profiles in $TMPDIR)."""
    import tempfile

    for _ in range(20):  # a killed worker takes a moment to die
        sweep_orphans([out])
        sweep_orphans([tempfile.gettempdir()], recursive=False)
        if not leftover_temp([out]):
            return
        time.sleep(0.1)
