"""Generator of legal but unusual spellings of a filled workbook: markup Excel, WPS or LibreOffice read
without complaint, which a reader must read exactly as the usual spelling (docs/robustness.md).

Each case rewrites the parts of the consistent example (an ordinary file) into another legal form:
Strict OOXML namespaces, strings in CDATA sections, cells without ``r`` attributes, single-quoted
attributes, UTF-16 sheet parts, namespace-prefixed markup. ``python -m tests.legal_ooxml OUT`` writes them.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from .broken_inputs import BASE, rewrite

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")


@dataclass(frozen=True)
class Spelling:
    name: str
    filename: str
    description: str
    rewrite: Callable[[dict[str, bytes]], None]


def _sheets(parts: dict[str, bytes]) -> list[str]:
    return sorted(n for n in parts if SHEET.fullmatch(n))


def _strict(parts: dict[str, bytes]) -> None:
    """ISO/IEC 29500 Strict: the same markup in the purl.oclc.org namespaces (what Excel's "Strict Open XML
    Spreadsheet" save writes)."""
    for n, data in parts.items():
        if n.endswith((".xml", ".rels")):
            parts[n] = (data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                     b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                        .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                 b"http://purl.oclc.org/ooxml/officeDocument/relationships"))


_T = re.compile(rb"<t>([^<]*)</t>")


def _cdata(parts: dict[str, bytes]) -> None:
    """Every inline string's text as a CDATA section."""
    def sub(m: re.Match[bytes]) -> bytes:
        text = html.unescape(m.group(1).decode("utf-8"))
        return b"<t><![CDATA[" + text.encode("utf-8") + b"]]></t>"

    for n in _sheets(parts):
        parts[n] = _T.sub(sub, parts[n])


def _no_r(parts: dict[str, bytes]) -> None:
    """Cells without ``r`` (and rows without ``r``): positions implied by order, gaps as empty ``<c/>``."""
    from workbook_tools.core.cells import rc

    ET.register_namespace("", NS)
    for n in _sheets(parts):
        root = ET.fromstring(parts[n])
        data = root.find(f"{{{NS}}}sheetData")
        assert data is not None
        expected_row = 1
        for row in list(data):
            r = int(row.get("r", "0"))
            while expected_row < r:  # an empty row keeps the next one's position
                data.insert(list(data).index(row), ET.Element(f"{{{NS}}}row"))
                expected_row += 1
            expected_row = r + 1
            row.attrib.pop("r", None)
            cells = list(row)
            for c in cells:
                row.remove(c)
            col = 1
            for c in cells:
                target = rc(c.attrib.pop("r"))[1]
                while col < target:
                    ET.SubElement(row, f"{{{NS}}}c")
                    col += 1
                row.append(c)
                col += 1
        parts[n] = ET.tostring(root, encoding="utf-8", xml_declaration=True)


_ATTR = re.compile(rb'(\s[\w:]+)="([^"]*)"')


def _single_quotes(parts: dict[str, bytes]) -> None:
    """Every attribute of the workbook, styles and sheets quoted with ' instead of "."""
    for n in [*_sheets(parts), "xl/workbook.xml", "xl/styles.xml"]:
        parts[n] = _ATTR.sub(lambda m: m.group(1) + b"='" + m.group(2).replace(b"'", b"&apos;") + b"'", parts[n])


def _utf16(parts: dict[str, bytes]) -> None:
    """Every sheet part in UTF-16 with a byte-order mark, as the XML declaration says."""
    for n in _sheets(parts):
        text = parts[n].decode("utf-8")
        text = re.sub(r"^<\?xml[^>]*\?>", "", text)
        parts[n] = ('<?xml version="1.0" encoding="UTF-16" standalone="yes"?>' + text).encode("utf-16")


def _prefixed(parts: dict[str, bytes]) -> None:
    """The main namespace bound to a prefix (``<x:c>``) instead of the default namespace."""
    for n in _sheets(parts):
        root = ET.fromstring(parts[n])
        ET.register_namespace("x", NS)
        parts[n] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        ET.register_namespace("", NS)


SPELLINGS: tuple[Spelling, ...] = (
    Spelling("strict", "strict.xlsx", "Strict OOXML namespaces", _strict),
    Spelling("cdata", "cdata.xlsx", "strings in CDATA sections", _cdata),
    Spelling("no-r", "no_r.xlsx", "cells and rows without r attributes", _no_r),
    Spelling("single-quotes", "single_quotes.xlsx", "single-quoted attributes", _single_quotes),
    Spelling("utf16", "utf16.xlsx", "sheet parts in UTF-16", _utf16),
    Spelling("prefixed", "prefixed.xlsx", "namespace-prefixed markup", _prefixed),
)


def shared_formulas(dest: Path, base: Path = BASE) -> tuple[Path, dict[str, str]]:
    """The 资金使用 execution rates D10:D13 typed over as one shared formula with relative references
    (D10 the master, D11:D13 its children), as Excel stores a formula filled down. Returns the file and
    each cell's own formula, as Excel shows it."""
    formulas = {f"D{r}": f'IF(B{r}=0,"",ROUND(C{r}/B{r}*100,2))' for r in range(10, 14)}

    def fn(parts: dict[str, bytes]) -> None:
        from workbook_tools.core import spec

        sheet = next(i for i, s in enumerate(spec.sheet_titles(), start=1) if s == "资金使用")
        name = f"xl/worksheets/sheet{sheet}.xml"
        xml = parts[name].decode("utf-8")
        for ref in formulas:
            master = ref == "D10"
            f = (f'<f t="shared" ref="D10:D13" si="0">{html.escape(formulas[ref], quote=False)}</f>' if master
                 else '<f t="shared" si="0"/>')
            xml, count = re.subn(rf'<c r="{ref}"([^>]*?)(?:/>|>.*?</c>)', rf'<c r="{ref}"\1>{f}</c>', xml, count=1)
            assert count == 1, ref
        parts[name] = xml.encode("utf-8")

    return rewrite(base, dest, fn), formulas


def build_all(folder: Path, base: Path = BASE) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {s.name: rewrite(base, folder / s.filename, s.rewrite) for s in SPELLINGS}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/legal")
    for name, path in build_all(out).items():
        print(f"{name:16} {path}")
    print(f"{'shared-formulas':16} {shared_formulas(out / 'shared_formulas.xlsx')[0]}")
