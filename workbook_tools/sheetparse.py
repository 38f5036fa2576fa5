"""Cells of a worksheet from two real parsers: values from python-calamine, the rest from expat.

python-calamine (Rust) decodes every cached value, shared and inline string in about the time the zip
takes to inflate; it does not expose formula text, style indexes, error values or the raw number of a
date-formatted cell. Those come from one expat pass over the same part, which, unlike a regular
expression, reads every legal spelling of the markup: CDATA, cells without ``r``, single-quoted
attributes, namespace prefixes, Strict OOXML's namespace, UTF-16 parts. The expat parser is defused as
defusedxml does it (no DTD, no entity declaration, no external reference), so an entity bomb is refused
before it can expand.
"""

from __future__ import annotations

import io
import pyexpat
import re
import zipfile
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from .cells import col_letters

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
#: The namespaces a worksheet's markup may use: Transitional (what everybody writes) and Strict.
MAIN_NAMESPACES = (NS_MAIN, NS_STRICT)
CHUNK = 1 << 20
SIGNIFICANT = 15  # Excel keeps 15 significant digits; writers that print 16-17 add binary noise


def defused_parser() -> Any:
    """A pyexpat parser with defusedxml's protections: DTDs, entity declarations and external references refused."""
    p = pyexpat.ParserCreate(namespace_separator="}")

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: bool) -> None:
        raise DTDForbidden(name, sysid, pubid)

    def entity(name: str, is_param: bool, value: str | None, base: str | None, sysid: str | None,
               pubid: str | None, notation: str | None) -> None:
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation)

    def unparsed(name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str | None) -> None:
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation)

    def external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = entity
    p.UnparsedEntityDeclHandler = unparsed
    p.ExternalEntityRefHandler = external
    p.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    return p


def _names(local: str) -> frozenset[str]:
    return frozenset(f"{ns}}}{local}" for ns in MAIN_NAMESPACES)


_ROW, _C, _F, _V = _names("row"), _names("c"), _names("f"), _names("v")
_MERGE, _PROTECTION = _names("mergeCell"), _names("sheetProtection")
_SHEETDATA = _names("sheetData")


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


class SheetScan:
    """What the expat pass keeps of one sheet.

    ``cells`` maps each cell that needs more than its value to ``(style, t, formula, text)``: ``t`` is the
    cell's type attribute, ``formula`` its formula text without '=' (a shared formula's child gets its own
    translated text), ``text`` the raw ``<v>`` text of error, ISO-date, formula-string (where a cached ""
    differs from no cache) and date-formatted cells.
    """

    __slots__ = ("cells", "merges", "protected", "max_row", "truncated", "utf16")

    def __init__(self) -> None:
        #: every cell with content (or every cell, when empty ones are kept), in document order → meta or None
        self.cells: dict[str, tuple[int, str | None, str | None, str | None] | None] = {}
        self.merges: list[str] = []
        self.protected = False
        self.max_row = 0
        self.truncated = False
        self.utf16 = False  # python-calamine silently reads a UTF-16 part as empty


def is_utf16(head: bytes) -> bool:
    """The first bytes of a UTF-16 XML part (a byte-order mark, or '<?' in either byte order)."""
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] in (b"<\x00?\x00", b"\x00<\x00?")


