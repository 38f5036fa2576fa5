"""Word rendering of the report outline into the report template (styles, page setup, footers kept).

The template is opened by python-docx once per process (per template file) and saved once with its body
cleared; each report is then that package with a new ``word/document.xml`` and ``docProps/core.xml``: the
body is built as WordprocessingML elements directly (python-docx inserting element by element cost about
100 ms a report, most of it searching each parent's children for schema order), and the unchanged parts
are copied as already-compressed zip members instead of being serialised and deflated again.
"""

from __future__ import annotations

import copy
import io
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm
from lxml import etree

from ..core.fsutil import atomic_write_bytes
from .outline import Heading, Notice, Outline, Paragraph, Table, Title
from .styles import MARGINS_MM, STYLE, open_template
from .wording import TemplateError, Wording, default_template_path, wording_from_document

__all__ = ["render_docx", "docx_bytes", "write_docx", "clear_body", "prepared_template"]

_TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm 版心
_ROLE_STYLE = {"h2": STYLE["run_h2"], "h3": STYLE["run_h3"]}
_DOCUMENT = "word/document.xml"
_CORE = "docProps/core.xml"

_P, _PPR, _PSTYLE, _R, _RPR, _RSTYLE, _T, _BR, _TAB = (
    qn(t) for t in ("w:p", "w:pPr", "w:pStyle", "w:r", "w:rPr", "w:rStyle", "w:t", "w:br", "w:tab"))
_TBL, _TBLPR, _TBLSTYLE, _TBLW, _JC, _TBLLAYOUT, _TBLLOOK, _TBLGRID, _GRIDCOL = (
    qn(t) for t in ("w:tbl", "w:tblPr", "w:tblStyle", "w:tblW", "w:jc", "w:tblLayout", "w:tblLook",
                    "w:tblGrid", "w:gridCol"))
_TR, _TRPR, _CANTSPLIT, _TBLHEADER, _TC, _TCPR, _TCW, _KEEPNEXT = (
    qn(t) for t in ("w:tr", "w:trPr", "w:cantSplit", "w:tblHeader", "w:tc", "w:tcPr", "w:tcW", "w:keepNext"))
_VAL, _TYPE, _W, _SPACE = qn("w:val"), qn("w:type"), qn("w:w"), qn("xml:space")
# python-docx's new table: the table look Word gives a new table
_TBLLOOK_ATTRS = {qn("w:firstColumn"): "1", qn("w:firstRow"): "1", qn("w:lastColumn"): "0", qn("w:lastRow"): "0",
                  qn("w:noHBand"): "0", qn("w:noVBand"): "1", _VAL: "04A0"}


class _StyleIds:
    """Style ids resolved once per template: python-docx resolves a style *name* by scanning every style of
    the template on each lookup."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._ids: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str) -> str:
        sid = self._ids.get(name)
        if sid is None:
            with self._lock:
                sid = self._ids[name] = self._document.styles[name].style_id
        return sid


def clear_body(document: Any) -> None:
    """Remove the template's own body (instructions, 措辞表), keeping the final section properties."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


@dataclass(frozen=True)
class _Package:
    prefix: bytes  # every member but document.xml and core.xml, compressed once
    body_root: Any  # word/document.xml with an empty body (only the section properties)
    core_root: Any  # docProps/core.xml of the template, as python-docx's element classes


