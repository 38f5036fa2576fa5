"""fill through the part-level writer against fill through openpyxl and the bare calamine read (issue 16).

The same interleaved method as ``run.py``'s ratios phase: every operation on each file in turn, ``--rounds``
rounds, the minimum per file, averaged. Three sets: workbooks as openpyxl writes them (generated like
``make bench``'s, cached values missing), the same workbooks saved by LibreOffice, and the LibreOffice-saved
fixtures of the tests (faults planted, so fill has cells to change).

    .venv/bin/python benchmarks/fill_writer.py --n 30 --rounds 5
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import calamine_all_sheets, generate, interleaved, libreoffice_copies  # noqa: E402


def measure(files: list[Path], rounds: int) -> dict[str, float]:
    import workbook_tools.fill as fill_mod

    tmp = Path(tempfile.mkdtemp(prefix="bench-fill-"))

    def fill_with(fast: bool) -> Callable[[Path], None]:
        def run(p: Path) -> None:
            fill_mod.FAST_WRITER = fast
            try:
                fill_mod.fill(p, tmp / p.name)
            finally:
                fill_mod.FAST_WRITER = True
        return run

    ops = {"calamine": calamine_all_sheets, "fill (part writer)": fill_with(True), "fill (openpyxl)": fill_with(False)}
    for fn in ops.values():
        fn(files[0])
    writers = [fill_mod.fill(p, tmp / p.name).writer for p in files]
    used = [w == "parts" for w in writers if w in ("parts", "openpyxl")]  # the files with a cell to change
    ms = interleaved(ops, files, rounds)
    shutil.rmtree(tmp, ignore_errors=True)
    ms["part writer taken (%)"] = 100.0 * sum(used) / max(len(used), 1)
    ms["copied, nothing to change (%)"] = 100.0 * writers.count("copy") / len(writers)
    return ms


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=ROOT / "out" / "bench-fill")
    args = ap.parse_args()
    files = generate(args.n, args.dir / f"n{args.n}", 2)
    sets = {"generated (openpyxl-written)": files}
    lo = libreoffice_copies(files, args.dir / "libreoffice")
    if lo:
        sets["saved by LibreOffice (recalculated: fill copies them)"] = lo
    # saved by LibreOffice 7.4 with faults planted before the save: fill has cells to change in most of them
    sets["tests/fixtures/app-saved"] = sorted((ROOT / "tests" / "fixtures" / "app-saved").glob("*.xlsx"))
    for label, fs in sets.items():
        ms = measure(fs, args.rounds)
        base = ms["calamine"]
        print(f"{label} ({len(fs)} files, min of {args.rounds} rounds): " + ", ".join(
            f"{k} {v:.2f} ms ({v / base:.1f}x)" if not k.endswith("(%)") else f"{k} {v:.0f}"
            for k, v in ms.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
