"""The package re-exports its public API by name, lazily: importing it imports none of the library."""

from __future__ import annotations

import subprocess
import sys

import pytest

import workbook_tools

from .conftest import ROOT


def test_every_name_in_all_resolves() -> None:
    for name in workbook_tools.__all__:
        assert getattr(workbook_tools, name) is not None, name
    from workbook_tools.checks.validate import validate
    from workbook_tools.session import open_workbook

    assert workbook_tools.validate is validate and workbook_tools.open_workbook is open_workbook
    assert set(workbook_tools.__all__) <= set(dir(workbook_tools))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        workbook_tools.no_such_thing  # noqa: B018


def test_importing_the_package_imports_nothing_else() -> None:
    code = ("import sys, workbook_tools\n"
            "print(sorted(m for m in sys.modules if m.startswith(('workbook_tools.', 'openpyxl', 'pandas', 'rich'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_the_public_api_opens_fills_and_exports_one_session(tmp_path) -> None:  # noqa: ANN001
    from workbook_tools.fill import fill

    session = workbook_tools.open_workbook(ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.xlsx")
    assert session.report.errors == [] and session.computed["total_rate"] is not None
    assert fill(session, tmp_path / "filled.xlsx").written
    result = workbook_tools.export_report(session, tmp_path / "report.md")
    text = result.output.read_text("utf-8")
    assert result.errors == 0 and "青山县教育局" in text and "表1" in text