def scan_sheet(stream: IO[bytes], date_styles: list[bool], max_row: int, keep_empty: bool) -> SheetScan:
    """One pass of expat over a worksheet part. Raises defusedxml's exceptions on DTDs or entities,
    ``pyexpat.ExpatError`` on malformed XML."""
    out = SheetScan()
    cells = out.cells
    p = defused_parser()
    shared: dict[str, tuple[int, int, str]] = {}
    state: dict[str, Any] = {}
    row = 0
    col = 0
    cur: list[Any] = []  # [ref, row, col, style, t, formula, text, has_child, f_attrs]
    text_parts: list[str] = []
    ndates = len(date_styles)

    def chars(data: str) -> None:
        text_parts.append(data)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, col
        if name in _C:
            r = attrs.get("r")
            rowcol = rc_of(r) if r else None
            if rowcol is None:
                col += 1
                rr, cc = row, col
            else:
                rr, cc = rowcol
                col = cc
            s = attrs.get("s")
            try:
                style = int(s) if s else 0
            except ValueError:
                style = 0
            cur[:] = [ref_of(rr, cc), rr, cc, style, attrs.get("t"), None, None, False, None]
        elif name in _V:
            if cur:
                cur[7] = True
                t = cur[4]
                if t == "e" or t == "d" or t == "str" or ((t is None or t == "n") and cur[3] < ndates and date_styles[cur[3]]):
                    text_parts.clear()
                    p.CharacterDataHandler = chars
                    state["v"] = True
        elif name in _F:
            if cur:
                cur[7] = True
                cur[8] = attrs
                text_parts.clear()
                p.CharacterDataHandler = chars
        elif name in _ROW:
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
        elif cur:
            cur[7] = True  # <is>, <t>, <r>, <extLst>: content
        elif name in _MERGE:
            ref = attrs.get("ref")
            if ref:
                out.merges.append(ref)
        elif name in _PROTECTION:
            out.protected = attrs.get("sheet") in ("1", "true")

    def end(name: str) -> None:
        if name in _C:
            if not cur:
                return
            ref, rr, cc, style, t, formula, text, has_child, _ = cur
            if has_child or keep_empty:
                cells[ref] = ((style, t, formula, text) if style or t or formula is not None or text is not None
                              else None)
            cur.clear()
        elif name in _F:
            p.CharacterDataHandler = None
            if not cur:
                return
            fattrs = cur[8] or {}
            formula = "".join(text_parts)
            if fattrs.get("t") == "shared" and fattrs.get("si") is not None:
                si = fattrs["si"]
                if formula:
                    shared[si] = (cur[1], cur[2], formula)
                else:
                    master = shared.get(si)
                    if master is not None:
                        formula = translate(master[2], cur[1] - master[0], cur[2] - master[1])
            cur[5] = formula
        elif name in _V:
            if state.pop("v", False):
                p.CharacterDataHandler = None
                if cur:
                    cur[6] = "".join(text_parts)

    p.StartElementHandler = start
    p.EndElementHandler = end
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


class _Root(Exception):
    """The root element was reached: the prolog, where a DTD would be, is over."""


def check_prolog(stream: IO[bytes]) -> None:
    """Refuse a part whose prolog declares a DTD or entities (defusedxml's rule) without parsing the rest:
    for the parts only python-calamine reads (shared strings), whose parser does not refuse them."""
    p = defused_parser()

    def root(name: str, attrs: dict[str, str]) -> None:
        raise _Root

    p.StartElementHandler = root
    try:
        while chunk := stream.read(1 << 16):
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except _Root:
        pass


# -- shared formulas ------------------------------------------------------------------------------

#: A reference in formula text: optional sheet prefix, then A1, A1:B2, A:A or 1:1 forms. Strings, quoted
#: sheet names and structured references are matched first so that nothing inside them is shifted.
_TOKEN = re.compile(
    r"""("(?:[^"]|"")*")                                            # 1 string literal
    |('(?:[^']|'')*'!)                                                # 2 quoted sheet prefix
    |(\[[^\]]*(?:\[[^\]]*\][^\]]*)*\])                                # 3 structured reference / external index
    |(?<![A-Za-z0-9_.\\])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(\[.])  # 4-7 A1
    |(?<![A-Za-z0-9_.\\])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![A-Za-z0-9_(\[.])  # 8-11 A:B
    |(?<![A-Za-z0-9_.\\:$])(\$?)(\d+):(\$?)(\d+)(?![A-Za-z0-9_(\[.])  # 12-15 1:2
    """,
    re.X,
)
MAX_COL = 16384
MAX_ROWS = 1048576


