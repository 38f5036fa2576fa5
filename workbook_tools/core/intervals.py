"""Interval arithmetic for the consistency rule (XBRL Calculations 1.1 style).

A stated 2-decimal amount in 万元 is often itself a rounded 元 amount: 422.49 stands for any value in
[422.485, 422.495]. Propagating these intervals through the spec's expressions gives, for every derived
cell, the range of exact values the department's true figures could produce; a published result is then
judged against that range (rounded → consistent, truncated → warning, neither → error), which is what
explains the seed's 147.98 (422.485 / 285.485 × 100 = 147.9885, truncated).

Only money is widened: counts, years and scores are exact numbers, not rounded measurements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Literal

from . import spec
from .expr import (
    HUNDRED,
    Add,
    ChangeRate,
    Expr,
    FirstGiven,
    Given,
    Ratio,
    Ref,
    Round,
    Sub,
    Sum,
    SumIfGiven,
    SumOrStated,
    excel_round,
)
from .model import Evaluation
from .numbers import to_decimal

INF = Decimal("Infinity")


@dataclass(frozen=True)
class Interval:
    """A closed range of exact values [lo, hi]; ±Infinity when a denominator's range reaches zero."""

    lo: Decimal
    hi: Decimal

    @classmethod
    def point(cls, v: Decimal) -> Interval:
        return cls(v, v)

    @property
    def unbounded(self) -> bool:
        return self.lo == -INF or self.hi == INF

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def contains_zero(self) -> bool:
        return self.lo <= 0 <= self.hi

    def meets(self, lo: Decimal, hi: Decimal, *, hi_open: bool = False, lo_open: bool = False) -> bool:
        """Does this interval share a point with [lo, hi] (optionally open at either end)?"""
        below = self.hi < lo if not lo_open else self.hi <= lo
        above = self.lo > hi if not hi_open else self.lo >= hi
        return not (below or above)


ZERO = Interval.point(Decimal(0))
UNBOUNDED = Interval(-INF, INF)


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


Env = Mapping[str, "Interval | Sequence[Interval | None] | None"]


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


def _get(env: Env, name: str) -> Interval:
    v = env.get(name)
    return v if isinstance(v, Interval) else ZERO


def _divide(num: Interval, den: Interval) -> Interval:
    """num / den × 100 over the corners (monotone in each argument when den keeps one sign)."""
    if den.contains_zero() or num.unbounded or den.unbounded:
        return UNBOUNDED
    with localcontext() as ctx:
        ctx.prec = 34
        corners = [a / b * HUNDRED for a in (num.lo, num.hi) for b in (den.lo, den.hi)]
    return Interval(min(corners), max(corners))


def _change(curr: Interval, prev: Interval) -> Interval:
    """(c − p) / p × 100 = (c / p − 1) × 100: monotone in c and in p, so the corners bound it."""
    if prev.contains_zero() or curr.unbounded or prev.unbounded:
        return UNBOUNDED
    with localcontext() as ctx:
        ctx.prec = 34
        corners = [(c - p) / p * HUNDRED for c in (curr.lo, curr.hi) for p in (prev.lo, prev.hi)]
    return Interval(min(corners), max(corners))


def _point_zero(env_points: Mapping[str, object], name: str) -> bool:
    v = env_points.get(name)
    return v is None or v == "" or (isinstance(v, Decimal) and v == 0)


def evaluate(e: Expr, env: Env, points: Mapping[str, object]) -> Interval | None:
    """Interval of one expression; None where the cell is blank (zero denominator, text result)."""
    if isinstance(e, Ref):
        return _get(env, e.name)
    if isinstance(e, Sum):
        total = ZERO
        for n in e.names:
            v = env.get(n)
            items: Iterable[Interval | None] = v if isinstance(v, list | tuple) else [v]  # type: ignore[list-item]
            for item in items:
                if isinstance(item, Interval):
                    total = total + item
        return total
    if isinstance(e, Add):
        return _get(env, e.a) + _get(env, e.b)
    if isinstance(e, Sub):
        return _get(env, e.a) - _get(env, e.b)
    if isinstance(e, Ratio):
        if _point_zero(points, e.den):
            return None
        return _divide(_get(env, e.num), _get(env, e.den))
    if isinstance(e, ChangeRate):
        if _point_zero(points, e.prev):
            return None
        return _change(_get(env, e.curr), _get(env, e.prev))
    if isinstance(e, FirstGiven):
        return _get(env, e.name) if points.get(e.name) is not None else evaluate(e.fallback, env, points)
    if isinstance(e, Given | Round):
        return evaluate(e.expr, env, points)
    if isinstance(e, SumOrStated):
        typed = any(_typed(points.get(n)) for n in e.evidence)
        return evaluate(Sum(e.names), env, points) if typed else _get(env, e.stated)
    if isinstance(e, SumIfGiven):
        keys = points.get(e.key)
        col = env.get(e.column)
        total = ZERO
        if isinstance(col, list | tuple) and isinstance(keys, list | tuple):
            for item, key in zip(col, keys, strict=False):
                if isinstance(item, Interval) and key is not None and key != "":
                    total = total + item
        return total
    return None


def _typed(v: object) -> bool:
    items = v if isinstance(v, list | tuple) else [v]
    return any(isinstance(i, Decimal | int) and not isinstance(i, bool) for i in items)


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
        iv = None if computed.get(f.name) is None else evaluate(f.expr, env, points)
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


__all__ = ["Interval", "Verdict", "derived_intervals", "evaluate", "explain", "input_intervals", "judge", "of_input"]
