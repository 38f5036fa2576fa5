"""``xl/sharedStrings.xml``. python-calamine reads the strings; this module makes the check calamine's
parser does not: a DTD or entity declaration in the prolog is refused (defusedxml's rule)."""

from __future__ import annotations

import pyexpat
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException

from .package import UnreadableWorkbook
from .xmlparse import check_prolog


def check_shared_strings(zf: zipfile.ZipFile, members: set[str], path: Path) -> None:
    for name in members:
        if not name.endswith("sharedStrings.xml"):
            continue
        try:
            with zf.open(name) as stream:
                check_prolog(stream)
        except DefusedXmlException as exc:
            raise UnreadableWorkbook(path, f"{name} 含有被禁止的 XML 结构（实体或 DTD，疑似恶意文件），已拒绝读取",
                                     f"{name} contains forbidden XML (entities/DTD); refused", "file-hostile") from exc
        except pyexpat.ExpatError as exc:
            raise UnreadableWorkbook(path, f"文件已损坏：{name} 无法解析", f"corrupt file: {name} cannot be parsed",
                                     "file-corrupt") from exc
