"""Legal OOXML that Excel, WPS or LibreOffice read without complaint validates exactly as the usual
spelling of the same workbook (tests/legal_ooxml.py generates the spellings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook_tools.checks.validate import validate

from .broken_inputs import BASE
from .legal_ooxml import SPELLINGS, rewrite, shared_formulas


def _findings(path: Path) -> list[tuple[str, str | None, str | None, str]]:
    report = validate(path)
    assert report.unreadable is None, report.unreadable
    return [(f.code, f.sheet, f.cell, f.message) for f in report.findings]


@pytest.mark.parametrize("spelling", SPELLINGS, ids=lambda s: s.name)
def test_spelling_validates_like_the_usual_one(spelling, tmp_path: Path) -> None:  # noqa: ANN001
    path = rewrite(BASE, tmp_path / spelling.filename, spelling.rewrite)
    assert _findings(path) == _findings(BASE)


def test_shared_formula_child_quotes_its_own_formula(tmp_path: Path) -> None:
    path, formulas = shared_formulas(tmp_path / "shared.xlsx")
    changed = {f.cell: f for f in validate(path).findings if f.code == "formula-changed" and f.sheet == "资金使用"}
    assert set(changed) == set(formulas)
    for cell, formula in formulas.items():
        assert f"={formula}" in changed[cell].message
        assert changed[cell].actual == f"={formula}"
