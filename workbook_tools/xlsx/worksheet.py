"""Worksheet parts: cells (formula text and cached value), protection and merges, scanned chunk by chunk.

The sheet XML is scanned with compiled regular expressions rather than built into a tree: validating must
cost about what reading costs (see docs/performance.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import fromstring as _fragment  # text fragments only, after the DTD check

from ..core.cells import address, col_index, rc, split
from .package import ATTR, UnreadableWorkbook, xml_text
from .shared_strings import ooxml_unescape

#: Cells below this row are not read: the template's last row is far above it.
MAX_ROW = 2000



@dataclass(slots=True)
class Cell:
    """One cell as stored: ``value`` is the typed cached value, ``formula`` the formula text without '='."""

    value: Decimal | str | bool | None
    formula: str | None = None
    kind: str = "n"  # n | s | str | b | e | d
    style: int = 0
    quote_prefix: bool = False

    @property
    def is_error(self) -> bool:
        return self.kind == "e"


@dataclass
class SheetData:
    name: str
    state: str = "visible"
    cells: Cells = field(default_factory=lambda: Cells())
    protected: bool = False
    merges: list[str] = field(default_factory=list)
    truncated: bool = False
    max_row: int = 0


SIGNIFICANT = 15  # Excel keeps 15 significant digits; writers that print 16-17 add binary noise


def _number(text: str) -> Decimal | str:
    """Stored number text → Decimal, reduced to Excel's 15 significant digits ("98.95999999999999" → 98.96)."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return text
    if not d.is_finite():
        return text
    digits = len(d.as_tuple().digits)
    if digits > SIGNIFICANT:
        shift = d.adjusted() - SIGNIFICANT + 1
        d = d.quantize(Decimal(1).scaleb(shift)).normalize()
        if d.as_tuple().exponent > 0:  # type: ignore[operator]
            d = d.quantize(Decimal(1))
    return d


