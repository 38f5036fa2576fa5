"""export: the narrative report (.docx, PDF, Markdown) of a completed workbook.

One :class:`~workbook_tools.export.outline.Outline` is built from the model and the computed values, with
the fixed wording of the Word template, and every format renders that same outline. A workbook with
validation errors is refused unless forced; a forced report says so under its title.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..core.compute import compute
from ..core.errors import WorkbookToolsError
from ..core.model import Value
from ..session import WorkbookSession, open_workbook
from ..xlsx.reader import Loaded
from .outline import Outline, build_outline
from .wording import TemplateError, Wording

__all__ = [
    "FORMATS",
    "ExportRefused",
    "ExportResult",
    "Format",
    "Outline",
    "TemplateError",
    "build_outline",
    "count_errors",
    "export_report",
    "format_for",
    "outline_for",
]

Format = Literal["docx", "pdf", "md"]
FORMATS: tuple[Format, ...] = ("docx", "pdf", "md")
_SUFFIX: dict[str, Format] = {".docx": "docx", ".pdf": "pdf", ".md": "md", ".markdown": "md"}


class ExportRefused(WorkbookToolsError):
    """The workbook has validation errors and export was not forced (exit 1: ``--force`` overrides it)."""

    code = "export-refused"
    exit_code = 1

    def __init__(self, path: str, errors: int) -> None:
        self.path = path
        self.errors = errors
        super().__init__(
            f"{path}：工作簿有 {errors} 个校验错误，未导出报告。请先运行 workbook-tools validate "
            f"{path} 查看并改正，或加 --force 强制导出（报告标题下会注明）。",
            f"{path}: the workbook has {errors} validation error(s); no report written. "
            f"Run `workbook-tools validate {path}` to see them, or pass --force (the report will carry a note).")


@dataclass(frozen=True)
class ExportResult:
    output: Path
    format: Format
    errors: int  # validation errors of the workbook (> 0 only when forced)


def format_for(output: Path | None, fmt: str | None) -> Format:
    """The format asked for, else the one the output's suffix names, else docx."""
    if fmt:
        f = fmt.lower().lstrip(".")
        f = "md" if f == "markdown" else f
        if f not in FORMATS:
            raise ValueError(f"不支持的格式：{fmt}（可用：{'、'.join(FORMATS)}）/ unknown format {fmt}")
        return f
    if output is not None and output.suffix.lower() in _SUFFIX:
        return _SUFFIX[output.suffix.lower()]
    return "docx"


def count_errors(loaded: Loaded) -> int:
    """Validation errors of the workbook (the same checks as ``workbook-tools validate``)."""
    from ..checks.validate import validate_loaded

    return len(validate_loaded(loaded).errors)


def outline_for(loaded: Loaded, *, wording: Wording | None = None, template: str | Path | None = None,
                errors: int = 0, computed: Mapping[str, Value] | None = None) -> Outline:
    """The report outline of a read workbook, every figure computed from its inputs.

    The wording comes from ``wording``, else from the report template (``template`` or the default one);
    ``computed`` (the derived values of ``loaded.model``) is computed here when not given.
    """
    if wording is None:
        from .docx import prepared_template

        wording = prepared_template(template).wording()
    values = dict(computed) if computed is not None else compute(loaded.model)
    return build_outline(loaded.model, values, wording=wording, errors=errors)


def export_report(source: str | Path | WorkbookSession, output: str | Path | None = None, *, fmt: str | None = None,
                  force: bool = False, template: str | Path | None = None) -> ExportResult:
    """Read, check, and write the report of one workbook (a path, or an open session: then nothing is read,
    computed or validated again).

    Raises :class:`~workbook_tools.xlsx.package.UnreadableWorkbook` (file cannot be read), :class:`ExportRefused`
    (validation errors, not forced), :class:`TemplateError` (bad report template), ValueError (bad format or
    output path) and :class:`~workbook_tools.libreoffice.LibreOfficeError` (PDF conversion).
    """
    from .docx import prepared_template

    session = source if isinstance(source, WorkbookSession) else None
    path = session.path if session is not None else Path(source)  # type: ignore[arg-type]
    f = format_for(Path(output) if output is not None else None, fmt)
    dest = Path(output) if output is not None else path.with_suffix("." + f)
    if dest.exists() and dest.resolve() == path.resolve():
        raise ValueError(f"{dest}：输出文件不能是输入的工作簿 / the output would overwrite the workbook")
    if session is None:
        session = open_workbook(path)
    errors = len(session.report.errors)
    if errors and not force:
        raise ExportRefused(str(path), errors)
    prepared = prepared_template(template)  # raises TemplateError for a bad template before anything is written
    wording = prepared.wording()
    outline = outline_for(session.loaded, wording=wording, errors=errors, computed=session.computed)
    if f == "md":
        from ..core.fsutil import atomic_write_text
        from .markdown import render_markdown

        atomic_write_text(dest, render_markdown(outline))
    elif f == "docx":
        from .docx import write_docx

        write_docx(outline, dest, template)
    else:
        from .pdf import write_pdf

        write_pdf(outline, dest, template)
    return ExportResult(dest, f, errors)
