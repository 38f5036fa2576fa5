"""Where the batch's per-file work runs: local worker processes (default) or a dask.distributed cluster.

Both are ``concurrent.futures.Executor`` objects, so :func:`workbook_tools.batch.pipeline.run_batch` has one
code path. The local engine can be torn down and rebuilt: a file that hangs inside a C library cannot be
interrupted, only its process killed, and a ``ProcessPoolExecutor`` whose worker was killed is broken for
good, so :class:`ProcessEngine` kills the workers (and anything they started, e.g. LibreOffice) and starts
a fresh pool. dask is imported only when asked for (extra ``dask``); on a dask worker, whose threads cannot
be stopped, each worker thread gets a :class:`ProcessEngine` of its own (:mod:`.cluster`).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Literal

from ..core.errors import WorkbookToolsError

EngineName = Literal["process", "dask"]
ENGINES: tuple[str, ...] = ("process", "dask")
#: Modules every worker imports once in the fork server, so a restarted pool is ready in milliseconds.
PRELOAD = ["workbook_tools.batch.work", "workbook_tools.xlsx.reader", "workbook_tools.core.compute",
           "workbook_tools.checks.validate"]


class EngineError(WorkbookToolsError):
    """The engine cannot start (dask missing, scheduler unreachable); the message is one line in Chinese."""

    code = "engine-unavailable"


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


_MAX_SOCKET_PATH = 104  # sun_path is 108 bytes on Linux, 104 on macOS and the BSDs


def mp_context() -> Any:
    """forkserver on POSIX: no fork of a parent that runs threads (progress bar, dask), cheap restarts.

    The fork server listens on a Unix socket under the temporary folder; where TMPDIR is too deep for a socket
    path (108 bytes on Linux) spawn is used instead of failing with "AF_UNIX path too long".
    """
    socket_path = len(os.fsencode(tempfile.gettempdir())) + len("/pymp-12345678/listener-12345678")
    if (sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods()
            and socket_path < _MAX_SOCKET_PATH):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the fork server now, so that it imports :data:`PRELOAD` (about a second on a loaded machine) while
    the batch is still reading the inbox and hashing files, instead of after."""
    ctx = mp_context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _descendants(pid: int) -> list[int]:
    """Child processes of ``pid``, recursively (Linux /proc); empty where /proc is not available."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    out: list[int] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every process it started (a worker may be running LibreOffice)."""
    for p in [*_descendants(pid), pid]:
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)


