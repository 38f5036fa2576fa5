"""`make demo`: the whole path on the bundled examples, printing where every output is."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbook_tools.core import spec  # noqa: E402
from workbook_tools.core.model import Evaluation  # noqa: E402
from workbook_tools.template import write_filled, write_template  # noqa: E402
from workbook_tools.xlsx import reader  # noqa: E402


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
    validate_examples(workbooks, out / "validate")
    fill_examples(workbooks, out / "filled")
    export_reports(workbooks, out / "reports")
    prefill_departments(out / "outbox")
    batch_inbox(out / "inbox", out / "batch")
    return 0


def validate_examples(workbooks: list[Path], folder: Path) -> None:
    """`workbook-tools validate` on each example: the seed's real problems, the consistent one clean, and an
    annotated copy of every workbook with findings (the inputs stay untouched)."""
    from workbook_tools.checks.annotate import annotate
    from workbook_tools.checks.render import print_report
    from workbook_tools.checks.validate import validate

    for xlsx in workbooks:
        report = validate(xlsx)
        print(f"校验 validate {xlsx.stem}（退出码 exit {report.exit_code()}）:")
        print_report(report)
        if report.errors or report.warnings:
            annotated = annotate(xlsx, report, folder / f"{xlsx.stem}_annotated.xlsx")
            print(f"  标注副本 annotated copy:  {annotated}")


def fill_examples(workbooks: list[Path], folder: Path) -> None:
    """`workbook-tools fill` on each example: formulas restored where typed over (the seed's truncated ratios),
    every derived value written as a cached value pandas can read, and suggested scores for blank 得分."""
    from workbook_tools.core.findings import sort_key
    from workbook_tools.fill import fill

    for xlsx in workbooks:
        report = fill(xlsx, folder / f"{xlsx.stem}_filled.xlsx")
        print(f"补全 fill {xlsx.stem}（改动 {report.changed_cells} 个单元格 / cells changed）:")
        for f in sorted(report.findings, key=sort_key):
            print(f"  {f.place or '-'}  {f.text()}")
        print(f"  补全后的工作簿 filled:    {report.output}")


def export_reports(workbooks: list[Path], reports: Path) -> None:
    """The report of each example as .docx, .md and .pdf; a workbook with validation errors is exported as with
    --force (the seed has one: its project list does not add up), so its report carries the note."""
    from workbook_tools.core.fsutil import atomic_write_text
    from workbook_tools.export import count_errors, outline_for
    from workbook_tools.export.docx import write_docx
    from workbook_tools.export.markdown import render_markdown
    from workbook_tools.export.pdf import write_pdfs
    from workbook_tools.libreoffice import LibreOfficeError, available

    pdf_jobs = []
    for xlsx in workbooks:
        loaded = reader.load(xlsx)
        errors = count_errors(loaded)
        outline = outline_for(loaded, errors=errors)
        docx = write_docx(outline, reports / f"{xlsx.stem}.docx")
        md = atomic_write_text(reports / f"{xlsx.stem}.md", render_markdown(outline))
        forced = f"（{errors} 个校验错误，按 --force 导出 / forced）" if errors else ""
        print(f"报告 report {xlsx.stem}{forced}:")
        print(f"  Word:                    {docx}")
        print(f"  Markdown:                {md}")
        pdf_jobs.append((outline, reports / f"{xlsx.stem}.pdf"))
    if not available():
        print("  PDF: 未安装 LibreOffice，跳过 / LibreOffice not installed, skipped")
        return
    try:
        for pdf in write_pdfs(pdf_jobs):
            print(f"  PDF:                     {pdf}")
    except LibreOfficeError as exc:
        print(f"  PDF: {str(exc).splitlines()[0]}")


def prefill_departments(outbox: Path) -> None:
    """`workbook-tools prefill`: one workbook per department from the budget system's export; the malformed
    row (text in an amount column) is named with its row number and the others are written."""
    from workbook_tools.prefill import prefill

    result = prefill(ROOT / "examples" / "departments.csv", outbox)
    print(f"预填 prefill examples/departments.csv（{result.rows} 行 / rows）:")
    for w in result.written:
        print(f"  第 {w.row} 行 row:            {w.path}")
    for issue in result.issues:
        print(f"  {issue.text()}")


def batch_inbox(inbox: Path, out: Path) -> None:
    """`workbook-tools batch`: every file of the inbox (the examples plus a deliberately broken one) validated in
    parallel; one summary workbook with 汇总, 问题清单, 未处理 and charts."""
    from workbook_tools.batch.pipeline import run
    from workbook_tools.batch.result import BatchOptions

    (inbox / "损坏的文件.xlsx").write_bytes(bytes(range(256)) * 8)  # random-looking bytes named .xlsx
    outcome = run(inbox, BatchOptions(root=str(inbox), out_dir=str(out)), use_cache=False)
    c = outcome.counts()
    print(f"批量 batch {inbox}（{len(outcome.results)} 个文件 files, 退出码 exit {outcome.exit_code}）:")
    rate = spec.field("total_rate")
    for r in outcome.results:
        figure = r.figures.get(rate.name)
        shown = f"{rate.short} {figure}" if figure is not None else (r.reason or "")
        print(f"  {r.path}: {r.status} {r.unit or ''} {shown}")
    print(f"  通过 ok {c['ok']}，有错误 errors {c['errors']}，无法读取 unreadable {c['unreadable']}")
    print(f"  汇总 summary.xlsx:        {outcome.outputs['xlsx']}")
    print(f"  汇总 summary.csv:         {outcome.outputs['csv']}")
    print(f"  汇总 summary.json:        {outcome.outputs['json']}")


if __name__ == "__main__":
    sys.exit(main())
