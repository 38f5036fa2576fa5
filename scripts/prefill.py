"""`python scripts/prefill.py departments.csv [-o OUTBOX] [--mapping FILE] [--year YEAR] [--lang en]`: the prefill
command for those who run scripts rather than installed commands. Same options and exit codes as
`workbook-tools prefill`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbook_tools.cli.app import main  # noqa: E402

if __name__ == "__main__":
    sys.argv = [sys.argv[0], "prefill", *sys.argv[1:]]
    main()
