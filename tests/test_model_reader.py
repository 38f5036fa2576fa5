"""Reader and model: JSON → workbook → JSON is lossless; values are Decimal; cells are found by name."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from workbook_tools.core import spec
from workbook_tools.core.model import Evaluation, ModelError
from workbook_tools.template import write_filled
from workbook_tools.xlsx import reader

from .conftest import CONSISTENT_JSON, SEED_JSON, load_json

EXAMPLES = [p for p in (SEED_JSON, CONSISTENT_JSON)]


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: p.stem)
def test_json_workbook_json_round_trip_is_lossless(source: Path, tmp_path: Path) -> None:
    data = load_json(source)
    model = Evaluation.from_json(data)
    path = write_filled(model, tmp_path / "x.xlsx")
    back = reader.load(path).model.to_json()
    assert back == model.to_json()
    assert json.loads(json.dumps(back, ensure_ascii=False)) == back


def test_amounts_are_decimal_and_exact(seed_xlsx: Path) -> None:
    m = reader.load(seed_xlsx).model
    assert m.values["basic_wages_actual"] == Decimal("422.49")
    assert isinstance(m.values["basic_wages_actual"], Decimal)
    assert m.values["staff_quota"] == 30 and isinstance(m.values["staff_quota"], int)
    assert m.unit_name == "安化县重点建设项目事务中心"
    assert m.fiscal_year == 2022


def test_typed_over_derived_cells_are_read_as_stated(seed_xlsx: Path) -> None:
    loaded = reader.load(seed_xlsx)
    assert loaded.model.stated["basic_wages_rate"] == Decimal("147.98")
    assert loaded.formula("basic_wages_rate") is None
    assert loaded.formula("project_rate") == 'IF(project_budget=0,"",ROUND(project_actual/project_budget*100,2))'


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    m = Evaluation(values={"unit_name": "=cmd|' /C calc'!A0"})
    path = write_filled(m, tmp_path / "inj.xlsx")
    loaded = reader.load(path)
    assert loaded.model.unit_name == "=cmd|' /C calc'!A0"
    assert loaded.cells["unit_name"].formula is None


def test_cells_follow_their_defined_names(tmp_path: Path) -> None:
    """A name moved (as Excel does when rows are inserted) is followed, and marked as found by name."""
    from openpyxl import load_workbook
    from openpyxl.workbook.defined_name import DefinedName

    m = Evaluation(values={"project_budget": Decimal("180")})
    path = write_filled(m, tmp_path / "a.xlsx")
    wb = load_workbook(path)
    wb["项目支出"]["B6"] = 999
    wb.defined_names["project_budget"] = DefinedName("project_budget", attr_text="'项目支出'!$B$6")
    wb.save(path)
    loaded = reader.load(path)
    assert loaded.model.values["project_budget"] == 999
    assert loaded.location("project_budget") == reader.Location("项目支出", "B6", True)


@pytest.mark.parametrize(
    ("data", "words"),
    [({"values": {"nope": 1}}, "nope"), ({"values": {"total_rate": "1"}}, "total_rate"),
     ({"lists": {"projects": [{"bad": 1}]}}, "bad"), ({"extra": 1}, "extra"), ({"stated": {"unit_name": "x"}}, "unit_name")],
)
def test_bad_json_names_the_key(data: dict, words: str) -> None:
    with pytest.raises(ModelError, match=words):
        Evaluation.from_json(data)


def test_every_list_has_capacity_for_the_examples() -> None:
    for source in EXAMPLES:
        data = load_json(source)
        for name, rows in data.get("lists", {}).items():
            assert len(rows) <= spec.table(name).capacity
