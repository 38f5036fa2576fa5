"""Part-level writing: change a few cells of a saved .xlsx and copy everything else byte for byte.

Loading and saving a whole workbook with openpyxl costs tens of times a read and rewrites (or drops) parts
nobody asked to change. :func:`prepare` edits only the worksheet parts whose cells change, ``workbook.xml``
(``fullCalcOnLoad``) and the package lists that name ``calcChain.xml`` (dropped: its formulas changed);
every other member's compressed bytes are copied unchanged. What it must understand it reads with expat
(element byte offsets), and it refuses (:class:`NotPatchable`) whatever it does not handle, so the caller
can fall back to openpyxl: Strict namespaces, prefixed markup, UTF-16 parts, shared/array formulas on a
changed cell, merged ranges over one, cells outside the sheet's dimension, parts it does not know (an
empty drawing, which LibreOffice writes for every sheet it saved, is carried over like the known parts).
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from defusedxml.ElementTree import fromstring

from ..core.cells import rc
from ..core.model import canonical
from .package import NS_PKG_REL, NS_REL
from .xmlparse import NS_MAIN, defused_parser, is_utf16

NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CALC_CHAIN_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"

#: Members the writer knows it may carry over untouched; any other part (drawings, comments, VBA, pivot
#: tables, external links, …) sends the caller to openpyxl, so its findings about lost parts stay true.
_KNOWN = re.compile(r"\[Content_Types\]\.xml|_rels/\.rels|docProps/[^/]+\.xml|xl/workbook\.xml|"
                    r"xl/_rels/workbook\.xml\.rels|xl/worksheets/sheet\d+\.xml|xl/styles\.xml|"
                    r"xl/sharedStrings\.xml|xl/theme/theme\d+\.xml|xl/calcChain\.xml|"
                    r"xl/printerSettings/printerSettings\d+\.bin|xl/worksheets/_rels/sheet\d+\.xml\.rels")
#: Worksheet children that come after ``sheetProtection`` (ECMA-376 CT_Worksheet order).
#: An anchorless drawing part: LibreOffice writes one (with its relationship) for a sheet that has none.
_DRAWING = re.compile(r"xl/drawings/drawing\d+\.xml")
NS_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_AFTER_PROTECTION = ("protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                     "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                     "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks",
                     "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
                     "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                     "webPublishItems", "tableParts", "extLst")
_AFTER_CALCPR = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                 "fileRecoveryPr", "webPublishObjects", "extLst")
#: What openpyxl writes for a protected sheet with default options (the reference fill path).
_PROTECTION_DEFAULTS = (("sheet", "1"), ("objects", "0"), ("scenarios", "0"), ("formatCells", "1"),
                        ("formatColumns", "1"), ("formatRows", "1"), ("insertColumns", "1"), ("insertRows", "1"),
                        ("insertHyperlinks", "1"), ("deleteColumns", "1"), ("deleteRows", "1"),
                        ("selectLockedCells", "0"), ("selectUnlockedCells", "0"), ("sort", "1"),
                        ("autoFilter", "1"), ("pivotTables", "1"))
_NO_VALUE = object()


class NotPatchable(Exception):
    """The file has something the part writer does not handle; the caller uses the openpyxl path."""


@dataclass
class SheetEdits:
    """Cells to change on one sheet. ``constants``: plain values (any formula goes); ``formulas``: formula
    text with '='; ``caches``: cached values of formula cells (a cell without a formula is left alone);
    ``protect``: the sheet protection password hash to set; ``no_text_format``: cells whose style must not
    be quote-prefixed or text-formatted (openpyxl's path changes their style, this writer does not);
    ``heights``: row number → custom height in points (a list row grown to its wrapped text)."""

    constants: dict[str, Any] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=dict)
    caches: dict[str, Any] = field(default_factory=dict)
    protect: str | None = None
    no_text_format: set[str] = field(default_factory=set)
    heights: dict[int, float] = field(default_factory=dict)


@dataclass
class _El:
    name: str
    attrs: dict[str, str]
    start: int
    tag_end: int = -1  # just after the start tag ('>' or '/>')
    end: int = -1  # just after the element
    close: int = -1  # where '</name>' starts (== tag_end for an empty element)
    children: list[_El] = field(default_factory=list)


def _tag_end(data: bytes, i: int) -> int:
    """Just after the start tag beginning at ``i``; quote-aware ('>' is legal inside attribute values)."""
    quote = 0
    n = len(data)
    while i < n:
        ch = data[i]
        if quote:
            if ch == quote:
                quote = 0
        elif ch in (0x22, 0x27):
            quote = ch
        elif ch == 0x3E:
            return i + 1
        i += 1
    raise NotPatchable("unterminated tag")


def _scan(data: bytes, keep: Mapping[str, Iterable[str]]) -> _El:
    """Parse a part; return its root with the elements named in ``keep`` (parent local → child locals) as a
    tree with byte offsets. Every element must be in the main namespace, unprefixed (else NotPatchable)."""
    if is_utf16(data[:4]):
        raise NotPatchable("UTF-16 part")
    head = data[:100]
    if head.startswith(b"<?xml") and not re.match(rb"<\?xml[^>]*encoding=[\"'](?i:utf-8)[\"']", head) and \
            b"encoding" in head[:head.find(b"?>")]:
        raise NotPatchable("encoding")
    p = defused_parser()
    p.namespace_prefixes = True
    keep_sets = {k: frozenset(v) for k, v in keep.items()}
    stack: list[_El | None] = []
    root: list[_El] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        parts = name.split("}")
        local = parts[-1] if len(parts) == 2 else ""
        parent = stack[-1] if stack else None
        if not stack:
            if len(parts) != 2 or parts[0] != NS_MAIN:
                raise NotPatchable("prefixed, Strict or foreign root")
            el = _El(local, attrs, p.CurrentByteIndex)
            root.append(el)
            stack.append(el)
            return
        if parent is not None and len(parts) == 3 and parts[0] == NS_MAIN:
            raise NotPatchable("prefixed SpreadsheetML")
        if parent is not None and parts[0] == NS_MAIN and local in keep_sets.get(parent.name, ()):
            el = _El(local, attrs, p.CurrentByteIndex)
            parent.children.append(el)
            stack.append(el)
        else:
            stack.append(None)

    def end(name: str) -> None:
        el = stack.pop()
        if el is None:
            return
        el.tag_end = _tag_end(data, el.start)
        if data[el.tag_end - 2:el.tag_end] == b"/>":  # an empty element
            el.close = el.end = el.tag_end
        else:
            el.close = p.CurrentByteIndex
            el.end = data.index(b">", el.close) + 1

    p.StartElementHandler = start
    p.EndElementHandler = end
    _parse(p, data)
    if not root:
        raise NotPatchable("no root")
    return root[0]


def _parse(p: Any, data: bytes) -> None:
    """Run expat over a part; anything it cannot read sends the file to openpyxl instead."""
    try:
        p.Parse(data, True)
    except NotPatchable:
        raise
    except Exception as exc:
        raise NotPatchable(f"unparsable part: {exc}") from exc


def _empty_drawing(data: bytes) -> bool:
    """A drawing part with no shapes: nothing in it can anchor to a cell or refer to another part."""
    p = defused_parser()
    elements: list[str] = []
    p.StartElementHandler = lambda name, attrs: elements.append(name)
    try:
        _parse(p, data)
    except NotPatchable:
        return False
    return elements == [f"{NS_DRAWING}}}wsDr"]


def _attr_text(attrs: Mapping[str, str]) -> str:
    out = []
    for name, value in attrs.items():
        parts = name.split("}")
        if len(parts) == 1:
            out.append(f" {name}={quoteattr(value)}")
        elif len(parts) == 3:
            out.append(f" {parts[2]}:{parts[1]}={quoteattr(value)}")
        else:
            raise NotPatchable("attribute in a default namespace")
    return "".join(out)


def _number(v: Decimal | int) -> str:
    return canonical(Decimal(v))


def _height_attrs(points: float) -> dict[str, str]:
    return {"ht": _number(Decimal(str(points))), "customHeight": "1"}


def cached_cell_xml(attrs: str, f: str, value: Any) -> str:
    """A formula cell with its cached value: the one form both of fill's writers give a derived cell."""
    if value is _NO_VALUE:
        return f"<c{attrs}>{f}<v></v></c>"
    if value is None or value == "":
        return f'<c{attrs} t="str">{f}<v></v></c>'
    if isinstance(value, bool):
        return f'<c{attrs} t="b">{f}<v>{int(value)}</v></c>'
    if isinstance(value, Decimal | int):
        return f"<c{attrs}>{f}<v>{_number(value)}</v></c>"
    return f'<c{attrs} t="str">{f}<v>{escape(str(value))}</v></c>'


def _constant_xml(attrs: str, value: Any) -> str:
    """A plain value: numbers as ``<v>``, text as an inline string (what openpyxl writes)."""
    if value is None or value == "":
        return f"<c{attrs}/>"
    if isinstance(value, bool):
        return f'<c{attrs} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal | int):
        return f"<c{attrs}><v>{_number(value)}</v></c>"
    text = str(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c{attrs} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _text_styles(styles: bytes | None) -> list[bool]:
    """Per cellXfs entry: quote-prefixed or a text ('@') number format."""
    if styles is None:
        return []
    root = _scan(styles, {"styleSheet": ("numFmts", "cellXfs"), "numFmts": ("numFmt",), "cellXfs": ("xf",)})
    text_fmts = {49}
    out: list[bool] = []
    for child in root.children:
        for el in child.children:
            if el.name == "numFmt" and el.attrs.get("formatCode", "").strip() == "@":
                text_fmts.add(int(el.attrs.get("numFmtId", "-1")))
            elif el.name == "xf":
                out.append(el.attrs.get("quotePrefix") in ("1", "true")
                           or int(el.attrs.get("numFmtId", "0")) in text_fmts)
    return out


def _in_range(ref: str, rng: str) -> bool:
    a, _, b = rng.partition(":")
    if not b:
        return False
    (r1, c1), (r2, c2), (r, c) = rc(a.replace("$", "")), rc(b.replace("$", "")), rc(ref)
    return min(r1, r2) <= r <= max(r1, r2) and min(c1, c2) <= c <= max(c1, c2) and (r, c) != (r1, c1)


def _patch_sheet(data: bytes, edits: SheetEdits, text_styles: list[bool]) -> bytes:
    root = _scan(data, {"worksheet": ("dimension", "sheetData", "sheetCalcPr", "sheetProtection", "mergeCells",
                                      *_AFTER_PROTECTION),
                        "sheetData": ("row",), "row": ("c",), "c": ("f",), "mergeCells": ("mergeCell",)})
    if root.name != "worksheet":
        raise NotPatchable("not a worksheet")
    by_name: dict[str, _El] = {}
    for el in root.children:
        by_name.setdefault(el.name, el)
    sheet_data = by_name.get("sheetData")
    if sheet_data is None:
        raise NotPatchable("no sheetData")
    targets = set(edits.constants) | set(edits.formulas) | set(edits.caches)
    merges = [m.attrs.get("ref", "") for mc in root.children if mc.name == "mergeCells" for m in mc.children]
    for ref in targets:
        if any(_in_range(ref, m) for m in merges):
            raise NotPatchable(f"{ref} under a merged range")
    dim = by_name.get("dimension")
    replacements: list[tuple[int, int, bytes]] = []
    rows: dict[int, _El] = {}
    cells: dict[str, _El] = {}
    row_cells: dict[int, list[tuple[int, _El]]] = {}
    for row in sheet_data.children:
        if "r" not in row.attrs:
            raise NotPatchable("row without r")
        r = int(row.attrs["r"])
        rows[r] = row
        for cell_el in row.children:
            at = cell_el.attrs.get("r")
            if at is None:
                raise NotPatchable("cell without r")
            cells[at] = cell_el
            row_cells.setdefault(r, []).append((rc(at)[1], cell_el))
    new_cells: dict[int, list[tuple[int, str]]] = {}
    for ref in sorted(targets, key=rc):
        c = cells.get(ref)
        formula_el = c.children[0] if c is not None and c.children else None
        if formula_el is not None and formula_el.attrs.get("t", "normal") != "normal":
            raise NotPatchable(f"{ref}: shared or array formula")
        attrs_d = dict(c.attrs) if c is not None else {"r": ref}
        if any(k in attrs_d for k in ("cm", "vm")) or any("}" in k for k in attrs_d):
            raise NotPatchable(f"{ref}: cell metadata")
        attrs_d.pop("t", None)
        if ref in edits.no_text_format:
            s = int(attrs_d.get("s", "0"))
            if s < len(text_styles) and text_styles[s]:
                raise NotPatchable(f"{ref}: text-formatted input")
        attrs = _attr_text(attrs_d)
        if ref in edits.constants:
            xml = _constant_xml(attrs, edits.constants[ref])
        elif ref in edits.formulas:
            f = f"<f>{escape(edits.formulas[ref].removeprefix('='))}</f>"
            xml = cached_cell_xml(attrs, f, edits.caches.get(ref, _NO_VALUE))
        elif formula_el is not None and c is not None:
            xml = cached_cell_xml(attrs, data[formula_el.start:formula_el.end].decode("utf-8"), edits.caches[ref])
        else:
            continue  # a cached value for a cell that has no formula: nothing to patch
        if c is not None:
            replacements.append((c.start, c.end, xml.encode("utf-8")))
            continue
        if dim is not None:
            a, _, b = dim.attrs.get("ref", "A1").replace("$", "").partition(":")
            (r1, c1), (r2, c2), (r, col) = rc(a), rc(b or a), rc(ref)
            if not (r1 <= r <= r2 and c1 <= col <= c2):
                raise NotPatchable(f"{ref}: outside the sheet's dimension")
        r, col = rc(ref)
        new_cells.setdefault(r, []).append((col, xml))
    for r in edits.heights:
        new_cells.setdefault(r, [])
    for r, added in sorted(new_cells.items()):
        row_el = rows.get(r)
        height = _height_attrs(edits.heights[r]) if r in edits.heights else {}
        if row_el is None:
            following = [x for x in sheet_data.children if int(x.attrs["r"]) > r]
            xml = f"<row{_attr_text({'r': str(r), **height})}>" + "".join(x for _, x in sorted(added)) + "</row>"
            if following:
                replacements.append((following[0].start, following[0].start, xml.encode("utf-8")))
            elif data[sheet_data.tag_end - 2:sheet_data.tag_end] == b"/>":
                replacements.append((sheet_data.start, sheet_data.end, f"<sheetData>{xml}</sheetData>".encode()))
            else:
                replacements.append((sheet_data.close, sheet_data.close, xml.encode("utf-8")))
            continue
        existing = sorted(row_cells.get(r, []), key=lambda t: t[0])
        row_attrs = {k: v for k, v in row_el.attrs.items() if k != "spans" or not added} | height
        row_tag = f"<row{_attr_text(row_attrs)}>".encode()
        self_closing = data[row_el.tag_end - 2:row_el.tag_end] == b"/>"
        if self_closing and not added:
            replacements.append((row_el.start, row_el.end, f"<row{_attr_text(row_attrs)}/>".encode()))
            continue
        if self_closing:
            replacements.append((row_el.start, row_el.end, row_tag + "".join(
                x for _, x in sorted(added)).encode("utf-8") + b"</row>"))
            continue
        replacements.append((row_el.start, row_el.tag_end, row_tag))  # spans may no longer cover the row
        for col, xml in sorted(added):
            after = [c for cc, c in existing if cc > col]
            pos = after[0].start if after else row_el.close
            replacements.append((pos, pos, xml.encode("utf-8")))
    if edits.protect is not None:
        prot = by_name.get("sheetProtection")
        if prot is not None:
            attrs_d = dict(prot.attrs)
            attrs_d["sheet"] = "1"
            attrs_d["password"] = edits.protect
            replacements.append((prot.start, prot.end, f"<sheetProtection{_attr_text(attrs_d)}/>".encode()))
        else:
            xml = "<sheetProtection" + "".join(f' {k}="{v}"' for k, v in _PROTECTION_DEFAULTS) + \
                  f" password={quoteattr(edits.protect)}/>"
            calc = by_name.get("sheetCalcPr")
            pos = (calc or sheet_data).end
            replacements.append((pos, pos, xml.encode("utf-8")))
    return _apply(data, replacements)


def _apply(data: bytes, replacements: list[tuple[int, int, bytes]]) -> bytes:
    out: list[bytes] = []
    pos = 0
    for start, end, new in sorted(replacements, key=lambda t: (t[0], t[1])):
        if start < pos:
            raise NotPatchable("overlapping edits")
        out.append(data[pos:start])
        out.append(new)
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def _full_calc(data: bytes) -> bytes:
    root = _scan(data, {"workbook": ("calcPr", *_AFTER_CALCPR)})
    if root.name != "workbook":
        raise NotPatchable("not a workbook part")
    calc = next((el for el in root.children if el.name == "calcPr"), None)
    if calc is not None:
        attrs = dict(calc.attrs)
        attrs["fullCalcOnLoad"] = "1"
        if data[calc.tag_end - 2:calc.tag_end] != b"/>":
            raise NotPatchable("calcPr with content")
        return _apply(data, [(calc.start, calc.end, f"<calcPr{_attr_text(attrs)}/>".encode())])
    after = next((el for el in root.children if el.name in _AFTER_CALCPR), None)
    at = after.start if after is not None else root.close
    return _apply(data, [(at, at, b'<calcPr fullCalcOnLoad="1"/>')])


def _drop_elements(data: bytes, root_name: str, child: str, ns: str, match: Any) -> bytes:
    """Remove the children of the root that ``match`` (their attributes), for the package lists."""
    p = defused_parser()
    found: list[tuple[int, int]] = []
    depth = [0]
    starts: list[tuple[int, bool]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] == 1 and name != f"{ns}}}{root_name}":
            raise NotPatchable(f"unexpected root {name}")
        starts.append((p.CurrentByteIndex, depth[0] == 2 and name == f"{ns}}}{child}" and match(attrs)))

    def end(name: str) -> None:
        depth[0] -= 1
        begin, wanted = starts.pop()
        if wanted:
            stop = _tag_end(data, begin)
            if data[stop - 2:stop] != b"/>":
                stop = data.index(b">", p.CurrentByteIndex) + 1
            found.append((begin, stop))

    p.StartElementHandler = start
    p.EndElementHandler = end
    if is_utf16(data[:4]):
        raise NotPatchable("UTF-16 part")
    _parse(p, data)
    return _apply(data, [(a, b, b"") for a, b in found])


# -- the zip ----------------------------------------------------------------------------------------------


def _dos(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


@dataclass
class Patched:
    """The planned package: members to replace (name → new bytes) and members to drop."""

    source: Path
    replaced: dict[str, bytes]
    dropped: set[str]

    def write(self, dest: Path) -> None:
        """Write the package: replaced members deflated, the others' compressed bytes copied as they are."""
        central: list[bytes] = []
        with zipfile.ZipFile(self.source) as zin, open(self.source, "rb") as raw, open(dest, "wb") as out:
            for info in zin.infolist():
                if info.filename in self.dropped:
                    continue
                name = info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
                flags = info.flag_bits & 0x800
                if info.filename in self.replaced:
                    content = self.replaced[info.filename]
                    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
                    body = comp.compress(content) + comp.flush()
                    method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
                else:
                    raw.seek(info.header_offset)
                    header = raw.read(30)
                    if header[:4] != b"PK\x03\x04":
                        raise NotPatchable("bad local header")
                    name_len, extra_len = struct.unpack("<HH", header[26:30])
                    raw.seek(info.header_offset + 30 + name_len + extra_len)
                    body = raw.read(info.compress_size)
                    method, crc, size = info.compress_type, info.CRC, info.file_size
                    flags |= info.flag_bits & 0x06  # the deflate level bits; never a data descriptor
                dtime, ddate = _dos(info.date_time)
                offset = out.tell()
                if offset > 0x7FFFFFFF:
                    raise NotPatchable("zip64")
                out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, dtime, ddate, crc,
                                      len(body), size, len(name), 0) + name + body)
                central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", (info.create_system << 8) | 20,
                                           20, flags, method, dtime, ddate, crc, len(body), size, len(name), 0, 0,
                                           0, info.internal_attr, info.external_attr, offset) + name)
            start = out.tell()
            directory = b"".join(central)
            out.write(directory)
            out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory),
                                  start, 0))


