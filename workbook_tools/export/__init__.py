"""export: the narrative report (.docx, PDF, Markdown) of a completed workbook.

One :class:`~workbook_tools.export.outline.Outline` is built from the model and the computed values, with
the fixed wording of the Word template, and every format renders that same outline. A workbook with
validation errors is refused unless forced; a forced report says so under its title.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..core.compute import compute
from ..xlsx.reader import Loaded, load
from .outline import Outline, build_outline
from .wording import TemplateError, Wording, wording_from_document

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


class ExportRefused(Exception):
    """The workbook has validation errors and export was not forced."""

    def __init__(self, path: str, errors: int) -> None:
        self.path = path
        self.errors = errors
        super().__init__(self.message())

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return (f"{self.path}: the workbook has {self.errors} validation error(s); no report written. "
                    f"Run `workbook-tools validate {self.path}` to see them, or pass --force "
                    "(the report will carry a note).")
        return (f"{self.path}：工作簿有 {self.errors} 个校验错误，未导出报告。请先运行 workbook-tools validate "
                f"{self.path} 查看并改正，或加 --force 强制导出（报告标题下会注明）。")


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
        return f  # type: ignore[return-value]
    if output is not None and output.suffix.lower() in _SUFFIX:
        return _SUFFIX[output.suffix.lower()]
    return "docx"


def count_errors(loaded: Loaded) -> int:
    """Validation errors of the workbook (the same checks as ``workbook-tools validate``)."""
    from ..checks.validate import validate_loaded

    return len(validate_loaded(loaded).errors)


def outline_for(loaded: Loaded, *, wording: Wording | None = None, template: str | Path | None = None,
                errors: int = 0) -> Outline:
    """The report outline of a read workbook, every figure computed from its inputs.

    The wording comes from ``wording``, else from the report template (``template`` or the default one).
    """
    if wording is None:
        from .styles import open_template

        wording = wording_from_document(open_template(template), str(template) if template else "")
    return build_outline(loaded.model, compute(loaded.model), wording=wording, errors=errors)


def export_report(source: str | Path, output: str | Path | None = None, *, fmt: str | None = None,
                  force: bool = False, template: str | Path | None = None) -> ExportResult:
    """Read, check, and write the report of one workbook.

    Raises :class:`~workbook_tools.xlsx.package.UnreadableWorkbook` (file cannot be read), :class:`ExportRefused`
    (validation errors, not forced), :class:`TemplateError` (bad report template), ValueError (bad format or
    output path) and :class:`~workbook_tools.libreoffice.LibreOfficeError` (PDF conversion).
    """
    from .styles import open_template

    source = Path(source)
    f = format_for(Path(output) if output is not None else None, fmt)
    dest = Path(output) if output is not None else source.with_suffix("." + f)
    if dest.exists() and dest.resolve() == source.resolve():
        raise ValueError(f"{dest}：输出文件不能是输入的工作簿 / the output would overwrite the workbook")
    loaded = load(source)
    errors = count_errors(loaded)
    if errors and not force:
        raise ExportRefused(str(source), errors)
    document: Any = open_template(template)
    wording = wording_from_document(document, str(template) if template else "")
    outline = outline_for(loaded, wording=wording, errors=errors)
    if f == "md":
        from ..core.fsutil import atomic_write_text
        from .markdown import render_markdown

        atomic_write_text(dest, render_markdown(outline))
    elif f == "docx":
        from .docx import write_docx

        write_docx(outline, dest, document=document)
    else:
        from .pdf import write_pdf

        write_pdf(outline, dest, template)
    return ExportResult(dest, f, errors)
