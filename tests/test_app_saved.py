"""Files a real application saved (tests/fixtures/app-saved/, LibreOffice): validate finds the same codes at
the same cells as on the files we write, and fill repairs them the same way.

The one intended difference: our writer (openpyxl) saves no computed values, so our files carry
``cache-missing``; LibreOffice saves them. When the template or a case changes, the fixtures are regenerated
with ``python scripts/make_app_saved.py`` (needs LibreOffice; the committed files need nothing).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook_tools.checks.validate import validate
from workbook_tools.core.findings import Report

from .app_saved import CASE_IDS, FIXTURES, SHIPPED, ours
from .test_validate_cases import CASES, _expected_place

NAMES = (*SHIPPED, *CASE_IDS)
WRITER_ONLY = {"cache-missing"}
REGENERATE = "tests/fixtures/app-saved is stale: run python scripts/make_app_saved.py"


def _places(report: Report) -> list[tuple[str, str | None, str | None]]:
    return sorted({(f.code, f.sheet, f.cell) for f in report.findings if f.code not in WRITER_ONLY})


def test_the_fixtures_are_the_listed_files_saved_by_libreoffice() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.xlsx")) == sorted(NAMES), REGENERATE
    assert len(CASE_IDS) >= 12


@pytest.mark.parametrize("name", NAMES)
def test_same_findings_as_on_our_own_file(name: str, tmp_path: Path) -> None:
    saved = validate(FIXTURES / f"{name}.xlsx")
    assert saved.unreadable is None and (saved.application or "").startswith("LibreOffice"), saved.application
    assert not [f for f in saved.findings if f.code in WRITER_ONLY]  # LibreOffice saved every computed value
    assert _places(saved) == _places(validate(ours(name, tmp_path))), REGENERATE


@pytest.mark.parametrize("name", CASE_IDS)
def test_the_case_finding_is_at_its_cell(name: str) -> None:
    case = next(c for c in CASES if c.id == name)
    sheet, cell = _expected_place(case)
    saved = validate(FIXTURES / f"{name}.xlsx")
    assert [f for f in saved.findings if f.code == case.code and f.sheet == sheet and (cell is None or f.cell == cell)]


@pytest.mark.parametrize("name", ["seed", "typed-over-wrong", "formula-deleted", "formula-changed", "text-comma"])
def test_fill_repairs_a_saved_file_as_it_repairs_ours(name: str, tmp_path: Path) -> None:
    from workbook_tools.fill import fill

    formula_codes = {"formula-overwritten", "formula-deleted", "formula-changed", "value-mismatch",
                     "value-truncated", "cache-stale", "text-number"}
    after = []
    for source in (FIXTURES / f"{name}.xlsx", ours(name, tmp_path / "ours")):
        out = tmp_path / f"{source.parent.name}-filled.xlsx"
        fill(source, out)
        report = validate(out)
        assert not [f for f in report.findings if f.code in formula_codes], [f.text() for f in report.findings]
        after.append(_places(report))
    assert after[0] == after[1]
