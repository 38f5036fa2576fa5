"""The expat half of the reader: shared-formula translation against openpyxl's translator, and the
defusedxml protections of the sheet parser."""

from __future__ import annotations

import io

import pytest
from defusedxml import DTDForbidden, EntitiesForbidden

from workbook_tools.xlsx.formulas import translate
from workbook_tools.xlsx.worksheet import scan_sheet
from workbook_tools.xlsx.xmlparse import check_prolog

FORMULAS = [
    "A1+B2",
    "$A1*B$2+$C$3",
    "SUM(A1:B3)+SUM($A$1:A1)",
    'IF(B2="A1","",ROUND(C2/B2*100,2))',
    "'Sheet 1'!A1+Sheet2!B2+'It''s'!C3",
    "LOG10(A1)+ATAN2(B1,C1)",
    "SUM(A:A)+SUM($B:C)",
    "SUM(1:1)+SUM($2:3)",
    "basic_budget+project_budget",
    "表1!A1*2",
]


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize(("drow", "dcol"), [(1, 0), (0, 1), (3, 2)])
def test_translate_agrees_with_openpyxl(formula: str, drow: int, dcol: int) -> None:
    from openpyxl.formula.translate import Translator

    from workbook_tools.core.cells import address

    expected = Translator("=" + formula, origin="D10").translate_formula(address(10 + drow, 4 + dcol))[1:]
    assert translate(formula, drow, dcol) == expected


def test_translate_off_the_sheet_is_ref_error() -> None:
    assert translate("A1+B2", -1, 0) == "#REF!+B1"


def _sheet(body: str, prolog: str = "") -> io.BytesIO:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return io.BytesIO(f'<?xml version="1.0"?>{prolog}<worksheet xmlns="{ns}"><sheetData>{body}</sheetData>'
                      "</worksheet>".encode())


def test_entity_bomb_is_refused_before_expanding() -> None:
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    with pytest.raises((DTDForbidden, EntitiesForbidden)):
        scan_sheet(_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>', bomb), [], 2000)
    with pytest.raises((DTDForbidden, EntitiesForbidden)):
        check_prolog(_sheet("", bomb))


def test_scan_keeps_formula_styles_errors_and_positions() -> None:
    scan = scan_sheet(_sheet('<row r="2"><c r="B2" s="3"><f>A1*2</f><v>4</v></c><c t="e"><v>#DIV/0!</v></c>'
                             '<c r="E2" s="1"/></row><row><c><v>1</v></c></row>'), [], 2000)
    assert scan.cells == {"B2": [3, None, "A1*2", None, True], "C2": [0, "e", None, "#DIV/0!", True],
                          "E2": [1, None, None, None, False], "A3": None}
    assert scan.max_row == 3
