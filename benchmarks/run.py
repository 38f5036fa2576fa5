"""`make bench`: validation, reports and batch against the bare readers, at 100, 1,000 and 10,000 workbooks.

Generates the workbooks once (prefill from a synthetic departments table, plus the consistent example's
lists and narrative, so every file validates clean and the docx export really runs), then times, each in
a fresh process so import costs and memory do not leak between measurements:

* ``calamine``  python-calamine ``CalamineWorkbook.from_path(p)`` + every sheet ``to_python()`` (baseline)
* ``openpyxl``  ``openpyxl.load_workbook(p)`` (baseline)
* ``validate``  ``workbook_tools.checks.validate.validate(p)`` file after file in one process
* ``batch``     ``workbook_tools.batch.pipeline.run`` validate-only, ``--workers`` processes, no cache
* ``batch+docx`` the same with the .docx report of every workbook
* ``calamine-pool`` the bare calamine loop in a ``--workers`` process pool (the floor for ``batch``)
* ``peer``      the naive peer loop: ``openpyxl.load_workbook(data_only=True)`` + ``pandas.read_excel`` per file
  in a ``--workers`` process pool

then, per workbook and as ratios taken in one run (``ratios``: every operation on each file in turn,
``--rounds`` rounds, the minimum per file, so a busy machine skews the ratios far less than the totals), on
the generated workbooks and on the same workbooks saved by LibreOffice (shared strings, shared formulas,
cached values, as real submissions arrive): the calamine read, ``xlsx.workbook.read``, ``validate``, ``fill``,
the Markdown and the .docx report; and ``workbook-tools validate one.xlsx`` as a whole process, repeated. Peak memory is sampled from /proc
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 3.0  # validation per workbook within 3x the calamine read (issue 16; stretch 2x)
TARGET_FILL_RATIO = 5.0  # fill within 5x the calamine read
TARGET_1000_S = 3.0  # 1,000 workbooks validated in under 3 s on 2 workers
TARGET_CLI_S = 0.15  # `workbook-tools validate one.xlsx` as a whole process
TARGET_MEMORY_MIB = 300  # peak of the whole process tree at 10,000 workbooks
TARGET_MEMORY_GROWTH = 1.5  # peak at the largest size within 1.5x the peak at 100 ("flat")
TARGET_DOCX_MS = 30.0
TARGET_MD_MS = 5.0
TARGET_PDF_MS = 300.0  # marginal cost of one PDF report in a LibreOffice that is already running
TARGET_UPLOAD_MS = 20.0  # the portal's validation of one upload, inside the request


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


def clone(n: int, source: list[Path], folder: Path) -> list[Path]:
    """n workbooks made from ``source`` by renaming the unit (基准测试单位0000 → 基准测试单位00000…), so that
    10,000 distinct submissions exist without running prefill 10,000 times."""
    import re
    import zipfile

    existing = sorted(folder.glob("*.xlsx"))
    if len(existing) == n:
        return existing
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    unit = re.compile(rb"(&#20301;)\d{4}(</t>)")  # 位 and the four digits of the generated unit name
    for i in range(n):
        src = source[i % len(source)]
        with zipfile.ZipFile(src) as zf, zipfile.ZipFile(folder / f"dept_{i:05d}.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for info in zf.infolist():
                data = zf.read(info)
                if info.filename.startswith("xl/worksheets/"):
                    data = unit.sub(rb"\g<1>" + f"{i:05d}".encode() + rb"\g<2>", data)
                out.writestr(info.filename, data)
    return sorted(folder.glob("*.xlsx"))


def libreoffice_copies(files: list[Path], folder: Path) -> list[Path]:
    """The same workbooks as LibreOffice saves them (one soffice run; kept between runs). Empty without soffice."""
    from workbook_tools.libreoffice import find_soffice

    existing = sorted(folder.glob("*.xlsx"))
    if len(existing) == len(files):
        return existing
    soffice = find_soffice()
    if soffice is None:
        return []
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    profile = folder.parent / "lo_profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), *map(str, files)],
                   capture_output=True, check=False, timeout=900)
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
            for p in files:
                calamine_all_sheets(p)
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
        elif name in ("calamine-pool", "peer"):
            from concurrent.futures import ProcessPoolExecutor

            fn = calamine_all_sheets if name == "calamine-pool" else _peer_one
            with ProcessPoolExecutor(workers) as pool:
                list(pool.map(fn, map(str, files), chunksize=8))
        elif name == "pdf":
            result.update(pdf_costs(files[: int(os.environ.get("BENCH_PDF", "8"))]))
        elif name == "ratios":
            result.update(ratios(files[: int(os.environ.get("BENCH_SAMPLE", "30"))], int(os.environ.get("BENCH_ROUNDS", "5"))))
        else:
            raise SystemExit(f"unknown phase {name}")
        result["seconds"] = time.perf_counter() - started
    result.update(peaks)
    return result


def _peer_one(path: str) -> int:
    """What a peer tool does per file: openpyxl for the cached values, pandas for the tables."""
    import openpyxl
    import pandas

    wb = openpyxl.load_workbook(path, data_only=True)
    frames = pandas.read_excel(path, sheet_name=None)
    return len(wb.sheetnames) + len(frames)


def calamine_all_sheets(p: Path | str) -> int:
    """The reference of every ratio: python-calamine reading every sheet of the file (rows read)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(p))
    return sum(len(wb.get_sheet_by_name(s).to_python()) for s in wb.sheet_names)


