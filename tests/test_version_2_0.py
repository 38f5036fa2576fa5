"""Template 2.0 (profiles and the real forms' figures, without the live checks of 2.1) stays readable:
its files, kept in tests/fixtures/v2_0, are read against data/layouts/2.0.json, validated, filled and migrated."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook_tools.checks.validate import validate
from workbook_tools.core import layouts, live_checks, spec
from workbook_tools.fill import fill
from workbook_tools.migrate import migrate
from workbook_tools.xlsx import reader

from .conftest import EXAMPLES, FIXTURES
from .factory import layout_matches_file

V2 = FIXTURES / "v2_0"


def _codes(path: Path) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in validate(path).findings]


def test_the_current_version_is_one_above_2_0_and_both_earlier_ones_are_known() -> None:
    assert spec.TEMPLATE_VERSION == "2.1" == live_checks.SINCE
    assert spec.KNOWN_VERSIONS == ("1.0", "2.0", "2.1")
    assert reader.load(EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx").version == "2.1"


def test_the_2_0_layout_snapshot_matches_the_2_0_template_file() -> None:
    layout = layouts.for_version("2.0")
    assert layout is not None and not layout.is_current
    assert spec.LIVE_SHEET not in layout.sheet_titles()
    layout_matches_file(layout, V2 / "template_2_0.xlsx")
    current = layouts.current()
    assert {n.name for n in live_checks.names()} <= set(current.names) and spec.LIVE_SHEET in current.sheet_titles()


def test_2_0_files_validate_as_the_current_ones_without_the_live_checks() -> None:
    report = validate(V2 / "consistent_2_0.xlsx")
    assert report.template_version == "2.0"
    assert [f.code for f in report.findings if f.severity != "info"] == []
    assert "migrate" in next(f.message for f in report.findings if f.code == "template-old")
    old, new = _codes(V2 / "seed_2_0.xlsx"), _codes(EXAMPLES / "seed_2022_anhua_zhongdian.xlsx")
    assert [c for c in old if c[0] != "template-old"] == new


@pytest.mark.parametrize("name", ["seed_2_0", "consistent_2_0", "template_2_0"])
def test_migrate_carries_a_2_0_file_into_2_1_with_its_live_checks(name: str, tmp_path: Path) -> None:
    src = V2 / f"{name}.xlsx"
    before = src.read_bytes()
    out = tmp_path / "new.xlsx"
    report = migrate(src, out)
    assert src.read_bytes() == before
    assert report.from_version == "2.0" and report.to_version == "2.1" and not report.lost
    old, new = reader.load(src), reader.load(out)
    assert new.version == "2.1" and new.book.sheet(spec.LIVE_SHEET) is not None
    for k, v in old.model.values.items():
        assert new.model.values.get(k) == v, k
    assert new.model.lists == old.model.lists
    if name != "template_2_0":
        expected = [c for c in _codes(src) if c[0] not in ("template-old", "cache-missing")]
        assert [c for c in _codes(out) if c[0] != "cache-missing"] == expected


def test_fill_on_a_2_0_workbook_keeps_its_version_and_adds_no_live_checks(tmp_path: Path) -> None:
    out = tmp_path / "filled.xlsx"
    report = fill(V2 / "consistent_2_0.xlsx", out)
    assert report.written and not report.errors
    filled = reader.load(out)
    assert filled.version == "2.0" and filled.book.sheet(spec.LIVE_SHEET) is None
    assert [f.code for f in validate(out).findings if f.severity != "info"] == []
