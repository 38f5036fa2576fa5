"""PDF per report as a batch worker makes them: one long-lived LibreOffice against one soffice per file.

Each route runs in a fresh process that exports the same reports one call at a time (as a batch worker
does, one ``write_pdfs`` per file): ``long-lived`` is the default (the UNO helper keeps one LibreOffice for
the process), ``per-file`` is the fallback forced by pointing ``WORKBOOK_TOOLS_UNO_PYTHON`` at this
interpreter, which cannot import uno. The first report is timed on its own (it pays LibreOffice's start in
the long-lived route); the figure per report is the median of the others. ``benchmarks/run.py`` calls
:func:`compare` for its PDF target line; run alone: ``python benchmarks/pdf_batch.py [--n 8]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.xlsx"
ROUTES = ("long-lived", "per-file")


def measure(files: list[Path]) -> dict[str, object]:
    """In this process: the first report alone, then each further report, one call per report."""
    import shutil

    from workbook_tools import libreoffice
    from workbook_tools.export import outline_for
    from workbook_tools.export.pdf import write_pdfs
    from workbook_tools.xlsx.reader import load

    outlines = [outline_for(load(p), errors=0) for p in files]
    tmp = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    try:
        times = []
        for i, outline in enumerate(outlines):
            t = time.perf_counter()
            write_pdfs([(outline, tmp / f"r{i}.pdf")])
            times.append(time.perf_counter() - t)
        shared = libreoffice._shared
        route = "long-lived" if shared is not None else "per-file"
        starts = shared[1].starts if shared is not None else len(outlines)
        libreoffice.shutdown_converter()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rest = times[1:] or times
    return {"route": route, "n": len(outlines), "first_s": times[0], "soffice_starts": starts,
            "per_report_ms": statistics.median(rest) * 1000, "mean_ms": statistics.mean(rest) * 1000,
            "amortised_ms": sum(times) / len(times) * 1000}


def run_route(route: str, files: list[Path]) -> dict[str, object] | None:
    """One route in a fresh process; None when that route cannot be had here."""
    env = dict(os.environ)
    if route == "per-file":
        env["WORKBOOK_TOOLS_UNO_PYTHON"] = sys.executable
    proc = subprocess.run([sys.executable, __file__, "--measure", *map(str, files)], capture_output=True, text=True,
                          check=False, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"PDF route {route} failed:\n{proc.stderr}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result if result["route"] == route else None


def compare(files: list[Path], per_file_n: int = 4) -> dict[str, dict[str, object] | None]:
    """Both routes on the same reports (the per-file route on the first ``per_file_n``: it costs seconds each)."""
    from workbook_tools.libreoffice import find_soffice

    if find_soffice() is None or len(files) < 2:
        return {}
    return {"long-lived": run_route("long-lived", files), "per-file": run_route("per-file", files[:max(2, per_file_n)])}


def line(route: str, r: dict[str, object] | None) -> str:
    if r is None:
        why = ("no Python with the uno module" if route == "long-lived"
               else "this interpreter imports uno, so the fallback cannot be forced")
        return f"{route:<10}  (not measured: {why})"
    return (f"{route:<10}  {r['per_report_ms']:7.0f} ms/report (median; mean {r['mean_ms']:.0f}), first report "
            f"{r['first_s']:.1f} s, {r['n']} reports, {r['soffice_starts']} soffice start(s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=8, help="reports in the long-lived route (default 8)")
    ap.add_argument("--per-file-n", type=int, default=4, help="reports in the one-soffice-per-file route (default 4)")
    ap.add_argument("--measure", nargs="+", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    results = compare([EXAMPLE] * args.n, args.per_file_n)
    if not results:
        print("no LibreOffice: nothing measured")
        return 0
    for route in ROUTES:
        print(line(route, results[route]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
