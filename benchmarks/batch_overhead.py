"""What a batch costs around validate: the process hand-over, result conversion, inbox, cache and summary.

``workbook_tools.batch.pipeline.run`` on N benchmark workbooks (``make bench`` generates them under
``out/bench``) twice: with the real per-file work, and with a worker that returns one real result (validated
once, renamed per file) so that only the batch's own machinery is timed; each then again from the cache.
Prints wall time and the batch process's own CPU time (the workers compete with it for the same cores).
Run both sides of a change alternately on a shared machine; only figures from the same run compare.

    .venv/bin/python benchmarks/batch_overhead.py out/bench/n1000 [--workers 2] [--rounds 2] [--no-real]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

_RESULT = Path(tempfile.gettempdir()) / "workbook_tools-bench-result.json"


def one_result(path: str, options: Any) -> Any:
    """The stored result of one real file, as the file at ``path`` would have it (its own name and unit)."""
    from workbook_tools.batch.result import FileResult, relative

    r = FileResult.from_json(json.loads(_RESULT.read_text("utf-8")))
    rel = relative(path, options.root)
    return replace(r, path=rel, unit=f"{r.unit}-{Path(path).stem}", findings=[dict(f, file=rel) for f in r.findings])


def timed_run(inbox: Path, workers: int, worker: Any) -> dict[str, float]:
    from workbook_tools.batch.pipeline import run
    from workbook_tools.batch.result import BatchOptions

    out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    figures: dict[str, float] = {}
    try:
        for label in ("", "cached_"):
            t, c = time.perf_counter(), os.times()
            outcome = run(inbox, BatchOptions(root=str(inbox), out_dir=str(out)), workers=workers, worker=worker)
            after = os.times()
            figures[label + "wall_s"] = round(time.perf_counter() - t, 2)
            figures[label + "batch_cpu_s"] = round(after.user + after.system - c.user - c.system, 2)
            assert len(outcome.results) == sum(1 for _ in inbox.glob("*.xlsx")), "every file has a result"
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inbox", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-real", action="store_true", help="only the batch's own machinery")
    args = ap.parse_args()
    from workbook_tools.batch.result import BatchOptions
    from workbook_tools.batch.work import process_workbook

    first = sorted(args.inbox.glob("*.xlsx"))[0]
    result = process_workbook(str(first), BatchOptions(root=str(args.inbox), out_dir=tempfile.gettempdir(), memory_mb=0))
    _RESULT.write_text(json.dumps(result.to_json(), ensure_ascii=False), "utf-8")
    for _ in range(args.rounds):
        print("machinery only:", timed_run(args.inbox, args.workers, one_result), flush=True)
        if not args.no_real:
            print("real work:     ", timed_run(args.inbox, args.workers, None), flush=True)


if __name__ == "__main__":
    main()
