"""Every broken or hostile input gets its documented outcome: exit code, finding code, words, cell.

The cases are generated from the template by tests/broken_inputs.py (docs/robustness.md lists them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workbook_tools.checks.validate import validate

from .broken_inputs import CASES, NEEDS_SOFFICE, Case
from .conftest import ROOT, need_soffice


@pytest.fixture
def built(broken_inputs: dict[str, Path]) -> dict[str, Path]:
    return broken_inputs


def test_there_are_at_least_forty_kinds() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_gives_its_documented_outcome(case: Case, built: dict[str, Path]) -> None:
    if case.name in NEEDS_SOFFICE:
        need_soffice()
    path = built[case.name]
    report = validate(path)
    assert report.exit_code() == case.exit_code, [f.text() for f in report.findings][:5]
    findings = list(report.findings) + ([report.unreadable] if report.unreadable else [])
    if case.code is None:
        assert not [f for f in findings if f.severity == "error"]
        return
    hits = [f for f in findings if f.code == case.code]
    assert hits, f"{case.name}: expected {case.code}, got {sorted({f.code for f in findings})}"
    if case.words:
        assert any(case.words in f.text() for f in hits), [f.text() for f in hits]
    if case.cell:
        assert case.cell in {f.place for f in hits}, [f.place for f in hits]
    if report.unreadable is not None:
        assert path.name in report.unreadable.text()


@pytest.mark.parametrize("name", ["random-bytes", "encrypted", "billion-laughs", "zip-bomb", "truncated-zip", "macros"])
def test_cli_answers_with_one_clear_line_never_a_traceback(name: str, built: dict[str, Path]) -> None:
    case = next(c for c in CASES if c.name == name)
    r = subprocess.run([sys.executable, "-m", "workbook_tools.cli.app", "validate", str(built[name])],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == case.exit_code
    assert "Traceback" not in r.stdout + r.stderr
    if case.exit_code == 2:
        lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
        assert len(lines) == 1 and built[name].name in lines[0]


def test_validate_never_writes_next_to_the_input(built: dict[str, Path]) -> None:
    folder = built["formula-typed-over"].parent
    before = sorted(p.name for p in folder.iterdir())
    for path in built.values():
        validate(path)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_robustness_doc_lists_every_case() -> None:
    text = (ROOT / "docs" / "robustness.md").read_text("utf-8")
    for case in CASES:
        assert f"`{case.name}`" in text, case.name


@pytest.mark.parametrize("name", ["control-chars", "long-text", "formula-like-name", "path-like-name", "million-rows",
                                  "macros", "text-number-comma", "cached-div/0", "sheet-deleted",
                                  "amount-1e308", "lone-surrogate", "escape-sequences", "boolean-amount",
                                  "input-formula-uncached", "merged-derived", "html-narrative"])
@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_forced_export_of_damaged_workbooks_never_crashes(name: str, fmt: str, built: dict[str, Path],
                                                          tmp_path: Path) -> None:
    from workbook_tools.export import export_report

    result = export_report(built[name], tmp_path / f"report.{fmt}", force=True)
    assert result.output.exists() and result.output.stat().st_size > 0