def interleaved(ops: dict[str, Callable[[Path], object]], files: list[Path], rounds: int) -> dict[str, float]:
    """Mean over the files of the minimum ms per file and operation: each file goes through every operation in
    turn, ``rounds`` times, so the machine's noise falls on all of them alike."""
    best = {k: [float("inf")] * len(files) for k in ops}
    for _ in range(rounds):
        for i, p in enumerate(files):
            for k, fn in ops.items():
                t = time.perf_counter()
                fn(p)
                best[k][i] = min(best[k][i], time.perf_counter() - t)
    return {k: sum(v) / len(v) * 1000 for k, v in best.items()}


def ratios(files: list[Path], rounds: int) -> dict[str, object]:
    """Per-workbook ms of each operation (``interleaved``)."""
    import tempfile

    from python_calamine import CalamineWorkbook

    from workbook_tools.batch.result import BatchOptions
    from workbook_tools.batch.work import process_workbook
    from workbook_tools.checks.validate import validate
    from workbook_tools.core import spec
    from workbook_tools.export import count_errors, export_report, outline_for
    from workbook_tools.export.docx import docx_bytes
    from workbook_tools.export.markdown import render_markdown
    from workbook_tools.export.styles import open_template
    from workbook_tools.export.wording import wording_from_document
    from workbook_tools.fill import fill
    from workbook_tools.xlsx.reader import load
    from workbook_tools.xlsx.workbook import read

    titles = set(spec.sheet_titles())
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    wording = wording_from_document(open_template(None), "")
    outlines = {}
    for p in files:  # the report alone, from a workbook already read and checked (as in a batch)
        loaded = load(p)
        outlines[p] = outline_for(loaded, wording=wording, errors=count_errors(loaded))

    def calamine_read_sheets(p: Path) -> None:  # the sheets validate reads: not the sealed 校验 sheet
        wb = CalamineWorkbook.from_path(str(p))
        for s in wb.sheet_names:
            if s in titles and s != spec.LIVE_SHEET:
                wb.get_sheet_by_name(s).to_python()

    ops = {
        "calamine": calamine_all_sheets,
        "calamine (validated sheets)": calamine_read_sheets,
        "read": lambda p: read(p, titles),
        "validate": validate,
        # what the portal runs inside an upload request (and a batch worker per file): read, check, summary row
        "upload": lambda p: process_workbook(str(p), BatchOptions(root=str(p.parent), out_dir=str(tmp), memory_mb=0)),
        "fill": lambda p: fill(p, tmp / p.name),
        "md": lambda p: render_markdown(outlines[p]),
        # the template is prepared once per process (as in a batch worker or the portal): the report alone
        "docx": lambda p: docx_bytes(outlines[p]),
        "export md": lambda p: export_report(p, tmp / (p.stem + ".md"), fmt="md", force=True),
        "export docx": lambda p: export_report(p, tmp / (p.stem + ".docx"), fmt="docx", force=True),
    }
    for fn in ops.values():  # imports and caches once, outside the timings
        fn(files[0])
    ms = interleaved(ops, files, rounds)
    shutil.rmtree(tmp, ignore_errors=True)
    return {"ms": ms, "files": len(files), "rounds": rounds}


