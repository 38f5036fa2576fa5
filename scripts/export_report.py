"""Export a workbook's report: the same as ``workbook-tools export`` (see ``--help``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbook_tools.cli.app import main  # noqa: E402

if __name__ == "__main__":
    sys.argv = ["workbook-tools", "export", *sys.argv[1:]]
    main()
