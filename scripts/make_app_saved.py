"""Regenerate tests/fixtures/app-saved/: the template, both examples and a dozen validate cases as LibreOffice
saves them (opened, recalculated, saved as .xlsx by ``soffice --headless --convert-to xlsx``).

    python scripts/make_app_saved.py

Our own writer (openpyxl) and a real application write different files: shared strings, styles, cached values,
defined names and the very hidden sheet spelled their way. tests/test_app_saved.py asserts validate finds the
same codes at the same cells on these files as on the ones we write. Run this again when the template or a
case changes (it needs LibreOffice; the files are committed, so the tests do not).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.app_saved import CASE_IDS, FIXTURES, sources  # noqa: E402
from workbook_tools.libreoffice import find_soffice, recalculate  # noqa: E402


def main() -> int:
    if find_soffice() is None:
        print("LibreOffice (soffice) is needed: sudo apt-get install libreoffice-calc-nogui", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="app-saved-") as tmp:
        ours = sources(Path(tmp) / "ours")
        saved = recalculate(list(ours.values()), Path(tmp) / "saved", timeout=900)
        FIXTURES.mkdir(parents=True, exist_ok=True)
        for old in FIXTURES.glob("*.xlsx"):
            old.unlink()
        for path in saved:
            shutil.copyfile(path, FIXTURES / path.name)
            print(FIXTURES.relative_to(ROOT) / path.name)
    print(f"{len(saved)} files ({len(CASE_IDS)} validate cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
