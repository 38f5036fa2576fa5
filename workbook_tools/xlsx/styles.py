"""``xl/styles.xml``: per cell style, whether it is locked, a date format or quote-prefixed."""

from __future__ import annotations

import pyexpat
import re
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException

from .package import UnreadableWorkbook
from .xmlparse import defused_parser, main_names

BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(45, 48)) | {27, 30, 36, 50, 57}
_FMT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_XF, _CELLXFS, _NUMFMT, _PROT = main_names("xf"), main_names("cellXfs"), main_names("numFmt"), main_names("protection")


def read_styles(zf: zipfile.ZipFile, path: Path) -> tuple[list[bool], list[bool], list[bool]]:
    """Per cell style: locked?, date format?, quote prefix?"""
    try:
        data = zf.read("xl/styles.xml")
    except KeyError:
        return [], [], []
    try:
        return parse_styles(data)
    except DefusedXmlException as exc:
        raise UnreadableWorkbook(path, "xl/styles.xml 含有被禁止的 XML 结构（实体或 DTD，疑似恶意文件），已拒绝读取",
                                 "xl/styles.xml contains forbidden XML (entities/DTD); refused", "file-hostile") from exc
    except pyexpat.ExpatError as exc:
        raise UnreadableWorkbook(path, "文件已损坏：xl/styles.xml 无法解析", "corrupt file: xl/styles.xml cannot be parsed",
                                 "file-corrupt") from exc


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
