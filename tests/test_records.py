"""Records behave like the frozen dataclasses they replace in the spec and its expressions."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest

from workbook_tools.core import records, spec
from workbook_tools.core.expr import Interval, Ratio, Sum
from workbook_tools.core.records import FrozenRecordError, record


@record
class _Point:
    x: int
    y: int = 0
    tags: list[str] = records.field(default_factory=list)


@record
class _Point3(_Point):
    z: int = 5


def test_construction_by_position_keyword_and_default() -> None:
    assert _Point(1, 2) == _Point(x=1, y=2) == _Point(1, y=2)
    p = _Point(3)
    assert (p.x, p.y, p.tags) == (3, 0, [])
    assert _Point(1).tags is not _Point(1).tags  # a fresh default each time
    assert records.fields(_Point3(1)) == ("x", "y", "tags", "z")
    assert _Point3(1, 2, ["a"], 4).z == 4


@pytest.mark.parametrize("make", [lambda: _Point(), lambda: _Point(1, 2, [], 4), lambda: _Point(1, x=2),
                                  lambda: _Point(1, w=2)])
def test_wrong_arguments_are_a_type_error(make: object) -> None:
    with pytest.raises(TypeError, match="_Point"):
        make()  # type: ignore[operator]


def test_frozen_equal_and_hashable_by_value() -> None:
    p = _Point(1, 2, [])
    with pytest.raises(FrozenRecordError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y  # type: ignore[misc]
    r = Ratio("a", "b")
    assert r == Ratio("a", "b") and r != Ratio("a", "c") and hash(r) == hash(Ratio("a", "b"))
    assert Sum(("a",)) != ("a",)  # a record never equals a tuple of its values
    assert {r: 1}[Ratio("a", "b")] == 1
    assert repr(r) == "Ratio(num='a', den='b', decimals=2, blank_if_blank=(), den_may_be_blank=False)"


def test_replace_pickle_copy_and_match() -> None:
    f = spec.field("total_rate")
    g = records.replace(f, label="x")
    assert g.label == "x" and g.name == f.name and f.label != "x"
    for clone in (pickle.loads(pickle.dumps(f)), copy.deepcopy(f), copy.copy(f)):
        assert clone == f and clone is not f
    match Ratio("n", "d"):
        case Ratio(num, den):
            assert (num, den) == ("n", "d")
    iv = Interval(Decimal(1), Decimal(2))
    assert pickle.loads(pickle.dumps(iv)) == iv == copy.deepcopy(iv) and hash(iv) == hash(Interval(Decimal(1), Decimal(2)))
    with pytest.raises(AttributeError):
        iv.lo = Decimal(0)  # type: ignore[misc]


def test_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):
        @record
        class _Bad:
            a: int = 0
            b: int
