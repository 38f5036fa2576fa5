"""Numbers as these reports print them: amounts 180 / 13.4 / 1918.71, ratios always 376.39 / 177.20.

Amounts are rounded to 2 decimals (Excel ROUND) and lose trailing zeros, as the seed writes them in text
and tables; ratios keep exactly 2 decimals, because 177.2% next to 376.39% reads like a typo.
"""

from __future__ import annotations

from decimal import Decimal

from ..core.expr import excel_round
from ..core.model import canonical
from ..core.numbers import to_decimal

__all__ = ["amount", "ratio", "count", "signed_word", "magnitude"]


def amount(v: object) -> str:
    """万元 amount with up to 2 decimals, trailing zeros dropped; blank for a blank or text cell."""
    d = to_decimal(v)
    if d is None:
        return ""
    r = excel_round(d, 2)
    return "0" if r == 0 else canonical(r)


def ratio(v: object) -> str:
    """Percentage with exactly 2 decimals (no % sign); blank when undefined (zero budget)."""
    d = to_decimal(v)
    if d is None:
        return ""
    r = excel_round(d, 2)
    return format(abs(r) if r == 0 else r, "f")


def count(v: object) -> str:
    """Head counts and years: integers as typed."""
    d = to_decimal(v)
    if d is None:
        return ""
    return canonical(d)


def magnitude(v: Decimal, fmt: str = "amount") -> str:
    """Absolute value, for phrases whose word already carries the sign (减少7.27万元)."""
    return amount(abs(v)) if fmt == "amount" else ratio(abs(v))


def signed_word(v: object, fmt: str = "amount") -> str:
    """Table form of a change, the seed's word prefix: 减7.27 / 增1.2 / 0; blank when undefined."""
    d = to_decimal(v)
    if d is None:
        return ""
    text = magnitude(d, fmt)
    if excel_round(d, 2) == 0:
        return "0" if fmt == "amount" else "0.00"
    return ("增" if d > 0 else "减") + text
