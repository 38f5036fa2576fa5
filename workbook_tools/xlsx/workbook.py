"""The workbook part and the whole read: sheets and their state, defined names, calc mode, app.xml, custom
properties, then each wanted worksheet; one pass over the zip.

This reader takes one pass over the zip with defusedxml (no entity expansion, no DTD) and refuses zip bombs
before parsing. It speaks only the vocabulary of cells; the evaluation model is built on top of it in
:mod:`workbook_tools.xlsx.reader`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .package import NS_REL, M, UnreadableWorkbook, check_zip, read_rels, read_xml, sniff
from .shared_strings import read_shared_strings
from .styles import read_styles
from .worksheet import Cell, SheetData, read_sheet


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
    sst_name = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
    locked, dates, quotes = read_styles(zf, p)
    sst = read_shared_strings(zf, sst_name, p)
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
            read_sheet(stream, sheet, sst, quotes, p, keep_empty)
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
