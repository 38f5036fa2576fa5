"""The regular-expression reader that workbook_tools used until the calamine + expat reader replaced it.

Kept frozen, only as the oracle of tests/test_reader_agreement.py: the new reader must give the same
cells on every file this one read correctly. Not part of the library.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import fromstring as _fragment  # text fragments only, after the DTD check

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from workbook_tools.core.cells import address, col_index, rc, split

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = f"{{{NS_MAIN}}}"

#: Refuse archives that inflate beyond this many bytes (documented in docs/robustness.md).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: Refuse members whose compression ratio is beyond this (zip bombs compress ~1000:1).
MAX_RATIO = 200
#: Cells below this row are not read: the template's last row is far above it.
MAX_ROW = 2000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(45, 48)) | {27, 30, 36, 50, 57}


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; the message names the file and says why, in Chinese."""

    def __init__(self, path: str | Path, reason_zh: str, reason_en: str, code: str = "file-unreadable"):
        self.path = str(path)
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        self.code = code
        super().__init__(f"{self.path}：{reason_zh}")

    def message(self, lang: str = "zh") -> str:
        return f"{self.path}: {self.reason_en}" if lang == "en" else f"{self.path}：{self.reason_zh}"


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


@dataclass
class Workbook:
    path: str
    sheets: list[SheetData]
    names: dict[str, str]  # workbook-level defined name → reference text
    local_names: dict[tuple[int, str], str]
    application: str = ""
    app_version: str = ""
    custom_properties: dict[str, str] = field(default_factory=dict)
    locked_styles: list[bool] = field(default_factory=list)
    date_styles: list[bool] = field(default_factory=list)
    quote_styles: list[bool] = field(default_factory=list)
    calc_mode: str = "auto"
    has_vba: bool = False
    external_links: int = 0
    _by_name: dict[str, SheetData] = field(default_factory=dict, repr=False, compare=False)

    def sheet(self, name: str) -> SheetData | None:
        if len(self._by_name) != len(self.sheets):
            self._by_name = {s.name: s for s in self.sheets}
        return self._by_name.get(name)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def cell(self, sheet: str, ref: str) -> Cell | None:
        s = self.sheet(sheet)
        return s.cells.get(ref) if s else None

    def is_locked(self, c: Cell | None) -> bool:
        """Excel's default for a cell is locked; only an explicit protection locked=0 unlocks it."""
        if c is None:
            return True
        return self.locked_styles[c.style] if c.style < len(self.locked_styles) else True

    def is_date(self, c: Cell | None) -> bool:
        return bool(c is not None and c.style < len(self.date_styles) and self.date_styles[c.style])

    def resolve(self, name: str) -> tuple[str, str] | None:
        """(sheet, 'A1' or 'A1:B9') of a workbook-level name that points at one area, else None."""
        text = self.names.get(name)
        return parse_reference(text) if text else None


_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


def parse_reference(text: str) -> tuple[str, str] | None:
    """"'表 1'!$B$4" → ('表 1', 'B4'); ranges keep their colon; anything else (#REF!, formulas) → None."""
    m = _REF.match(text.strip())
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)
    ref = m.group(3).replace("$", "")
    a, _, b = ref.partition(":")
    return sheet, (a if not b or a == b else ref)


def _check_zip(path: Path, zf: zipfile.ZipFile) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 10_000_000:
            raise UnreadableWorkbook(path, f"压缩包成员 {info.filename} 解压后异常膨胀（疑似压缩炸弹），已拒绝读取",
                                     f"member {info.filename} inflates abnormally (zip bomb suspected); refused",
                                     "file-hostile")
    if total > MAX_UNCOMPRESSED:
        raise UnreadableWorkbook(path, f"文件解压后超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB（疑似压缩炸弹），已拒绝读取",
                                 f"archive inflates beyond {MAX_UNCOMPRESSED // 1024 // 1024} MB (zip bomb suspected)",
                                 "file-hostile")


