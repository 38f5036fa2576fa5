"""``xl/sharedStrings.xml`` and the OOXML ``_xHHHH_`` escape."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .package import M, read_xml


def read_shared_strings(zf: zipfile.ZipFile, name: str | None, path: Path) -> list[str]:
    if not name:
        return []
    root = read_xml(zf, name, path)
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
