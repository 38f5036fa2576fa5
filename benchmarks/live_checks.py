"""Cost of the workbook's live checks (template 2.1) against template 2.0, the same layout without them.

* LibreOffice: load + full recalculation + save of the blank template and of the consistent example, each
  run in its own ``soffice`` process (forced recalculation, as the agreement tests do), median of
  ``--repeat``. The process start is the same for both versions, so the difference is what the 校验
  sheet and the conditional formats cost a full recalculation (opening the file, Ctrl+Shift+F9). Typing
  recalculates only the rows that read the changed cell: no check uses a volatile function.
* ``validate``: one workbook in this process, the 2.0 and the current file interleaved, minimum of
  ``--rounds``. Under its seal the 校验 sheet is not read (only inflated, to find the seal at its end);
  without it every one of its formulas is compared with the template's.

``python benchmarks/live_checks.py`` (also run by ``make bench``); docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

V2 = ROOT / "tests" / "fixtures" / "v2_0"
CASES = {
    "template": (V2 / "template_2_0.xlsx", ROOT / "templates" / "evaluation_template.xlsx"),
    "consistent example": (V2 / "consistent_2_0.xlsx", ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.xlsx"),
    "seed example": (V2 / "seed_2_0.xlsx", ROOT / "examples" / "seed_2022_anhua_zhongdian.xlsx"),
}


def _recalc_seconds(src: Path, repeat: int) -> float:
    from workbook_tools.libreoffice import recalculate

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            work = Path(tmp) / f"in{i}"
            work.mkdir()
            copy = work / src.name
            shutil.copyfile(src, copy)
            started = time.perf_counter()
            recalculate([copy], Path(tmp) / f"out{i}")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def _validate_pair(old: Path, new: Path, rounds: int) -> tuple[float, float]:
    """validate on the 1.0 and on the current file, interleaved, the minimum of ``rounds`` each (a busy
    machine inflates single runs far more than it moves a minimum)."""
    from workbook_tools.checks.validate import validate

    validate(old), validate(new)  # imports and caches warm
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for i, src in enumerate((old, new)):
            started = time.perf_counter()
            validate(src)
            best[i] = min(best[i], time.perf_counter() - started)
    return best[0], best[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="LibreOffice runs per file (median)")
    parser.add_argument("--rounds", type=int, default=30, help="validate rounds per file (minimum)")
    parser.add_argument("--no-libreoffice", action="store_true", help="only time validate")
    args = parser.parse_args()
    from workbook_tools.core import spec
    from workbook_tools.libreoffice import available

    use_lo = available() and not args.no_libreoffice
    print(f"{'workbook':<20} {'measure':<28} {'2.0':>9} {spec.TEMPLATE_VERSION:>9} {'change':>9}")
    for name, (old, new) in CASES.items():
        if use_lo:
            a, b = _recalc_seconds(old, args.repeat), _recalc_seconds(new, args.repeat)
            print(f"{name:<20} {'LibreOffice recalc+save (s)':<28} {a:>9.2f} {b:>9.2f} {b - a:>+9.2f}")
        a, b = (x * 1000 for x in _validate_pair(old, new, args.rounds))
        print(f"{name:<20} {'validate (ms, min)':<28} {a:>9.2f} {b:>9.2f} {b - a:>+9.2f}  ({b / a:.2f}x)")
    if not use_lo:
        print("LibreOffice not found (or --no-libreoffice): recalculation not timed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
