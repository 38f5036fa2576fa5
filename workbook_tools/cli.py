"""The ``workbook-tools`` command: parses arguments, calls the library, prints. No logic lives here."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import spec
from .xlsx import UnreadableWorkbook

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="部门整体支出绩效评价工作簿工具：生成模板、校验、计算、导出报告、批量处理。",
    pretty_exceptions_enable=False,
)

LangOpt = Annotated[str, typer.Option("--lang", help="输出语言 zh|en / message language")]


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr and a non-zero exit: bad input never gets a traceback."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command()
def template(
    output: Annotated[Path, typer.Option("-o", "--output", help="写到此路径（默认 templates/evaluation_template.xlsx）")] = Path(
        "templates/evaluation_template.xlsx"
    ),
) -> None:
    """生成空白模板（由模板规格生成）。"""
    from .template import write_template

    path = write_template(output)
    typer.echo(f"模板已生成：{path}（版本 {spec.TEMPLATE_VERSION}）")


@app.command()
def new(
    source: Annotated[Path, typer.Option("--from", help="JSON 数据文件")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出工作簿路径")],
) -> None:
    """由 JSON 数据生成一个已填写的工作簿。"""
    from .model import Evaluation, ModelError
    from .template import write_filled

    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{source}：文件不存在")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{source}：不是有效的 JSON 文件（{exc}）")
    try:
        model = Evaluation.from_json(data)
    except ModelError as exc:
        fail(f"{source}：{exc}")
    path = write_filled(model, output)
    typer.echo(f"已生成：{path}")


@app.command()
def dump(
    file: Annotated[Path, typer.Argument(help="已填写的工作簿 .xlsx")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="写到文件而不是标准输出")] = None,
) -> None:
    """把工作簿读成 JSON（文档见 docs/data-format.md）。"""
    from .fsutil import atomic_write_text
    from .reader import load

    try:
        loaded = load(file)
    except UnreadableWorkbook as exc:
        fail(exc.message())
    text = json.dumps(loaded.model.to_json(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(output, text)
        typer.echo(f"已写出：{output}")


@app.command()
def fill(
    file: Annotated[Path, typer.Argument(help="要补全的工作簿 .xlsx")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出路径（默认：输入文件名_filled.xlsx）")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接改写输入文件（先另存 .bak 备份）")] = False,
    recalc: Annotated[bool, typer.Option("--recalc", help="写出后用 LibreOffice 重新计算一遍")] = False,
    rules: Annotated[Path | None, typer.Option("--rules", help="评分规则 JSON（默认为内置规则）")] = None,
    write_scores: Annotated[bool, typer.Option("--write-scores", help="把建议得分写入得分为空的评分表行")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出报告")] = False,
    lang: LangOpt = "zh",
) -> None:
    """恢复计算公式、转换文本数字、写入计算结果，并列出每一处改动。"""
    from .fill import FillError
    from .fill import fill as run_fill
    from .findings import CATALOGUE, sort_key

    if in_place and output is not None:
        fail("--in-place 与 -o 不能同时使用" if lang != "en" else "--in-place and -o cannot be used together")
    try:
        report = run_fill(file, output, in_place=in_place, recalc=recalc, rules=rules, write_scores=write_scores)
    except FillError as exc:
        fail(str(exc))
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        raise typer.Exit(report.exit_code())
    if report.unreadable is not None:
        fail(report.unreadable.text(lang), report.exit_code())
    en = lang == "en"
    for f in sorted(report.findings, key=sort_key):
        title = CATALOGUE[f.code].title_en if en else f.title
        typer.echo(f"{f.place or '-'}  [{title}] {f.text(lang)}")
    if not report.written:
        typer.echo("nothing written" if en else "未写出文件", err=True)
    else:
        n = report.changed_cells
        if en:
            typer.echo(f"written: {report.output} ({f'{n} cells changed' if n else 'no change needed'})")
        else:
            typer.echo(f"已写出：{report.output}（{f'改动 {n} 个单元格' if n else '无需改动'}）")
        if report.backup:
            typer.echo(f"backup: {report.backup}" if en else f"备份：{report.backup}")
    raise typer.Exit(report.exit_code())


@app.command(name="validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="要校验的工作簿 .xlsx")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出报告（格式见 docs/data-format.md）")] = False,
    annotate: Annotated[Path | None, typer.Option("--annotate", help="另存一份标注了问题的副本（原文件不改动）")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也以退出码 1 结束")] = False,
    lang: LangOpt = "zh",
) -> None:
    """校验工作簿：逐项列出需要修改的问题（工作表!单元格）。退出码 0 无错误，1 有错误，2 文件无法读取。"""
    from . import render
    from .validate import validate

    if lang not in ("zh", "en"):
        fail(f"--lang 只能是 zh 或 en，收到：{lang}")
    report = validate(file)
    if as_json:
        sys.stdout.write(render.to_json(report, lang))
    elif report.unreadable is not None:
        fail(report.unreadable.text(lang), report.exit_code(strict))
    else:
        render.print_report(report, lang)
    if annotate is not None and report.unreadable is None:
        from .annotate import AnnotateError
        from .annotate import annotate as write_annotated

        try:
            path = write_annotated(file, report, annotate, lang)
        except AnnotateError as exc:
            fail(str(exc))
        typer.echo(f"annotated copy: {path}" if lang == "en" else f"已写出标注副本：{path}", err=as_json)
    raise typer.Exit(report.exit_code(strict))


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="已填写的工作簿 .xlsx")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出路径（默认：与工作簿同名，扩展名按格式）")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="docx | pdf | md（默认按输出扩展名，否则 docx）")] = None,
    force: Annotated[bool, typer.Option("--force", help="工作簿有校验错误时仍导出（报告标题下注明）")] = False,
    report_template: Annotated[Path | None, typer.Option("--template", help="报告 Word 模板（默认 templates/report_template.docx）")] = None,
    lang: LangOpt = "zh",
) -> None:
    """导出部门整体支出绩效报告（.docx / PDF / Markdown）。"""
    from .export import ExportRefused, TemplateError, export_report
    from .libreoffice import LibreOfficeError

    en = lang == "en"
    try:
        result = export_report(file, output, fmt=fmt, force=force, template=report_template)
    except UnreadableWorkbook as exc:
        fail(exc.message(lang))
    except ExportRefused as exc:
        fail(exc.message(lang), 1)
    except (TemplateError, ValueError) as exc:
        fail(str(exc))
    except LibreOfficeError as exc:
        lines = str(exc).splitlines()
        fail(lines[1] if en and len(lines) > 1 else lines[0])
    if result.errors:
        typer.echo(f"warning: exported despite {result.errors} validation error(s); the report says so"
                   if en else f"注意：工作簿有 {result.errors} 个校验错误，已强制导出，报告标题下已注明。", err=True)
    typer.echo(f"exported: {result.output}" if en else f"已导出：{result.output}")


def main() -> None:
    """Entry point: any unexpected failure is one line naming the problem, never a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("已中断 / interrupted\n")
        sys.exit(130)
    except BaseException as exc:  # noqa: BLE001 - calamine's PanicException is a BaseException
        sys.stderr.write(f"内部错误 / internal error: {type(exc).__name__}: {exc}\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
