"""Worksheet parts: each cell's cached value (python-calamine) joined with its formula text, style, type
and error value from one defused expat pass, plus protection and merges.

python-calamine decodes every cached value, shared and inline string in Rust; it does not expose formula
text, style indexes, error values or the raw number of a date-formatted cell. Those come from the expat
pass, which, unlike the regular expressions this module used before, reads every legal spelling of the
markup (see :mod:`.xmlparse`). Cells are built on first access: a check reads a few hundred of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

import msgspec

from ..core.cells import address, col_index, col_letters, rc, split
from .formulas import translate
from .values import from_float, number, serial
from .xmlparse import defused_parser, is_utf16, main_names

#: Cells below this row are not read: the template's last row is far above it.
MAX_ROW = 2000
CHUNK = 1 << 20


class Cell(msgspec.Struct):
    """One cell as stored: ``value`` is the typed cached value, ``formula`` the formula text without '='."""

    value: Decimal | str | bool | None
    formula: str | None = None
    kind: str = "n"  # n | s | str | b | e | d
    style: int = 0
    quote_prefix: bool = False

    @property
    def is_error(self) -> bool:
        return self.kind == "e"


class SheetData(msgspec.Struct):
    name: str
    state: str = "visible"
    cells: Cells | FormulaCells = msgspec.field(default_factory=lambda: Cells())
    protected: bool = False
    merges: list[str] = msgspec.field(default_factory=list)
    truncated: bool = False
    max_row: int = 0
    #: False when only the formula cells were read, without values (``read(formulas_only=...)``)
    values: bool = True
    #: True when the sheet carries the caller's protection seal and its cells were not read at all
    sealed: bool = False


_ROW, _C, _F, _V = main_names("row"), main_names("c"), main_names("f"), main_names("v")
_MERGE, _PROTECTION, _IS = main_names("mergeCell"), main_names("sheetProtection"), main_names("is")


class Truncated(Exception):
    """Raised inside the expat handlers to stop at the row limit."""


@lru_cache(maxsize=65536)
def ref_of(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@lru_cache(maxsize=65536)
def rc_of(ref: str) -> tuple[int, int] | None:
    """'B12' → (12, 2), 1-based; anything else → None."""
    m = _A1.fullmatch(ref)
    if m is None:
        return None
    n = 0
    for ch in m.group(1).upper():
        n = n * 26 + (ord(ch) - 64)
    return int(m.group(2)), n


@lru_cache(maxsize=65536)
def _canonical(ref: str) -> tuple[str, int, int] | None:
    """A cell's ``r`` attribute as (canonical A1 address, row, column): one cache lookup per cell element."""
    rowcol = rc_of(ref)
    return None if rowcol is None else (ref_of(*rowcol), *rowcol)


class SheetScan:
    """What the expat pass keeps of one sheet.

    ``cells`` maps every cell element, in document order, to None (a plain cell: its value is all) or to
    ``[style, t, formula, text, content]``: ``t`` is the cell's type attribute, ``formula`` its formula text
    without '=' (a shared formula's child gets its own translated text), ``text`` the raw ``<v>`` text of
    error, ISO-date, formula-string (where a cached "" differs from no cache) and date-formatted cells,
    ``content`` whether the element has a value, formula or inline string at all.
    """

    __slots__ = ("cells", "merges", "protected", "max_row", "truncated", "utf16")

    def __init__(self) -> None:
        self.cells: dict[str, list[Any] | None] = {}
        self.merges: list[str] = []
        self.protected = False
        self.max_row = 0
        self.truncated = False
        self.utf16 = False  # python-calamine silently reads a UTF-16 part as empty


