"""The dask engine's two halves: isolated file processes that live as long as each dask worker, and a
client loop that sends files in chunks and gathers results as they finish.

A dask task runs in a worker thread, and a thread cannot be stopped; a fresh process per file is safe but
costs ~0.1 s each (975 processes for 1,000 files). So :class:`IsolationPlugin` gives every dask worker
thread its own :class:`~workbook_tools.batch.isolation.ProcessEngine` of one process, started once through
the project's fork server; a task (:func:`process_chunk`) runs the batch's own loop
(:func:`~workbook_tools.batch.pipeline.run_batch`, handed in by the caller, so this module sits below the
engines and the pipeline) over a chunk of files on it. Every guarantee of the process engine therefore holds
on each worker, enforced *there*: a file over its time limit has its process killed and the engine restarted, a file that kills its
process is found by re-running the chunk's files in flight one at a time, a file that would exhaust memory
hits the address-space limit in its own process. :func:`run_chunks` keeps about two chunks per worker
thread in flight, gathers them with ``distributed.as_completed`` and releases each future as soon as its
results are read, so neither the scheduler nor the workers hold more than those chunks, whatever the size
of the batch.

Imported only with ``--engine dask`` (extra ``dask``).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from distributed import WorkerPlugin, as_completed, get_worker
from distributed.core import Status

from .result import BatchOptions, FileResult, Worker, crashed_result, timeout_result

#: ``run_batch(paths, options, executor, worker)``: the per-file loop with time limits and crash isolation.
Loop = Callable[[list[str], BatchOptions, Executor, Worker], Iterator[FileResult]]
#: Makes a local engine of n processes (``ProcessEngine``), able to ``restart`` and ``kill_workers``.
EngineFactory = Callable[[int], Any]

PLUGIN_NAME = "workbook-tools-isolation"
#: Largest chunk: a chunk is the unit of rescheduling when a dask worker is lost and of the tail imbalance.
MAX_CHUNK = 64
#: Chunks kept in flight per worker thread: one running, one queued so the worker never waits for the client.
CHUNKS_PER_THREAD = 2
POLL_SECONDS = 0.05


def allow_children() -> None:
    """Let this dask worker start its file processes.

    The nanny starts workers as daemonic processes (``distributed.worker.daemon``, default True) and
    ``multiprocessing`` refuses children to a daemonic process, because it is killed without cleaning up.
    Here that orphans nothing: the plugin's teardown kills the file processes, and where a worker is killed
    before it, they end with it (:func:`~.isolation.exit_with_parent`), and the fork server with them. This
    is what ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` would do for the whole worker.
    """
    me = multiprocessing.current_process()
    if me.daemon:
        me.daemon = False


def stop_helpers() -> None:
    """Stop this process's fork server and resource tracker now that its file processes are gone.

    They would exit by themselves once every holder of their pipe has exited, this process included; stopped
    here, they are gone before the worker reports itself closed. Only for a process that is a dask worker and
    nothing else: where the workers are threads of the batch's process (``LocalCluster(processes=False)``) the
    process engine may be using the same fork server. ``_stop`` is private (CPython's own tests and
    tests/conftest.py use it; there is no public way) and waits for the server, so it is skipped while this
    process has children that may hold its pipe. A tracker inherited from the nanny is the nanny's to stop.
    """
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker

    if multiprocessing.active_children():
        return
    with contextlib.suppress(ChildProcessError):  # a server inherited through fork is not our child
        multiprocessing.forkserver._forkserver._stop()  # type: ignore[attr-defined]
    tracker: Any = multiprocessing.resource_tracker._resource_tracker  # _pid and _stop are private too
    if tracker._pid is not None:  # started by this process, not passed down by the nanny
        with contextlib.suppress(ChildProcessError):
            tracker._stop()


class IsolationPlugin(WorkerPlugin):
    """On each dask worker: one single-process engine per worker thread, started at setup."""

    name = PLUGIN_NAME

    def __init__(self, factory: EngineFactory) -> None:
        self.factory = factory
        self._free: queue.SimpleQueue[Any] | None = None
        self._engines: list[Any] = []
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # travels to the workers without any engine
        return {"factory": self.factory}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["factory"])  # type: ignore[misc]

    def setup(self, worker: Any = None) -> None:
        threads = getattr(getattr(worker, "state", None), "nthreads", None) or getattr(worker, "nthreads", 1) or 1
        self.start(int(threads))

    def start(self, threads: int) -> None:
        with self._lock:
            if self._free is not None:
                return
            allow_children()
            free: queue.SimpleQueue[Any] = queue.SimpleQueue()
            for _ in range(max(1, threads)):
                engine = self.factory(1)
                engine.submit(int).result()  # starts the fork server (imports preloaded) and the process now
                self._engines.append(engine)
                free.put(engine)
            self._free = free

    def teardown(self, worker: Any = None) -> None:
        """Kill the file processes and wait for them; when a nanny's worker closes, stop its helpers too.

        Runs when the worker closes (asked by its nanny or the scheduler) and when the plugin is registered
        again (each batch does), when the fork server stays for the next engines. A worker that never gets
        here (killed by its nanny after a close that hung) leaves nothing either: its file processes end with
        it (:func:`~.isolation.exit_with_parent`), and the fork server and tracker with them.
        """
        with self._lock:
            for engine in self._engines:
                engine.kill_workers()
                with contextlib.suppress(Exception):
                    engine.shutdown(wait=True, cancel_futures=True)
            self._engines.clear()
            self._free = None
        # A nanny's worker has the process to itself; one without may be a thread of the batch's process.
        if getattr(worker, "nanny", None) and getattr(worker, "status", None) == Status.closing:
            stop_helpers()

    @contextlib.contextmanager
    def engine(self) -> Iterator[Any]:
        """The engine of the calling worker thread (borrowed for one chunk)."""
        if self._free is None:  # setup not run yet on this worker
            self.start(1)
        assert self._free is not None
        engine = self._free.get()
        try:
            yield engine
        finally:
            self._free.put(engine)


def _plugin() -> IsolationPlugin:
    try:
        plugin = get_worker().plugins.get(PLUGIN_NAME)
    except ValueError:  # not on a dask worker
        plugin = None
    if not isinstance(plugin, IsolationPlugin):
        raise RuntimeError("process_chunk runs on dask workers with the isolation plugin (cluster.register)")
    return plugin


def process_chunk(paths: list[str], options: BatchOptions, worker: Worker, loop: Loop) -> list[FileResult]:
    """The dask task: the files of one chunk, each in this worker's isolated file process."""
    with _plugin().engine() as engine:
        return list(loop(paths, options, engine, worker))


def register(client: Any, factory: EngineFactory) -> None:
    """Install the plugin on every worker of ``client``'s cluster, present and future."""
    client.register_plugin(IsolationPlugin(factory), name=PLUGIN_NAME)


def chunk_size(remaining: int, threads: int) -> int:
    """Guided self-scheduling: big chunks while much is left, single files at the tail (even finish)."""
    return max(1, min(MAX_CHUNK, math.ceil(remaining / (4 * max(1, threads)))))


@dataclass
class _Chunk:
    paths: list[str]
    submitted: float
    alone: bool = False  # re-run file by file after its chunk failed


def run_chunks(client: Any, paths: Iterable[str], options: BatchOptions, worker: Worker, loop: Loop,
               threads: int | None = None) -> Iterator[FileResult]:
    """Results in completion order; every path gets exactly one result, whatever happens to the workers.

    The per-file time limit is enforced on the workers. Here only a backstop: a chunk that has not come
    back long after all its files could have timed out (a dask worker wedged without dying) is given up,
    and its files are re-run one per task; a one-file task given up is listed as timed out. A chunk whose
    task failed (its dask worker died too often, ``KilledWorker``) is re-run one file per task likewise, and
    a single file whose task fails again is listed as crashed.
    """
    todo: deque[str] = deque(paths)
    alone: deque[str] = deque()
    inflight: dict[Any, _Chunk] = {}
    done = as_completed()
    checked = 0.0
    cap = threads or 1

    def threads_now() -> int:
        nonlocal checked, cap
        if threads is None and time.monotonic() - checked > 1.0:
            with contextlib.suppress(Exception):  # a scheduler that went away: keep the last count
                cap = max(1, sum(client.nthreads().values()))
            checked = time.monotonic()
        return cap

    def submit(chunk: list[str], single: bool) -> list[FileResult]:
        try:
            fut = client.submit(process_chunk, chunk, options, worker, loop, pure=False)
        except Exception:  # noqa: BLE001 - the client lost its scheduler: every file is still listed
            return [crashed_result(p, options) for p in chunk]
        inflight[fut] = _Chunk(chunk, time.monotonic(), single)
        done.add(fut)
        return []

    def backstop(chunk: _Chunk) -> float:
        return CHUNKS_PER_THREAD * len(chunk.paths) * (options.timeout + 10) + 60

    while todo or alone or inflight:
        room = CHUNKS_PER_THREAD * threads_now() - len(inflight)
        while room > 0 and (todo or alone):
            if alone:
                yield from submit([alone.popleft()], True)
            else:
                n = chunk_size(len(todo), cap)
                yield from submit([todo.popleft() for _ in range(min(n, len(todo)))], False)
            room -= 1
        finished = done.next_batch(block=False) if done.has_ready() else []
        for fut in finished:
            chunk = inflight.pop(fut, None)
            if chunk is None:
                continue
            try:
                results: list[FileResult] = fut.result()
            except Exception:  # noqa: BLE001 - KilledWorker, a lost scheduler connection, a cancelled task
                if chunk.alone:
                    yield crashed_result(chunk.paths[0], options)
                else:
                    alone.extend(chunk.paths)
                continue
            finally:
                fut.release()
            yield from results
        now = time.monotonic()
        for fut, chunk in list(inflight.items()):
            if now - chunk.submitted > backstop(chunk):
                inflight.pop(fut)
                fut.cancel()
                fut.release()
                if chunk.alone:
                    yield timeout_result(chunk.paths[0], options)
                else:
                    alone.extend(chunk.paths)
        if not finished:
            time.sleep(POLL_SECONDS)


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LoopbackCluster:
    """A ``dask scheduler`` and ``dask worker`` programs as separate processes on 127.0.0.1: the set-up of a
    bureau's cluster (``dask worker tcp://host:PORT`` on each machine) on one machine, for trying it and for
    the benchmark and tests. The workers are started by their nannies as daemonic processes, as in production.
    """

    def __init__(self, workers: int = 2, threads: int = 1, env: dict[str, str] | None = None,
                 start_timeout: float = 120) -> None:
        self.workers = workers
        self.threads = threads
        self.env = env
        self.start_timeout = start_timeout
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[Any] = []

    def _dask(self, *args: str) -> Any:
        import os
        import subprocess
        import sys

        env = dict(os.environ, **(self.env or {}))
        return subprocess.Popen([sys.executable, "-m", "dask", *args], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> LoopbackCluster:
        from distributed import Client

        self.procs.append(self._dask("scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"))
        for _ in range(self.workers):
            self.procs.append(self._dask("worker", self.address, "--nthreads", str(self.threads), "--no-dashboard",
                                         "--host", "127.0.0.1"))
        try:
            with Client(self.address, timeout=f"{self.start_timeout}s") as client:
                client.wait_for_workers(self.workers, timeout=self.start_timeout)
        except BaseException:
            self.close()
            raise
        return self

    @property
    def scheduler_pid(self) -> int:
        return int(self.procs[0].pid)

    def close(self) -> None:
        """Workers first (their nannies stop them and their file processes), then the scheduler.

        In that order, not all at once: a worker told by a closing scheduler to close asks its nanny first, and
        a nanny closing at the same moment never answers, so the worker hangs until the nanny kills it (8 s)
        without its plugin's teardown.
        """
        import subprocess

        workers, scheduler = self.procs[1:], self.procs[:1]
        for group in (workers, scheduler):
            for proc in group:
                proc.terminate()
            for proc in group:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["IsolationPlugin", "LoopbackCluster", "PLUGIN_NAME", "process_chunk", "register", "run_chunks", "chunk_size",
           "stop_helpers"]
