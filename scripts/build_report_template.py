"""Write templates/report_template.docx: GB/T 9704 page setup, styles, page numbers and the 措辞表.

The output is committed; a finance bureau edits it in Word (styles, 措辞表 wording) and keeps it or passes
its own copy with ``workbook-tools export --template``. Re-running this script discards such edits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbook_tools.core.fsutil import atomic_write_bytes  # noqa: E402
from workbook_tools.export.styles import template_bytes  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "templates" / "report_template.docx")
    args = ap.parse_args()
    path = atomic_write_bytes(args.output, template_bytes())
    print(f"报告模板已生成：{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
