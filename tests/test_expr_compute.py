import copy
import pickle
from decimal import Decimal as D

import msgspec
import pytest

from workbook_tools.core import spec
from workbook_tools.core.compute import compute
from workbook_tools.core.expr import ChangeRate, Grade, Interval, Ratio, Round, Sum, excel_round, truncate
from workbook_tools.core.model import Evaluation


@pytest.mark.parametrize(
    ("x", "n", "want"),
    [("0.125", 2, "0.13"), ("2.675", 2, "2.68"), ("1.005", 2, "1.01"), ("2.15", 1, "2.2"),
     ("-1.475", 2, "-1.48"), ("2.5", 0, "3"), ("-2.5", 0, "-3"), ("147.9928541403951", 2, "147.99")],
)
def test_excel_round_is_half_away_from_zero(x: str, n: int, want: str) -> None:
    assert excel_round(D(x), n) == D(want)


def test_python_round_differs_where_excel_round_matters() -> None:
    assert round(0.125, 2) == 0.12  # the trap excel_round avoids
    assert excel_round(D("0.125"), 2) == D("0.13")


def test_truncate_cuts_toward_zero() -> None:
    assert truncate(D("147.9885"), 2) == D("147.98")
    assert truncate(D("-35.179"), 2) == D("-35.17")


def test_ratio_formula_and_value() -> None:
    r = Ratio("a", "b")
    assert r.formula() == '=IF(b=0,"",ROUND(a/b*100,2))'
    assert r.compute({"a": D("0.25"), "b": D("200")}) == D("0.13")
    assert r.compute({"a": D("1918.71"), "b": D("509.76")}) == D("376.39")
    assert r.compute({"a": D("5"), "b": D("0")}) is None
    assert r.compute({"a": D("5"), "b": None}) is None


def test_change_rate_keeps_sign() -> None:
    c = ChangeRate("cur", "prev")
    assert c.compute({"cur": D("13.4"), "prev": D("20.67")}) == D("-35.17")
    assert c.compute({"cur": D("11"), "prev": D("0")}) is None


def test_sum_skips_text_like_excel() -> None:
    assert Sum(("col",)).compute({"col": [D("1.5"), None, "abc", D("2")]}) == D("3.5")


def test_grade_bands_lower_bound_inclusive() -> None:
    g = Grade("s", "col", "m", "l", spec.GRADE_BANDS)
    assert g.compute({"s": D("90"), "col": [D("90")]}) == "优秀"
    assert g.compute({"s": D("89.99"), "col": [D("1")]}) == "良好"
    assert g.compute({"s": D("60"), "col": [D("1")]}) == "中"
    assert g.compute({"s": D("59.5"), "col": [D("1")]}) == "差"
    assert g.compute({"s": D("0"), "col": [None]}) is None


def test_staff_control_rate_can_exceed_100() -> None:
    m = Evaluation(values={"staff_quota": 36, "staff_actual": 38})
    assert compute(m)["staff_control_rate"] == D("105.56")


def test_totals_are_recomputed_from_inputs_not_stated_values() -> None:
    m = Evaluation(values={"basic_wages_budget": D("285.48"), "basic_wages_actual": D("422.49"),
                           "basic_goods_budget": D("44.28"), "basic_goods_actual": D("161.83"),
                           "project_budget": D("180"), "project_actual": D("1334.39")},
                   stated={"basic_rate": D("177.19")})
    out = compute(m)
    assert out["basic_actual"] == D("584.32")
    assert out["total_actual"] == D("1918.71")
    assert out["basic_rate"] == D("177.20")
    assert out["total_rate"] == D("376.39")
    assert out["project_rate"] == D("741.33")


def test_derived_order_covers_every_derived_field_once() -> None:
    order = [f.name for f in spec.derived_order()]
    assert sorted(order) == sorted(f.name for f in spec.DERIVED_FIELDS)


def test_blank_optional_numerator_gives_blank_not_zero() -> None:
    r = Ratio("key", "proj", blank_if_blank=("key",))
    assert r.formula() == '=IF(OR(key="",proj=0),"",ROUND(key/proj*100,2))'
    assert r.compute({"key": None, "proj": D("180")}) is None
    assert r.compute({"key": D("0"), "proj": D("180")}) == D("0.00")  # a typed 0 is a real 0
    assert r.compute({"key": D("90"), "proj": D("180")}) == D("50.00")
    assert Ratio("key", "proj").compute({"key": None, "proj": D("180")}) == D("0.00")  # without the flag


