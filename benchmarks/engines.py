"""`make bench` (second part): the batch through each engine, on the same workbooks, in one run.

For each size (default 1,000 and 5,000; ``--quick``: 200 and 1,000) the same generated workbooks go through

* ``process``   the process engine, 2 workers (the reference);
* ``dask-1``    ``--engine dask`` on a LocalCluster of 1 worker (1 thread);
* ``dask-2``    ``--engine dask`` on a LocalCluster of 2 workers (threads of the batch's process, each with
  its own isolated file process: the default on one machine);
* ``dask-2p``   the same with a process per dask worker (not in the default list: ``--configs``);
* ``remote-2``  ``--scheduler tcp://127.0.0.1:PORT``: a separately started ``dask scheduler`` and 2
  ``dask worker`` programs (daemonic workers under their nannies, as on a real cluster).

Each measurement runs in a fresh process; the configurations are interleaved (round after round, the order
rotated) so that load from other work on a shared machine falls on all of them alike. For each: the engine's
start (LocalCluster and its workers' isolated processes; the remote cluster is started before and not
counted), the processing of the files, the summary, files per second, the peak memory of the scheduler, and
whether the summary equals the process engine's row for row. Targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import _rss_kb  # the memory probe the workbook benchmark uses (this folder is on sys.path)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

TARGET_DASK_RATIO = 1.3  # dask (2 workers, one machine) within 1.3x the process engine's time
TARGET_SCALING = 1.7  # throughput from 1 to 2 dask workers
CONFIGS = ("process", "dask-1", "dask-2", "remote-2")


class PeakRss:
    """Peak resident memory of one process, sampled every 50 ms in a thread."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _rss_kb(self.pid))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(config: str, folder: Path, out: Path) -> dict[str, object]:
    """One configuration over every workbook of ``folder``, in this (fresh) process."""
    import contextlib

    from workbook_tools.batch.inbox import discover
    from workbook_tools.batch.isolation import open_executor
    from workbook_tools.batch.pipeline import run_batch
    from workbook_tools.batch.result import BatchOptions, mark_duplicates
    from workbook_tools.batch.summary import write_summary

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    options = BatchOptions(root=str(folder), out_dir=str(out))
    files = [str(p) for p in discover(folder, out)]
    engine = "process" if config == "process" else "dask"
    workers = 2 if config == "process" else int(config.split("-")[1][0])
    scheduler = None
    remote: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    if config.startswith("remote"):
        from workbook_tools.batch.cluster import LoopbackCluster

        remote = LoopbackCluster(workers)
    with remote as cluster:
        scheduler = getattr(cluster, "address", None)
        watched = getattr(cluster, "scheduler_pid", os.getpid())  # a LocalCluster's scheduler runs here
        with PeakRss(watched) as scheduler_rss:
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            with open_executor(engine, workers, scheduler, processes=config.endswith("p")) as executor:
                t1 = time.perf_counter()
                cpu1 = time.process_time()
                results = list(run_batch(files, options, executor))
                t2 = time.perf_counter()
                cpu2 = time.process_time()
            t3 = time.perf_counter()
            results.sort(key=lambda r: r.path)
            write_summary(mark_duplicates(results, options.lang), out, options.lang)
            t4 = time.perf_counter()
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {"config": config, "n": len(files), "start": t1 - t0, "process": t2 - t1, "stop": t3 - t2,
            "summary": t4 - t3, "total": t4 - t0, "counts": counts, "scheduler_kb": scheduler_rss.peak_kb,
            "worker_seconds": sum(r.seconds for r in results),
            "cpu_start": cpu1 - cpu0, "cpu_files": cpu2 - cpu1}


#: Distinct workbooks made through prefill + template (slow: openpyxl); bigger corpora are clones of them.
DISTINCT = 200
_UNIT = "".join(f"&#{ord(c)};" for c in "基准测试单位").encode()


