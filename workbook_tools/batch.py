"""The finance bureau's run over every department's workbook.

Each file is processed independently by :func:`process_workbook` (top-level and picklable, so it runs
in a worker process or on a dask worker, and returns plain data). :func:`run_batch` feeds an executor,
keeps a per-file time limit (a hanging file is killed and listed, the batch goes on), and isolates a
file that crashes its worker. :func:`run` adds discovery, the content-hash cache, duplicate detection
and the summary. Nothing a department sent can stop the batch: bad files become rows with a reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from . import __version__, spec

Status = Literal["ok", "errors", "unreadable", "timeout", "duplicate"]
STATUSES: tuple[str, ...] = ("ok", "errors", "unreadable", "timeout", "duplicate")
EXPORT_FORMATS: tuple[str, ...] = ("docx", "pdf", "md")
CACHE_NAME = ".cache.json"
CACHE_VERSION = 1
#: Figures of the summary, by defined name: computed from the inputs (never the stated cells).
SUMMARY_FIGURES: tuple[str, ...] = (
    "total_budget", "total_actual", "total_rate",
    "basic_budget", "basic_actual", "project_budget", "project_actual",
    "sangong_actual", "sangong_prev", "sangong_change_pct",
    "staff_quota", "staff_actual", "staff_control_rate",
    "score_total", "grade",
)
#: Files that are never submissions: Office and LibreOffice lock files, OS litter.
_LITTER = {"thumbs.db", "desktop.ini", ".ds_store"}
POLL_SECONDS = 0.25

Worker = Callable[[str, "BatchOptions"], "FileResult"]


@dataclass(frozen=True)
class BatchOptions:
    """What to do with each file. Plain data: it travels to worker processes and dask workers."""

    root: str
    out_dir: str
    fill: bool = False
    export: tuple[str, ...] = ()
    timeout: float = 120.0
    lang: str = "zh"
    memory_mb: int = 4096  # address-space limit while a worker reads and checks one file (0: none)
    #: legacy (.xls/.ods) inputs converted before the batch, in one LibreOffice run: (input, converted .xlsx)
    converted: tuple[tuple[str, str], ...] = ()
    #: legacy inputs LibreOffice could not convert: (input, reason in Chinese, reason in English)
    legacy_failed: tuple[tuple[str, str, str], ...] = ()

    def fingerprint(self) -> str:
        """What a cached result depends on besides the file's content."""
        return json.dumps({"tool": __version__, "template": spec.TEMPLATE_VERSION, "fill": self.fill,
                           "export": sorted(self.export), "lang": self.lang}, sort_keys=True)


@dataclass
class FileResult:
    """One file's outcome as plain data (JSON-ready: Decimals are strings)."""

    path: str  # relative to the inbox, "/" separators
    status: Status
    sha256: str = ""
    unit: str | None = None
    year: int | None = None
    figures: dict[str, str | None] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)  # file, sheet, cell, code, severity, message
    reason: str | None = None  # why a file could not be processed
    reason_code: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # kind → path relative to the output folder
    notes: list[str] = field(default_factory=list)  # e.g. a report not exported because of errors
    seconds: float = 0.0
    cached: bool = False

    @property
    def readable(self) -> bool:
        return self.status in ("ok", "errors", "duplicate")

    def figure(self, name: str) -> Decimal | None:
        v = self.figures.get(name)
        return Decimal(v) if v not in (None, "") and name != "grade" else None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileResult:
        return cls(**data)


# -- one file ---------------------------------------------------------------------------------


def _plain(v: object) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def _relative(path: str, root: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).name


def report_name(rel: str, suffix: str) -> str:
    """``a/b.xlsx`` → ``a/b.docx``; any other extension is kept (``b.xlsm`` → ``b.xlsm.docx``) so names never collide."""
    p = Path(rel)
    return (p.with_suffix(suffix) if p.suffix.lower() == ".xlsx" else p.with_name(p.name + suffix)).as_posix()