def sniff(path: Path) -> None:
    """Name the common wrong kinds of file before trying to parse them."""
    if not path.exists():
        raise UnreadableWorkbook(path, "文件不存在", "file not found", "file-missing")
    if path.is_dir():
        raise UnreadableWorkbook(path, "这是一个文件夹，不是工作簿文件", "is a directory, not a workbook")
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise UnreadableWorkbook(path, "文件是空的（0 字节）", "file is empty (0 bytes)")
    if head.startswith(OLE_MAGIC):
        raise UnreadableWorkbook(
            path,
            "文件已加密（设置了打开密码），或是旧版 .xls 格式。请取消密码或在 Excel/WPS 中另存为 .xlsx 后再提交",
            "file is encrypted (password-protected) or a legacy .xls; remove the password or save as .xlsx",
            "file-encrypted-or-xls")
    if not head.startswith(ZIP_MAGIC):
        raise UnreadableWorkbook(path, "不是 Excel 工作簿（.xlsx）文件，内容无法识别",
                                 "not an Excel workbook (.xlsx); content not recognised", "file-not-workbook")


def _read_xml(zf: zipfile.ZipFile, name: str, path: Path):  # type: ignore[no-untyped-def]
    try:
        data = zf.read(name)
    except KeyError:
        return None
    try:
        return fromstring(data)
    except DefusedXmlException as exc:
        raise UnreadableWorkbook(path, f"{name} 含有被禁止的 XML 结构（实体或 DTD，疑似恶意文件），已拒绝读取",
                                 f"{name} contains forbidden XML (entities/DTD); refused", "file-hostile") from exc
    except Exception as exc:  # ParseError from a corrupt part
        raise UnreadableWorkbook(path, f"文件已损坏：{name} 无法解析", f"corrupt file: {name} cannot be parsed",
                                 "file-corrupt") from exc


def _rels(zf: zipfile.ZipFile, part: str, path: Path) -> dict[str, str]:
    base = posixpath.dirname(part)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    root = _read_xml(zf, rels_name, path)
    out: dict[str, str] = {}
    if root is None:
        return out
    for rel in root:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id", "")] = full
    return out


_NUMFMT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?numFmt\b([^>]*?)/?>")
_CELLXFS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?cellXfs\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?cellXfs>)", re.S)
_XF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?xf\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?xf>)", re.S)
_LOCKED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?protection\b[^>]*?\blocked=\"(0|false)\"")


def _styles(zf: zipfile.ZipFile, path: Path) -> tuple[list[bool], list[bool], list[bool]]:
    """Per cell style: locked?, date format?, quote prefix? (scanned, not parsed: LibreOffice writes big styles)."""
    try:
        data = zf.read("xl/styles.xml")
    except KeyError:
        return [], [], []
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise UnreadableWorkbook(path, "xl/styles.xml 含有被禁止的 XML 结构（实体或 DTD，疑似恶意文件），已拒绝读取",
                                 "xl/styles.xml contains forbidden XML (entities/DTD); refused", "file-hostile")
    date_fmts = set(BUILTIN_DATE_FORMATS)
    for m in _NUMFMT.finditer(data):
        attrs = dict(_ATTR.findall(m.group(1)))
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", _unescape(attrs.get(b"formatCode", b""))).lower()
        if any(ch in code for ch in "ymdhs") and "general" not in code:
            try:
                date_fmts.add(int(attrs.get(b"numFmtId", b"0")))
            except ValueError:
                pass
    locked: list[bool] = []
    dates: list[bool] = []
    quotes: list[bool] = []
    block = _CELLXFS.search(data)
    for xf in _XF.finditer(block.group(1) or b"") if block is not None else ():
        attrs = dict(_ATTR.findall(xf.group(1)))
        locked.append(not (xf.group(2) and _LOCKED.search(xf.group(2))))
        try:
            dates.append(int(attrs.get(b"numFmtId", b"0")) in date_fmts)
        except ValueError:
            dates.append(False)
        quotes.append(attrs.get(b"quotePrefix") in (b"1", b"true"))
    return locked, dates, quotes


