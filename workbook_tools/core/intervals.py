"""Interval arithmetic for the consistency rule (XBRL Calculations 1.1 style).

A stated 2-decimal amount in 万元 is often itself a rounded 元 amount: 422.49 stands for any value in
[422.485, 422.495]. Propagating these intervals through the spec's expressions gives, for every derived
cell, the range of exact values the department's true figures could produce; a published result is then
judged against that range (rounded → consistent, truncated → warning, neither → error), which is what
explains the seed's 147.98 (422.485 / 285.485 × 100 = 147.9885, truncated). Each expression node
carries its own interval rule (:meth:`workbook_tools.core.expr.Expr.interval`, beside its formula and
its value); this module widens the inputs, runs the rules in dependency order and judges the results.

Only money is widened: counts, years and scores are exact numbers, not rounded measurements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal

from . import spec
from .expr import UNBOUNDED, ZERO, Interval, excel_round
from .model import Evaluation
from .numbers import to_decimal


def unit(decimals: int) -> Decimal:
    """One unit in the last place: 0.01 for 2 decimals."""
    return Decimal(1).scaleb(-decimals)


def _places(v: Decimal) -> int:
    exp = v.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def of_input(v: Decimal | None, kind: str, minimum: Decimal | None = None) -> Interval:
    """The interval a stated input stands for; blanks and non-money kinds are exact."""
    if v is None:
        return ZERO
    if not spec.KINDS[kind].rounded_input:
        return Interval.point(v)
    half = unit(max(2, _places(v))) / 2
    lo, hi = v - half, v + half
    if minimum is not None and v >= minimum:
        lo = max(lo, minimum)
    return Interval(lo, hi)


def input_intervals(model: Evaluation) -> dict[str, Interval | list[Interval | None]]:
    """Intervals of every input and list column by defined name (non-numbers in a column are None, as SUM skips them)."""
    out: dict[str, Interval | list[Interval | None]] = {}
    for f in spec.INPUT_FIELDS:
        if f.kind in spec.NUMERIC_KINDS:
            out[f.name] = of_input(to_decimal(model.values.get(f.name)), f.kind, f.min)
    for t in spec.TABLES:
        rows = model.lists.get(t.name, [])
        for c in t.columns:
            if c.kind in spec.NUMERIC_KINDS:
                col: list[Interval | None] = []
                for r in rows:
                    d = to_decimal(r.get(c.key))
                    col.append(None if d is None else of_input(d, c.kind, c.min))
                out[t.range_name(c.key)] = col
    return out


def derived_intervals(model: Evaluation, computed: Mapping[str, object]) -> dict[str, Interval | None]:
    """Each derived field's interval of exact values, from the input intervals through the spec expressions.

    ``computed`` holds the point values (:func:`workbook_tools.core.compute.compute`); where one is blank (a zero
    denominator, a blank optional input: the formula's ``IF(…,"",…)``) the interval is None too.
    """
    env: dict[str, Interval | Sequence[Interval | None] | None] = dict(input_intervals(model))
    points: dict[str, object] = {f.name: to_decimal(model.values.get(f.name)) for f in spec.INPUT_FIELDS}
    for t in spec.TABLES:  # list columns as typed: SumOrStated asks whether a breakdown was given, SumIfGiven which rows
        rows = model.lists.get(t.name, [])
        for c in t.columns:
            points[t.range_name(c.key)] = [to_decimal(r.get(c.key)) if c.kind in ("money", "percent", "score", "int")
                                           else r.get(c.key) for r in rows]
    points.update(computed)
    out: dict[str, Interval | None] = {}
    for f in spec.derived_order():
        assert f.expr is not None
        iv = None if computed.get(f.name) is None else f.expr.interval(env, points)
        env[f.name] = iv
        out[f.name] = iv
    return out


Verdict = Literal["consistent", "truncated", "imprecise", "mismatch", "blank-zero"]


def judge(stated: Decimal, point: Decimal | None, interval: Interval | None, decimals: int) -> Verdict:
    """The consistency rule for one stated figure against its recomputation.

    1. equal to Excel's ROUND of the point value → consistent;
    2. the truncation interval [s, s + 0.01) meets the computed interval → truncated (warning);
    3. the rounding interval [s − 0.005, s + 0.005] meets it → imprecise (warning);
    4. otherwise → mismatch (error). A 0 where the formula gives a blank is "blank-zero".
    """
    s = excel_round(stated, decimals)
    if point is None:
        return "blank-zero" if s == 0 else "mismatch"
    if s == excel_round(point, decimals):
        return "consistent"
    if interval is None:
        return "mismatch"
    u = unit(decimals)
    if s > 0:
        truncated = interval.meets(s, s + u, hi_open=True)
    elif s < 0:
        truncated = interval.meets(s - u, s, lo_open=True)
    else:
        truncated = interval.meets(-u, u, lo_open=True, hi_open=True)
    if truncated:
        return "truncated"
    if interval.meets(s - u / 2, s + u / 2):
        return "imprecise"
    return "mismatch"


def explain(interval: Interval | None, decimals: int) -> str:
    """The interval as text for messages, at two more decimals than the field shows."""
    if interval is None:
        return ""
    if interval.unbounded:
        return "(−∞, +∞)"
    places = unit(decimals + 2)
    if max(abs(interval.lo), abs(interval.hi)).adjusted() >= 16:  # absurd amounts: digits nobody reads
        return f"[{interval.lo:.6E}, {interval.hi:.6E}]"
    return f"[{interval.lo.quantize(places, ROUND_FLOOR)}, {interval.hi.quantize(places, ROUND_CEILING)}]"


__all__ = ["UNBOUNDED", "ZERO", "Interval", "Verdict", "derived_intervals", "explain", "input_intervals", "judge",
           "of_input"]
