"""The spec's records and expressions (frozen msgspec structs) behave as the values the library relies on."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest

from workbook_tools.core import records, spec
from workbook_tools.core.expr import Interval, Ratio, Round, Sum


def test_frozen_equal_and_hashable_by_value() -> None:
    r = Ratio("a", "b")
    with pytest.raises(AttributeError):
        r.num = "c"  # type: ignore[misc]
    assert r == Ratio("a", "b") and r != Ratio("a", "c") and hash(r) == hash(Ratio("a", "b"))
    assert Sum(("a",)) != ("a",)  # a record never equals a tuple of its values
    assert {r: 1}[Ratio("a", "b")] == 1
    assert repr(r) == "Ratio(num='a', den='b', decimals=2, blank_if_blank=(), den_may_be_blank=False)"


def test_fields_and_defaults() -> None:
    assert records.fields(Ratio("a", "b")) == ("num", "den", "decimals", "blank_if_blank", "den_may_be_blank")
    assert Round(Sum(("a",))).decimals == 2 and Sum(("a",)).decimals is None  # the base's class default
    assert spec.Sheet("k", "t", "t").widths == {} and spec.Sheet("k", "t", "t").widths is not spec.Sheet("k", "t", "t").widths


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
