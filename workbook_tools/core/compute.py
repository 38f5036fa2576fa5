"""Every derived value of the spec, computed from inputs in Decimal with Excel's ROUND.

The expressions come from the spec (:mod:`workbook_tools.core.expr`), the same objects that render the
template's formulas, so Python and the spreadsheet compute the same thing by construction; an agreement
test against LibreOffice checks it. Stated (cached or typed) derived values are never used as inputs:
totals and ratios are recomputed from the figures staff typed.
"""

from __future__ import annotations

from typing import Any

from . import spec
from .model import Evaluation, Value


def compute(model: Evaluation) -> dict[str, Value]:
    """Derived values by defined name; a ratio with a zero budget is None (a blank cell)."""
    env: dict[str, Any] = model.env()
    out: dict[str, Value] = {}
    for f in spec.derived_order():
        assert f.expr is not None
        value = f.expr.compute(env)
        env[f.name] = value
        out[f.name] = value
    return out
