"""The parser-free reading of a sheet's formulas (the 校验 sheet) and of its protection seal: exact where it
answers, and None/False (the parser reads the part) on every spelling it does not vouch for."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from workbook_tools.core import spec
from workbook_tools.xlsx.worksheet import decode_text, plain_formulas, scan_sheet, sealed_by

from .conftest import EXAMPLES, FIXTURES, TEMPLATE

HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ROOT = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _parts(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]


def _expat(raw: bytes) -> dict[str, str]:
    scan = scan_sheet(io.BytesIO(raw), [False] * 500, 2000)
    return {ref: m[2] for ref, m in scan.cells.items() if m is not None and m[2] is not None}


WORKBOOKS = [TEMPLATE, *sorted(EXAMPLES.glob("*.xlsx")), *sorted(FIXTURES.rglob("*.xlsx"))]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_plain_reading_agrees_with_the_parser(path: Path) -> None:
    """Every sheet part of the template, the examples and the fixtures (openpyxl- and LibreOffice-written)."""
    for raw in _parts(path):
        plain = plain_formulas(raw)
        if plain is None:
            continue
        formulas, protected = plain
        assert {ref: decode_text(text) for ref, text in formulas.items()} == _expat(raw)
        assert protected == scan_sheet(io.BytesIO(raw), [], 2000).protected


def test_the_template_live_sheet_is_read_plainly_and_sealed() -> None:
    raw = next(p for p in _parts(TEMPLATE) if b"live_messages_key" in p)  # the 校验 sheet's messages
    plain = plain_formulas(raw)
    assert plain is not None and len(plain[0]) > 1000
    assert sealed_by(raw, spec.LIVE_SEAL_HASH) and sealed_by(raw, spec.LIVE_SEAL_HASH.lower())
    assert not sealed_by(raw, "ABCD")
    assert not sealed_by(raw.replace(b' sheet="1"', b' sheet="0"'), spec.LIVE_SEAL_HASH)
    at = raw.rfind(b"<sheetProtection")
    commented = raw[:at] + b"<!-- " + raw[at:raw.index(b">", at) + 1] + b" -->" + raw[raw.index(b">", at) + 1:]
    assert not sealed_by(commented, spec.LIVE_SEAL_HASH)
    assert not sealed_by(raw[:at] + raw[raw.index(b">", at) + 1:], spec.LIVE_SEAL_HASH)  # protection removed


def _sheet(cells: bytes, head: bytes = HEAD, root: bytes = ROOT) -> bytes:
    return head + root + b"<sheetData><row r=\"1\">" + cells + b"</row></sheetData></worksheet>"


def test_entities_and_character_references_decode_as_xml_defines_them() -> None:
    raw = _sheet(b'<c r="A1" t="str"><f>IF(B1=&quot;&#26657;&#x9A8C;&quot;,&quot;&amp;lt;&quot;,1&gt;0)</f><v></v></c>')
    plain = plain_formulas(raw)
    assert plain is not None
    assert decode_text(plain[0]["A1"]) == 'IF(B1="校验","&lt;",1>0)' == _expat(raw)["A1"]


@pytest.mark.parametrize("raw", [
    _sheet(b'<c r="A1"><f>1+1</f></c><!-- <c r="A2"><f>2</f></c> -->'),  # comment
    _sheet(b'<c r="A1"><f><![CDATA[1+1]]></f></c>'),  # CDATA
    _sheet(b'<c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f></c><c r="A2"><f t="shared" si="0"/></c>'),
    _sheet(b'<c r="A1"><f t="array" ref="A1">B1</f></c>'),  # another attribute
    _sheet(b'<c r="A1"><f>1</f></c><c r="A1"><f>2</f></c>'),  # a cell written twice
    _sheet(b'<c s="1" r="A1"><f>1</f></c>'),  # attributes in another order
    _sheet(b'<c r="A1"><f>1+1</f></c>', root=b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main">').replace(b"</worksheet>", b"</x:worksheet>"),  # prefixed
    _sheet(b'<c r="A1"><f>1+1</f></c>', head=b'<?xml version="1.0" encoding="ISO-8859-1"?>'),
    _sheet(b'<c r="A1"><f>1+\r\n1</f></c>'),  # line ends the parser normalises
    _sheet(b'<c r="A1"><f>1+1</f></c>', head=HEAD + b"<!DOCTYPE x [<!ENTITY a 'b'>]>"),
    _sheet(b'<c r="A1"><f>1+1</f ></c>'),  # an end tag with a space
], ids=["comment", "cdata", "shared", "array", "twice", "order", "prefixed", "latin1", "crlf", "dtd", "endspace"])
def test_every_other_spelling_goes_to_the_parser(raw: bytes) -> None:
    assert plain_formulas(raw) is None