def _shared_strings(zf: zipfile.ZipFile, name: str | None, path: Path) -> list[str]:
    if not name:
        return []
    root = _read_xml(zf, name, path)
    if root is None:
        return []
    out = []
    for si in root:
        t = si.find(f"{M}t")
        if t is not None:
            out.append(ooxml_unescape(t.text or ""))
        else:  # rich text: concatenate the runs, skip phonetic hints
            out.append(ooxml_unescape("".join((r.findtext(f"{M}t") or "") for r in si.findall(f"{M}r"))))
    return out


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_unescape(text: str) -> str:
    """Decode ``_xHHHH_``, the OOXML escape for characters XML cannot carry (control characters)."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


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
_CELL_FILLED_PLAIN = re.compile(rb"<c ([^>]*[^/>])>(?!</)(.*?)</c>", re.S)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br=\"(\d+)\"")
_ATTR = re.compile(rb"([\w:]+)=\"([^\"]*)\"")
_F = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?f>)", re.S)
_V = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?v>)", re.S)
_T = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?t\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?t>)", re.S)
_RPH = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?rPh\b.*?</(?:[A-Za-z_][\w.-]*:)?rPh>", re.S)
_PROTECTION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetProtection\b([^>]*)>")
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([^\"]+)\"")
_END_SHEETDATA = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>|<(?:[A-Za-z_][\w.-]*:)?sheetData\s*/>")
CHUNK = 1 << 20


def _unescape(raw: bytes) -> str:
    """XML text → str. Character references (openpyxl writes every CJK character as ``&#NNNNN;``) are
    resolved by expat in C on the fragment alone; the sheet's head was already checked for DTDs."""
    if b"\r" in raw:  # XML end-of-line normalisation, as any XML parser does
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"&" not in raw:
        return raw.decode("utf-8")
    return _fragment(b"<x>" + raw + b"</x>").text or ""


def _read_sheet(stream: IO[bytes], sheet: SheetData, sst: list[str], quotes: list[bool], path: Path,
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
                    attrs = dict(_ATTR.findall(prot.group(1)))
                    sheet.protected = attrs.get(b"sheet") in (b"1", b"true")
                sheet.merges.extend(m.group(1).decode() for m in _MERGE.finditer(rest))
                done = True
    except UnreadableWorkbook:
        raise
    except Exception as exc:
        raise UnreadableWorkbook(path, f"文件已损坏：工作表“{sheet.name}”无法解析",
                                 f"corrupt file: sheet {sheet.name!r} cannot be parsed", "file-corrupt") from exc


_UNPARSED = object()
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
    attrs = dict(_ATTR.findall(attr_bytes))
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
            fattrs = dict(_ATTR.findall(fm.group(1)))
            formula = _unescape(fm.group(2)) if fm.group(2) is not None else None
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
            v = _unescape(vm.group(1) or b"")
    if t == "s":
        try:
            value = sst[int(v)] if v is not None else None
        except (ValueError, IndexError):
            value = None
    elif t == "inlineStr":
        inner = _RPH.sub(b"", body)
        value = ooxml_unescape("".join(_unescape(x.group(1) or b"") for x in _T.finditer(inner)))
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


def read(path: str | Path, sheets: set[str] | None = None, keep_empty: bool = False) -> Workbook:
    """Read structure and cells; only the named sheets' cells when ``sheets`` is given (the rest stay empty).

    ``keep_empty`` also keeps styled empty cells, for checks of protection on cells nobody filled.
    """
    p = Path(path)
    sniff(p)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableWorkbook(p, "文件已损坏（压缩包结构不完整，可能是下载或拷贝中断）",
                                 "corrupt file (incomplete zip archive)", "file-corrupt") from exc
    with zf:
        try:
            return _read_zip(p, zf, sheets, keep_empty)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError) as exc:
            if isinstance(exc, UnreadableWorkbook):
                raise
            raise UnreadableWorkbook(p, "文件已损坏，无法读取", "corrupt file, cannot be read", "file-corrupt") from exc


def _read_zip(p: Path, zf: zipfile.ZipFile, wanted: set[str] | None, keep_empty: bool) -> Workbook:
    _check_zip(p, zf)
    members = set(zf.namelist())
    if "xl/workbook.bin" in members:
        raise UnreadableWorkbook(p, "这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再提交",
                                 "binary workbook (.xlsb); save as .xlsx", "file-not-workbook")
    if "mimetype" in members and "content.xml" in members:
        raise UnreadableWorkbook(p, "这是 OpenDocument 表格（.ods），请另存为 Excel 工作簿（.xlsx）后再提交",
                                 "OpenDocument spreadsheet (.ods); save as .xlsx", "file-not-workbook")
    if "EncryptionInfo" in members:
        raise UnreadableWorkbook(p, "文件已加密，请取消打开密码后再提交", "file is encrypted", "file-encrypted-or-xls")
    pkg = _rels(zf, "", p) if "_rels/.rels" in members else {}
    wb_part = next((t for t in pkg.values() if t.endswith(".xml") and "workbook" in posixpath.basename(t)),
                   "xl/workbook.xml")
    if wb_part not in members:
        if "word/document.xml" in members:
            why = ("这是 Word 文档（.docx），不是 Excel 工作簿", "a Word document (.docx), not a workbook")
        elif "ppt/presentation.xml" in members:
            why = ("这是 PowerPoint 文档，不是 Excel 工作簿", "a PowerPoint document, not a workbook")
        else:
            why = ("压缩包中没有工作簿内容，不是 Excel 工作簿", "zip archive without a workbook part")
        raise UnreadableWorkbook(p, why[0], why[1], "file-not-workbook")
    root = _read_xml(zf, wb_part, p)
    rels = _rels(zf, wb_part, p)
    sst_name = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
    locked, dates, quotes = _styles(zf, p)
    sst = _shared_strings(zf, sst_name, p)
    sheets: list[SheetData] = []
    parts: list[str | None] = []
    for s in root.iter(f"{M}sheet"):
        name = s.get("name", "")
        sheets.append(SheetData(name, s.get("state", "visible")))
        parts.append(rels.get(s.get(f"{{{NS_REL}}}id", "")))
    names: dict[str, str] = {}
    local: dict[tuple[int, str], str] = {}
    dn = root.find(f"{M}definedNames")
    for d in dn if dn is not None else []:
        if d.get("localSheetId") is not None:
            local[(int(d.get("localSheetId", "0")), d.get("name", ""))] = d.text or ""
        else:
            names[d.get("name", "")] = d.text or ""
    calc = root.find(f"{M}calcPr")
    wb = Workbook(str(p), sheets, names, local, locked_styles=locked, date_styles=dates, quote_styles=quotes,
                  calc_mode=(calc.get("calcMode", "auto") if calc is not None else "auto"),
                  has_vba="xl/vbaProject.bin" in members,
                  external_links=sum(1 for m in members if m.startswith("xl/externalLinks/externalLink")))
    for sheet, part in zip(sheets, parts, strict=True):
        if part is None or part not in members or (wanted is not None and sheet.name not in wanted):
            continue
        with zf.open(part) as stream:
            _read_sheet(stream, sheet, sst, quotes, p, keep_empty)
    app = _read_xml(zf, "docProps/app.xml", p) if "docProps/app.xml" in members else None
    if app is not None:
        for child in app:
            local_tag = child.tag.rsplit("}", 1)[-1]
            if local_tag == "Application":
                wb.application = (child.text or "").strip()
            elif local_tag == "AppVersion":
                wb.app_version = (child.text or "").strip()
    custom = _read_xml(zf, "docProps/custom.xml", p) if "docProps/custom.xml" in members else None
    if custom is not None:
        for prop in custom:
            val = next(iter(prop), None)
            wb.custom_properties[prop.get("name", "")] = (val.text or "") if val is not None else ""
    return wb


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