def test_blank_guard_on_the_denominator_adds_nothing_to_the_formula() -> None:
    assert Ratio("a", "b", blank_if_blank=("b",)).formula() == Ratio("a", "b").formula()


def test_change_rate_blank_current_is_blank_not_minus_100() -> None:
    c = ChangeRate("end", "prev", blank_if_blank=("end",))
    assert c.formula() == '=IF(OR(end="",prev=0),"",ROUND(ROUND(end-prev,6)/prev*100,2))'
    assert c.compute({"end": None, "prev": D("40")}) is None
    assert c.compute({"end": D("30"), "prev": D("40")}) == D("-25.00")


def test_optional_indicators_are_blank_until_their_inputs_are_typed() -> None:
    optional = ("adjusted_rate", "carryover_rate", "carryover_change_pct", "procurement_rate", "key_spending_rate")
    base = {"project_budget": D("180"), "project_actual": D("150"), "basic_wages_budget": D("100"),
            "basic_wages_actual": D("90")}
    out = compute(Evaluation(values=dict(base)))
    assert all(out[n] is None for n in optional)
    full = compute(Evaluation(values={**base, "adjusted_budget": D("300"), "carryover_prev": D("40"),
                                      "carryover_end": D("30"), "procurement_budget": D("20"),
                                      "procurement_actual": D("19.5"), "key_project_actual": D("0")}))
    assert full["adjusted_rate"] == D("80.00")  # 240 / 300
    assert full["carryover_rate"] == D("10.00")
    assert full["carryover_change_pct"] == D("-25.00")
    assert full["procurement_rate"] == D("97.50")
    assert full["key_spending_rate"] == D("0.00")


def test_change_rate_rounds_the_difference_before_dividing() -> None:
    """198.21 − 200 is −1.789999999999992 in binary; the decimal answer −0.895 rounds to −0.90."""
    c = ChangeRate("cur", "prev")
    assert "ROUND(cur-prev,6)" in c.formula()
    assert c.compute({"cur": D("198.21"), "prev": D("200")}) == D("-0.90")
    assert c.compute({"cur": D("201.07"), "prev": D("200")}) == D("0.54")
    assert c.compute({"cur": D("100.0000004"), "prev": D("100")}) == D("0.00")  # below one 分 of 万元


# -- the spec's records and expressions (frozen msgspec structs) behave as the values the library relies on --


def test_frozen_equal_and_hashable_by_value() -> None:
    r = Ratio("a", "b")
    with pytest.raises(AttributeError):
        r.num = "c"  # type: ignore[misc]
    assert r == Ratio("a", "b") and r != Ratio("a", "c") and hash(r) == hash(Ratio("a", "b"))
    assert Sum(("a",)) != ("a",)  # a record never equals a tuple of its values
    assert {r: 1}[Ratio("a", "b")] == 1
    assert repr(r) == "Ratio(num='a', den='b', decimals=2, blank_if_blank=(), den_may_be_blank=False)"


def test_fields_and_defaults() -> None:
    assert tuple(f.name for f in msgspec.structs.fields(Ratio("a", "b"))) == (
        "num", "den", "decimals", "blank_if_blank", "den_may_be_blank")
    assert Round(Sum(("a",))).decimals == 2 and Sum(("a",)).decimals is None  # the base's class default
    assert spec.Sheet("k", "t", "t").widths == {} and spec.Sheet("k", "t", "t").widths is not spec.Sheet("k", "t", "t").widths


def test_replace_pickle_copy_and_match() -> None:
    f = spec.field("total_rate")
    g = msgspec.structs.replace(f, label="x")
    assert g.label == "x" and g.name == f.name and f.label != "x"
    for clone in (pickle.loads(pickle.dumps(f)), copy.deepcopy(f), copy.copy(f)):
        assert clone == f and clone is not f
    match Ratio("n", "d"):
        case Ratio(num, den):
            assert (num, den) == ("n", "d")
    iv = Interval(D(1), D(2))
    assert pickle.loads(pickle.dumps(iv)) == iv == copy.deepcopy(iv) and hash(iv) == hash(Interval(D(1), D(2)))
    with pytest.raises(AttributeError):
        iv.lo = D(0)  # type: ignore[misc]
