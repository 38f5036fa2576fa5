"""Done when: fill turns a damaged workbook into one validate passes, apart from input problems it cannot decide."""

from __future__ import annotations

import zipfile
from pathlib import Path

from workbook_tools.checks.validate import validate
from workbook_tools.core.findings import CATALOGUE
from workbook_tools.fill import fill

from .test_fill import messy


def fixable(codes: list[str]) -> list[str]:
    return [c for c in codes if CATALOGUE[c].family in ("formula", "arithmetic") or c == "text-number"]


def test_validate_passes_after_fill_and_fill_is_idempotent(consistent_xlsx: Path, tmp_path: Path) -> None:
    src = messy(consistent_xlsx, tmp_path / "messy.xlsx")
    before = [f.code for f in validate(src).findings]
    assert {"formula-deleted", "formula-changed", "text-number"} <= set(before)
    assert {"value-mismatch", "formula-overwritten"} & set(before)  # the typed-over 77.7
    out = tmp_path / "filled.xlsx"
    fill(src, out)
    after = validate(out)
    assert fixable([f.code for f in after.findings]) == []
    assert after.ok, [f.text() for f in after.findings]
    again = fill(out, tmp_path / "again.xlsx")
    assert again.changed_cells == 0
    assert (tmp_path / "again.xlsx").read_bytes() == out.read_bytes()


def test_seed_after_fill_keeps_only_the_input_problem(tmp_path: Path) -> None:
    """The seed as published: truncated ratios typed over; its project list does not reconcile (an input fact)."""
    from .conftest import EXAMPLES

    out = tmp_path / "seed.xlsx"
    fill(EXAMPLES / "seed_2022_anhua_zhongdian.xlsx", out)
    assert [f.code for f in validate(out).findings] == ["project-list-mismatch"]


def test_parts_openpyxl_cannot_keep_are_named(consistent_xlsx: Path, tmp_path: Path) -> None:
    src = tmp_path / "with_parts.xlsx"
    with zipfile.ZipFile(consistent_xlsx) as zin, zipfile.ZipFile(src, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr("xl/drawings/drawing1.xml", "<xdr:wsDr xmlns:xdr='urn:x'/>")
    report = fill(src, tmp_path / "out.xlsx")
    (lost,) = [f for f in report.findings if f.code == "fill-parts-dropped"]
    assert "图形" in lost.message and report.written and src.exists()
