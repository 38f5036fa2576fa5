"""The workbook part and the whole read: sheets and their state, defined names, calc mode, app.xml, custom
properties, then each wanted worksheet; one pass over the zip.

The small parts are parsed with defusedxml, the styles and sheets with a defused expat parser, the cached
values by python-calamine; zip bombs are refused before parsing. Transitional and Strict OOXML read alike. It speaks only the vocabulary of cells; the evaluation model is built on top of it in
:mod:`workbook_tools.xlsx.reader`.
"""

from __future__ import annotations

import io
import posixpath
import pyexpat
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import msgspec
from defusedxml import DefusedXmlException

from .package import NS_REL, NS_STRICT_REL, M, UnreadableWorkbook, check_zip, read_rels, read_xml, sniff
from .shared_strings import check_shared_strings
from .styles import read_styles
from .values import open_values
from .worksheet import MAX_ROW, Cell, Cells, FormulaCells, SheetData, SheetScan, plain_formulas, scan_sheet, sealed_by
from .xmlparse import MAIN_NAMESPACES, NS_STRICT, is_utf16


class Workbook(msgspec.Struct, dict=True):
    """A read workbook's package facts and sheets (``dict=True``: the by-name index below is a cache, not a
    field, so it takes no part in equality or the repr)."""

    path: str
    sheets: list[SheetData]
    names: dict[str, str]  # workbook-level defined name → reference text
    local_names: dict[tuple[int, str], str]
    application: str = ""
    app_version: str = ""
    custom_properties: dict[str, str] = msgspec.field(default_factory=dict)
    locked_styles: list[bool] = msgspec.field(default_factory=list)
    date_styles: list[bool] = msgspec.field(default_factory=list)
    quote_styles: list[bool] = msgspec.field(default_factory=list)
    calc_mode: str = "auto"
    has_vba: bool = False
    external_links: int = 0

    def sheet(self, name: str) -> SheetData | None:
        by_name: dict[str, SheetData] | None = self.__dict__.get("_by_name")
        if by_name is None or len(by_name) != len(self.sheets):
            by_name = self.__dict__["_by_name"] = {s.name: s for s in self.sheets}
        return by_name.get(name)

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


@lru_cache(maxsize=4096)
def parse_reference(text: str) -> tuple[str, str] | None:
    """"'表 1'!$B$4" → ('表 1', 'B4'); ranges keep their colon; anything else (#REF!, formulas) → None.

    Cached: the reader and the structure check resolve each of a workbook's ~180 names, and every workbook of a
    batch spells them alike."""
    m = _REF.match(text.strip())
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)
    ref = m.group(3).replace("$", "")
    a, _, b = ref.partition(":")
    return sheet, (a if not b or a == b else ref)


