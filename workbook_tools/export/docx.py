"""Word rendering of the report outline into the report template (styles, page setup, footers kept)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from ..core.fsutil import atomic_write_bytes
from .outline import Heading, Notice, Outline, Paragraph, Table, Title
from .styles import MARGINS_MM, STYLE, open_template

__all__ = ["render_docx", "docx_bytes", "write_docx", "clear_body"]

_TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm 版心
_ROLE_STYLE = {"h2": STYLE["run_h2"], "h3": STYLE["run_h3"]}


class _StyleIds:
    """Style ids resolved once per document: python-docx resolves a style *name* by scanning every style of
    the template on each paragraph, which was two thirds of the export time."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._ids: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        sid = self._ids.get(name)
        if sid is None:
            sid = self._ids[name] = self._document.styles[name].style_id
        return sid

    def paragraph(self, container: Any, name: str, text: str = "") -> Any:
        p = container.add_paragraph(text)
        p._p.style = self(name)
        return p


def clear_body(document: Any) -> None:
    """Remove the template's own body (instructions, 措辞表), keeping the final section properties."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _on_every_row(row: Any, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    trpr.append(el)


def _table(document: Any, t: Table, ids: _StyleIds) -> None:
    ids.paragraph(document, STYLE["table_title"], t.title)
    if t.unit:
        ids.paragraph(document, STYLE["table_unit"], t.unit)
    ncols = len(t.header)
    table = document.add_table(rows=1 + len(t.rows), cols=ncols)
    table._tbl.tblStyle_val = ids(STYLE["grid"])
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    first = _TEXT_WIDTH_MM - 26 * (ncols - 1) if ncols > 4 else _TEXT_WIDTH_MM - 32 * (ncols - 1)
    widths = [Mm(first)] + [Mm((_TEXT_WIDTH_MM - first) / (ncols - 1))] * (ncols - 1)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice follows
    last = len(t.rows)
    for r, values in enumerate((t.header, *t.rows)):
        row = table.rows[r]
        _on_every_row(row, "w:cantSplit")
        if r == 0:
            _on_every_row(row, "w:tblHeader")  # repeated on every page the table spans
        for c, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[c]
            p = cell.paragraphs[0]
            p._p.style = ids(STYLE["table_header"] if r == 0 else STYLE["table_text"])
            if r > 0 and c == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            if r < last:
                p.paragraph_format.keep_with_next = True  # a short table stays on one page
            if text:
                p.add_run(text)
    ids.paragraph(document, STYLE["table_text"])  # a short gap before the text that follows


def render_docx(outline: Outline, template: str | Path | None = None, document: Any = None) -> Any:
    """The report as a python-docx Document built on the template (``document`` if already opened)."""
    doc = document if document is not None else open_template(template)
    ids = _StyleIds(doc)
    clear_body(doc)
    core = doc.core_properties
    core.title = outline.title
    core.subject = "部门整体支出绩效报告"
    core.author = outline.unit
    core.last_modified_by = ""
    core.comments = "由 workbook-tools 从工作簿导出" + (f"（存在 {outline.errors} 个校验错误，强制导出）" if outline.errors else "")
    for block in outline.blocks:
        if isinstance(block, Title):
            if block.attachment:
                ids.paragraph(doc, STYLE["attachment"], block.attachment)
            p = ids.paragraph(doc, STYLE["title"])
            for i, line in enumerate(block.lines):
                run = p.add_run(line)
                if i < len(block.lines) - 1:
                    run.add_break()
        elif isinstance(block, Notice):
            ids.paragraph(doc, STYLE["notice"], block.text)
        elif isinstance(block, Heading):
            ids.paragraph(doc, STYLE[f"h{block.level}"], block.text)
        elif isinstance(block, Paragraph):
            p = ids.paragraph(doc, STYLE["body"])
            for r in block.runs:
                run = p.add_run(r.text)
                if r.role in _ROLE_STYLE:
                    run._r.style = ids(_ROLE_STYLE[r.role])
        elif isinstance(block, Table):
            _table(doc, block, ids)
    return doc


def docx_bytes(outline: Outline, template: str | Path | None = None, document: Any = None) -> bytes:
    buf = io.BytesIO()
    render_docx(outline, template, document).save(buf)
    return buf.getvalue()


def write_docx(outline: Outline, dest: str | Path, template: str | Path | None = None, document: Any = None) -> Path:
    """Write the .docx atomically (a reader never sees half a file)."""
    return atomic_write_bytes(dest, docx_bytes(outline, template, document))
