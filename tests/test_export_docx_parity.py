"""The .docx writer against python-docx building the same report element by element (the writer before it
wrote the body XML itself): every part of the package, byte for byte, on both examples and on text that
needs escaping, tabs, line breaks and kept spaces."""

from __future__ import annotations

import dataclasses
import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm

from workbook_tools.export import docx as docx_export
from workbook_tools.export import outline_for
from workbook_tools.export.docx import clear_body, docx_bytes, prepared_template
from workbook_tools.export.outline import Heading, Notice, Outline, Paragraph, Run, Table, Title
from workbook_tools.export.styles import MARGINS_MM, STYLE, build_template, open_template
from workbook_tools.xlsx.reader import load

from .conftest import ROOT

_WIDTH = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]


def _reference(outline: Outline) -> bytes:
    """The report as python-docx's API builds it (the exporter's code before the direct writer)."""
    doc = open_template(None)
    ids: dict[str, str] = {}

    def sid(name: str) -> str:
        return ids.setdefault(name, doc.styles[name].style_id)

    def para(container: Any, name: str, text: str = "") -> Any:
        p = container.add_paragraph(text)
        p._p.style = sid(name)
        return p

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
                para(doc, STYLE["attachment"], block.attachment)
            p = para(doc, STYLE["title"])
            for i, line in enumerate(block.lines):
                run = p.add_run(line)
                if i < len(block.lines) - 1:
                    run.add_break()
        elif isinstance(block, Paragraph):
            p = para(doc, STYLE["body"])
            for r in block.runs:
                run = p.add_run(r.text)
                if r.role in ("h2", "h3"):
                    run._r.style = sid(STYLE[f"run_{r.role}"])
        elif isinstance(block, Table):
            para(doc, STYLE["table_title"], block.title)
            if block.unit:
                para(doc, STYLE["table_unit"], block.unit)
            n = len(block.header)
            table = doc.add_table(rows=1 + len(block.rows), cols=n)
            table._tbl.tblStyle_val = sid(STYLE["grid"])
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            table.autofit = False
            first = _WIDTH - 26 * (n - 1) if n > 4 else _WIDTH - 32 * (n - 1)
            widths = [Mm(first)] + [Mm((_WIDTH - first) / (n - 1))] * (n - 1)
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width
            for r, values in enumerate((block.header, *block.rows)):
                row = table.rows[r]
                for tag in ("w:cantSplit", "w:tblHeader") if r == 0 else ("w:cantSplit",):
                    row._tr.get_or_add_trPr().append(OxmlElement(tag))
                for c, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                    cell.width = widths[c]
                    p = cell.paragraphs[0]
                    p._p.style = sid(STYLE["table_header"] if r == 0 else STYLE["table_text"])
                    if r > 0 and c == 0:
                        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                    if r < len(block.rows):
                        p.paragraph_format.keep_with_next = True
                    if text:
                        p.add_run(text)
            para(doc, STYLE["table_text"])
        else:  # Notice, Heading
            para(doc, STYLE["notice"] if not isinstance(block, Heading) else STYLE[f"h{block.level}"], block.text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _outlines() -> list[Outline]:
    outlines = [outline_for(load(p), errors=i) for i, p in enumerate(sorted((ROOT / "examples").glob("*.xlsx")))]
    odd = Outline(title="单位<&>\"'", unit=" 前后空格 ", year=2023, errors=0, blocks=[
        Title(lines=("一行\t制表", " 两端空格 "), attachment="附件&1"),
        Heading(level=1, text="a < b & c > d"),
        Notice(text="注意 "),
        Paragraph(runs=(Run("（一）", "h2"), Run("第一行\n第二行\r第三行\t末尾 "), Run(""), Run("小", "h3"))),
        Table(title="表 <1>", unit="单位：万元", header=("项目", "甲", "乙", "丙", "丁", "戊"),
              rows=(("合计&", "1", "", " 2", "3\t", "4"),)),
    ])
    return [*outlines, odd]


@pytest.mark.parametrize("index", range(3))
def test_every_part_is_the_bytes_python_docx_writes(index: int) -> None:
    outline = _outlines()[index]
    ours, theirs = _parts(docx_bytes(outline)), _parts(_reference(outline))
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name
    assert zipfile.ZipFile(io.BytesIO(docx_bytes(outline))).testzip() is None


def test_a_report_written_twice_is_the_same_and_leaves_the_template_alone() -> None:
    outline = _outlines()[0]
    before = _parts(docx_bytes(outline))
    docx_bytes(_outlines()[2])
    assert _parts(docx_bytes(outline)) == before


def test_an_edited_template_file_is_prepared_again(tmp_path: Path) -> None:
    path = tmp_path / "t.docx"
    build_template().save(str(path))
    first = prepared_template(path)
    assert prepared_template(path) is first
    doc = open_template(path)
    doc.core_properties.category = "改过"
    doc.save(str(path))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    again = prepared_template(path)
    assert again is not first
    assert b"\xe6\x94\xb9\xe8\xbf\x87" in _parts(docx_bytes(_outlines()[0], path))["docProps/core.xml"]


def test_a_row_that_does_not_match_its_header_is_refused() -> None:
    table = Table(title="t", unit="", header=("a", "b"), rows=(("1",),))
    with pytest.raises(ValueError):
        docx_bytes(dataclasses.replace(_outlines()[0], blocks=[table]))


def test_an_opened_document_can_still_be_given() -> None:
    outline = _outlines()[1]
    assert _parts(docx_bytes(outline, document=open_template(None)))["word/document.xml"] == \
        _parts(docx_export.docx_bytes(outline))["word/document.xml"]