def _col_num(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _shift_col(dollar: str, letters: str, dcol: int) -> str:
    if dollar or not dcol:
        return dollar + letters
    n = _col_num(letters) + dcol
    return col_letters(n) if 1 <= n <= MAX_COL else "#REF!"


def _shift_row(dollar: str, digits: str, drow: int) -> str:
    if dollar or not drow:
        return dollar + digits
    n = int(digits) + drow
    return str(n) if 1 <= n <= MAX_ROWS else "#REF!"


def translate(formula: str, drow: int, dcol: int) -> str:
    """A shared formula's text as it reads in a cell ``drow`` rows and ``dcol`` columns from its master:
    relative references move, absolute ones (``$``) stay, as Excel shows the child's formula."""
    if not drow and not dcol:
        return formula

    def sub(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2) or m.group(3):
            return m.group(0)
        if m.group(5) is not None:
            if _col_num(m.group(5)) > MAX_COL:
                return m.group(0)  # a name such as ABCD1 is not a cell reference
            out = [_shift_col(m.group(4), m.group(5), dcol), _shift_row(m.group(6), m.group(7), drow)]
            sep = ""
        elif m.group(9) is not None:
            out = [_shift_col(m.group(8), m.group(9), dcol), _shift_col(m.group(10), m.group(11), dcol)]
            sep = ":"
        else:
            out = [_shift_row(m.group(12), m.group(13), drow), _shift_row(m.group(14), m.group(15), drow)]
            sep = ":"
        return "#REF!" if "#REF!" in out else sep.join(out)

    return _TOKEN.sub(sub, formula)


# -- values ---------------------------------------------------------------------------------------


def number(text: str) -> Decimal | str:
    """Stored number text → Decimal, reduced to Excel's 15 significant digits ("98.95999999999999" → 98.96)."""
    from decimal import InvalidOperation

    try:
        d = Decimal(text)
    except InvalidOperation:
        return text
    if not d.is_finite():
        return text
    return reduce15(d)


def reduce15(d: Decimal) -> Decimal:
    digits = len(d.as_tuple().digits)
    if digits > SIGNIFICANT:
        shift = d.adjusted() - SIGNIFICANT + 1
        d = d.quantize(Decimal(1).scaleb(shift)).normalize()
        if d.as_tuple().exponent > 0 and d.adjusted() < 28:  # type: ignore[operator]
            d = d.quantize(Decimal(1))  # beyond the context's 28 digits a whole number keeps its exponent
    return d


def from_float(x: float) -> Decimal | str:
    """calamine's float → the Decimal the stored text meant: its shortest repr when that has at most 15
    significant digits, else the exact binary value rounded once to 15 (rounding the repr would round twice)."""
    if x.is_integer() and -1e15 < x < 1e15:
        return Decimal(int(x))
    if x != x or x in (float("inf"), float("-inf")):
        return repr(x)
    d = Decimal(repr(x))
    return d if len(d.as_tuple().digits) <= SIGNIFICANT else reduce15(Decimal(x))


def utf8_copy(zf: zipfile.ZipFile) -> io.BytesIO:
    """The archive with every UTF-16 XML part re-encoded as UTF-8, for python-calamine (which reads only UTF-8)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for info in zf.infolist():
            data = zf.read(info)
            if is_utf16(data):
                text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else
                                   ("utf-16-le" if data[:1] == b"<" else "utf-16-be"))
                text = re.sub(r"""^(<\?xml[^>]*?encoding=)(["'])[^"']*\2""", r"\1\2UTF-8\2", text.lstrip("\ufeff"))
                data = text.encode("utf-8")
            out.writestr(info.filename, data)
    buf.seek(0)
    return buf


_XF, _CELLXFS, _NUMFMT, _PROT = _names("xf"), _names("cellXfs"), _names("numFmt"), _names("protection")
BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(45, 48)) | {27, 30, 36, 50, 57}
_FMT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def parse_styles(data: bytes) -> tuple[list[bool], list[bool], list[bool]]:
    """Per cell style (``cellXfs``): locked?, date format?, quote prefix? One expat pass over styles.xml."""
    date_fmts = set(BUILTIN_DATE_FORMATS)
    locked: list[bool] = []
    fmt_ids: list[int] = []
    quotes: list[bool] = []
    depth = {"xfs": 0}
    p = defused_parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        if name in _NUMFMT:
            code = _FMT_LITERALS.sub("", attrs.get("formatCode", "")).lower()
            if any(ch in code for ch in "ymdhs") and "general" not in code:
                try:
                    date_fmts.add(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    pass
        elif name in _CELLXFS:
            depth["xfs"] = 1
        elif depth["xfs"] and name in _XF:
            locked.append(True)
            try:
                fmt_ids.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                fmt_ids.append(-1)
            quotes.append(attrs.get("quotePrefix") in ("1", "true"))
        elif depth["xfs"] and name in _PROT and locked:
            if attrs.get("locked") in ("0", "false"):
                locked[-1] = False

    def end(name: str) -> None:
        if name in _CELLXFS:
            depth["xfs"] = 0

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.Parse(data, True)
    return locked, [f in date_fmts for f in fmt_ids], quotes


_UNPARSED: Any = object()
_EPOCH = None


def _serial(v: Any) -> Decimal | str:
    """A date/time calamine decoded → the serial number Excel stored (1900 system)."""
    import datetime as dt

    global _EPOCH
    if _EPOCH is None:
        _EPOCH = dt.datetime(1899, 12, 30)
    if isinstance(v, dt.timedelta):
        return from_float(v.total_seconds() / 86400)
    if isinstance(v, dt.datetime):
        days = (v - _EPOCH).total_seconds() / 86400
    elif isinstance(v, dt.date):
        days = float((v - _EPOCH.date()).days)
    elif isinstance(v, dt.time):
        days = (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    else:
        return str(v)
    return from_float(round(days, 10))


def make_cell(cls: Any, value: Any, m: tuple[int, str | None, str | None, str | None] | None,
              quotes: list[bool]) -> Any:
    """One :class:`~workbook_tools.xlsx.Cell` from calamine's value and the expat pass's facts (or None if empty)."""
    if m is None:
        style, t, formula, text = 0, None, None, None
    else:
        style, t, formula, text = m
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
        value = _serial(value)
    if t is None or t == "inlineStr":
        kind = "s" if t or value.__class__ is str else ("b" if value.__class__ is bool else "n")
    else:
        kind = t
    if value is None and formula is None and style == 0:
        return None
    return cls(value, formula, kind, style, style < len(quotes) and quotes[style])


class Cells(Mapping[str, Any]):
    """A sheet's cells by A1 address: calamine's value grid joined, on first access, with the expat facts."""

    __slots__ = ("_grid", "_cells", "_quotes", "_parsed", "_cls")

    def __init__(self, grid: list[list[Any]] | None = None, cells: dict[str, Any] | None = None,
                 quotes: list[bool] | None = None, cls: Any = None) -> None:
        self._grid = grid or []
        self._cells: dict[str, Any] = cells if cells is not None else {}
        self._quotes = quotes or []
        self._parsed: dict[str, Any] = {}
        self._cls = cls

    def __getitem__(self, ref: str) -> Any:
        c = self.get(ref)
        if c is None:
            raise KeyError(ref)
        return c

    def get(self, ref: str, default: Any = None) -> Any:  # type: ignore[override]
        c = self._parsed.get(ref, _UNPARSED)
        if c is _UNPARSED:
            cells = self._cells
            if ref not in cells:
                return default
            r, col = rc_of(ref)  # type: ignore[misc]
            grid = self._grid
            value = grid[r - 1][col - 1] if r <= len(grid) and col <= len(grid[r - 1]) else ""
            c = self._parsed[ref] = make_cell(self._cls, value, cells[ref], self._quotes)
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


__all__ = ["Cells", "SheetScan", "scan_sheet", "parse_styles", "make_cell", "translate", "from_float", "number",
           "defused_parser", "check_prolog", "is_utf16", "utf8_copy", "ref_of", "rc_of", "MAIN_NAMESPACES"]
