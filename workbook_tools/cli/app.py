"""The ``workbook-tools`` command: parses arguments, calls the library, prints. No logic lives here."""

from __future__ import annotations

import contextlib
import json
import math
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ..checks.render import safe_json
from ..core import spec
from ..core.errors import WorkbookToolsError
from ..core.textsafe import terminal
from ..core.words import Lang, LangError, parse_lang

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="部门整体支出绩效评价工作簿工具：生成模板、校验、计算、导出报告、批量处理。",
    pretty_exceptions_enable=False,
)

def echo(message: str, err: bool = False) -> None:
    """Print a line with workbook text made inert: a cell's escape sequences never reach the terminal."""
    typer.echo(terminal(message), err=err)


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr and a non-zero exit: bad input never gets a traceback."""
    echo(message, err=True)
    raise typer.Exit(code)


def _lang(value: str) -> Lang:
    """``--lang``, parsed once where it enters: the library only ever sees a :data:`~workbook_tools.core.words.Lang`."""
    try:
        return parse_lang(value)
    except LangError as exc:
        fail(exc.message("zh"))


LangOpt = Annotated[str, typer.Option("--lang", help="输出语言 zh|en / message language", callback=_lang)]


@contextlib.contextmanager
def reported(lang: str = "zh") -> Iterator[None]:
    """The one mapping of the library's "cannot continue" errors: the message on one line, the error's exit code."""
    try:
        yield
    except WorkbookToolsError as exc:
        fail(exc.message(lang), exc.exit_code)


@app.command()
def template(
    output: Annotated[Path, typer.Option("-o", "--output", help="写到此路径（默认 templates/evaluation_template.xlsx）")] = Path(
        "templates/evaluation_template.xlsx"
    ),
    profile: Annotated[str | None, typer.Option("--profile", help="地区配置（workbook-tools profiles 列出全部；默认 anhua）")] = None,
) -> None:
    """生成空白模板（由模板规格生成），按地区配置设定等级、评分规则和显示的可选区块。"""
    from ..core.profiles import get
    from ..template import write_template

    with reported():
        prof = get(profile)
    path = write_template(output, prof.id)
    echo(f"模板已生成：{path}（版本 {spec.TEMPLATE_VERSION}，配置 {prof.id}：{prof.title}）")


@app.command(name="profiles")
def profiles_command(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
    lang: LangOpt = "zh",
) -> None:
    """列出内置的地区配置（执行率口径、等级、显示的可选区块；详见 docs/profiles.md）。"""
    from ..core.profiles import EXECUTION_RATES, all_profiles

    items = all_profiles()
    if as_json:
        data = [{"id": p.id, "title": p.title, "title_en": p.title_en, "default": p.is_default,
                 "execution_rate": p.execution_rate, "sangong_basis": p.sangong_basis,
                 "grades": [{"label": g, "min": str(m)} for g, m in p.grades], "blocks": sorted(p.blocks),
                 "rules": [r.indicator for r in p.rules.rules], "severity": p.severity, "source": p.source}
                for p in items]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    en = lang == "en"
    for p in items:
        mark = (" (default)" if en else "（默认）") if p.is_default else ""
        grades = " ".join(f"{g}≥{m}" for g, m in p.grades)
        echo(f"{p.id}{mark}  {p.title_en if en else p.title}")
        rate = EXECUTION_RATES[p.execution_rate].split("（")[0]
        echo(f"    {'rate' if en else '执行率'}: {p.execution_rate} = {rate.split('= ', 1)[-1]}")
        echo(f"    {'grades' if en else '等级'}: {grades}")
        echo(f"    {'rules' if en else '评分规则'}: {'、'.join(r.indicator for r in p.rules.rules)}")
    echo("workbook-tools template --profile NAME -o FILE.xlsx" if en
               else "生成某配置的模板：workbook-tools template --profile 配置名 -o 文件.xlsx")


@app.command()
def new(
    source: Annotated[Path, typer.Option("--from", help="JSON 数据文件")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出工作簿路径")],
) -> None:
    """由 JSON 数据生成一个已填写的工作簿。"""
    from ..core.model import Evaluation, ModelError, load_json_text
    from ..template import write_filled

    try:
        data = load_json_text(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{source}：文件不存在")
    except RecursionError:
        fail(f"{source}：JSON 嵌套层数过深，不是本工具的数据文件")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{source}：不是有效的 JSON 文件（{exc}）")
    try:
        model = Evaluation.from_json(data)
    except ModelError as exc:
        fail(f"{source}：{exc}")
    path = write_filled(model, output)
    echo(f"已生成：{path}")


@app.command()
def dump(
    file: Annotated[Path, typer.Argument(help="已填写的工作簿 .xlsx")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="写到文件而不是标准输出")] = None,
) -> None:
    """把工作簿读成 JSON（文档见 docs/data-format.md）。"""
    from ..core.fsutil import atomic_write_text
    from ..xlsx.reader import load

    with reported():
        loaded = load(file)
    text = safe_json(loaded.model.to_json())
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(output, text)
        echo(f"已写出：{output}")


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
    from ..core.findings import CATALOGUE, sort_key
    from ..fill import fill as run_fill

    if in_place and output is not None:
        fail("--in-place 与 -o 不能同时使用" if lang != "en" else "--in-place and -o cannot be used together")
    with reported(lang):
        report = run_fill(file, output, in_place=in_place, recalc=recalc, rules=rules, write_scores=write_scores)
    if as_json:
        sys.stdout.write(safe_json(report.to_json()))
        raise typer.Exit(report.exit_code())
    if report.unreadable is not None:
        fail(report.unreadable.text(lang), report.exit_code())
    en = lang == "en"
    for f in sorted(report.findings, key=sort_key):
        title = CATALOGUE[f.code].title_en if en else f.title
        echo(f"{f.place or '-'}  [{title}] {f.text(lang)}")
    if not report.written and report.output and not report.changed_cells:
        echo(f"no change needed: {report.output} left as it was" if en else f"无需改动：{report.output} 保持原样")
    elif not report.written:
        echo("nothing written" if en else "未写出文件", err=True)
    else:
        n = report.changed_cells
        if en:
            echo(f"written: {report.output} ({f'{n} cells changed' if n else 'no change needed'})")
        else:
            echo(f"已写出：{report.output}（{f'改动 {n} 个单元格' if n else '无需改动'}）")
        if report.backup:
            echo(f"backup: {report.backup}" if en else f"备份：{report.backup}")
    raise typer.Exit(report.exit_code())


@app.command(name="migrate")
def migrate_command(
    file: Annotated[Path, typer.Argument(help="较早版本模板的工作簿 .xlsx（原文件不改动）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="写出的当前版本工作簿")],
    lang: LangOpt = "zh",
) -> None:
    """把较早版本模板（如 1.0）的工作簿原样转入当前版本模板：每个填写值、列表行、等级标准表和配置都带入并逐一核对。"""
    from ..migrate import migrate

    with reported(lang):
        report = migrate(file, output)
    echo(report.text(lang))


@app.command(name="validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="要校验的工作簿 .xlsx")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出报告（格式见 docs/data-format.md）")] = False,
    annotate: Annotated[Path | None, typer.Option("--annotate", help="另存一份标注了问题的副本（原文件不改动）")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也以退出码 1 结束")] = False,
    previous: Annotated[Path | None, typer.Option("--previous", help="同一单位上年的工作簿：核对上年数、编制数变化和照抄上年的段落")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="评分规则 JSON（默认为内置规则），用于核对填报得分")] = None,
    lang: LangOpt = "zh",
) -> None:
    """校验工作簿：逐项列出需要修改的问题（工作表!单元格）。退出码 0 无错误，1 有错误，2 文件无法读取。"""
    from ..checks import render
    from ..checks.validate import validate
    from ..core.scoring import load_rules

    if previous is not None and not previous.is_file():
        fail(f"{previous}: last year's workbook not found" if lang == "en" else f"{previous}：上年工作簿不存在")
    with reported(lang):
        scoring_rules = load_rules(rules) if rules is not None else None
    report = validate(file, rules=scoring_rules, last_year=previous, convert_legacy=True)
    if as_json:
        sys.stdout.write(render.to_json(report, lang))
    elif report.unreadable is not None:
        fail(report.unreadable.text(lang), report.exit_code(strict))
    else:
        render.print_report(report, lang)
    if annotate is not None and report.unreadable is None:
        from ..checks.annotate import annotate as write_annotated

        with reported(lang):
            path = write_annotated(file, report, annotate, lang)
        echo(f"annotated copy: {path}" if lang == "en" else f"已写出标注副本：{path}", err=as_json)
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
    from ..export import export_report

    en = lang == "en"
    try:
        with reported(lang):
            result = export_report(file, output, fmt=fmt, force=force, template=report_template)
    except ValueError as exc:  # an unknown --format, an output that is the workbook
        fail(str(exc))
    if result.errors:
        echo(f"warning: exported despite {result.errors} validation error(s); the report says so"
                   if en else f"注意：工作簿有 {result.errors} 个校验错误，已强制导出，报告标题下已注明。", err=True)
    echo(f"exported: {result.output}" if en else f"已导出：{result.output}")


@app.command(name="prefill")
def prefill_command(
    source: Annotated[Path, typer.Argument(help="预算/决算系统导出的单位表（.csv 或 .xlsx，每行一个单位）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件夹，每个单位一个工作簿")] = Path("outbox"),
    mapping: Annotated[Path | None, typer.Option("--mapping", help="列映射 JSON（默认 workbook_tools/data/prefill_columns.json，格式见 docs/batch.md）")] = None,
    year: Annotated[int | None, typer.Option("--year", help="评价年度（表中没有年度列或为空时使用）")] = None,
    lang: LangOpt = "zh",
) -> None:
    """为每个单位预填一个工作簿（单位信息、预算决算、三公经费）。退出码 0 全部写出，1 有行有误（其余已写出），2 文件无法使用。"""
    from ..prefill import load_mapping, prefill

    en = lang == "en"
    with reported(lang):
        result = prefill(source, output, mapping=load_mapping(mapping), year=year)
    for issue in result.issues:
        echo(f"{source}: {issue.text(lang)}", err=True)
    for w in result.written:
        echo(f"row {w.row}: {w.path}" if en else f"第 {w.row} 行：{w.path}")
    bad = len({i.row for i in result.errors})
    echo(f"{len(result.written)} of {result.rows} rows written to {output}; {bad} malformed" if en
               else f"共 {result.rows} 行，已写出 {len(result.written)} 个工作簿到 {output}；{bad} 行有误未写出")
    raise typer.Exit(result.exit_code)


@app.command(name="batch")
def batch_command(
    inbox: Annotated[Path, typer.Argument(help="收件文件夹（递归查找其中所有文件）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件夹：summary.xlsx/csv/json、filled/、reports/")] = Path("out"),
    do_fill: Annotated[bool, typer.Option("--fill", help="同时写出补全公式和计算结果的工作簿（out/filled/）")] = False,
    export: Annotated[str | None, typer.Option("--export", help="同时导出报告，逗号分隔：docx,pdf,md（out/reports/）")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="并行进程数（默认为 CPU 核数）")] = None,
    engine: Annotated[str, typer.Option("--engine", help="process（本机多进程）或 dask")] = "process",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="dask 调度器地址，如 tcp://host:8786（不给则启动本机 LocalCluster）")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="每个文件的处理时限（秒），超时的文件被停止并列入“未处理”")] = 120.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", help="读取每个文件时工作进程的内存上限（MB，0 为不限）")] = 4096,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="忽略 out/.cache.json，全部重新处理")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条，不输出文字（供脚本使用，看退出码和 summary.json）")] = False,
    previous_dir: Annotated[Path | None, typer.Option("--previous-dir", help="上年工作簿所在文件夹，按单位名称与本年对比")] = None,
    lang: LangOpt = "zh",
) -> None:
    """批量校验（可选补全、导出）收件文件夹中的所有工作簿并生成汇总。退出码 0 全部通过，1 有错误，2 有文件无法处理。"""
    from ..batch import pipeline, result

    en = lang == "en"
    if not inbox.exists():
        fail(f"{inbox}: not found" if en else f"{inbox}：文件夹不存在")
    formats = tuple(f.strip().lower() for f in (export or "").split(",") if f.strip())
    unknown = [f for f in formats if f not in result.EXPORT_FORMATS]
    if unknown:
        fail(f"--export: unknown format {', '.join(unknown)} (docx, pdf, md)" if en
             else f"--export：不支持的格式 {'、'.join(unknown)}（可选 docx、pdf、md）")
    if not math.isfinite(timeout) or timeout <= 0:
        fail(f"--timeout must be a positive number of seconds, not {timeout}" if en
             else f"--timeout 必须是大于 0 的秒数，收到：{timeout}")
    root = inbox if inbox.is_dir() else inbox.parent
    if memory_limit < 0:
        fail("--memory-limit must be ≥ 0" if en else "--memory-limit 不能为负数")
    last_year: tuple[tuple[str, str, str], ...] | None = None
    if previous_dir is not None:
        from ..batch.inbox import index_previous

        if not previous_dir.is_dir():
            fail(f"{previous_dir}: folder not found" if en else f"{previous_dir}：上年文件夹不存在")
        last_year, skipped = index_previous(previous_dir)
        if not quiet:
            for s in skipped:
                typer.echo(f"{s} (not used as last year's workbook)" if en else f"{s}（未作为上年工作簿使用）", err=True)
    options = result.BatchOptions(root=str(root), out_dir=str(output), fill=do_fill, export=formats,
                                 timeout=timeout, lang=lang, memory_mb=memory_limit, previous=last_year)
    with reported(lang):
        outcome = pipeline.run(inbox, options, engine=engine, workers=workers, scheduler=scheduler,
                               use_cache=not no_cache, progress=pipeline.Progress(pipeline.Progress.wanted(quiet), lang))
    if not quiet:
        for name in outcome.skipped:
            echo(f"{name}: skipped, an Office lock file (not a submission)" if en
                 else f"{name}：已跳过，这是 Office 锁定文件（~$…，不是提交的工作簿）", err=True)
        for r in outcome.results:
            if not r.readable:
                echo(f"{r.path}: {r.reason}" if en else f"{r.path}：{r.reason}", err=True)
            elif r.failed:
                echo(f"{r.path}: " + "; ".join(r.notes) if en else f"{r.path}：" + "；".join(r.notes), err=True)
        c = outcome.counts()
        if en:
            echo(f"{len(outcome.results)} files: ok {c['ok']}, with errors {c['errors']}, duplicates "
                       f"{c['duplicate']}, unreadable {c['unreadable']}, timed out {c['timeout']} "
                       f"(processed {outcome.processed}, from cache {outcome.cached})")
        else:
            echo(f"共 {len(outcome.results)} 个文件：通过 {c['ok']}，有错误 {c['errors']}，重复提交 "
                       f"{c['duplicate']}，无法读取 {c['unreadable']}，超时 {c['timeout']}"
                       f"（本次处理 {outcome.processed} 个，沿用缓存 {outcome.cached} 个）")
        for kind, path in outcome.outputs.items():
            echo(f"summary {kind}: {path}" if en else f"汇总 {kind}：{path}")
    raise typer.Exit(outcome.exit_code)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址（默认只在本机；对外服务请放在反向代理之后，见 docs/portal.md）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8000,
    data: Annotated[Path, typer.Option("--data", help="数据目录：SQLite 数据库、所有上传版本、生成的文件")] = Path("portal-data"),
    database: Annotated[str | None, typer.Option("--database", help="数据库地址，如 postgresql://user:pass@host/db（默认 DATA/portal.sqlite3）")] = None,
    threads: Annotated[int, typer.Option("--threads", help="waitress 工作线程数")] = 8,
    create_admin: Annotated[str | None, typer.Option("--create-admin", help="创建（或重设密码）财政局管理员账号后退出")] = None,
    demo: Annotated[Path | None, typer.Option("--demo", help="演示：用此单位名单（CSV/XLSX）建立演示轮次和账号")] = None,
    demo_seed: Annotated[Path | None, typer.Option("--demo-seed", help="演示：以第一个单位的名义先上传此工作簿")] = None,
) -> None:
    """启动收集平台（网页）：各单位上传工作簿并立即看到校验结果，财政局看板汇总。"""
    try:
        from ..portal import server
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        fail(f"收集平台需要 portal 组件：pip install 'workbook-tools[portal]'（{exc}）")
    try:
        import django  # noqa: F401
        import waitress  # noqa: F401
    except ImportError as exc:
        fail(f"收集平台需要 portal 组件：pip install 'workbook-tools[portal]'（缺少 {exc.name}）")
    if not 0 < port < 65536:
        fail(f"--port 应在 1–65535 之间，收到：{port}")
    for p in (demo, demo_seed):
        if p is not None and not p.is_file():
            fail(f"{p}：文件不存在")
    if create_admin:
        server.configure(data, database)
        server.migrate()
        server.create_admin(create_admin)
        typer.echo(f"已创建管理员账号：{create_admin}")
        return
    try:
        server.serve(host, port, data, database, threads=threads, demo_departments=demo, demo_seed=demo_seed,
                     echo=typer.echo)
    except OSError as exc:
        fail(f"{host}:{port}：无法监听（{exc.strerror or exc}）；端口被占用时请换一个 --port")


class Terminated(SystemExit):
    """SIGTERM, raised where the program is: every ``finally`` runs, so temporary files are removed and the
    LibreOffice processes and batch workers this command started are stopped."""


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: cleanup is not interrupted by a second signal
    raise Terminated(128 + signum)


def main() -> None:
    """Entry point: any unexpected failure is one line naming the problem, never a traceback."""
    from ..core.fsutil import describe_os_error

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app()
    except Terminated:
        sys.stderr.write("已终止 / terminated\n")
        raise
    except SystemExit:
        raise
    except WorkbookToolsError as exc:  # one a command did not expect still gets its line and exit code
        sys.stderr.write(exc.message() + "\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("已中断 / interrupted\n")
        sys.exit(130)
    except OSError as exc:  # the environment: read-only folder, full disk, a folder where a file goes
        sys.stderr.write(terminal(describe_os_error(exc)) + "\n")
        sys.exit(2)
    except BaseException as exc:  # noqa: BLE001 - calamine's PanicException is a BaseException
        sys.stderr.write(terminal(f"内部错误 / internal error: {type(exc).__name__}: {exc}") + "\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
