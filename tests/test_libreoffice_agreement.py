"""A real spreadsheet application recalculates every derived cell to the value Python computes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from workbook_tools.core import spec
from workbook_tools.core.compute import compute
from workbook_tools.core.model import Evaluation
from workbook_tools.libreoffice import recalculate
from workbook_tools.xlsx import reader

from .conftest import CONSISTENT_JSON, EXAMPLES, FIXTURES, SEED_JSON, TEMPLATE, load_json

pytestmark = pytest.mark.libreoffice


def same(lo_value: object, py_value: object, decimals: int | None) -> bool:
    if py_value is None:
        return lo_value in (None, "")
    if isinstance(py_value, str):
        return lo_value == py_value
    if not isinstance(lo_value, Decimal):
        return False
    q = Decimal(1).scaleb(-(decimals if decimals is not None else 2) - 4)
    return abs(lo_value - Decimal(py_value)) <= q


def test_libreoffice_agrees_with_python_on_every_derived_cell(soffice: str, tmp_path: Path) -> None:
    sources = [TEMPLATE, EXAMPLES / "seed_2022_anhua_zhongdian.xlsx", EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx"]
    outs = recalculate(sources, tmp_path / "lo")
    checked = 0
    for src, out in zip(sources, outs, strict=True):
        mine = reader.load(src)
        lo = reader.load(out)
        assert lo.book.application.startswith("LibreOffice")
        expected = compute(mine.model)
        for f in spec.DERIVED_FIELDS:
            if f.name in mine.model.stated:  # a typed constant stays what was typed
                assert lo.cached(f.name) == mine.model.stated[f.name]
                continue
            assert lo.formula(f.name), f"{src.name}: {f.name} lost its formula"
            assert same(lo.cached(f.name), expected[f.name], f.decimals), (
                f"{src.name} {f.name}: LibreOffice {lo.cached(f.name)!r} != Python {expected[f.name]!r}")
            checked += 1
    assert checked > 100


def test_committed_example_workbooks_hold_their_json() -> None:
    for source in (SEED_JSON, CONSISTENT_JSON):
        book = EXAMPLES / f"{source.stem}.xlsx"
        assert reader.load(book).model.to_json() == Evaluation.from_json(load_json(source)).to_json(), book.name


def test_workbook_saved_by_libreoffice_reads_like_ours() -> None:
    """A fixture LibreOffice wrote (not our writer): same model, cached values present, names unquoted."""
    loaded = reader.load(FIXTURES / "seed_saved_by_libreoffice.xlsx")
    assert loaded.book.application.startswith("LibreOffice")
    assert loaded.model.to_json() == Evaluation.from_json(json.loads(SEED_JSON.read_text("utf-8"))).to_json()
    assert loaded.cached("total_actual") == Decimal("1918.71")
    assert loaded.cached("grade") == "优秀"
    assert all(loc.by_name for loc in loaded.locations.values())