def scan_sheet(stream: IO[bytes], date_styles: list[bool], max_row: int) -> SheetScan:
    """One pass of expat over a worksheet part. Raises defusedxml's exceptions on DTDs or entities,
    ``pyexpat.ExpatError`` on malformed XML.

    Only element starts call back into Python (an end or text callback is switched on for the one ``<f>`` or
    ``<v>`` whose text is needed, and off again at its end): this pass costs about what expat costs alone.
    """
    out = SheetScan()
    cells = out.cells
    p = defused_parser()
    shared: dict[str, tuple[int, int, str]] = {}
    row = 0
    col = 0
    cur: list[Any] = [None, 0, 0, None]  # ref, row, column, the cell's entry (list) or None
    pending: list[Any] = [None, None]  # what the text being collected is for: "f"/"v", the <f> attributes
    text: list[str] = []
    ndates = len(date_styles)
    c_names = _C

    def chars(data: str) -> None:
        text.append(data)

    def done(name: str) -> None:  # the end of the <f> or <v> whose text was collected
        p.CharacterDataHandler = None
        p.EndElementHandler = None
        value = "".join(text)
        entry = cur[3]
        if pending[0] == "v":
            entry[3] = value
            return
        fattrs = pending[1]
        if fattrs.get("t") == "shared" and "si" in fattrs:
            si = fattrs["si"]
            if value:
                shared[si] = (cur[1], cur[2], value)
            else:
                master = shared.get(si)
                if master is not None:
                    value = translate(master[2], cur[1] - master[0], cur[2] - master[1])
        entry[2] = value

    def collect(kind: str, attrs: dict[str, str] | None) -> None:
        if cur[3] is None:
            entry = cur[3] = [0, None, None, None, False]
            cells[cur[0]] = entry
        pending[0], pending[1] = kind, attrs
        text.clear()
        p.CharacterDataHandler = chars
        p.EndElementHandler = done

    def on_v(attrs: dict[str, str]) -> None:
        entry = cur[3]
        if entry is not None:
            entry[4] = True
            t = entry[1]
            if (t == "e" or t == "d" or t == "str"
                    or ((t is None or t == "n") and entry[0] < ndates and date_styles[entry[0]])):
                collect("v", None)

    def on_f(attrs: dict[str, str]) -> None:
        if cur[0] is not None:
            collect("f", attrs)
            cur[3][4] = True

    def on_is(attrs: dict[str, str]) -> None:
        if cur[3] is not None:
            cur[3][4] = True

    def on_row(attrs: dict[str, str]) -> None:
        nonlocal row, col
        r = attrs.get("r")
        try:
            row = int(r) if r else row + 1
        except ValueError:
            row += 1
        col = 0
        if row > out.max_row:
            out.max_row = row
        if row > max_row:
            out.truncated = True
            raise Truncated

    def on_merge(attrs: dict[str, str]) -> None:
        if attrs.get("ref"):
            out.merges.append(attrs["ref"])

    def on_protection(attrs: dict[str, str]) -> None:
        out.protected = attrs.get("sheet") in ("1", "true")

    others: dict[str, Callable[[dict[str, str]], None]] = {}
    for names, handler in ((_V, on_v), (_F, on_f), (_IS, on_is), (_ROW, on_row), (_MERGE, on_merge),
                           (_PROTECTION, on_protection)):
        others.update(dict.fromkeys(names, handler))
    find = others.get
    canonical = _canonical

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal col
        if name in c_names:  # the common element first, inline; everything else through one lookup
            r = attrs.get("r")
            canon = canonical(r) if r else None
            if canon is None:
                col += 1
                rr, cc = row, col
                ref = ref_of(rr, cc)
            else:
                ref, rr, cc = canon
                col = cc
            s = attrs.get("s")
            t = attrs.get("t")
            if s or t:
                try:
                    style = int(s) if s else 0
                except ValueError:
                    style = 0
                entry: list[Any] | None = [style, t, None, None, False]
            else:
                entry = None
            cells[ref] = entry
            cur[0], cur[1], cur[2], cur[3] = ref, rr, cc, entry
            return
        handler = find(name)
        if handler is not None:
            handler(attrs)

    p.StartElementHandler = start
    try:
        first = True
        while True:
            chunk = stream.read(CHUNK)
            if first:
                out.utf16 = is_utf16(chunk)
                first = False
            if not chunk:
                p.Parse(b"", True)
                break
            p.Parse(chunk, False)
    except Truncated:
        pass
    return out