def _finding_row(f: Any, rel: str, lang: str) -> dict[str, Any]:
    return {"file": rel, "sheet": f.sheet, "cell": f.cell, "code": f.code, "severity": f.severity,
            "message": f.text(lang)}


def _export(src: Path, dest: Path, fmt: str, lang: str) -> str | None:
    """Write one report; a note (not an exception) when the workbook has errors or the format cannot be made."""
    from .export import ExportRefused, export_report

    try:
        export_report(src, dest, fmt=fmt)
    except ExportRefused as exc:
        return (f"{fmt} not written: {exc.errors} validation error(s)" if lang == "en"
                else f"未导出 {fmt}：工作簿有 {exc.errors} 个校验错误")
    except Exception as exc:  # noqa: BLE001 - LibreOffice missing or failing: the other outputs still count
        return (f"{fmt} not written: {type(exc).__name__}: {exc}" if lang == "en"
                else f"未导出 {fmt}：{type(exc).__name__}: {exc}")
    return None


def process_workbook(path: str, options: BatchOptions) -> FileResult:
    """Validate one workbook (and fill/export it when asked); never raises for what is in the file."""
    started = time.perf_counter()
    rel = _relative(path, options.root)
    failed = {p: (zh, en) for p, zh, en in options.legacy_failed}
    if path in failed:
        zh, en = failed[path]
        return FileResult(rel, "unreadable", reason_code="legacy-not-converted", reason=en if options.lang == "en" else zh)
    source = dict(options.converted).get(path, path)
    try:
        result = _process(Path(source), rel, options)
        if source != path:
            result.notes.insert(0, "converted from a legacy file with LibreOffice" if options.lang == "en"
                                else f"{Path(path).suffix} 文件已用 LibreOffice 转为 .xlsx 后处理（原文件未改动）")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a bug or a Rust panic on one file must not stop the batch
        result = FileResult(rel, "unreadable", reason_code="file-unreadable",
                            reason=(f"internal error: {type(exc).__name__}: {exc}" if options.lang == "en"
                                    else f"处理时出现内部错误：{type(exc).__name__}: {exc}"))
    result.seconds = round(time.perf_counter() - started, 4)
    return result


@contextlib.contextmanager
def memory_limit(mb: int) -> Iterator[None]:
    """Cap this worker's address space while it reads one file, so a file that would exhaust memory raises
    MemoryError in its own worker instead of taking the machine down. Only in worker processes (never in the
    caller's own process) and only around reading and checking: LibreOffice, started later for PDF, is not
    limited."""
    import multiprocessing

    try:
        import resource
    except ImportError:  # not on Windows
        resource = None  # type: ignore[assignment]
    if not mb or resource is None or multiprocessing.parent_process() is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _memory_result(rel: str, options: BatchOptions) -> FileResult:
    mb = options.memory_mb
    return FileResult(rel, "unreadable", reason_code="batch-memory",
                      reason=(f"stopped: reading it needed more than the {mb} MB memory limit" if options.lang == "en"
                              else f"读取时超出内存上限（{mb} MB），已停止；文件可能异常庞大或已损坏"))


