"""Cross-table links a finance-bureau reviewer checks by eye: the project list against 表4, 三公 within
基本支出, scores within their points, points totalling 100, staff counts with a quota.

(表3 本年决算 = 表2 决算 and the score total/grade are formulas of the template, so typed-over values there
are caught by the formula and arithmetic rules.)
"""

from __future__ import annotations

from decimal import Decimal

from ..core import spec
from ..core.expr import excel_round
from ..core.findings import Finding
from ..core.intervals import ZERO, of_input
from ..core.numbers import to_decimal
from ..xlsx.reader import Loaded
from . import Computed, depends_on, finding, fmt, list_place, not_numbers, place

HUNDRED = Decimal(100)


def _projects(loaded: Loaded, bad: set[str]) -> list[Finding]:
    out: list[Finding] = []
    for rule in (r for r in spec.CROSS_RULES if isinstance(r, spec.Equal)):
        table, col, total_name = rule.table, rule.column, rule.right
        rows = loaded.model.lists.get(table.name, [])
        values = [to_decimal(r.get(col.key)) for r in rows]
        numbers = [v for v in values if v is not None]
        if not numbers or rule.left in bad or total_name in bad:
            continue
        total_field = spec.FIELD_BY_NAME[total_name]
        total = loaded.model.number(total_name) or Decimal(0)
        listed = sum(numbers, Decimal(0))
        diff = total - listed
        if diff == 0:
            continue
        sheet, cell = place(loaded, total_name)
        listed_iv = ZERO
        for v in numbers:
            listed_iv = listed_iv + of_input(v, "money", col.min)
        total_iv = of_input(total, "money", total_field.min)
        params = {"column": col.label, "column_en": col.label_en, "listed": listed, "total": total,
                  "total_label": total_field.label, "total_label_en": total_field.label_en, "diff": abs(diff),
                  "count": len(numbers)}
        if listed_iv.meets(total_iv.lo, total_iv.hi):
            out.append(finding("value-imprecise", "project-list", params,
                               sheet=sheet, cell=cell, name=total_name, expected=fmt(total, 2), actual=fmt(listed, 2)))
            continue
        out.append(finding(rule.code, "more" if diff < 0 else "less", params,
                           sheet=sheet, cell=cell, name=total_name, expected=fmt(total, 2), actual=fmt(listed, 2)))
    return out


def _sangong(loaded: Loaded, computed: Computed, bad: set[str]) -> list[Finding]:
    out: list[Finding] = []
    for rule in (r for r in spec.CROSS_RULES if isinstance(r, spec.AtMost)):
        s_name, b_name, zh, en = rule.left, rule.right, rule.what, rule.what_en
        if (depends_on(s_name) | depends_on(b_name)) & bad:
            continue
        s, b = computed.get(s_name), computed.get(b_name)
        if isinstance(s, Decimal) and isinstance(b, Decimal) and s > b:
            sheet, cell = place(loaded, s_name)
            out.append(finding(rule.code, "default", {"what": zh, "what_en": en, "sangong": s, "basic": b},
                               sheet=sheet, cell=cell, name=s_name, expected=f"≤ {fmt(b, 2)}", actual=fmt(s, 2)))
    return out


def _scores(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    rows = loaded.model.lists.get("indicators", [])
    weights: list[Decimal] = []
    for i, row in enumerate(rows):
        w, s = to_decimal(row.get("weight")), to_decimal(row.get("score"))
        if w is not None and row.get("level3") not in (None, ""):  # a subtotal row (no 三级指标) is not counted twice
            weights.append(w)
        if w is not None and s is not None and s > w:
            sheet, cell = list_place(loaded, "indicators", "score", i)
            what = row.get("level3") or row.get("level2") or row.get("level1")
            out.append(finding("score-exceeds-weight", "named" if what else "unnamed",
                               {"row": i + 1, "what": what, "score": s, "weight": w},
                               sheet=sheet, cell=cell, name="indicators_score", expected=f"≤ {fmt(w)}", actual=fmt(s)))
    if weights:
        total = sum(weights, Decimal(0))
        if total != HUNDRED:
            sheet, cell = place(loaded, "weight_total")
            out.append(finding("weights-not-100", "default", {"total": total}, sheet=sheet, cell=cell,
                               name="weight_total", expected="100", actual=fmt(total)))
    return out


def _staff(loaded: Loaded, bad: set[str]) -> list[Finding]:
    if {"staff_actual", "staff_quota"} & bad:
        return []
    actual = loaded.model.number("staff_actual")
    quota = loaded.model.number("staff_quota")
    if actual is None or (quota is not None and quota != 0):
        return []
    sheet, cell = place(loaded, "staff_quota")
    return [finding("staff-without-quota", "zero" if quota is not None else "blank", {"staff": actual},
                    sheet=sheet, cell=cell, name="staff_quota", expected="> 0",
                    actual=fmt(quota) if quota is not None else None)]


def _value(loaded: Loaded, computed: Computed, name: str) -> Decimal | None:
    f = spec.FIELD_BY_NAME[name]
    return to_decimal(computed.get(name)) if f.is_derived else loaded.model.number(name)


def _parts(loaded: Loaded, computed: Computed, bad: set[str]) -> list[Finding]:
    """Optional breakdowns (公务用车购置/运行维护, 人员/公用经费, 资金来源, 收入) against their totals, when given."""
    out: list[Finding] = []
    for pc in spec.PARTS_CHECKS:
        if not all(loaded.has(n) for n in (*pc.parts, pc.total)):
            continue
        if any(n in bad or depends_on(n) & bad for n in (*pc.parts, pc.total)):
            continue
        if pc.when and not any(loaded.model.number(n) is not None for n in pc.when):
            continue
        parts = [v for n in pc.parts if (v := _value(loaded, computed, n)) is not None]
        total = _value(loaded, computed, pc.total)
        if total is None or len(parts) < pc.min_parts:
            continue
        listed = sum(parts, Decimal(0))
        if excel_round(listed, 2) == excel_round(total, 2):
            continue
        tf = spec.FIELD_BY_NAME[pc.total]
        sheet, cell = place(loaded, pc.total)
        out.append(finding("parts-not-total", "default",
                           {"what": pc.label, "listed": listed, "total": total, "diff": total - listed,
                            "total_label": tf.label, "total_label_en": tf.label_en},
                           sheet=sheet, cell=cell, name=pc.total, expected=fmt(total, 2), actual=fmt(listed, 2)))
    return out


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    bad = not_numbers(loaded)
    return (_projects(loaded, bad) + _sangong(loaded, computed, bad) + _scores(loaded) + _staff(loaded, bad)
            + _parts(loaded, computed, bad))


__all__ = ["check"]