def _target_path(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet part path, from workbook.xml and its relationships."""
    root = fromstring(zf.read("xl/workbook.xml"))
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id", "")] = path
    return {s.get("name", ""): targets.get(s.get(f"{{{NS_REL}}}id", ""), "")
            for s in root.iter(f"{{{NS_MAIN}}}sheet")}


def prepare(source: Path, sheet_parts: Mapping[str, str], edits: Mapping[str, SheetEdits]) -> Patched:
    """Plan the edits (sheet name → :class:`SheetEdits`; ``sheet_parts`` sheet name → part path) without
    writing; raises :class:`NotPatchable` when the file needs the openpyxl path."""
    with zipfile.ZipFile(source) as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        for info in infos:
            if info.flag_bits & 0x1 or info.file_size > 0x7FFFFFFF or info.compress_type not in (0, 8):
                raise NotPatchable(f"{info.filename}: encrypted, zip64 or unusual compression")
            if not info.is_dir() and not _KNOWN.fullmatch(info.filename) and not (
                    _DRAWING.fullmatch(info.filename) and _empty_drawing(zf.read(info))):
                raise NotPatchable(f"{info.filename}: a part the writer does not know")
        if len(infos) > 0xFFFF or len(names) != len(infos):
            raise NotPatchable("member count")
        replaced: dict[str, bytes] = {}
        text_styles = _text_styles(zf.read("xl/styles.xml") if "xl/styles.xml" in names else None) \
            if any(e.no_text_format for e in edits.values()) else []
        for sheet, e in edits.items():
            part = sheet_parts.get(sheet)
            if not part or part not in names:
                raise NotPatchable(f"{sheet}: no worksheet part")
            if part in replaced:
                raise NotPatchable("two sheets, one part")
            replaced[part] = _patch_sheet(zf.read(part), e, text_styles)
        replaced["xl/workbook.xml"] = _full_calc(zf.read("xl/workbook.xml"))
        dropped: set[str] = set()
        if "xl/calcChain.xml" in names:
            dropped.add("xl/calcChain.xml")
            rels = "xl/_rels/workbook.xml.rels"
            replaced[rels] = _drop_elements(
                zf.read(rels), "Relationships", "Relationship", NS_PKG_REL,
                lambda a: a.get("Type") == CALC_CHAIN_TYPE or
                _target_path("xl/workbook.xml", a.get("Target", "")) == "xl/calcChain.xml")
            replaced["[Content_Types].xml"] = _drop_elements(
                zf.read("[Content_Types].xml"), "Types", "Override", NS_CT,
                lambda a: a.get("PartName", "").lstrip("/") == "xl/calcChain.xml")
    return Patched(source, replaced, dropped)


def try_prepare(source: Path, edits: Mapping[str, SheetEdits]) -> Patched | None:
    """:func:`prepare` with the file's own sheet parts; None when the file needs the openpyxl path."""
    try:
        with zipfile.ZipFile(source) as zf:
            parts = sheet_parts(zf)
        return prepare(source, parts, edits)
    except (NotPatchable, KeyError, ValueError, zipfile.BadZipFile):
        return None


__all__ = ["NotPatchable", "Patched", "SheetEdits", "prepare", "sheet_parts", "try_prepare"]
