"""Arithmetic: every stated derived figure against its recomputation from the inputs, never trusting caches.

A stated figure is either a constant typed over the formula (the most common fault) or the cached
result of an intact formula. Both are judged by :func:`workbook_tools.core.intervals.judge`: equal to Excel's
ROUND → consistent; explained only by truncating a value the rounded inputs allow → value-truncated;
only by rounding such a value → value-imprecise; otherwise value-mismatch. Cached results are compared at
the field's decimals (differences in the 15th digit are float noise); formulas without any cached result
(files written by openpyxl) give one file-level info, not one finding per cell.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from ..core import spec
from ..core.expr import ChangeRate, Ratio, Ref, excel_round
from ..core.findings import Finding
from ..core.intervals import Interval, derived_intervals, explain, judge
from ..core.model import Value
from ..core.numbers import parse_text_number
from ..xlsx.reader import Loaded
from . import Computed, depends_on, finding, fmt, not_numbers, place, program, program_en
from .formulas import intact


def _exact(f: spec.Field, env: dict[str, Any]) -> str:
    """'422.49 ÷ 285.48 × 100 = 147.9929' for a ratio, so the user can redo the sum by hand."""
    e = f.expr
    with localcontext() as ctx:
        ctx.prec = 34
        if isinstance(e, Ratio):
            x = e.exact(env)
            if x is not None:
                return f"{fmt(env.get(e.num), 2)} ÷ {fmt(env.get(e.den), 2)} × 100 = {format(excel_round(x, 4), 'f')}"
        if isinstance(e, ChangeRate):
            x = e.exact(env)
            if x is not None:
                c, p = fmt(env.get(e.curr), 2), fmt(env.get(e.prev), 2)
                return f"({c} − {p}) ÷ {p} × 100 = {format(excel_round(x, 4), 'f')}"
    return ""


def _as_number(v: Value) -> Decimal | None:
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return Decimal(v)
    if isinstance(v, str):
        return parse_text_number(v)[0]
    return None


def _typed(f: spec.Field, sheet: str, cell: str, stated: Value, point: Value, iv: Interval | None,
           env: dict[str, Any]) -> Finding:
    """One finding for a constant typed over a formula: is the number still right?"""
    where = {"sheet": sheet, "cell": cell, "name": f.name}
    shown = fmt(stated, f.decimals)
    words = {"label": f.label, "label_en": f.label_en, "shown": shown}
    if f.kind == "grade":
        ok = (stated or None) == (point or None)
        if ok:
            return finding("formula-overwritten", "grade", words, expected=fmt(point), actual=shown, **where)
        return finding("value-mismatch", "grade", {**words, "expected": fmt(point)}, expected=fmt(point), actual=shown,
                       **where)
    s = _as_number(stated)
    d = f.decimals if f.decimals is not None else 2
    want = point if not isinstance(point, Decimal) else excel_round(point, d)
    expected = fmt(want, d)
    words["expected"] = expected
    if s is None:
        return finding("value-mismatch", "text", words, expected=expected, actual=shown, **where)
    point_d = point if isinstance(point, Decimal) else None
    if isinstance(f.expr, Ref):
        iv = None  # a mirror of another cell states the very same figure: no rounding slack
    verdict = judge(s, point_d, iv, d)
    how = _exact(f, env)
    rng = explain(iv, d)
    params = {**words, "how": how, "range": rng}
    worked = "typed-worked" if how else "typed"
    if verdict == "consistent":
        return finding("formula-overwritten", "consistent", words, expected=expected, actual=shown, **where)
    if verdict == "blank-zero":
        return finding("formula-overwritten", "blank-zero", words, expected=None, actual=shown, **where)
    if verdict == "truncated":
        return finding("value-truncated", worked, params, expected=expected, actual=shown, **where)
    if verdict == "imprecise":
        return finding("value-imprecise", worked, params, expected=expected, actual=shown, **where)
    ranged = "-range" if rng and iv is not None and not iv.unbounded else ""
    return finding("value-mismatch", worked + ranged, params, expected=expected, actual=shown, **where)


def _same_cached(cached: Value, point: Value, decimals: int | None) -> bool:
    if cached == "":
        cached = None
    if point is None or isinstance(point, str):
        return (cached or None) == (point or None)
    if isinstance(cached, Decimal) and isinstance(point, Decimal):
        d = decimals if decimals is not None else 2
        return excel_round(cached, d) == excel_round(point, d)
    return False


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    model = loaded.model
    ivs = derived_intervals(model, computed)
    bad = not_numbers(loaded)
    env: dict[str, Any] = model.env()
    env.update(computed)
    app = loaded.book.application
    manual = loaded.book.calc_mode == "manual"
    out: list[Finding] = []
    no_cache: list[str] = []
    for f in spec.DERIVED_FIELDS:
        sheet, cell = place(loaded, f.name)
        c = loaded.cells.get(f.name)
        if loaded.book.sheet(sheet) is None or c is None or c.is_error or depends_on(f.name) & bad:
            continue
        point = computed.get(f.name)
        if c.formula is None:
            if c.value is not None and c.value != "":
                out.append(_typed(f, sheet, cell, model.stated.get(f.name, c.value), point, ivs.get(f.name), env))
            continue
        if not intact(f.name, c.formula, loaded.layout.version if loaded.layout is not None else None):
            continue  # formula-changed says it
        if c.value is None:
            no_cache.append(f.name)
            continue
        if not _same_cached(c.value, point, f.decimals):
            want = fmt(excel_round(point, f.decimals or 2) if isinstance(point, Decimal) else point, f.decimals)
            got = fmt(c.value, f.decimals)
            out.append(finding("cache-stale", "manual" if manual else "auto",
                               {"label": f.label, "label_en": f.label_en, "saved": got, "computed": want,
                                "program": program(app), "program_en": program_en(app)},
                               sheet=sheet, cell=cell, name=f.name, expected=want, actual=got))
    if no_cache:
        out.append(finding("cache-missing", "default",
                           {"count": len(no_cache), "program": program(app), "program_en": program_en(app)}))
    return out


__all__ = ["check"]