_PLAIN_NUMBER_BODY = re.compile(rb"<v>([-+0-9.Ee]+)</v>")
_CELL_FILLED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?[^/>])?>(?!</)(.*?)</(?:[A-Za-z_][\w.-]*:)?c>", re.S)
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)", re.S)
#: The same as _CELL_FILLED for the usual unprefixed markup; about twice as fast (no namespace alternatives).
#: The body is matched as "no '<' unless it does not start '</c>'" rather than a lazy ``.*?``: the same cells,
#: about three times faster on sheets of long formulas (the 校验 sheet).
_CELL_FILLED_PLAIN = re.compile(rb"<c ([^>]*[^/>])>(?!</)([^<]*(?:<(?!/c>)[^<]*)*)</c>")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br=\"(\d+)\"")
_F = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?f>)", re.S)
_V = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?v>)", re.S)
_T = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?t\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?t>)", re.S)
_RPH = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?rPh\b.*?</(?:[A-Za-z_][\w.-]*:)?rPh>", re.S)
_PROTECTION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetProtection\b([^>]*)>")
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([^\"]+)\"")
_END_SHEETDATA = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>|<(?:[A-Za-z_][\w.-]*:)?sheetData\s*/>")
CHUNK = 1 << 20


def read_sheet(stream: IO[bytes], sheet: SheetData, sst: list[str], quotes: list[bool], path: Path,
                keep_empty: bool = False) -> None:
    """Scan the sheet XML for cells with compiled regular expressions, chunk by chunk.

    A worksheet part is a flat list of ``<c>`` elements; scanning them directly is several times faster
    than building an element tree, which is what makes validation cost about what reading costs. A DTD or
    entity declaration is refused before anything is scanned (the defusedxml rule, applied by hand).
    """
    shared: dict[str, str] = {}
    cells = sheet.cells = Cells(sst, quotes)
    buf = b""
    first = True
    done = False
    try:
        while not done:
            chunk = stream.read(CHUNK)
            if first:
                head = chunk[:4096]
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise UnreadableWorkbook(path, f"工作表“{sheet.name}”含有被禁止的 XML 结构（疑似恶意文件），已拒绝读取",
                                             f"sheet {sheet.name!r} contains forbidden XML; refused", "file-hostile")
                first = False
            buf += chunk
            if chunk:
                cut = buf.rfind(b"</row>")
                if cut < 0:
                    cut = buf.rfind(b":row>")
                if cut < 0:
                    continue
                cut = buf.index(b">", cut) + 1
                segment, buf = buf[:cut], buf[cut:]
            else:
                segment, buf, done = buf, b"", True
            end = _END_SHEETDATA.search(segment)
            tail = b""
            if end is not None:
                segment, tail = segment[: end.start()], segment[end.start():]
            for m in _ROW.finditer(segment):
                r = int(m.group(1))
                if r > sheet.max_row:
                    sheet.max_row = r
                if r > MAX_ROW:
                    sheet.truncated = True
                    segment = segment[: m.start()]
                    done = True
                    break
            _scan_cells(segment, cells, shared, sst, quotes, keep_empty)
            if end is not None:
                rest = tail + buf + (b"" if done else stream.read())
                prot = _PROTECTION.search(rest)
                if prot is not None:
                    attrs = dict(ATTR.findall(prot.group(1)))
                    sheet.protected = attrs.get(b"sheet") in (b"1", b"true")
                sheet.merges.extend(m.group(1).decode() for m in _MERGE.finditer(rest))
                done = True
    except UnreadableWorkbook:
        raise
    except Exception as exc:
        raise UnreadableWorkbook(path, f"文件已损坏：工作表“{sheet.name}”无法解析",
                                 f"corrupt file: sheet {sheet.name!r} cannot be parsed", "file-corrupt") from exc


_UNPARSED = object()
#: A formula in the usual unprefixed markup, first in the cell body (escaped text holds no '<').
_F_PLAIN = re.compile(rb"<f\b([^>]*)>([^<]*)</f>")
_REF_ATTR = re.compile(rb'\br="([A-Za-z]{1,3}\d+)"')


class Cells(Mapping[str, Cell]):
    """A sheet's cells by A1 address, parsed on first access.

    The scanner only finds each cell and keeps its raw XML; the few hundred cells a check reads are
    parsed when asked for. This is what keeps validation near the cost of a bare read.
    """

    __slots__ = ("_raw", "_parsed", "_sst", "_quotes")

    def __init__(self, sst: list[str] | None = None, quotes: list[bool] | None = None) -> None:
        self._raw: dict[str, tuple[bytes, bytes]] = {}
        self._parsed: dict[str, Cell | None] = {}
        self._sst = sst or []
        self._quotes = quotes or []

    def __getitem__(self, ref: str) -> Cell:
        c = self.get(ref)
        if c is None:
            raise KeyError(ref)
        return c

    def get(self, ref: str, default: Cell | None = None) -> Cell | None:  # type: ignore[override]
        raw = self._raw.get(ref)
        if raw is None:
            return default
        c = self._parsed.get(ref, _UNPARSED)
        if c is _UNPARSED:
            c = self._parsed[ref] = _parse_cell(raw[0], raw[1], self._sst, self._quotes, {})
        return c or default  # type: ignore[return-value]

    def __setitem__(self, ref: str, cell: Cell) -> None:
        self._raw.setdefault(ref, (b"", b""))
        self._parsed[ref] = cell

    def __iter__(self) -> Iterator[str]:
        return iter([r for r in self._raw if self.get(r) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self.get(ref) is not None

    def formula_texts(self, refs: Iterable[str]) -> dict[str, str | None]:
        """Formulas of many cells without parsing each cell: one XML parse for all their texts.

        The live-check sheet holds thousands of long formulas to compare with the template's; parsing
        them one by one costs as much as reading the whole workbook.
        """
        out: dict[str, str | None] = {}
        pending: list[tuple[str, bytes]] = []
        for ref in refs:
            c = self._parsed.get(ref, _UNPARSED)
            raw = self._raw.get(ref)
            if c is not _UNPARSED or raw is None:
                out[ref] = c.formula if isinstance(c, Cell) else None
                continue
            fm = _F_PLAIN.match(raw[1]) or _F.search(raw[1])
            if fm is None or b"shared" in fm.group(1):
                got = self.get(ref)
                out[ref] = got.formula if got is not None else None
            else:
                pending.append((ref, fm.group(2) or b""))
        if pending:
            body = b"".join(b"<f>" + text + b"</f>" for _, text in pending)
            texts = [(e.text or "") for e in _fragment(b"<x>" + body + b"</x>")]
            out.update((ref, text) for (ref, _), text in zip(pending, texts, strict=True))
        return out

    def with_formula(self) -> Iterator[tuple[str, Cell]]:
        """Cells holding a formula, without parsing the others."""
        for ref, (_, body) in self._raw.items():
            if b"<f" in body or b":f" in body or (not body and ref in self._parsed):
                c = self.get(ref)
                if c is not None and c.formula is not None:
                    yield ref, c

    def with_error(self) -> Iterator[tuple[str, Cell]]:
        """Cells holding an Excel error value (t="e"), without parsing the others."""
        for ref, (attrs, body) in self._raw.items():
            if b'"e"' in attrs or (not body and ref in self._parsed):
                c = self.get(ref)
                if c is not None and c.is_error:
                    yield ref, c


def _parse_cell(attr_bytes: bytes, body: bytes, sst: list[str], quotes: list[bool],
                shared: dict[str, str]) -> Cell | None:
    fast = _PLAIN_NUMBER_BODY.fullmatch(body) if b"t=" not in attr_bytes or b't="n"' in attr_bytes else None
    attrs = dict(ATTR.findall(attr_bytes))
    s = int(attrs.get(b"s", b"0") or 0)
    quote = s < len(quotes) and quotes[s]
    if fast is not None:  # the common case: a plain number in one <v>
        return Cell(_number(fast.group(1).decode()), None, "n", s, quote)
    t = attrs.get(b"t", b"n").decode()
    formula: str | None = None
    v: str | None = None
    value: Decimal | str | bool | None
    if body:
        fm = _F.search(body)
        if fm is not None:
            fattrs = dict(ATTR.findall(fm.group(1)))
            formula = xml_text(fm.group(2)) if fm.group(2) is not None else None
            si = fattrs.get(b"si")
            if fattrs.get(b"t") == b"shared" and si is not None:
                key = si.decode()
                if formula:
                    shared[key] = formula
                else:  # our formulas use names only, so the master's text applies unchanged
                    formula = shared.get(key)
            if formula is None:
                formula = ""
        vm = _V.search(body)
        if vm is not None:
            v = xml_text(vm.group(1) or b"")
    if t == "s":
        try:
            value = sst[int(v)] if v is not None else None
        except (ValueError, IndexError):
            value = None
    elif t == "inlineStr":
        inner = _RPH.sub(b"", body)
        value = ooxml_unescape("".join(xml_text(x.group(1) or b"") for x in _T.finditer(inner)))
        t = "s"
    elif t == "b":
        value = v in ("1", "true")
    elif t in ("e", "str", "d"):
        value = v
    else:
        value = _number(v) if v not in (None, "") else None
    if value is None and formula is None and s == 0:
        return None
    return Cell(value, formula, t, s, quote)


def _scan_cells(segment: bytes, cells: Cells, shared: dict[str, str], sst: list[str],
                quotes: list[bool], keep_empty: bool) -> None:
    """Find each cell and keep its raw XML; styled empty cells (``<c r="B9" s="3"/>``) only when ``keep_empty``.

    Shared formulas are parsed at once, in document order, because a child takes its master's text.
    """
    if keep_empty:
        pattern, body_group = _CELL, 3
    else:
        pattern, body_group = (_CELL_FILLED_PLAIN if b"<c " in segment else _CELL_FILLED), 2
    raw = cells._raw
    for m in pattern.finditer(segment):
        attrs = m.group(1) or b""
        ref_m = _REF_ATTR.search(attrs)
        if ref_m is None:
            continue
        ref = ref_m.group(1).decode().upper()
        body = m.group(body_group) or b""
        if keep_empty or b"shared" in body:
            c = _parse_cell(attrs, body, sst, quotes, shared)
            if c is not None:
                cells[ref] = c
            continue
        raw[ref] = (attrs, body)


def area_cells(ref: str) -> list[str]:
    """All A1 addresses of 'A1:C3' in row-major order (a single cell gives itself)."""
    a, _, b = ref.partition(":")
    if not b:
        return [a]
    r1, c1 = rc(a)
    r2, c2 = rc(b)
    return [address(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def in_area(cell: str, ref: str) -> bool:
    a, _, b = ref.partition(":")
    if not b:
        return cell == a
    col, row = split(cell)
    ca, ra = split(a)
    cb, rb = split(b)
    return ra <= row <= rb and col_index(ca) <= col_index(col) <= col_index(cb)