class PreparedTemplate:
    """A report template read once: its wording (or why it has none), and on the first report its package:
    the unchanged parts as a zip and the two parts every report rewrites (a Markdown export needs only the
    wording, so it does not pay for saving the package)."""

    def __init__(self, document: Any, source: str = "") -> None:
        self.found_wording: Wording | TemplateError
        try:
            self.found_wording = wording_from_document(document, source)
        except TemplateError as exc:
            self.found_wording = exc
        self.document = document
        self.ids = _StyleIds(document)
        self._package: _Package | None = None
        self._lock = threading.Lock()

    def wording(self) -> Wording:
        """The template's 措辞表; :class:`TemplateError` when it has none."""
        if isinstance(self.found_wording, TemplateError):
            raise TemplateError(str(self.found_wording))
        return self.found_wording

    def package(self) -> _Package:
        """The template saved once with its body cleared (its Document is read only from then on)."""
        with self._lock:
            if self._package is None:
                clear_body(self.document)
                saved = io.BytesIO()
                self.document.save(saved)
                prefix = io.BytesIO()
                parts: dict[str, bytes] = {}
                with zipfile.ZipFile(saved) as zin, \
                        zipfile.ZipFile(prefix, "w", compression=zipfile.ZIP_DEFLATED) as zout:
                    for info in zin.infolist():
                        data = zin.read(info)
                        if info.filename in (_DOCUMENT, _CORE):
                            parts[info.filename] = data
                        else:
                            zout.writestr(info, data)
                parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
                self._package = _Package(prefix.getvalue(), etree.fromstring(parts[_DOCUMENT], parser),
                                         parse_xml(parts[_CORE]))
            return self._package

    def report_bytes(self, outline: Outline) -> bytes:
        package = self.package()
        root = copy.deepcopy(package.body_root)
        body = root.find(qn("w:body"))
        sect = body.find(qn("w:sectPr"))
        if sect is not None:
            body.remove(sect)
        _render_body(body, outline, self.ids)
        if sect is not None:
            body.append(sect)
        core_root = copy.deepcopy(package.core_root)
        _set_core(CoreProperties(core_root), outline)
        buf = io.BytesIO(package.prefix)
        buf.seek(0, io.SEEK_END)
        with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(_DOCUMENT, serialize_part_xml(root))
            z.writestr(_CORE, serialize_part_xml(core_root))
        return buf.getvalue()


_prepared: dict[tuple[str, str, int, int], PreparedTemplate] = {}
_prepared_lock = threading.Lock()


def prepared_template(template: str | Path | None = None) -> PreparedTemplate:
    """The template prepared for reports, kept per file (path, modification time, size) for this process;
    ``None`` is the project's template. Raises :class:`~workbook_tools.export.wording.TemplateError`."""
    source = str(template) if template else ""  # what the wording's messages name
    path = Path(template) if template else default_template_path()
    try:
        st = path.stat()
        key = (source, str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = (source, str(path), -1, -1)  # missing: open_template raises (or builds the default in memory)
    with _prepared_lock:
        found = _prepared.get(key)
        if found is None:
            found = PreparedTemplate(open_template(template), source)
            if key[2] >= 0:
                if len(_prepared) >= 8:
                    _prepared.clear()
                _prepared[key] = found
    return found


def _paragraph(parent: Any, style: str) -> Any:
    p = etree.SubElement(parent, _P)
    etree.SubElement(etree.SubElement(p, _PPR), _PSTYLE).set(_VAL, style)
    return p


def _run(p: Any, text: str, style: str | None = None) -> Any:
    """A run as python-docx's ``add_run(text)`` writes it: tabs and line breaks as elements, spaces kept."""
    r = etree.SubElement(p, _R)
    if style is not None:
        etree.SubElement(etree.SubElement(r, _RPR), _RSTYLE).set(_VAL, style)
    start = 0
    for i, ch in enumerate(text):
        if ch in "\t\r\n":
            _t(r, text[start:i])
            etree.SubElement(r, _TAB if ch == "\t" else _BR)
            start = i + 1
    _t(r, text[start:])
    return r


def _t(r: Any, text: str) -> None:
    if text:
        t = etree.SubElement(r, _T)
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_SPACE, "preserve")


def _text_paragraph(parent: Any, style: str, text: str) -> Any:
    p = _paragraph(parent, style)
    if text:
        _run(p, text)
    return p


