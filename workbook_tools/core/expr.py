"""Derived-value expressions: one object renders the Excel formula and computes the same value in Decimal.

Keeping both renderings on one object is what lets the template, the validator, the filler and the
exporter agree: the formula written into the workbook and the value Python computes cannot drift apart.
Formulas refer to workbook-level defined names only, so no cell address appears in them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, getcontext, localcontext

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
    """Base of all derived-value expressions."""

    decimals: int | None = None

    def excel(self) -> str:
        raise NotImplementedError

    def compute(self, env: Env) -> Value:
        raise NotImplementedError

    def inputs(self) -> tuple[str, ...]:
        """Names this expression reads, for dependency order and for error messages."""
        raise NotImplementedError

    def formula(self) -> str:
        return "=" + self.excel()


@dataclass(frozen=True)
class Ref(Expr):
    """Mirror of another cell (e.g. 表3 本年决算 shows 表2 决算)."""

    name: str

    def excel(self) -> str:
        return self.name

    def compute(self, env: Env) -> Value:
        v = env.get(self.name)
        return _num(v) if not isinstance(v, str) else v

    def inputs(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class Sum(Expr):
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


@dataclass(frozen=True)
class Sub(Expr):
    """a − b (增减额)."""

    a: str
    b: str

    def excel(self) -> str:
        return f"{self.a}-{self.b}"

    def compute(self, env: Env) -> Value:
        return _num(env.get(self.a)) - _num(env.get(self.b))

    def inputs(self) -> tuple[str, ...]:
        return (self.a, self.b)


@dataclass(frozen=True)
class Add(Expr):
    """a + b (总额 = 基本 + 项目)."""

    a: str
    b: str

    def excel(self) -> str:
        return f"{self.a}+{self.b}"

    def compute(self, env: Env) -> Value:
        return _num(env.get(self.a)) + _num(env.get(self.b))

    def inputs(self) -> tuple[str, ...]:
        return (self.a, self.b)


def _blank_guard(names: tuple[str, ...], zero: str) -> str:
    """The IF condition that leaves a ratio blank: its denominator is 0 (or blank), or an optional input is blank."""
    tests = [f'{n}=""' for n in names if n != zero] + [f"{zero}=0"]
    return tests[0] if len(tests) == 1 else "OR(" + ",".join(tests) + ")"


def _any_blank(env: Env, names: tuple[str, ...]) -> bool:
    return any(env.get(n) is None or env.get(n) == "" for n in names)


@dataclass(frozen=True)
class Ratio(Expr):
    """ROUND(num / den × 100, 2); blank when the denominator is 0 or blank (never #DIV/0!).

    ``blank_if_blank`` names optional inputs whose blank means "not reported": the ratio is then blank
    too, not 0.00 (重点支出安排率 with no 重点项目支出 typed is unknown, not zero).
    """

    num: str
    den: str
    decimals: int | None = 2
    blank_if_blank: tuple[str, ...] = ()

    def excel(self) -> str:
        d = self.decimals
        return f'IF({_blank_guard(self.blank_if_blank, self.den)},"",ROUND({self.num}/{self.den}*100,{d}))'

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


@dataclass(frozen=True)
class ChangeRate(Expr):
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


@dataclass(frozen=True)
class Grade(Expr):
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
        return grade_for(_num(env.get(self.score)), self.bands)

    def inputs(self) -> tuple[str, ...]:
        return (self.score, self.scored_column)


def grade_for(score: Decimal, bands: Sequence[tuple[str, Decimal]]) -> str | None:
    """Highest band whose lower bound (inclusive) the score reaches."""
    best: tuple[str, Decimal] | None = None
    for label, low in bands:
        if score >= low and (best is None or low > best[1]):
            best = (label, low)
    return best[0] if best else None