def exit_with_parent() -> None:
    """Pool initializer: the file process, and what it started, ends when the process that owns its pool does.

    Nothing else would end it: a pool process waits on its call queue, whose write end it holds itself, so it
    never sees its parent go; and while it lives, the fork server and the resource tracker (which wait until
    every holder of their pipe has gone) live too. That is what a dask worker killed by its nanny, or a batch
    killed with SIGKILL, would leave behind. A thread waits on the parent's sentinel (closed when the parent
    exits, however it exits) and then kills this process's tree.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        kill_tree(os.getpid())

    threading.Thread(target=watch, name="workbook-tools-exit-with-parent", daemon=True).start()


class ProcessEngine(Executor):
    """A ``ProcessPoolExecutor`` that can kill its workers and start over (per-file time limit)."""

    #: The deadline of a task starts when its future reports running (it is then in the pool's call queue).
    clock_starts_when_running = True

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._ctx = mp_context()
        self._pool = self._new_pool()
        self.restarts = 0

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx, initializer=exit_with_parent)

    @property
    def capacity(self) -> int:
        return self.workers

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._pool.submit(fn, *args, **kwargs)

    def kill_workers(self) -> None:
        """Kill every worker process of the current pool and what it started."""
        processes = getattr(self._pool, "_processes", None) or {}  # kill_workers() is public from Python 3.14
        for proc in list(processes.values()):
            if proc.pid is not None:
                kill_tree(proc.pid)

    def restart(self) -> None:
        """Stop everything running now (pending futures fail with BrokenProcessPool) and start a fresh pool."""
        self.kill_workers()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()
        self.restarts += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


class DaskEngine(Executor):
    """A ``dask.distributed`` client that runs the batch in chunks on isolated worker processes.

    A dask task runs in a worker thread, which nothing can kill; so :mod:`.cluster` installs a worker plugin
    that gives each worker thread a long-lived single-process :class:`ProcessEngine`, and
    :func:`~workbook_tools.batch.pipeline.run_batch` hands the whole file list to :meth:`run_files` (chunks,
    gathered as they finish). ``submit`` stays for code that uses the engine as a plain ``Executor``.
    """

    clock_starts_when_running = False

    def __init__(self, client: Any, cluster: Any = None) -> None:
        from .cluster import register

        self.client = client
        self.cluster = cluster
        self._inner: Executor = client.get_executor(pure=False)
        register(client, ProcessEngine)

    @property
    def capacity(self) -> int:
        try:
            return max(1, int(sum(self.client.nthreads().values())))
        except Exception:  # noqa: BLE001 - a scheduler that went away: fall back to one at a time
            return 1

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._inner.submit(fn, *args, **kwargs)

    def run_files(self, paths: Iterable[str], options: Any, worker: Callable[..., Any],
                  loop: Callable[..., Iterator[Any]]) -> Iterator[Any]:
        """Every file's result in completion order; ``loop`` (``run_batch``) runs each chunk on its worker
        (see :func:`.cluster.run_chunks`)."""
        from .cluster import run_chunks

        return run_chunks(self.client, paths, options, worker, loop)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with contextlib.suppress(Exception):
            self._inner.shutdown(wait=wait and not cancel_futures)
        with contextlib.suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


def capacity(executor: Executor) -> int:
    """How many files the executor works on at once (the batch keeps about that many in flight)."""
    cap = getattr(executor, "capacity", None)
    if isinstance(cap, int) and cap > 0:
        return cap
    workers = getattr(executor, "_max_workers", None)
    return workers if isinstance(workers, int) and workers > 0 else default_workers()


def make_dask(workers: int | None = None, scheduler: str | None = None, *, processes: bool = False,
              connect_timeout: float = 10) -> DaskEngine:
    """Connect to ``scheduler`` (``tcp://host:8786``) or start a LocalCluster of ``workers`` single-thread workers.

    The LocalCluster's workers are threads of this process by default (``processes=False``): on one machine the
    isolation comes from each worker's own file process (:mod:`.cluster`), so a worker process
    apiece would only add its start (importing dask and the project again, ~5 s on a loaded 2-core machine)
    and one more hop for every result. ``processes=True`` gives each worker its own process, as on a cluster.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("使用 --engine dask 需要安装 dask：pip install 'workbook-tools[dask]'",
                          "--engine dask needs dask: pip install 'workbook-tools[dask]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{connect_timeout}s")
        except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a bad address
            raise EngineError(f"无法连接 dask 调度器 {scheduler}（{exc}）",
                              f"cannot connect to the dask scheduler {scheduler} ({exc})") from None
        try:
            client.wait_for_workers(1, timeout=connect_timeout)
        except Exception:  # noqa: BLE001 - TimeoutError: nothing would ever run
            with contextlib.suppress(Exception):
                client.close()
            raise EngineError(f"dask 调度器 {scheduler} 没有工作进程（{connect_timeout:g} 秒内无 dask worker 连接）",
                              f"the dask scheduler {scheduler} has no workers (none joined within "
                              f"{connect_timeout:g} s)") from None
    else:
        import dask

        # Non-daemonic workers may start their isolated file processes without the plugin's help.
        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = LocalCluster(
                n_workers=workers or default_workers(), threads_per_worker=1, processes=processes,
                dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        return DaskEngine(client, cluster)
    except Exception as exc:  # noqa: BLE001 - the plugin failed on a worker (workbook_tools missing there?)
        with contextlib.suppress(Exception):
            client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()
        raise EngineError(f"dask 工作进程无法启动 workbook_tools 的隔离进程（{type(exc).__name__}: {exc}）；"
                          "各工作节点须安装同一版本的 workbook_tools",
                          f"the dask workers cannot start workbook_tools' isolated processes ({type(exc).__name__}: "
                          f"{exc}); every worker needs the same workbook_tools installed") from None


@contextlib.contextmanager
def open_executor(engine: str = "process", workers: int | None = None, scheduler: str | None = None, *,
                  processes: bool = False, connect_timeout: float = 10) -> Iterator[Executor]:
    """The executor for ``engine``; on the way out it is shut down (killed if the batch was interrupted)."""
    if engine not in ENGINES:
        raise EngineError(f"未知的引擎 {engine}（可选 {'、'.join(ENGINES)}）", f"unknown engine {engine} ({', '.join(ENGINES)})")
    if workers is not None and workers < 1:
        raise EngineError("--workers 至少为 1", "--workers must be at least 1")
    if scheduler and engine != "dask":
        raise EngineError("--scheduler 只能与 --engine dask 一起使用", "--scheduler needs --engine dask")
    executor: Executor = (ProcessEngine(workers) if engine == "process"
                          else make_dask(workers, scheduler, processes=processes, connect_timeout=connect_timeout))
    try:
        yield executor
    except BaseException:
        if isinstance(executor, ProcessEngine):
            executor.kill_workers()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


__all__ = ["ProcessEngine", "DaskEngine", "EngineError", "open_executor", "make_dask", "capacity", "default_workers",
           "exit_with_parent", "kill_tree", "warm_up", "ENGINES"]
