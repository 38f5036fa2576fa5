"""`make bench`: batch validation against the bare readers, at 100 and 1,000 workbooks.

Generates the workbooks once (prefill from a synthetic departments table, plus the consistent example's
lists and narrative, so every file validates clean and the docx export really runs), then times, each in
a fresh process so import costs and memory do not leak between measurements:

* ``calamine``  python-calamine ``CalamineWorkbook.from_path(p)`` + every sheet ``to_python()`` (baseline)
* ``openpyxl``  ``openpyxl.load_workbook(p)`` (baseline)
* ``validate``  ``workbook_tools.checks.validate.validate(p)`` file after file in one process
* ``batch``     ``workbook_tools.batch.pipeline.run`` validate-only, ``--workers`` processes, no cache
* ``batch+docx`` the same with the .docx report of every workbook

and ``workbook-tools validate one.xlsx`` as a whole process, repeated. Peak memory is sampled from /proc
(the measuring process and, separately, all its descendants: pool workers, fork server). Targets are
printed next to the figures; docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 5.0  # validation per workbook within 5x the calamine read
TARGET_1000_S = 5.0  # 1,000 workbooks validated in under 5 s on 2 cores
TARGET_CLI_S = 0.3  # `workbook-tools validate one.xlsx` as a whole process
TARGET_MEMORY_GROWTH = 1.5  # peak at 1,000 within 1.5x the peak at 100 ("flat")


# -- generating the workbooks ---------------------------------------------------------------------


def departments_csv(n: int, dest: Path) -> Path:
    """A budget-system export of n departments: the consistent example's figures, varied per row."""
    import csv

    from workbook_tools.prefill import load_mapping

    data = json.loads((ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.json").read_text("utf-8"))["values"]
    mapping = load_mapping()
    fields = [f for f in mapping.columns if f in data]
    with dest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([mapping.columns[f][0] for f in fields])
        for i in range(n):
            row = []
            for f in fields:
                v = data[f]
                if f == "unit_name":
                    v = f"基准测试单位{i:04d}"
                elif f.startswith("basic_") and f.endswith("_actual"):
                    v = f"{float(v) * (1 + (i % 17) / 100):.2f}"  # vary the execution rates
                row.append(v)
            w.writerow(row)
    return dest


def _write_one(args: tuple[dict, str]) -> str:
    from workbook_tools.core.model import Evaluation
    from workbook_tools.template import write_filled

    data, dest = args
    write_filled(Evaluation.from_json(data), Path(dest))
    return dest


def generate(n: int, folder: Path, workers: int) -> list[Path]:
    """n workbooks in folder (kept between runs: regenerated only when the count is wrong)."""
    from concurrent.futures import ProcessPoolExecutor

    from workbook_tools.prefill import iter_models

    existing = sorted(folder.glob("*.xlsx"))
    if len(existing) == n:
        return existing
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    example = json.loads((ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.json").read_text("utf-8"))
    src = departments_csv(n, folder.parent / f"departments_{n}.csv")
    jobs = []
    for row, model, _ in iter_models(src):
        assert model is not None, row
        data = model.to_json()
        data["values"].update({k: example["values"][k] for k in ("org_setup", "main_tasks")})
        data["lists"] = example["lists"]
        jobs.append((data, str(folder / f"dept_{row - 1:04d}.xlsx")))
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_write_one, jobs, chunksize=16))
    return sorted(folder.glob("*.xlsx"))


# -- measuring, each phase in its own process --------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextmanager
def sampled_memory(every: float = 0.02) -> Iterator[dict[str, int]]:
    """Peak RSS (KiB) of this process, of its largest descendant, and of all descendants together."""
    from workbook_tools.batch.isolation import _descendants

    peaks = {"self_kb": 0, "child_max_kb": 0, "children_sum_kb": 0}
    stop = threading.Event()

    def sample() -> None:
        me = os.getpid()
        while not stop.is_set():
            peaks["self_kb"] = max(peaks["self_kb"], _rss_kb(me))
            kids = [_rss_kb(p) for p in _descendants(me)]
            if kids:
                peaks["child_max_kb"] = max(peaks["child_max_kb"], max(kids))
                peaks["children_sum_kb"] = max(peaks["children_sum_kb"], sum(kids))
            stop.wait(every)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        yield peaks
    finally:
        stop.set()
        t.join()


def phase(name: str, folder: Path, workers: int) -> dict[str, object]:
    """One measurement in this (fresh) process."""
    files = sorted(folder.glob("*.xlsx"))
    n = len(files)
    result: dict[str, object] = {"phase": name, "n": n}
    with sampled_memory() as peaks:
        started = time.perf_counter()
        if name == "calamine":
            from python_calamine import CalamineWorkbook

            for p in files:
                wb = CalamineWorkbook.from_path(str(p))
                for sheet in wb.sheet_names:
                    wb.get_sheet_by_name(sheet).to_python()
        elif name == "openpyxl":
            from openpyxl import load_workbook

            for p in files:
                load_workbook(p)
        elif name == "validate":
            from workbook_tools.checks.validate import validate

            errors = sum(len(validate(p).errors) for p in files)
            result["errors"] = errors
        elif name in ("batch", "batch+docx"):
            from workbook_tools.batch.pipeline import run
            from workbook_tools.batch.result import BatchOptions

            out = folder.parent / f"out_{folder.name}_{name.replace('+', '_')}"
            shutil.rmtree(out, ignore_errors=True)
            options = BatchOptions(root=str(folder), out_dir=str(out),
                                   export=("docx",) if name == "batch+docx" else ())
            outcome = run(folder, options, workers=workers, use_cache=False)
            result["counts"] = outcome.counts()
            result["worker_seconds"] = sum(r.seconds for r in outcome.results)
            result["docx"] = sum(1 for r in outcome.results if "docx" in r.outputs)
        else:
            raise SystemExit(f"unknown phase {name}")
        result["seconds"] = time.perf_counter() - started
    result.update(peaks)
    return result


def run_phase(name: str, folder: Path, workers: int) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--phase", name, "--dir", str(folder), "--workers", str(workers)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cli_validate(path: Path, runs: int) -> list[float]:
    """Whole-process wall times of `workbook-tools validate one.xlsx` (after one warm-up run)."""
    exe = Path(sys.executable).with_name("workbook-tools")
    cmd = [str(exe), "validate", str(path)] if exe.exists() else [sys.executable, "-m", "workbook_tools.cli.app",
                                                                    "validate", str(path)]
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        if i:
            times.append(time.perf_counter() - started)
    return times


def import_profile(top: int = 10) -> list[tuple[float, str]]:
    """The heaviest imports (cumulative ms) of ``workbook-tools validate``, from ``python -X importtime``."""
    code = "import workbook_tools.cli.app, workbook_tools.checks.validate, workbook_tools.checks.render"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=False)
    rows: list[tuple[float, str]] = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1000, parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


# -- report ------------------------------------------------------------------------------------


def machine() -> str:
    lines = [f"Python {platform.python_version()} on {platform.platform()}", f"nproc: {os.cpu_count()}"]
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
        lines += [ln for ln in lscpu if ln.split(":")[0].strip() in ("Model name", "CPU(s)", "Thread(s) per core")]
    except OSError:
        pass
    return "\n".join(lines)


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000", help="numbers of workbooks (default 100,1000)")
    ap.add_argument("--workers", type=int, default=2, help="batch worker processes (default 2: the target's cores)")
    ap.add_argument("--no-docx", action="store_true", help="skip the batch validate+docx phase")
    ap.add_argument("--cli-runs", type=int, default=10)
    ap.add_argument("--dir", type=Path, default=ROOT / "out" / "bench")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.dir, args.workers)))
        return 0

    print(machine())
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    sizes = [int(s) for s in args.sizes.split(",")]
    phases = ["calamine", "openpyxl", "validate", "batch"]
    try:
        import workbook_tools.export  # noqa: F401

        if not args.no_docx:
            phases.append("batch+docx")
    except ImportError:
        print("batch+docx: skipped (workbook_tools.export not available)")
    results: dict[int, dict[str, dict[str, object]]] = {}
    for n in sizes:
        folder = args.dir / f"n{n}"
        t = time.perf_counter()
        generate(n, folder, max(2, os.cpu_count() or 2))
        print(f"\n== {n} workbooks ({folder}, ready in {time.perf_counter() - t:.1f} s)")
        results[n] = {}
        for name in phases:
            r = run_phase(name, folder, args.workers)
            results[n][name] = r
        base = float(results[n]["calamine"]["seconds"]) / n  # type: ignore[arg-type]
        print(f"{'phase':<12}{'total s':>9}{'ms/workbook':>13}{'x calamine':>12}{'peak MiB self':>15}{'children max/sum':>18}")
        for name in phases:
            r = results[n][name]
            per = float(r["seconds"]) / n * 1000  # type: ignore[arg-type]
            kids = (f"{int(r['child_max_kb']) / 1024:.0f}/{int(r['children_sum_kb']) / 1024:.0f}"  # type: ignore[call-overload]
                    if r["child_max_kb"] else "-")
            print(f"{name:<12}{float(r['seconds']):>9.2f}{per:>13.2f}{per / base / 1000:>12.1f}"  # type: ignore[arg-type]
                  f"{int(r['self_kb']) / 1024:>15.0f}{kids:>18}")  # type: ignore[call-overload]
            if name.startswith("batch"):
                ws = float(r["worker_seconds"]) / n * 1000  # type: ignore[arg-type]
                extra = f", {r['docx']} .docx written" if name == "batch+docx" else ""
                print(f"{'':<12}  in-worker time {ws:.2f} ms/workbook ({ws / base / 1000:.1f}x calamine); "
                      f"statuses {r['counts']}{extra}")
        v = float(results[n]["validate"]["seconds"]) / n  # type: ignore[arg-type]
        print(f"target: validate per workbook within {TARGET_RATIO:g}x calamine: {v / base:.1f}x -> {mark(v / base <= TARGET_RATIO)}")
        if n == 1000:
            b = float(results[n]["batch"]["seconds"])  # type: ignore[arg-type]
            print(f"target: 1,000 workbooks validated in < {TARGET_1000_S:g} s with {args.workers} workers: "
                  f"{b:.2f} s -> {mark(b < TARGET_1000_S)}")
    if 100 in results and 1000 in results:
        for name in ("batch", "validate"):
            small, big = results[100][name], results[1000][name]
            s = int(small["self_kb"]) + int(small["children_sum_kb"])  # type: ignore[call-overload]
            b = int(big["self_kb"]) + int(big["children_sum_kb"])  # type: ignore[call-overload]
            print(f"target: flat peak memory ({name}, process + workers) 100 -> 1,000: "
                  f"{s / 1024:.0f} -> {b / 1024:.0f} MiB ({b / s:.2f}x) -> {mark(b / s <= TARGET_MEMORY_GROWTH)}")
    one = sorted((args.dir / f"n{sizes[0]}").glob("*.xlsx"))[0]
    times = cli_validate(one, args.cli_runs)
    med = statistics.median(times)
    print(f"\n`workbook-tools validate {one.name}` as a whole process, {len(times)} runs: median {med:.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}) -> target < {TARGET_CLI_S:g} s: {mark(med < TARGET_CLI_S)}")
    print("heaviest imports on that path (cumulative ms, python -X importtime; indentation = nesting):")
    for ms, name in import_profile():
        print(f"  {ms:7.1f} {name}")
    print("load average at end: {:.2f} {:.2f} {:.2f} (other work on the machine skews every figure)".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