def _process(path: Path, rel: str, options: BatchOptions) -> FileResult:
    from .compute import compute
    from .findings import sort_key
    from .reader import UnreadableWorkbook, load
    from .validate import validate_loaded

    lang = options.lang
    try:
        with memory_limit(options.memory_mb):
            loaded = load(path)
            report = validate_loaded(loaded)
    except UnreadableWorkbook as exc:
        return FileResult(rel, "unreadable", reason_code=exc.code,
                          reason=exc.reason_en if lang == "en" else exc.reason_zh)
    except MemoryError:
        return _memory_result(rel, options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader panic is a property of the file
        return FileResult(rel, "unreadable", reason_code="file-unreadable",
                          reason=(f"cannot be read ({type(exc).__name__})" if lang == "en"
                                  else f"文件无法读取（{type(exc).__name__}）"))
    if report.unreadable is not None:
        u = report.unreadable
        return FileResult(rel, "unreadable", reason_code=u.code, reason=u.text(lang))
    model = loaded.model
    derived = compute(model)
    figures: dict[str, str | None] = {}
    for name in SUMMARY_FIGURES:
        figures[name] = _plain(derived[name] if name in derived else model.values.get(name))
    if not model.lists.get("indicators"):  # no 评分表 yet (a prefilled workbook): no score, not a score of 0
        figures["score_total"] = figures["grade"] = None
    result = FileResult(
        rel, "errors" if report.errors else "ok",
        unit=model.unit_name.strip() or None, year=model.fiscal_year, figures=figures,
        errors=len(report.errors), warnings=len(report.warnings),
        findings=[_finding_row(f, rel, lang) for f in sorted(report.findings, key=sort_key)],
    )
    out = Path(options.out_dir)
    source = path
    if options.fill:
        from .fill import fill

        dest = out / "filled" / report_name(rel, ".xlsx")
        try:
            filled = fill(path, dest)
        except Exception as exc:  # noqa: BLE001 - FillError or openpyxl failing on an odd file: a note, not a crash
            result.notes.append(f"fill failed: {exc}" if lang == "en" else f"计算填充失败：{exc}")
            filled = None
        if filled is not None:
            result.findings += [_finding_row(f, rel, lang) for f in sorted(filled.findings, key=sort_key)
                                if f.severity == "info"]
        if filled is not None and filled.written and dest.exists():
            result.outputs["filled"] = dest.relative_to(out).as_posix()
            source = dest
    for fmt in options.export:
        dest = out / "reports" / report_name(rel, f".{fmt}")
        note = _export(source, dest, fmt, lang)
        if note is None:
            result.outputs[fmt] = dest.relative_to(out).as_posix()
        else:
            result.notes.append(note)
    return result


# -- many files -------------------------------------------------------------------------------


@dataclass
class _Slot:
    path: str
    started: float | None = None
    suspect: bool = False


def _rel(path: str, options: BatchOptions) -> str:
    return _relative(path, options.root)


def timeout_result(path: str, options: BatchOptions) -> FileResult:
    t = f"{options.timeout:g}"
    return FileResult(_rel(path, options), "timeout", reason_code="batch-timeout",
                      reason=(f"processing took longer than {t} s and was stopped" if options.lang == "en"
                              else f"处理超过 {t} 秒，已停止（文件可能异常，请打开检查或重新保存后再提交）"))


def crashed_result(path: str, options: BatchOptions) -> FileResult:
    return FileResult(_rel(path, options), "unreadable", reason_code="batch-worker-crashed",
                      reason=("the worker process died while reading this file" if options.lang == "en"
                              else "读取该文件时工作进程异常退出（文件可能损坏或触发了读取库的缺陷）"))


def _child(conn: Any, worker: Worker, path: str, options: BatchOptions) -> None:
    try:
        conn.send(worker(path, options))
    finally:
        conn.close()


def _isolated_fork(worker: Worker, path: str, options: BatchOptions) -> FileResult:
    from .engines import kill_tree, mp_context

    ctx = mp_context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, worker, path, options), daemon=True)
    child.start()
    sender.close()
    try:
        if receiver.poll(options.timeout):
            try:
                return receiver.recv()  # type: ignore[no-any-return]
            except (EOFError, OSError):
                return crashed_result(path, options)
        if child.pid is not None:
            kill_tree(child.pid)
        return timeout_result(path, options)
    finally:
        receiver.close()
        child.join(5)


def child_main() -> None:
    """Entry of :func:`_isolated_subprocess`: a pickled (worker, path, options) on stdin, the result on stdout."""
    import pickle

    worker, path, options = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(worker(path, options)))