# -- formula text only, in the one plain spelling --------------------------------------------------

_PLAIN_PROLOG = re.compile(
    rb'\A(?:<\?xml version="1\.0"(?: encoding="(?:UTF|utf)-8")?(?: standalone="(?:yes|no)")?\s*\?>\s*)?'
    rb'<worksheet xmlns="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"[\s>]')
#: The start tags of a cell whose first child is its formula, as Excel, WPS, LibreOffice and openpyxl write them.
_PLAIN_CELL_F = re.compile(
    rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"(?: s="[0-9]{1,9}")?(?: t="[a-zA-Z]{1,9}")?><f(?: aca="(?:false|true|0|1)")?>')
_MARKUP = re.compile(rb"<[!?]")
_PROTECTED = re.compile(rb'<sheetProtection\s[^<]*?\bsheet="(?:1|true)"')
_ENTITY = re.compile(rb"&(?:(quot|amp|lt|gt|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {b"quot": '"', b"amp": "&", b"lt": "<", b"gt": ">", b"apos": "'"}


def plain_formulas(raw: bytes) -> tuple[dict[str, bytes], bool] | None:
    """Every formula of a worksheet part as its raw, still escaped text, by cell, and whether the sheet is
    protected — without a parser; None when the part is not in the one plain spelling (then
    :func:`scan_sheet` reads it).

    For a sheet of thousands of formulas whose values nobody needs (the 校验 sheet, whose formulas
    ``validate`` compares with the template's) an expat pass costs about as much as the rest of the
    workbook together; this uses only the bytes methods (C) and one short match per formula. The answer is
    exact or None: after the root's start there is no comment, CDATA, DTD or processing instruction (the only
    places a literal ``<f>`` could hide, so every ``<`` starts a tag), no second declaration of SpreadsheetML
    (prefixed cells), no NUL or CR (the parser normalises line ends), and every ``<f`` element is the first
    child of a cell in the strict spelling. What it does not check is that the rest of the part is well-formed.
    """
    prolog = _PLAIN_PROLOG.match(raw)
    if prolog is None:
        return None
    at = prolog.end()
    if (_MARKUP.search(raw, at) is not None or b"\0" in raw or raw.find(b"\r", at) >= 0
            or raw.count(b"spreadsheetml/2006/main") != 1 or b"ooxml/spreadsheetml" in raw):
        return None
    pieces = raw.split(b"</f>")
    # every <f element: the tags starting "<f" in the cells, and after them all but <formula…>, <filter…>
    tail = raw.rfind(b"</sheetData>")
    tail = len(raw) if tail < 0 else tail
    count = raw.count(b"<f", at, tail) + raw.count(b"<f", tail) - raw.count(b"<fo", tail) - raw.count(b"<fi", tail)
    if count != len(pieces) - 1:
        return None  # a formula in another spelling (a shared formula's child, <f/>) or an f element unclosed
    out: dict[str, bytes] = {}
    match = _PLAIN_CELL_F.match
    for piece in pieces[:-1]:
        cell = piece.rfind(b"<c ")
        m = match(piece, cell) if cell >= 0 else None
        if m is None or piece.find(b"<", m.end()) >= 0:
            return None
        out[m.group(1).decode("ascii")] = piece[m.end():]
    if len(out) != len(pieces) - 1:
        return None  # a cell written twice: the parser decides which one counts
    return out, _PROTECTED.search(raw) is not None


_PROTECTION_TAG = re.compile(rb'<sheetProtection\s([^<>]*)/?>')
_ATTR = re.compile(rb'\s?([A-Za-z]+)="([^"<>]*)"')


def sealed_by(raw: bytes, password_hash: str) -> bool:
    """Whether a worksheet part is protected with the legacy password hash ``password_hash`` (Excel's
    16-bit hash, which LibreOffice and WPS keep when they save), read from the part's end without a parser.

    True only when the protection element is in the plain spelling, after the cells, and outside any comment,
    CDATA section or processing instruction; anything else is False (the caller then reads the sheet).
    """
    if _PLAIN_PROLOG.match(raw) is None:
        return False
    at = raw.rfind(b"<sheetProtection")
    cells_end = raw.rfind(b"</sheetData>")
    if at < 0 or at < cells_end or cells_end < 0:
        return False
    rest = raw[at:]
    if b"-->" in rest or b"]]>" in rest or b"?>" in rest:
        return False
    m = _PROTECTION_TAG.match(rest)
    if m is None:
        return False
    attrs = dict(_ATTR.findall(m.group(1)))
    return (attrs.get(b"sheet") in (b"1", b"true")
            and attrs.get(b"password", b"").decode("ascii", "replace").upper() == password_hash.upper())


def _entity(m: re.Match[bytes]) -> bytes:
    if m.group(1):
        return _NAMED[m.group(1)].encode()
    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    ok = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    return chr(code if ok else 0xFFFD).encode("utf-8")


def decode_text(raw: bytes) -> str:
    """XML character data (entities and character references in one pass, as XML defines them) as text."""
    if b"&" in raw:
        raw = _ENTITY.sub(_entity, raw)
    return raw.decode("utf-8", "replace")


_SPELLINGS: tuple[Callable[[str], bytes], ...] = (
    # openpyxl (the template, fill): & < > escaped, every non-ASCII character as a reference
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("ascii", "xmlcharrefreplace"),
    # LibreOffice: quotes escaped too, UTF-8
    lambda t: (t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
               .replace("'", "&apos;").encode()),
    # Excel, WPS: & < > escaped, UTF-8
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode(),
)


@lru_cache(maxsize=32768)
def _spelled(text: str, spelling: int) -> bytes:
    return _SPELLINGS[spelling](text)


class FormulaCells(Mapping[str, Any]):
    """The formula cells of a sheet read by :func:`plain_formulas`: raw text, decoded when a cell is asked for."""

    __slots__ = ("_raw", "_parsed", "_spelling")

    def __init__(self, raw: dict[str, bytes]) -> None:
        self._raw = raw
        self._parsed: dict[str, Cell] = {}
        self._spelling = 0

    def __getitem__(self, ref: str) -> Any:
        c = self.get(ref)
        if c is None:
            raise KeyError(ref)
        return c

    def get(self, ref: str, default: Any = None) -> Any:
        c = self._parsed.get(ref)
        if c is None:
            raw = self._raw.get(ref)
            if raw is None:
                return default
            c = self._parsed[ref] = Cell(None, decode_text(raw), "str")
        return c

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and ref in self._raw

    def formula_texts(self, refs: Iterable[str]) -> dict[str, str | None]:
        return {ref: (decode_text(raw) if (raw := self._raw.get(ref)) is not None else None) for ref in refs}

    def differing(self, expected: Mapping[str, str]) -> dict[str, str | None]:
        """{cell: its formula or None} of the cells whose formula is not ``expected``'s, compared as stored
        bytes in the spelling of the application that wrote the file (decoded only where they differ)."""
        out: dict[str, str | None] = {}
        raw = self._raw
        n = len(_SPELLINGS)
        for ref, want in expected.items():
            got = raw.get(ref)
            if got is None:
                out[ref] = None
                continue
            if got == _spelled(want, self._spelling):
                continue
            for k in range(1, n):
                s = (self._spelling + k) % n
                if got == _spelled(want, s):
                    self._spelling = s  # the next formula is most likely spelled alike
                    break
            else:
                text = decode_text(got)
                if text != want:
                    out[ref] = text
        return out

    def with_formula(self) -> Iterator[tuple[str, Any]]:
        for ref in self._raw:
            yield ref, self.get(ref)

    def with_error(self) -> Iterator[tuple[str, Any]]:
        return iter(())


_UNPARSED: Any = object()


def make_cell(value: Any, m: list[Any] | None, quotes: list[bool], keep_empty: bool = False) -> Any:
    """One :class:`Cell` from calamine's value and the expat pass's facts (or None if empty)."""
    if m is None:
        style, t, formula, text, content = 0, None, None, None, True
    else:
        style, t, formula, text, content = m
    if text is not None and (t == "e" or t == "d" or t == "str"):
        value = text
    elif text is not None:
        value = number(text) if text else None
    elif value.__class__ is float:
        value = from_float(value)
    elif value.__class__ is str:
        if value == "":
            value = None
    elif value.__class__ is not bool and value is not None:
        value = serial(value)
    if t is None or t == "inlineStr":
        kind = "s" if t or value.__class__ is str else ("b" if value.__class__ is bool else "n")
    else:
        kind = t
    if value is None and formula is None and (style == 0 or not (keep_empty or content)):
        return None  # empty; a styled cell is kept if it has content (say, an empty string) or when asked
    return Cell(value, formula, kind, style, style < len(quotes) and quotes[style])


class Cells(Mapping[str, Any]):
    """A sheet's cells by A1 address: calamine's value grid joined, on first access, with the expat facts."""

    __slots__ = ("_grid", "_cells", "_quotes", "_parsed", "_keep_empty")

    def __init__(self, grid: list[list[Any]] | None = None, cells: dict[str, Any] | None = None,
                 quotes: list[bool] | None = None, keep_empty: bool = False) -> None:
        self._keep_empty = keep_empty
        self._grid = grid or []
        self._cells: dict[str, Any] = cells if cells is not None else {}
        self._quotes = quotes or []
        self._parsed: dict[str, Any] = {}

    def __getitem__(self, ref: str) -> Any:
        c = self.get(ref)
        if c is None:
            raise KeyError(ref)
        return c

    def get(self, ref: str, default: Any = None) -> Any:
        c = self._parsed.get(ref, _UNPARSED)
        if c is _UNPARSED:
            cells = self._cells
            m = cells.get(ref, _UNPARSED)
            if m is _UNPARSED:
                return default
            if m is not None and not m[4] and not self._keep_empty:  # styled, but no value, formula or text:
                self._parsed[ref] = None  # empty, as make_cell would find (LibreOffice writes thousands)
                return default
            r, col = rc_of(ref)  # type: ignore[misc]
            grid = self._grid
            value = grid[r - 1][col - 1] if r <= len(grid) and col <= len(grid[r - 1]) else ""
            c = self._parsed[ref] = make_cell(value, cells[ref], self._quotes, self._keep_empty)
        return c if c is not None else default

    def __setitem__(self, ref: str, cell: Any) -> None:
        self._cells.setdefault(ref, None)
        self._parsed[ref] = cell

    def __iter__(self) -> Iterator[str]:
        return iter([r for r in self._cells if self.get(r) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self.get(ref) is not None

    def formula_texts(self, refs: Iterable[str]) -> dict[str, str | None]:
        """Formulas of many cells without building each cell (the 校验 sheet holds thousands to compare)."""
        out: dict[str, str | None] = {}
        for ref in refs:
            c = self._parsed.get(ref, _UNPARSED)
            if c is not _UNPARSED:
                out[ref] = c.formula if c is not None else None
            else:
                m = self._cells.get(ref)
                out[ref] = m[2] if m is not None else None
        return out

    def differing(self, expected: Mapping[str, str]) -> dict[str, str | None]:
        """{cell: its formula or None} of the cells whose formula text is not ``expected``'s."""
        found = self.formula_texts(expected)
        return {ref: f for ref, f in found.items() if f != expected[ref]}

    def with_formula(self) -> Iterator[tuple[str, Any]]:
        """Cells holding a formula, without building the others."""
        for ref, m in self._cells.items():
            if m is not None and m[2] is not None:
                c = self.get(ref)
                if c is not None and c.formula is not None:
                    yield ref, c

    def with_error(self) -> Iterator[tuple[str, Any]]:
        """Cells holding an Excel error value (t="e"), without building the others."""
        for ref, m in self._cells.items():
            if m is not None and m[1] == "e":
                c = self.get(ref)
                if c is not None and c.is_error:
                    yield ref, c


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
