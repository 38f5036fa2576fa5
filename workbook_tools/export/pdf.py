"""PDF rendering: the .docx through LibreOffice headless, many documents in one process.

:func:`workbook_tools.libreoffice.to_pdf` points fontconfig at the packaged alias file, so 仿宋_GB2312,
方正小标宋简体, 黑体 and 楷体_GB2312 resolve to installed free CJK faces (no sans fallback, no missing
glyphs) while the .docx keeps the official names for Windows/WPS users.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.fsutil import atomic_write_bytes, temp_dir
from ..libreoffice import to_pdf
from .docx import write_docx
from .outline import Outline

__all__ = ["write_pdf", "write_pdfs"]


def write_pdfs(jobs: Sequence[tuple[Outline, Path]], template: str | Path | None = None,
               *, timeout: float = 300) -> list[Path]:
    """Write each outline as a PDF at its path; all conversions share one LibreOffice process."""
    if not jobs:
        return []
    with temp_dir("report") as tmp:
        work = Path(tmp)
        sources = [write_docx(outline, work / f"report{i:05d}.docx", template) for i, (outline, _) in enumerate(jobs)]
        produced = to_pdf(sources, work / "pdf", timeout=timeout)
        return [atomic_write_bytes(dest, pdf.read_bytes()) for pdf, (_, dest) in zip(produced, jobs, strict=True)]


def write_pdf(outline: Outline, dest: str | Path, template: str | Path | None = None) -> Path:
    (path,) = write_pdfs([(outline, Path(dest))], template)
    return path
