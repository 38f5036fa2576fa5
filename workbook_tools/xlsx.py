"""A small, safe, fast reader of the OOXML parts the tools need: cells (formula text and cached value),
defined names, sheet order and state, styles' lock and number format, protection, merges and app.xml.

Why not openpyxl here: validating must cost about what reading costs, and openpyxl needs two full loads
(formulas, then cached values) at ~20 ms each plus a 130 ms import. Cached values come from python-calamine
(Rust); formula text, styles, errors, merges and protection from one defused expat pass per sheet
(:mod:`workbook_tools.sheetparse`); the small parts through defusedxml. Zip bombs are refused before
parsing. It speaks only the vocabulary of cells; the evaluation model is built on top of it in
:mod:`workbook_tools.reader`.
"""

from __future__ import annotations

import posixpath
import pyexpat
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from . import sheetparse
from .cells import address, col_index, rc, split
from .sheetparse import Cells

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = f"{{{NS_MAIN}}}"
#: Strict OOXML (ISO/IEC 29500 Strict) spells the same vocabulary in other namespaces.
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"

#: Refuse archives that inflate beyond this many bytes (documented in docs/robustness.md).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: Refuse members whose compression ratio is beyond this (zip bombs compress ~1000:1).
MAX_RATIO = 200
#: Cells below this row are not read: the template's last row is far above it.
MAX_ROW = 2000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


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
    ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else NS_MAIN
    m = f"{{{ns}}}" if ns in sheetparse.MAIN_NAMESPACES else M
    rel_id = f"{{{NS_STRICT_REL if ns == NS_STRICT_MAIN else NS_REL}}}id"
    locked, dates, quotes = _styles(zf, p)
    for name in members:
        if name.endswith("sharedStrings.xml"):
            try:
                with zf.open(name) as stream:
                    sheetparse.check_prolog(stream)
            except DefusedXmlException as exc:
                raise UnreadableWorkbook(p, f"{name} 含有被禁止的 XML 结构（实体或 DTD，疑似恶意文件），已拒绝读取",
                                         f"{name} contains forbidden XML (entities/DTD); refused", "file-hostile") from exc
            except pyexpat.ExpatError as exc:
                raise UnreadableWorkbook(p, f"文件已损坏：{name} 无法解析", f"corrupt file: {name} cannot be parsed",
                                         "file-corrupt") from exc
    sheets: list[SheetData] = []
    parts: list[str | None] = []
    for s in root.iter(f"{m}sheet"):
        name = s.get("name", "")
        sheets.append(SheetData(name, s.get("state", "visible")))
        parts.append(rels.get(s.get(rel_id, "")))
    names: dict[str, str] = {}
    local: dict[tuple[int, str], str] = {}
    dn = root.find(f"{m}definedNames")
    for d in dn if dn is not None else []:
        if d.get("localSheetId") is not None:
            local[(int(d.get("localSheetId", "0")), d.get("name", ""))] = d.text or ""
        else:
            names[d.get("name", "")] = d.text or ""
    calc = root.find(f"{m}calcPr")
    wb = Workbook(str(p), sheets, names, local, locked_styles=locked, date_styles=dates, quote_styles=quotes,
                  calc_mode=(calc.get("calcMode", "auto") if calc is not None else "auto"),
                  has_vba="xl/vbaProject.bin" in members,
                  external_links=sum(1 for m in members if m.startswith("xl/externalLinks/externalLink")))
    todo = [(sheet, part) for sheet, part in zip(sheets, parts, strict=True)
            if part is not None and part in members and (wanted is None or sheet.name in wanted)]
    if todo:
        _read_sheets(p, zf, todo, dates, quotes, keep_empty)
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


def _styles(zf: zipfile.ZipFile, path: Path) -> tuple[list[bool], list[bool], list[bool]]:
    """Per cell style: locked?, date format?, quote prefix?"""
    try:
        data = zf.read("xl/styles.xml")
    except KeyError:
        return [], [], []
    try:
        return sheetparse.parse_styles(data)
    except DefusedXmlException as exc:
        raise UnreadableWorkbook(path, "xl/styles.xml 含有被禁止的 XML 结构（实体或 DTD，疑似恶意文件），已拒绝读取",
                                 "xl/styles.xml contains forbidden XML (entities/DTD); refused", "file-hostile") from exc
    except pyexpat.ExpatError as exc:
        raise UnreadableWorkbook(path, "文件已损坏：xl/styles.xml 无法解析", "corrupt file: xl/styles.xml cannot be parsed",
                                 "file-corrupt") from exc


def _calamine(path: Path, zf: zipfile.ZipFile, utf16: bool) -> Any:
    """python-calamine's view of the workbook. It cannot decode UTF-16 (legal XML), so an archive with a
    UTF-16 part is re-encoded to UTF-8 in memory first."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(sheetparse.utf8_copy(zf)) if utf16 else CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's errors share no base class worth naming
        raise UnreadableWorkbook(path, "文件已损坏，无法读取单元格内容", f"corrupt file, cells cannot be read ({exc})",
                                 "file-corrupt") from exc


def _read_sheets(path: Path, zf: zipfile.ZipFile, todo: list[tuple[SheetData, str]], dates: list[bool],
                 quotes: list[bool], keep_empty: bool) -> None:
    """Formula text, styles and structure from expat, then cached values from calamine, sheet by sheet."""
    scans = []
    for sheet, part in todo:
        try:
            with zf.open(part) as stream:
                scan = sheetparse.scan_sheet(stream, dates, MAX_ROW, keep_empty)
        except DefusedXmlException as exc:
            raise UnreadableWorkbook(path, f"工作表“{sheet.name}”含有被禁止的 XML 结构（疑似恶意文件），已拒绝读取",
                                     f"sheet {sheet.name!r} contains forbidden XML; refused", "file-hostile") from exc
        except (pyexpat.ExpatError, UnicodeError, LookupError) as exc:
            raise UnreadableWorkbook(path, f"文件已损坏：工作表“{sheet.name}”无法解析",
                                     f"corrupt file: sheet {sheet.name!r} cannot be parsed", "file-corrupt") from exc
        sheet.protected, sheet.merges = scan.protected, scan.merges
        sheet.max_row, sheet.truncated = scan.max_row, scan.truncated
        scans.append(scan)
    book = None
    for (sheet, _), scan in zip(todo, scans, strict=True):
        grid: list[list[Any]] = []
        if scan.cells:
            if book is None:
                utf16 = any(sc.utf16 for sc in scans) or any(
                    sheetparse.is_utf16(zf.open(n).read(4)) for n in zf.namelist()
                    if n.endswith(("sharedStrings.xml", "workbook.xml", "styles.xml")))
                book = _calamine(path, zf, utf16)
            try:
                grid = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False, nrows=MAX_ROW)
            except Exception as exc:
                raise UnreadableWorkbook(path, f"文件已损坏：工作表“{sheet.name}”的单元格无法读取",
                                         f"corrupt file: cells of sheet {sheet.name!r} cannot be read ({exc})",
                                         "file-corrupt") from exc
        sheet.cells = Cells(grid, scan.cells, quotes, Cell)


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
