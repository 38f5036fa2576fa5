"""One file's work: read it once, validate it, fill and export it when asked; never raises for the file."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..session import WorkbookSession
from .result import SUMMARY_FIGURES, BatchOptions, FileResult, memory_result, relative

if TYPE_CHECKING:
    from ..checks.previous import Previous


def _plain(v: object) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)

def _finding_row(f: Any, rel: str, lang: str) -> dict[str, Any]:
    return {"file": rel, "sheet": f.sheet, "cell": f.cell, "code": f.code, "severity": f.severity,
            "message": f.text(lang)}


def _export(src: Path | WorkbookSession, dest: Path, fmt: str, options: BatchOptions) -> tuple[str | None, bool]:
    """Write one report: (note, failed). A workbook with errors is refused (a note, not a failure); anything
    else that stops it (LibreOffice missing, a full disk, a bug) is a failure of this file, never of the batch."""
    from .. import export

    lang = options.lang
    try:
        with memory_limit(0 if fmt == "pdf" else options.memory_mb):  # LibreOffice would inherit the limit
            export.export_report(src, dest, fmt=fmt)
    except export.ExportRefused as exc:
        return (f"{fmt} not written: {exc.errors} validation error(s)" if lang == "en"
                else f"未导出 {fmt}：工作簿有 {exc.errors} 个校验错误"), False
    except MemoryError:
        return (f"{fmt} not written: more than the {options.memory_mb} MB memory limit" if lang == "en"
                else f"未导出 {fmt}：超出内存上限（{options.memory_mb} MB）"), True
    except Exception as exc:  # noqa: BLE001 - LibreOffice missing or failing: the other outputs still count
        first = str(exc).splitlines()[0] if str(exc) else ""
        return (f"{fmt} not written: {type(exc).__name__}: {first}" if lang == "en"
                else f"未导出 {fmt}：{type(exc).__name__}: {first}"), True
    return None, False


def process_workbook(path: str, options: BatchOptions) -> FileResult:
    """Validate one workbook (and fill/export it when asked); never raises for what is in the file."""
    started = time.perf_counter()
    rel = relative(path, options.root)
    failed = {p: (zh, en) for p, zh, en in options.legacy_failed}
    if path in failed:
        zh, en = failed[path]
        return FileResult(rel, "unreadable", reason_code="legacy-not-converted", reason=en if options.lang == "en" else zh)
    source = dict(options.converted).get(path, path)
    try:
        result = _process(Path(source), rel, options)
        if source != path:
            result.notes.insert(0, "converted from a legacy file with LibreOffice" if options.lang == "en"
                                else f"{Path(path).suffix} 文件已用 LibreOffice 转为 .xlsx 后处理（原文件未改动）")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a bug or a Rust panic on one file must not stop the batch
        result = FileResult(rel, "unreadable", reason_code="file-unreadable",
                            reason=(f"internal error: {type(exc).__name__}: {exc}" if options.lang == "en"
                                    else f"处理时出现内部错误：{type(exc).__name__}: {exc}"))
    result.seconds = round(time.perf_counter() - started, 4)
    return result

@contextlib.contextmanager
def memory_limit(mb: int) -> Iterator[None]:
    """Cap this worker's address space while it reads one file, so a file that would exhaust memory raises
    MemoryError in its own worker instead of taking the machine down. Only in worker processes (never in the
    caller's own process), around reading, checking, fill and docx/Markdown export: LibreOffice, started for
    PDF, is not limited (it would inherit the limit)."""
    import multiprocessing

    try:
        import resource
    except ImportError:  # not on Windows
        resource = None  # type: ignore[assignment]
    if not mb or resource is None or multiprocessing.parent_process() is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

def _last_year(unit: str, options: BatchOptions) -> Previous | None:
    """The unit's workbook in ``--previous-dir``; a unit without one gets a Previous that says so."""
    if options.previous is None:
        return None
    from ..checks.previous import Previous
    from ..checks.validate import read_previous

    path = options.previous_for(unit)
    if path is None:
        return Previous("--previous-dir", None, None,
                        "no workbook of this unit in the previous-year folder" if options.lang == "en"
                        else "上年文件夹中没有该单位的工作簿")
    return read_previous(path)


def _process(path: Path, rel: str, options: BatchOptions) -> FileResult:
    from ..core.findings import sort_key
    from ..session import open_workbook
    from ..xlsx.package import UnreadableWorkbook

    lang = options.lang
    try:
        with memory_limit(options.memory_mb):
            session = open_workbook(path)
            session.last_year = _last_year(session.loaded.model.unit_name, options)
            report = session.report
    except UnreadableWorkbook as exc:
        return FileResult(rel, "unreadable", reason_code=exc.code,
                          reason=exc.reason_en if lang == "en" else exc.reason_zh)
    except MemoryError:
        return memory_result(rel, options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader panic is a property of the file
        return FileResult(rel, "unreadable", reason_code="file-unreadable",
                          reason=(f"cannot be read ({type(exc).__name__})" if lang == "en"
                                  else f"文件无法读取（{type(exc).__name__}）"))
    if report.unreadable is not None:
        u = report.unreadable
        return FileResult(rel, "unreadable", reason_code=u.code, reason=u.text(lang))
    model = session.loaded.model
    try:
        derived = session.computed
    except (ArithmeticError, ValueError, TypeError):  # an input no check foresaw: the figures stay empty
        derived = {}
    figures: dict[str, str | None] = {}
    for name in SUMMARY_FIGURES:
        figures[name] = _plain(derived[name] if name in derived else model.values.get(name))
    if not model.lists.get("indicators"):  # no 评分表 yet (a prefilled workbook): no score, not a score of 0
        figures["score_total"] = figures["grade"] = None
    result = FileResult(
        rel, "errors" if report.errors else "ok",
        unit=model.unit_name.strip() or None, year=model.fiscal_year, figures=figures,
        errors=len(report.errors), warnings=len(report.warnings),
        findings=[_finding_row(f, rel, lang) for f in sorted(report.findings, key=sort_key)],
    )
    out = Path(options.out_dir)
    source: Path | WorkbookSession = session
    if options.fill:
        from .. import fill as filling

        dest = out / "filled" / (options.output_stem(rel) + ".xlsx")
        try:
            with memory_limit(options.memory_mb):
                filled = filling.fill(session, dest)
        except MemoryError:
            result.notes.append(f"fill failed: more than the {options.memory_mb} MB memory limit" if lang == "en"
                                else f"计算填充失败：超出内存上限（{options.memory_mb} MB）")
            result.failed.append("fill")
            filled = None
        except Exception as exc:  # noqa: BLE001 - FillError or openpyxl failing on an odd file: a note, not a crash
            result.notes.append(f"fill failed: {type(exc).__name__}: {exc}" if lang == "en"
                                else f"计算填充失败：{type(exc).__name__}: {exc}")
            result.failed.append("fill")
            filled = None
        if filled is not None:
            result.findings += [_finding_row(f, rel, lang) for f in sorted(filled.findings, key=sort_key)
                                if f.severity == "info"]
        if filled is not None and filled.written and dest.exists():
            result.outputs["filled"] = dest.relative_to(out).as_posix()
            source = dest
    if isinstance(source, Path) and options.export:  # the filled copy: read once for every format
        with contextlib.suppress(Exception):  # unreadable: each format's note says why, as export words it
            source = open_workbook(source)
    for fmt in options.export:
        dest = out / "reports" / (options.output_stem(rel) + f".{fmt}")
        note, failed = _export(source, dest, fmt, options)
        if note is None:
            result.outputs[fmt] = dest.relative_to(out).as_posix()
        else:
            result.notes.append(note)
        if failed:
            result.failed.append(fmt)
    return result
