"""The zip container: what kind of file this is, zip-bomb limits, XML parts read safely, relationships.

Every small part is parsed with defusedxml (no entity expansion, no DTD) after the archive's sizes are checked;
:class:`UnreadableWorkbook` names the file and says, in Chinese and English, why it cannot be read.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..core.errors import WorkbookToolsError

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = f"{{{NS_MAIN}}}"
#: Strict OOXML (ISO/IEC 29500 Strict) spells the relationships of the workbook part in this namespace.
NS_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"

#: Refuse archives that inflate beyond this many bytes (documented in docs/robustness.md).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: Refuse members whose compression ratio is beyond this (zip bombs compress ~1000:1).
MAX_RATIO = 200

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class UnreadableWorkbook(WorkbookToolsError):
    """The file cannot be read as a workbook; the message names the file and says why; ``code`` is the
    catalogue code of the unreadable finding."""

    code = "file-unreadable"

    def __init__(self, path: str | Path, reason_zh: str, reason_en: str, code: str = "file-unreadable"):
        self.path = str(path)
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"{self.path}：{reason_zh}", f"{self.path}: {reason_en}", code=code)


def check_zip(path: Path, zf: zipfile.ZipFile) -> None:
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


def read_xml(zf: zipfile.ZipFile, name: str, path: Path):  # type: ignore[no-untyped-def]
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


def read_rels(zf: zipfile.ZipFile, part: str, path: Path) -> dict[str, str]:
    base = posixpath.dirname(part)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    root = read_xml(zf, rels_name, path)
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