def corpus(n: int, root: Path) -> Path:
    """n workbooks with n different unit names: the first ``DISTINCT`` generated by ``run.generate`` (prefill
    + the consistent example's lists), the others byte copies of them with the unit name rewritten in the
    sheet XML, so a 5,000-workbook corpus takes seconds instead of an hour of openpyxl on a loaded machine.
    Kept between runs."""
    import re
    import zipfile

    from run import generate

    folder = root / f"engines_n{n}"
    if len(list(folder.glob("*.xlsx"))) == n:
        return folder
    base = generate(min(n, DISTINCT), root / f"n{min(n, DISTINCT)}", max(2, os.cpu_count() or 2))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pattern = re.compile(re.escape(_UNIT) + rb"\d+(?=<)")
    for i in range(n):
        src = base[i % len(base)]
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(folder / f"dept_{i:05d}.xlsx", "w",
                                                           zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename.startswith("xl/worksheets/"):
                    data = pattern.sub(_UNIT + f"{i:05d}".encode(), data)
                zout.writestr(info, data, compresslevel=1)
    return folder


def run_config(config: str, folder: Path, out: Path) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--measure", config, "--dir", str(folder), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{config} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def summary_files(out: Path) -> list[dict[str, object]]:
    files = json.loads((out / "summary.json").read_text("utf-8"))["files"]
    return [{k: v for k, v in f.items() if k != "seconds"} for f in files]


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=None, help="numbers of workbooks (default 1000,5000; --quick 200,1000)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes (200 and 1,000)")
    ap.add_argument("--rounds", type=int, default=1, help="measurements of each configuration per size (median)")
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--dir", type=Path, default=ROOT / "out" / "bench")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.dir, args.out)))
        return 0

    from run import machine

    sizes = [int(s) for s in (args.sizes or ("200,1000" if args.quick else "1000,5000")).split(",")]
    configs = [c for c in args.configs.split(",") if c]
    print(machine())
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for n in sizes:
        t = time.perf_counter()
        folder = corpus(n, args.dir)
        print(f"\n== {n} workbooks ({folder}, ready in {time.perf_counter() - t:.1f} s); "
              f"{args.rounds} round(s), configurations interleaved")
        runs: dict[str, list[dict[str, object]]] = {c: [] for c in configs}
        for i in range(args.rounds):
            order = configs[i % len(configs):] + configs[:i % len(configs)]
            for config in order:
                runs[config].append(run_config(config, folder, args.dir / f"engines_{n}_{config}"))
        med = {c: {k: statistics.median(float(r[k]) for r in rs)  # type: ignore[arg-type]
                   for k in ("start", "process", "summary", "total", "scheduler_kb", "worker_seconds")}
               for c, rs in runs.items()}
        print(f"{'engine':<10}{'start s':>9}{'files s':>9}{'summary s':>11}{'total s':>9}{'files/s':>9}"
              f"{'x process':>11}{'sched MiB':>11}{'ms/file in worker':>19}  statuses, same summary as process")
        reference = summary_files(args.dir / f"engines_{n}_process") if "process" in configs else None
        for c in configs:
            m = med[c]
            same = "-" if reference is None else ("yes" if summary_files(args.dir / f"engines_{n}_{c}") == reference
                                                  else "NO")
            ratio = m["total"] / med["process"]["total"] if "process" in med else float("nan")
            print(f"{c:<10}{m['start']:>9.2f}{m['process']:>9.2f}{m['summary']:>11.2f}{m['total']:>9.2f}"
                  f"{n / m['process']:>9.0f}{ratio:>11.2f}{m['scheduler_kb'] / 1024:>11.0f}"
                  f"{m['worker_seconds'] / n * 1000:>19.1f}  "
                  f"{runs[c][-1]['counts']}, {same}")
        if "process" in med:
            for c in ("dask-2", "remote-2"):
                if c in med:
                    base = "total" if c == "dask-2" else "process"
                    r = med[c][base] / med["process"][base]
                    what = "incl. cluster start" if c == "dask-2" else "files only, cluster already running"
                    print(f"target: {c} within {TARGET_DASK_RATIO:g}x the process engine ({what}): "
                          f"{r:.2f}x -> {mark(r <= TARGET_DASK_RATIO)}")
        if "dask-1" in med and "dask-2" in med:
            s = med["dask-1"]["process"] / med["dask-2"]["process"]
            print(f"target: throughput from 1 to 2 dask workers >= {TARGET_SCALING:g}x: {s:.2f}x -> "
                  f"{mark(s >= TARGET_SCALING)}")
    print("\nload average at end: {:.2f} {:.2f} {:.2f} (a shared machine: other work skews every figure)".format(
        *os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
