"""`make demo`: the whole path on the bundled examples, printing where every output is."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbook_tools import reader  # noqa: E402
from workbook_tools.model import Evaluation  # noqa: E402
from workbook_tools.template import write_filled, write_template  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "demo")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    template = write_template(out / "evaluation_template.xlsx")
    print(f"模板 template:            {template}")
    workbooks = []
    for source in sorted((ROOT / "examples").glob("*.json")):
        model = Evaluation.from_json(json.loads(source.read_text(encoding="utf-8")))
        xlsx = write_filled(model, out / "inbox" / f"{source.stem}.xlsx")
        dumped = out / "dump" / f"{source.stem}.json"
        dumped.parent.mkdir(parents=True, exist_ok=True)
        dumped.write_text(json.dumps(reader.load(xlsx).model.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
        workbooks.append(xlsx)
        print(f"示例工作簿 workbook:      {xlsx}")
        print(f"  读回的 JSON dump:        {dumped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