def _isolated_subprocess(worker: Worker, path: str, options: BatchOptions) -> FileResult:
    """The same in a fresh interpreter: daemonic processes (dask workers by default) may not fork children
    through multiprocessing, but may start programs."""
    import pickle
    import subprocess

    from .engines import kill_tree

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.Popen([sys.executable, "-c", "from workbook_tools.batch import child_main; child_main()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        out, _ = proc.communicate(pickle.dumps((worker, path, options)), timeout=options.timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        proc.communicate()
        return timeout_result(path, options)
    if proc.returncode != 0 or not out:
        return crashed_result(path, options)
    return pickle.loads(out)  # type: ignore[no-any-return]


def process_isolated(path: str, options: BatchOptions, worker: Worker | None = None) -> FileResult:
    """Run the per-file function in a child process killed at ``options.timeout`` (used on dask workers,
    whose threads cannot be stopped); a child that dies gives a crashed result."""
    import multiprocessing

    fn = worker or process_workbook
    if multiprocessing.current_process().daemon:
        return _isolated_subprocess(fn, path, options)
    return _isolated_fork(fn, path, options)


def run_batch(paths: Iterable[str], options: BatchOptions, executor: Executor,
              worker: Worker | None = None) -> Iterator[FileResult]:
    """Results in completion order. Each file gets ``options.timeout`` seconds of running time.

    With a :class:`~workbook_tools.engines.ProcessEngine` a file over its time is really stopped (its
    worker is killed and the pool restarted; the other files in flight are resubmitted), and a file
    that kills its worker is found by re-running the files that were in flight one at a time. With
    other executors (dask) an overdue file is cancelled and listed; its worker thread is not killable.
    """
    from .engines import ProcessEngine, capacity

    fn: Worker = worker or process_workbook
    isolated = bool(getattr(executor, "isolates_files", False))
    queue: deque[str] = deque(paths)
    suspects: deque[str] = deque()
    inflight: dict[Future[FileResult], _Slot] = {}  # in submission order
    restartable = isinstance(executor, ProcessEngine)
    running_clock = bool(getattr(executor, "clock_starts_when_running", False))
    cap = capacity(executor)
    limit = cap * 2 if running_clock else cap
    # Isolated files keep their own time; the batch's clock is only a backstop for a lost worker, allowing
    # for files queued behind others on the same dask worker.
    allowed = options.timeout * (cap + 1) + 30 if isolated else options.timeout

    def submit(path: str, suspect: bool = False) -> FileResult | None:
        try:
            fut = (executor.submit(process_isolated, path, options, fn) if isolated
                   else executor.submit(fn, path, options))
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
                yield FileResult(_rel(slot.path, options), "unreadable", reason_code="file-unreadable",
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


# -- discovery, cache, duplicates ---------------------------------------------------------------


def is_litter(name: str) -> bool:
    """Lock files (``~$x.xlsx``, ``.~lock.x.xlsx#``), hidden files and OS litter are never submissions."""
    return name.startswith(("~$", ".")) or name.lower() in _LITTER


def discover(root: Path, out_dir: Path | None = None) -> list[Path]:
    """Every file under ``root`` (recursively) except litter and our own output folder, sorted by path.

    Foreign files (.docx, .pdf, .ods, CSV, a workbook renamed) are included on purpose: they are listed
    as unreadable with their reason rather than silently ignored.
    """
    root = Path(root)
    if root.is_file():
        return [root]
    skip = out_dir.resolve() if out_dir is not None else None
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and d != "__MACOSX" and (here / d).resolve() != skip)
        found += [here / n for n in filenames if not is_litter(n)]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


class Cache:
    """``out/.cache.json``: per relative path, the content hash and the result it gave.

    A file whose bytes and options are unchanged (and whose outputs still exist) is not processed again;
    timeouts are never cached (the machine may have been busy).
    """

    def __init__(self, out_dir: Path, fingerprint: str, enabled: bool = True) -> None:
        self.path = Path(out_dir) / CACHE_NAME
        self.out_dir = Path(out_dir)
        self.fingerprint = fingerprint
        self.enabled = enabled
        self.entries: dict[str, dict[str, Any]] = {}
        if enabled:
            with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("version") == CACHE_VERSION and data.get("fingerprint") == fingerprint:
                    self.entries = dict(data.get("files") or {})

    def lookup(self, rel: str, sha: str) -> FileResult | None:
        entry = self.entries.get(rel)
        if not self.enabled or not sha or entry is None or entry.get("sha256") != sha:
            return None
        try:
            result = FileResult.from_json(entry["result"])
        except (KeyError, TypeError):
            return None
        if not all((self.out_dir / p).exists() for p in result.outputs.values()):
            return None
        result.cached = True
        return result

    def store(self, result: FileResult) -> None:
        if result.status == "timeout" or not result.sha256:
            self.entries.pop(result.path, None)
            return
        self.entries[result.path] = {"sha256": result.sha256, "result": replace(result, cached=False).to_json()}

    def save(self, keep: set[str]) -> None:
        from .fsutil import atomic_write_text

        files = {k: v for k, v in sorted(self.entries.items()) if k in keep}
        atomic_write_text(self.path, json.dumps({"version": CACHE_VERSION, "fingerprint": self.fingerprint,
                                                 "files": files}, ensure_ascii=False))


def unit_key(unit: str) -> str:
    return "".join(unicodedata.normalize("NFKC", unit).split()).casefold()


def mark_duplicates(results: list[FileResult], lang: str = "zh") -> list[FileResult]:
    """Same unit and year submitted more than once: every copy gets status ``duplicate`` and a finding."""
    groups: dict[tuple[str, int | None], list[int]] = {}
    for i, r in enumerate(results):
        if r.readable and r.unit:
            groups.setdefault((unit_key(r.unit), r.year), []).append(i)
    out = list(results)
    for idxs in groups.values():
        if len(idxs) < 2:
            continue
        for i in idxs:
            r = out[i]
            others = "、".join(results[j].path for j in idxs if j != i)
            msg = (f"same unit and year as {others} (duplicate submission)" if lang == "en"
                   else f"与 {others} 的单位名称和年度相同（重复提交），请确认以哪一份为准")
            finding = {"file": r.path, "sheet": None, "cell": None, "code": "duplicate-submission",
                       "severity": "error", "message": msg}
            out[i] = replace(r, status="duplicate", errors=r.errors + 1, findings=[finding, *r.findings])
    return out


# -- the whole run ----------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    results: list[FileResult]
    processed: int
    cached: int
    outputs: dict[str, Path] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        c = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            c[r.status] += 1
        return c

    @property
    def exit_code(self) -> int:
        """0 every file valid, 1 some have errors (or are duplicates), 2 some could not be processed."""
        c = self.counts()
        if c["unreadable"] or c["timeout"]:
            return 2
        return 1 if c["errors"] or c["duplicate"] else 0


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
    from .legacy import convert_all, is_legacy

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
        worker: Worker | None = None, processes: bool = True) -> BatchOutcome:
    """Discover, process what changed, mark duplicates, write the summary and the cache."""
    from .engines import open_executor
    from .summary import write_summary

    inbox = Path(inbox)
    out = Path(options.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = discover(inbox, out)
    cache = Cache(out, options.fingerprint(), enabled=use_cache)
    progress = progress or Progress(False)
    results: list[FileResult] = []
    todo: list[str] = []
    hashes: dict[str, str] = {}
    root = Path(options.root)
    for p in files:
        rel = _relative(str(p), str(root))
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
                    r.sha256 = hashes.get(r.path, "")
                    cache.store(r)
                    results.append(r)
                    progress.update(r)
    finally:
        progress.stop()
        legacy_dir.cleanup()
    results.sort(key=lambda r: r.path)
    final = mark_duplicates(results, options.lang)
    outcome = BatchOutcome(final, processed=len(todo), cached=len(files) - len(todo))
    outcome.outputs = write_summary(final, out, options.lang)
    if use_cache:
        cache.save(set(hashes))
    return outcome


__all__ = ["BatchOptions", "FileResult", "BatchOutcome", "Progress", "process_workbook", "run_batch", "run",
           "discover", "Cache", "mark_duplicates", "unit_key", "report_name", "is_litter", "STATUSES", "SUMMARY_FIGURES"]
