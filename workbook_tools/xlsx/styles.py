"""``xl/styles.xml``: per cell style, whether it is locked, a date format or quote-prefixed."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .package import ATTR, UnreadableWorkbook, xml_text

BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(45, 48)) | {27, 30, 36, 50, 57}

_NUMFMT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?numFmt\b([^>]*?)/?>")
_CELLXFS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?cellXfs\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?cellXfs>)", re.S)
_XF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?xf\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?xf>)", re.S)
_LOCKED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?protection\b[^>]*?\blocked=\"(0|false)\"")


def read_styles(zf: zipfile.ZipFile, path: Path) -> tuple[list[bool], list[bool], list[bool]]:
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
        attrs = dict(ATTR.findall(m.group(1)))
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", xml_text(attrs.get(b"formatCode", b""))).lower()
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
        attrs = dict(ATTR.findall(xf.group(1)))
        locked.append(not (xf.group(2) and _LOCKED.search(xf.group(2))))
        try:
            dates.append(int(attrs.get(b"numFmtId", b"0")) in date_fmts)
        except ValueError:
            dates.append(False)
        quotes.append(attrs.get(b"quotePrefix") in (b"1", b"true"))
    return locked, dates, quotes
