"""Derived-value expressions: one object renders the Excel formula, computes the same value in Decimal and
bounds the exact values it could take (its interval).

Keeping every rendering on one object is what lets the template, the validator, the filler and the
exporter agree: the formula written into the workbook, the value Python computes and the range the
consistency rule judges against cannot drift apart. Formulas refer to workbook-level defined names
only, so no cell address appears in them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, getcontext, localcontext

import msgspec

Value = Decimal | str | None
#: Values by defined name; list columns map to a sequence of values.
Env = Mapping[str, "Value | Sequence[Value]"]

HUNDRED = Decimal(100)
#: Places a change (本年 − 上年) is rounded to before dividing: 6 decimals of 万元 is one 分.
DIFF_DECIMALS = 6


def _quantize(x: Decimal, decimals: int, rounding: str) -> Decimal:
    """``quantize`` with enough precision for any finite amount: 1e26 or 1e308 万元 at two decimals needs more
    than the default 28 digits (an absurd amount is an out-of-range finding, never InvalidOperation)."""
    if not x.is_finite():
        return x
    needed = x.adjusted() + decimals + 2
    if needed <= getcontext().prec:
        return x.quantize(Decimal(1).scaleb(-decimals), rounding=rounding)
    with localcontext() as ctx:
        ctx.prec = needed
        return x.quantize(Decimal(1).scaleb(-decimals), rounding=rounding)


def excel_round(x: Decimal, decimals: int) -> Decimal:
    """Excel ROUND: half away from zero (Python's round() is banker's rounding on binary floats)."""
    return _quantize(x, decimals, ROUND_HALF_UP)


def truncate(x: Decimal, decimals: int) -> Decimal:
    """Truncation toward zero (Excel TRUNC/ROUNDDOWN), used to explain figures that were cut, not rounded."""
    return _quantize(x, decimals, ROUND_DOWN)


INF = Decimal("Infinity")


class Interval:
    """A closed range of exact values [lo, hi]; ±Infinity when a denominator's range reaches zero.

    A stated 2-decimal amount is often itself rounded (422.49 stands for [422.485, 422.495]);
    :meth:`Expr.interval` carries such ranges through an expression (:mod:`workbook_tools.core.intervals`).
    Written out with slots rather than as a struct: a validation makes hundreds of them.
    """

    __slots__ = ("hi", "lo")
    __match_args__ = ("lo", "hi")
    lo: Decimal
    hi: Decimal

    def __init__(self, lo: Decimal, hi: Decimal) -> None:
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Interval:
            return NotImplemented
        return self.lo == other.lo and self.hi == other.hi

    def __hash__(self) -> int:
        return hash((self.lo, self.hi))

    def __repr__(self) -> str:
        return f"Interval(lo={self.lo!r}, hi={self.hi!r})"

    def __reduce__(self) -> tuple[type[Interval], tuple[Decimal, Decimal]]:
        return Interval, (self.lo, self.hi)

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
#: Intervals by defined name; list columns map to a sequence (None where a row holds no number).
IntervalEnv = Mapping[str, "Interval | Sequence[Interval | None] | None"]
#: Point values by defined name (inputs as typed, derived values as computed): they decide the branches.
Points = Mapping[str, object]


def _iv(env: IntervalEnv, name: str) -> Interval:
    v = env.get(name)
    return v if isinstance(v, Interval) else ZERO


def _point_zero(points: Points, name: str) -> bool:
    v = points.get(name)
    return v is None or v == "" or (isinstance(v, Decimal) and v == 0)


def _typed(v: object) -> bool:
    items = v if isinstance(v, list | tuple) else [v]
    return any(isinstance(i, Decimal | int) and not isinstance(i, bool) for i in items)


def _num(v: object) -> Decimal:
    """Excel arithmetic on a blank cell reads 0; text that is not a number is not ours to guess here."""
    if v is None or v == "":
        return Decimal(0)
    if isinstance(v, Decimal):
        return v
    if isinstance(v, bool):
        return Decimal(int(v))
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    raise TypeError(f"not a number: {v!r}")


class Expr:
    """Base of all derived-value expressions (each one a frozen :class:`msgspec.Struct`)."""

    __slots__ = ()
    decimals: int | None = None

    def excel(self) -> str:
        raise NotImplementedError

    def compute(self, env: Env) -> Value:
        raise NotImplementedError

    def inputs(self) -> tuple[str, ...]:
        """Names this expression reads, for dependency order and for error messages."""
        raise NotImplementedError

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        """The range of exact values, given the inputs' intervals; None where the cell is blank (a zero
        denominator, a text result). ``points`` decides the branches, as :meth:`compute` does."""
        raise NotImplementedError

    def formula(self) -> str:
        return "=" + self.excel()


class Ref(Expr, msgspec.Struct, frozen=True):
    """Mirror of another cell (e.g. 表3 本年决算 shows 表2 决算)."""

    name: str

    def excel(self) -> str:
        return self.name

    def compute(self, env: Env) -> Value:
        v = env.get(self.name)
        return _num(v) if not isinstance(v, str) else v

    def inputs(self) -> tuple[str, ...]:
        return (self.name,)

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        return _iv(env, self.name)


class Sum(Expr, msgspec.Struct, frozen=True):
    """SUM of single cells, or of a list column when the name is a column range."""

    names: tuple[str, ...]

    def excel(self) -> str:
        return "SUM(" + ",".join(self.names) + ")"

    def compute(self, env: Env) -> Value:
        total = Decimal(0)
        for n in self.names:
            v = env.get(n)
            items = v if isinstance(v, list | tuple) else [v]
            for item in items:
                if isinstance(item, Decimal | int | float) and not isinstance(item, bool):
                    total += _num(item)  # SUM skips text and blanks, as Excel does
        return total

    def inputs(self) -> tuple[str, ...]:
        return self.names

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        total = ZERO
        for n in self.names:
            v = env.get(n)
            items: Iterable[Interval | None] = v if isinstance(v, list | tuple) else [v]  # type: ignore[list-item]
            for item in items:
                if isinstance(item, Interval):
                    total = total + item
        return total


class Sub(Expr, msgspec.Struct, frozen=True):
    """a − b (增减额)."""

    a: str
    b: str

    def excel(self) -> str:
        return f"{self.a}-{self.b}"

    def compute(self, env: Env) -> Value:
        return _num(env.get(self.a)) - _num(env.get(self.b))

    def inputs(self) -> tuple[str, ...]:
        return (self.a, self.b)

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        return _iv(env, self.a) - _iv(env, self.b)


class Add(Expr, msgspec.Struct, frozen=True):
    """a + b (总额 = 基本 + 项目)."""

    a: str
    b: str

    def excel(self) -> str:
        return f"{self.a}+{self.b}"

    def compute(self, env: Env) -> Value:
        return _num(env.get(self.a)) + _num(env.get(self.b))

    def inputs(self) -> tuple[str, ...]:
        return (self.a, self.b)

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        return _iv(env, self.a) + _iv(env, self.b)


def _given(v: object) -> bool:
    return v is not None and v != ""


class Round(Expr, msgspec.Struct, frozen=True):
    """ROUND(expr, decimals): a money difference computed in binary by a spreadsheet carries noise (86.4400000001)."""

    expr: Expr
    decimals: int | None = 2

    def excel(self) -> str:
        return f"ROUND({self.expr.excel()},{self.decimals})"

    def compute(self, env: Env) -> Value:
        v = self.expr.compute(env)
        return excel_round(v, self.decimals or 0) if isinstance(v, Decimal) else v

    def inputs(self) -> tuple[str, ...]:
        return self.expr.inputs()

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        return self.expr.interval(env, points)  # the exact values, before the rounding the rule judges


class FirstGiven(Expr, msgspec.Struct, frozen=True):
    """An input when it is given, else a fallback computed from other figures (全年预算数 = 年初 + 追加).

    Blank (``""``) when neither is available, so a figure nobody stated is never shown as 0.
    """

    name: str
    fallback: Expr

    def excel(self) -> str:
        return f'IF({self.name}<>"",{self.name},{self.fallback.excel()})'

    def compute(self, env: Env) -> Value:
        v = env.get(self.name)
        return _num(v) if _given(v) and not isinstance(v, str) else self.fallback.compute(env)

    def inputs(self) -> tuple[str, ...]:
        return (self.name, *self.fallback.inputs())

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        return _iv(env, self.name) if points.get(self.name) is not None else self.fallback.interval(env, points)


class Given(Expr, msgspec.Struct, frozen=True):
    """``expr`` when every name in ``needs`` is given, else blank: 年中追加 = 全年 − 年初 only where both are stated."""

    expr: Expr
    needs: tuple[str, ...]

    def excel(self) -> str:
        tests = [f'{n}=""' for n in self.needs]
        cond = tests[0] if len(tests) == 1 else "OR(" + ",".join(tests) + ")"
        return f'IF({cond},"",{self.expr.excel()})'

    def compute(self, env: Env) -> Value:
        if not all(_given(env.get(n)) for n in self.needs):
            return None
        return self.expr.compute(env)

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.expr.inputs(), *self.needs)))

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        return self.expr.interval(env, points)


class SumOrStated(Expr, msgspec.Struct, frozen=True):
    """SUM of the breakdown when any of it is typed, else the total stated without breakdown.

    A report may give 基本支出 as one total with no economic classes, or only 支出总额: the total is then an
    input of its own, and no category is invented to hold it. ``evidence`` names the typed cells that
    mean "a breakdown was given" (the summed names may be derived totals that are never blank).
    """

    names: tuple[str, ...]
    stated: str
    evidence: tuple[str, ...]

    def excel(self) -> str:
        return f"IF(COUNT({','.join(self.evidence)})=0,N({self.stated}),SUM({','.join(self.names)}))"

    def compute(self, env: Env) -> Value:
        typed = False
        for n in self.evidence:
            v = env.get(n)
            items = v if isinstance(v, list | tuple) else [v]
            typed = typed or any(isinstance(i, Decimal | int | float) and not isinstance(i, bool) for i in items)
        if not typed:
            v = env.get(self.stated)
            return _num(v) if isinstance(v, Decimal | int | float) and not isinstance(v, bool) else Decimal(0)
        return Sum(self.names).compute(env)

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.names, self.stated, *self.evidence)))

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        typed = any(_typed(points.get(n)) for n in self.evidence)
        return Sum(self.names).interval(env, points) if typed else _iv(env, self.stated)


class SumIfGiven(Expr, msgspec.Struct, frozen=True):
    """SUM of a list column over the rows whose ``key`` column is filled (SUMIFS(…, key, "<>")).

    The 评分表 repeats a block's 分值 on a subtotal row (产出指标 50, no 三级指标); summing only the rows that
    name a 三级指标 counts each point once.
    """

    column: str
    key: str

    def excel(self) -> str:
        return f'SUMIFS({self.column},{self.key},"<>")'

    def compute(self, env: Env) -> Value:
        values, keys = env.get(self.column), env.get(self.key)
        vs = list(values) if isinstance(values, list | tuple) else []
        ks = list(keys) if isinstance(keys, list | tuple) else []
        total = Decimal(0)
        for i, v in enumerate(vs):
            k = ks[i] if i < len(ks) else None
            if _given(k) and isinstance(v, Decimal | int | float) \
                    and not isinstance(v, bool):
                total += _num(v)
        return total

    def inputs(self) -> tuple[str, ...]:
        return (self.column, self.key)

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        keys = points.get(self.key)
        col = env.get(self.column)
        total = ZERO
        if isinstance(col, list | tuple) and isinstance(keys, list | tuple):
            for item, key in zip(col, keys, strict=False):
                if isinstance(item, Interval) and key is not None and key != "":
                    total = total + item
        return total


def _blank_guard(names: tuple[str, ...], zero: str) -> str:
    """The IF condition that leaves a ratio blank: its denominator is 0 (or blank), or an optional input is blank."""
    tests = [f'{n}=""' for n in names if n != zero] + [f"{zero}=0"]
    return tests[0] if len(tests) == 1 else "OR(" + ",".join(tests) + ")"


def _any_blank(env: Env, names: tuple[str, ...]) -> bool:
    return any(env.get(n) is None or env.get(n) == "" for n in names)


class Ratio(Expr, msgspec.Struct, frozen=True):
    """ROUND(num / den × 100, 2); blank when the denominator is 0 or blank (never #DIV/0!).

    ``blank_if_blank`` names optional inputs whose blank means "not reported": the ratio is then blank
    too, not 0.00 (重点支出安排率 with no 重点项目支出 typed is unknown, not zero).
    """

    num: str
    den: str
    decimals: int | None = 2
    blank_if_blank: tuple[str, ...] = ()
    #: The denominator is a derived figure that is "" when unknown (全年预算数（计算）): ""=0 is FALSE in Excel,
    #: so the guard tests N(den)=0 instead.
    den_may_be_blank: bool = False

    def excel(self) -> str:
        d = self.decimals
        zero = f"N({self.den})" if self.den_may_be_blank else self.den
        return f'IF({_blank_guard(self.blank_if_blank, zero)},"",ROUND({self.num}/{self.den}*100,{d}))'

    def exact(self, env: Env) -> Decimal | None:
        den = _num(env.get(self.den))
        if den == 0 or _any_blank(env, self.blank_if_blank):
            return None
        with localcontext() as ctx:
            ctx.prec = 34
            return _num(env.get(self.num)) / den * HUNDRED

    def compute(self, env: Env) -> Value:
        x = self.exact(env)
        return None if x is None else excel_round(x, self.decimals or 0)

    def inputs(self) -> tuple[str, ...]:
        return (self.num, self.den)

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        """num / den × 100 over the corners (monotone in each argument when den keeps one sign)."""
        if _point_zero(points, self.den):
            return None
        num, den = _iv(env, self.num), _iv(env, self.den)
        if den.contains_zero() or num.unbounded or den.unbounded:
            return UNBOUNDED
        with localcontext() as ctx:
            ctx.prec = 34
            corners = [a / b * HUNDRED for a in (num.lo, num.hi) for b in (den.lo, den.hi)]
        return Interval(min(corners), max(corners))


class ChangeRate(Expr, msgspec.Struct, frozen=True):
    """ROUND((本年 − 上年) / 上年 × 100, 2); blank when 上年 is 0 (the change is then undefined).

    The difference is first rounded to :data:`DIFF_DECIMALS` places, in the formula and here alike. A
    spreadsheet subtracts in binary, and cancellation leaves noise a 15-digit ROUND cannot absorb:
    198.21 − 200 is −1.789999999999992, so LibreOffice rounded the half-way −0.895 to −0.89 where the
    decimal answer is −0.90 (found by the generated agreement test). Six decimals of 万元 is one 分, so no
    real amount changes. ``blank_if_blank`` works as for :class:`Ratio`: a blank optional 本年 gives a blank
    rate, not −100.
    """

    curr: str
    prev: str
    decimals: int | None = 2
    blank_if_blank: tuple[str, ...] = ()

    def excel(self) -> str:
        guard = _blank_guard(self.blank_if_blank, self.prev)
        diff = f"ROUND({self.curr}-{self.prev},{DIFF_DECIMALS})"
        return f'IF({guard},"",ROUND({diff}/{self.prev}*100,{self.decimals}))'

    def exact(self, env: Env) -> Decimal | None:
        prev = _num(env.get(self.prev))
        if prev == 0 or _any_blank(env, self.blank_if_blank):
            return None
        with localcontext() as ctx:
            ctx.prec = 34
            return excel_round(_num(env.get(self.curr)) - prev, DIFF_DECIMALS) / prev * HUNDRED

    def compute(self, env: Env) -> Value:
        x = self.exact(env)
        return None if x is None else excel_round(x, self.decimals or 0)

    def inputs(self) -> tuple[str, ...]:
        return (self.curr, self.prev)

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        """(c − p) / p × 100 = (c / p − 1) × 100: monotone in c and in p, so the corners bound it."""
        if _point_zero(points, self.prev):
            return None
        curr, prev = _iv(env, self.curr), _iv(env, self.prev)
        if prev.contains_zero() or curr.unbounded or prev.unbounded:
            return UNBOUNDED
        with localcontext() as ctx:
            ctx.prec = 34
            corners = [(c - p) / p * HUNDRED for c in (curr.lo, curr.hi) for p in (prev.lo, prev.hi)]
        return Interval(min(corners), max(corners))


class Grade(Expr, msgspec.Struct, frozen=True):
    """Grade label looked up from the threshold table (data, not code); blank while nothing is scored."""

    score: str
    scored_column: str
    minimums: str
    labels: str
    bands: tuple[tuple[str, Decimal], ...]  # (label, lower bound inclusive), any order

    def excel(self) -> str:
        return (f'IF(COUNT({self.scored_column})=0,"",'
                f"LOOKUP({self.score},{self.minimums},{self.labels}))")

    def compute(self, env: Env) -> Value:
        col = env.get(self.scored_column)
        items = col if isinstance(col, list | tuple) else [col]
        if not any(isinstance(v, Decimal | int | float) and not isinstance(v, bool) for v in items):
            return None
        return grade_for(_num(env.get(self.score)), self.table(env))

    def table(self, env: Env) -> tuple[tuple[str, Decimal], ...]:
        """The threshold table the formula's LOOKUP reads (the workbook's own), else the spec's bands."""
        labels, lows = env.get(self.labels), env.get(self.minimums)
        if isinstance(labels, list | tuple) and isinstance(lows, list | tuple) and len(labels) == len(lows) and labels:
            pairs = []
            for lab, low in zip(labels, lows, strict=True):
                if not isinstance(lab, str) or not lab.strip() or isinstance(low, bool) \
                        or not isinstance(low, Decimal | int | float):
                    return self.bands
                pairs.append((lab.strip(), _num(low)))
            return tuple(pairs)
        return self.bands

    def inputs(self) -> tuple[str, ...]:
        return (self.score, self.scored_column)

    def interval(self, env: IntervalEnv, points: Points) -> Interval | None:
        return None  # a label, not a number


def grade_for(score: Decimal, bands: Sequence[tuple[str, Decimal]]) -> str | None:
    """Highest band whose lower bound (inclusive) the score reaches."""
    best: tuple[str, Decimal] | None = None
    for label, low in bands:
        if score >= low and (best is None or low > best[1]):
            best = (label, low)
    return best[0] if best else None