def pdf_costs(files: list[Path]) -> dict[str, object]:
    """PDF reports one call per file, as a batch worker makes them: through the long-lived LibreOffice and
    with one soffice per file, in this run (:mod:`benchmarks.pdf_batch`)."""
    from pdf_batch import compare

    return {"pdf": compare(files, per_file_n=int(os.environ.get("BENCH_PDF_PER_FILE", "3"))) or None}


def profile_validate(files: list[Path], top: int = 12) -> list[str]:
    """cProfile's top functions (by own time) of validating ``files``: where the time goes."""
    import cProfile
    import io
    import pstats

    from workbook_tools.checks.validate import validate

    validate(files[0])
    prof = cProfile.Profile()
    prof.enable()
    for p in files:
        validate(p)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip().startswith("ncalls")), 0)
    return [ln.replace(str(ROOT) + "/", "") for ln in lines[start:] if ln.strip()]


def run_phase(name: str, folder: Path, workers: int, env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--phase", name, "--dir", str(folder), "--workers", str(workers)],
                          capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cli_validate(path: Path, runs: int) -> list[float]:
    """Whole-process wall times of `workbook-tools validate one.xlsx` (after one warm-up run)."""
    exe = Path(sys.executable).with_name("workbook-tools")
    cmd = [str(exe), "validate", str(path)] if exe.exists() else [sys.executable, "-m", "workbook_tools.cli.app",
                                                                    "validate", str(path)]
    env = _bytecode_env()
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, env=env)
        if i:
            times.append(time.perf_counter() - started)
    return times