def _table(body: Any, t: Table, ids: Callable[[str], str]) -> None:
    _text_paragraph(body, ids(STYLE["table_title"]), t.title)
    if t.unit:
        _text_paragraph(body, ids(STYLE["table_unit"]), t.unit)
    ncols = len(t.header)
    first = _TEXT_WIDTH_MM - 26 * (ncols - 1) if ncols > 4 else _TEXT_WIDTH_MM - 32 * (ncols - 1)
    widths = [str(Mm(first).twips)] + [str(Mm((_TEXT_WIDTH_MM - first) / (ncols - 1)).twips)] * (ncols - 1)
    tbl = etree.SubElement(body, _TBL)
    pr = etree.SubElement(tbl, _TBLPR)
    etree.SubElement(pr, _TBLSTYLE).set(_VAL, ids(STYLE["grid"]))
    etree.SubElement(pr, _TBLW, {_TYPE: "auto", _W: "0"})
    etree.SubElement(pr, _JC).set(_VAL, "center")
    etree.SubElement(pr, _TBLLAYOUT).set(_TYPE, "fixed")
    etree.SubElement(pr, _TBLLOOK, _TBLLOOK_ATTRS)
    grid = etree.SubElement(tbl, _TBLGRID)
    for w in widths:
        etree.SubElement(grid, _GRIDCOL).set(_W, w)  # which LibreOffice follows
    header, text = ids(STYLE["table_header"]), ids(STYLE["table_text"])
    last = len(t.rows)
    for r, values in enumerate((t.header, *t.rows)):
        if len(values) != ncols:
            raise ValueError(f"table {t.title!r}: row {r} has {len(values)} cells, the header {ncols}")
        tr = etree.SubElement(tbl, _TR)
        trpr = etree.SubElement(tr, _TRPR)
        etree.SubElement(trpr, _CANTSPLIT)
        if r == 0:
            etree.SubElement(trpr, _TBLHEADER)  # repeated on every page the table spans
        for c, value in enumerate(values):
            tc = etree.SubElement(tr, _TC)
            etree.SubElement(etree.SubElement(tc, _TCPR), _TCW, {_TYPE: "dxa", _W: widths[c]})
            p = etree.SubElement(tc, _P)
            ppr = etree.SubElement(p, _PPR)
            etree.SubElement(ppr, _PSTYLE).set(_VAL, header if r == 0 else text)
            if r < last:
                etree.SubElement(ppr, _KEEPNEXT)  # a short table stays on one page
            if r > 0 and c == 0:
                etree.SubElement(ppr, _JC).set(_VAL, "left")
            if value:
                _run(p, value)
    _paragraph(body, text)  # a short gap before the text that follows


def _render_body(body: Any, outline: Outline, ids: Callable[[str], str]) -> None:
    for block in outline.blocks:
        if isinstance(block, Title):
            if block.attachment:
                _text_paragraph(body, ids(STYLE["attachment"]), block.attachment)
            p = _paragraph(body, ids(STYLE["title"]))
            for i, line in enumerate(block.lines):
                r = _run(p, line)
                if i < len(block.lines) - 1:
                    etree.SubElement(r, _BR)
        elif isinstance(block, Notice):
            _text_paragraph(body, ids(STYLE["notice"]), block.text)
        elif isinstance(block, Heading):
            _text_paragraph(body, ids(STYLE[f"h{block.level}"]), block.text)
        elif isinstance(block, Paragraph):
            p = _paragraph(body, ids(STYLE["body"]))
            for run in block.runs:
                _run(p, run.text, ids(_ROLE_STYLE[run.role]) if run.role in _ROLE_STYLE else None)
        elif isinstance(block, Table):
            _table(body, block, ids)


def _set_core(core: CoreProperties, outline: Outline) -> None:
    core.title = outline.title
    core.subject = "部门整体支出绩效报告"
    core.author = outline.unit
    core.last_modified_by = ""
    core.comments = "由 workbook-tools 从工作簿导出" + (f"（存在 {outline.errors} 个校验错误，强制导出）" if outline.errors else "")


def docx_bytes(outline: Outline, template: str | Path | None = None, document: Any = None) -> bytes:
    """The report as .docx bytes: on ``document`` (an opened template, which this clears) if given, else on
    the template file (``None``: the project's), prepared once per process."""
    prepared = PreparedTemplate(document) if document is not None else prepared_template(template)
    return prepared.report_bytes(outline)


def render_docx(outline: Outline, template: str | Path | None = None, document: Any = None) -> Any:
    """The report as a python-docx Document (the bytes :func:`docx_bytes` writes, opened)."""
    return Document(io.BytesIO(docx_bytes(outline, template, document)))


def write_docx(outline: Outline, dest: str | Path, template: str | Path | None = None, document: Any = None) -> Path:
    """Write the .docx atomically (a reader never sees half a file)."""
    return atomic_write_bytes(dest, docx_bytes(outline, template, document))
