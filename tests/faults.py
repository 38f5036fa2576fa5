"""Per-file functions that misbehave as pathological workbooks do, importing nothing heavier than the batch
(the isolated processes preload it, so a restarted one is ready at once and short time limits stay fair)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from workbook_tools.batch import result, work
from workbook_tools.batch.result import BatchOptions, FileResult
from workbook_tools.batch.work import process_workbook

HANG_SECONDS = 600


def faulty(path: str, options: BatchOptions) -> FileResult:
    """``hang*`` never finishes, ``crash*`` kills its process, ``hog*`` tries to take 8 GB; every call leaves
    its process id in ``<out>/pids/`` so a test can count the processes that did the work."""
    pids = Path(options.out_dir, "pids")
    pids.mkdir(parents=True, exist_ok=True)
    (pids / str(os.getpid())).touch()
    name = Path(path).name
    if name.startswith("hang"):
        Path(options.out_dir, "hang.pid").write_text(str(os.getpid()))
        time.sleep(HANG_SECONDS)
    if name.startswith("crash"):
        os._exit(3)  # as a segfault in a C reader would
    return hog_or_process(path, options)


def hog_or_process(path: str, options: BatchOptions) -> FileResult:
    """``hog*`` files try to take 8 GB, as a pathological workbook could; the others are processed."""
    if Path(path).name.startswith("hog"):
        try:
            with work.memory_limit(options.memory_mb):
                blob = bytearray(8 * 1024**3)
                blob[-1] = 1
        except MemoryError:
            return result.memory_result(result.relative(path, options.root), options)
    return process_workbook(path, options)


def worker_pids(out: Path) -> set[int]:
    return {int(p.name) for p in (out / "pids").iterdir()}