def _bytecode_env() -> dict[str, str]:
    """The environment of an installed tool: bytecode compiled once and reused (PYTHONDONTWRITEBYTECODE, set on
    some development machines, would make every process compile every module again)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "workbook_tools")], capture_output=True,
                   check=False, env=env)
    return env


def import_profile(path: Path, top: int = 10) -> list[tuple[float, str]]:
    """The heaviest imports (cumulative ms) of ``workbook-tools validate path`` as the installed program runs
    it (its quick path), from ``python -X importtime``."""
    code = (f"import sys; sys.argv = ['workbook-tools', 'validate', {str(path)!r}]\n"
            "from workbook_tools.cli.entry import main\nmain()")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=False,
                          env=_bytecode_env())
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


def _target(label: str, shown: str, ok: bool | None) -> None:
    print(f"target: {label:<58} {shown:<34} -> {'not measured' if ok is None else mark(ok)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,10000", help="numbers of workbooks (default 100,1000,10000)")
    ap.add_argument("--workers", type=int, default=2, help="batch worker processes (default 2: the target's cores)")
    ap.add_argument("--no-docx", action="store_true", help="skip the batch validate+docx phase")
    ap.add_argument("--no-peer", action="store_true", help="skip the naive peer loop (openpyxl + pandas)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the interleaved per-workbook ratios")
    ap.add_argument("--cli-runs", type=int, default=10)
    ap.add_argument("--dir", type=Path, default=ROOT / "out" / "bench")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.dir, args.workers)))
        return 0

    print(machine())
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    sizes = sorted(int(s) for s in args.sizes.split(","))
    base_n = min(sizes)
    results: dict[int, dict[str, dict[str, object]]] = {}
    generated: list[Path] = []
    for n in sizes:
        folder = args.dir / f"n{n}"
        t = time.perf_counter()
        if n <= 1000 or not generated:
            generated = generate(n, folder, max(2, os.cpu_count() or 2))
        else:
            clone(n, generated, folder)
        phases = ["calamine", "calamine-pool", "batch"]
        if n <= 1000:
            phases[1:1] = ["openpyxl", "validate"]
            if not args.no_peer:
                phases.append("peer")
            if not args.no_docx:
                phases.append("batch+docx")
        print(f"\n== {n} workbooks ({folder}, ready in {time.perf_counter() - t:.1f} s)", flush=True)
        results[n] = {name: run_phase(name, folder, args.workers) for name in phases}
        base = float(results[n]["calamine"]["seconds"]) / n  # type: ignore[arg-type]
        print(f"{'phase':<14}{'total s':>9}{'ms/workbook':>13}{'x calamine':>12}{'peak MiB self':>15}{'children max/sum':>18}")
        for name in phases:
            r = results[n][name]
            per = float(r["seconds"]) / n * 1000  # type: ignore[arg-type]
            kids = (f"{int(r['child_max_kb']) / 1024:.0f}/{int(r['children_sum_kb']) / 1024:.0f}"  # type: ignore[call-overload]
                    if r["child_max_kb"] else "-")
            print(f"{name:<14}{float(r['seconds']):>9.2f}{per:>13.2f}{per / base / 1000:>12.1f}"  # type: ignore[arg-type]
                  f"{int(r['self_kb']) / 1024:>15.0f}{kids:>18}")  # type: ignore[call-overload]
            if name.startswith("batch"):
                ws = float(r["worker_seconds"]) / n * 1000  # type: ignore[arg-type]
                extra = f", {r['docx']} .docx written" if name == "batch+docx" else ""
                print(f"{'':<14}  in-worker time {ws:.2f} ms/workbook ({ws / base / 1000:.1f}x calamine); "
                      f"statuses {r['counts']}{extra}")

    print(f"\n== per workbook, interleaved, min of {args.rounds} rounds (ratios to the calamine read of the same file)")
    env = dict(os.environ, BENCH_ROUNDS=str(args.rounds))
    sets = {"generated (openpyxl-written)": args.dir / f"n{base_n}"}
    lo = libreoffice_copies(sorted((args.dir / f"n{base_n}").glob("*.xlsx"))[:30], args.dir / "libreoffice")
    if lo:
        sets["saved by LibreOffice"] = args.dir / "libreoffice"
    ratio_rows: dict[str, dict[str, float]] = {}
    for label, folder in sets.items():
        r = run_phase("ratios", folder, args.workers, env)
        ms: dict[str, float] = r["ms"]  # type: ignore[assignment]
        ratio_rows[label] = ms
        print(f"{label} ({r['files']} files): " + ", ".join(
            f"{k} {v:.2f} ms ({v / ms['calamine']:.1f}x)" for k, v in ms.items()))

    print("\n== targets (issue 16)")
    from workbook_tools.core import spec
    for label, ms in ratio_rows.items():
        v = ms["validate"] / ms["calamine"]
        own = ms["validate"] / ms["calamine (validated sheets)"]
        _target(f"validate <= {TARGET_RATIO:g}x calamine read ({label})",
                f"{ms['validate']:.2f} ms = {v:.1f}x (calamine of the sheets validate reads, without the sealed "
                f"{spec.LIVE_SHEET} sheet: {own:.1f}x)", v <= TARGET_RATIO)
        f = ms["fill"] / ms["calamine"]
        _target(f"fill <= {TARGET_FILL_RATIO:g}x calamine read ({label})", f"{ms['fill']:.2f} ms = {f:.1f}x", f <= TARGET_FILL_RATIO)
        _target(f".docx report <= {TARGET_DOCX_MS:g} ms ({label})", f"{ms['docx']:.1f} ms", ms["docx"] <= TARGET_DOCX_MS)
        _target(f"Markdown report <= {TARGET_MD_MS:g} ms ({label})", f"{ms['md']:.1f} ms", ms["md"] <= TARGET_MD_MS)
    if 1000 in results:
        b = float(results[1000]["batch"]["seconds"])  # type: ignore[arg-type]
        floor = float(results[1000]["calamine-pool"]["seconds"])  # type: ignore[arg-type]
        peer = results[1000].get("peer")
        shown = f"{b:.2f} s ({b / floor:.1f}x the calamine pool"
        shown += f", peer loop {float(peer['seconds']):.1f} s)" if peer else ")"  # type: ignore[arg-type]
        _target(f"batch of 1,000 < {TARGET_1000_S:g} s on {args.workers} workers", shown, b < TARGET_1000_S)
    big = max(sizes)
    if big != base_n:
        small_r, big_r = results[base_n]["batch"], results[big]["batch"]
        s_kb = int(small_r["self_kb"]) + int(small_r["children_sum_kb"])  # type: ignore[call-overload]
        b_kb = int(big_r["self_kb"]) + int(big_r["children_sum_kb"])  # type: ignore[call-overload]
        _target(f"batch peak memory (process tree) at {big:,} < {TARGET_MEMORY_MIB} MiB", f"{b_kb / 1024:.0f} MiB",
                b_kb / 1024 < TARGET_MEMORY_MIB)
        _target(f"flat peak memory {base_n:,} -> {big:,} (<= {TARGET_MEMORY_GROWTH:g}x)",
                f"{s_kb / 1024:.0f} -> {b_kb / 1024:.0f} MiB ({b_kb / s_kb:.2f}x)", b_kb / s_kb <= TARGET_MEMORY_GROWTH)
    for label, ms in ratio_rows.items():
        _target(f"portal: validation adds <= {TARGET_UPLOAD_MS:g} ms per upload ({label})",
                f"{ms['upload']:.1f} ms (= {1000 / ms['upload']:.0f} validations/s on one core)",
                ms["upload"] <= TARGET_UPLOAD_MS)
    pdf = run_phase("pdf", args.dir / f"n{base_n}", args.workers)["pdf"]
    label = f"PDF <= {TARGET_PDF_MS:g} ms per report, one LibreOffice per worker"
    if pdf:
        from pdf_batch import line

        long_lived, per_file = pdf.get("long-lived"), pdf.get("per-file")  # type: ignore[attr-defined]
        for route in ("long-lived", "per-file"):
            print(f"  PDF {line(route, pdf[route])}")  # type: ignore[index]
        if long_lived is None:
            _target(label, "(no Python with the uno module: one soffice per file)", None)
        else:
            shown = f"{long_lived['per_report_ms']:.0f} ms/report"
            if per_file is not None:
                shown += f" (one soffice per file: {per_file['per_report_ms']:.0f} ms)"
            _target(label, shown, long_lived["per_report_ms"] <= TARGET_PDF_MS)
    else:
        _target(label, "(no LibreOffice)", None)
    one = sorted((args.dir / f"n{base_n}").glob("*.xlsx"))[0]
    times = cli_validate(one, args.cli_runs)
    med = statistics.median(times)
    _target(f"`workbook-tools validate {one.name}` < {TARGET_CLI_S:g} s",
            f"median {med:.3f} s (min {min(times):.3f}, {len(times)} runs)", med < TARGET_CLI_S)
    print("heaviest imports on that path (cumulative ms, python -X importtime; indentation = nesting):")
    for ms_, name in import_profile(one):
        print(f"  {ms_:7.1f} {name}")
    print("validate, cProfile top functions by own time (20 generated workbooks):")
    for line in profile_validate(sorted((args.dir / f"n{base_n}").glob("*.xlsx"))[:20]):
        print("  " + line)
    print("load average at end: {:.2f} {:.2f} {:.2f} (other work on the machine skews every figure)".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