def read(path: str | Path, sheets: set[str] | None = None, keep_empty: bool = False,
         formulas_only: frozenset[str] = frozenset(), seal: str | None = None) -> Workbook:
    """Read structure and cells; only the named sheets' cells when ``sheets`` is given (the rest stay empty).

    ``keep_empty`` also keeps styled empty cells, for checks of protection on cells nobody filled. Of the
    sheets in ``formulas_only`` only the formula cells are read, with no value (:attr:`SheetData.values`
    is False): the 校验 sheet, whose thousands of formulas ``validate`` compares and whose results it never reads.
    Of those, a sheet protected with the legacy password hash ``seal`` is not read at all (:attr:`SheetData.sealed`):
    no cell of it can have been edited in Excel, WPS or LibreOffice without that password.
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
            return _read_zip(p, zf, sheets, keep_empty, formulas_only, seal)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError) as exc:
            if isinstance(exc, UnreadableWorkbook):
                raise
            raise UnreadableWorkbook(p, "文件已损坏，无法读取", "corrupt file, cannot be read", "file-corrupt") from exc


def _read_zip(p: Path, zf: zipfile.ZipFile, wanted: set[str] | None, keep_empty: bool,
              formulas_only: frozenset[str], seal: str | None) -> Workbook:
    check_zip(p, zf)
    members = set(zf.namelist())
    if "xl/workbook.bin" in members:
        raise UnreadableWorkbook(p, "这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再提交",
                                 "binary workbook (.xlsb); save as .xlsx", "file-not-workbook")
    if "mimetype" in members and "content.xml" in members:
        raise UnreadableWorkbook(p, "这是 OpenDocument 表格（.ods），请另存为 Excel 工作簿（.xlsx）后再提交",
                                 "OpenDocument spreadsheet (.ods); save as .xlsx", "file-not-workbook")
    if "EncryptionInfo" in members:
        raise UnreadableWorkbook(p, "文件已加密，请取消打开密码后再提交", "file is encrypted", "file-encrypted-or-xls")
    pkg = read_rels(zf, "", p) if "_rels/.rels" in members else {}
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
    root = read_xml(zf, wb_part, p)
    rels = read_rels(zf, wb_part, p)
    ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    m = f"{{{ns}}}" if ns in MAIN_NAMESPACES else M
    rel_id = f"{{{NS_STRICT_REL if ns == NS_STRICT else NS_REL}}}id"
    locked, dates, quotes = read_styles(zf, p)
    check_shared_strings(zf, members, p)
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
    light = [(sheet, part) for sheet, part in todo if sheet.name in formulas_only]
    if light:
        todo = [t for t in todo if t[0].name not in formulas_only]
        for sheet, part in light:
            _read_formulas(p, zf, sheet, part, dates, quotes, seal)
    if todo:
        _read_sheets(p, zf, todo, dates, quotes, keep_empty)
    app = read_xml(zf, "docProps/app.xml", p) if "docProps/app.xml" in members else None
    if app is not None:
        for child in app:
            local_tag = child.tag.rsplit("}", 1)[-1]
            if local_tag == "Application":
                wb.application = (child.text or "").strip()
            elif local_tag == "AppVersion":
                wb.app_version = (child.text or "").strip()
    custom = read_xml(zf, "docProps/custom.xml", p) if "docProps/custom.xml" in members else None
    if custom is not None:
        for prop in custom:
            val = next(iter(prop), None)
            wb.custom_properties[prop.get("name", "")] = (val.text or "") if val is not None else ""
    return wb


def _read_formulas(path: Path, zf: zipfile.ZipFile, sheet: SheetData, part: str, dates: list[bool],
                   quotes: list[bool], seal: str | None) -> None:
    """Only the formula cells of one sheet: none under the seal, the plain spelling without a parser, any
    other through expat."""
    raw = zf.read(part)
    sheet.values = False
    if seal is not None and sealed_by(raw, seal):
        sheet.protected = sheet.sealed = True
        sheet.cells = FormulaCells({})
        return
    plain = plain_formulas(raw)
    if plain is not None:
        formulas, sheet.protected = plain
        sheet.cells = FormulaCells(formulas)
    else:
        scan = _scan(path, sheet, io.BytesIO(raw), dates)
        sheet.protected, sheet.merges = scan.protected, scan.merges
        sheet.max_row, sheet.truncated = scan.max_row, scan.truncated
        sheet.cells = Cells([], {ref: m for ref, m in scan.cells.items() if m is not None and m[2] is not None},
                            quotes)


def _scan(path: Path, sheet: SheetData, stream: IO[bytes], dates: list[bool]) -> SheetScan:
    try:
        return scan_sheet(stream, dates, MAX_ROW)
    except DefusedXmlException as exc:
        raise UnreadableWorkbook(path, f"工作表“{sheet.name}”含有被禁止的 XML 结构（疑似恶意文件），已拒绝读取",
                                 f"sheet {sheet.name!r} contains forbidden XML; refused", "file-hostile") from exc
    except (pyexpat.ExpatError, UnicodeError, LookupError) as exc:
        raise UnreadableWorkbook(path, f"文件已损坏：工作表“{sheet.name}”无法解析",
                                 f"corrupt file: sheet {sheet.name!r} cannot be parsed", "file-corrupt") from exc


def _read_sheets(path: Path, zf: zipfile.ZipFile, todo: list[tuple[SheetData, str]], dates: list[bool],
                 quotes: list[bool], keep_empty: bool) -> None:
    """Formula text, styles and structure from expat, then cached values from calamine, sheet by sheet."""
    scans = []
    for sheet, part in todo:
        with zf.open(part) as stream:
            scan = _scan(path, sheet, stream, dates)
        sheet.protected, sheet.merges = scan.protected, scan.merges
        sheet.max_row, sheet.truncated = scan.max_row, scan.truncated
        scans.append(scan)
    book: Any = None
    for (sheet, _), scan in zip(todo, scans, strict=True):
        grid: list[list[Any]] = []
        if scan.cells:
            if book is None:
                utf16 = any(sc.utf16 for sc in scans) or any(
                    is_utf16(zf.open(n).read(4)) for n in zf.namelist()
                    if n.endswith(("sharedStrings.xml", "workbook.xml", "styles.xml")))
                book = open_values(path, zf, utf16)
            try:
                grid = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False, nrows=MAX_ROW)
            except Exception as exc:  # calamine's errors share no base class worth naming
                raise UnreadableWorkbook(path, f"文件已损坏：工作表“{sheet.name}”的单元格无法读取",
                                         f"corrupt file: cells of sheet {sheet.name!r} cannot be read ({exc})",
                                         "file-corrupt") from exc
        sheet.cells = Cells(grid, scan.cells, quotes, keep_empty)
