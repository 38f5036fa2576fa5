"""This year against last: the same unit's workbook of the year before (``validate --previous``,
``batch --previous-dir``).

The 上年 figures a unit types (三公 上年决算, 上年结转结余 …) must be last year's 决算 in last year's
workbook; the 编制数 rarely moves much; and a paragraph copied word for word from last year's report that
still carries last year's year or figures was not updated. Pairs come from the spec's change tables (表3:
上年决算 ↔ last year's 本年决算) and 上年结转结余 ↔ 年末结转结余, so rows added to those tables later are compared
without code here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import msgspec

from ..core import spec
from ..core.findings import PASSAGE_LABELS, YEAR_WORD, Finding, phrase, wording
from ..core.model import unit_key
from ..xlsx.reader import Loaded
from . import Computed, finding, fmt, list_place, place
from .narrative import Passage, normalise, numbers, tie

#: 编制数 changes above this share of last year's (and by at least STAFF_MIN_CHANGE people) ask for a word.
STAFF_CHANGE = Decimal("0.10")
STAFF_MIN_CHANGE = 2
#: Patterns as text: ``re`` compiles (and caches) them when ``--previous`` is given, not at import.
_QUOTA_EXPLAINED = r"编制.{0,20}(调整|核增|核减|增编|减编|划转|机构改革|增加|减少)|(调整|核增|核减|划转|机构改革).{0,20}编制"
_SPACE = r"\s+"


class Previous(msgspec.Struct, frozen=True):
    """Last year's workbook as read (or why it cannot be used)."""

    path: str
    loaded: Loaded | None
    computed: Computed | None
    reason: str = ""
    #: The exception that stopped the reading (when there is no reason in words).
    error: str = ""


@cache
def pairs() -> tuple[tuple[str, str], ...]:
    """(this year's 上年 input, last year's figure) pairs: each row of the spec's change tables (表3: 上年决算
    against last year's 本年决算), and 上年结转结余 against last year's 年末结转结余."""
    out = [(r.prev, r.current) for t in spec.CHANGE_TABLES for r in t.rows
           if r.prev in spec.FIELD_BY_NAME and not spec.FIELD_BY_NAME[r.prev].is_derived]
    if "carryover_prev" in spec.FIELD_BY_NAME and "carryover_end" in spec.FIELD_BY_NAME:
        out.append(("carryover_prev", "carryover_end"))
    return tuple(out)


def _value(loaded: Loaded, computed: Computed, name: str) -> Decimal | None:
    f = spec.FIELD_BY_NAME[name]
    raw = computed.get(name) if f.is_derived else loaded.model.values.get(name)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    return raw if isinstance(raw, Decimal) else None


def comparable(loaded: Loaded, prev: Previous) -> Finding | None:
    """None when ``prev`` is the same unit's workbook of the year before; otherwise the finding that says why not."""
    sheet, cell = place(loaded, "unit_name")
    where = {"sheet": sheet, "cell": cell, "name": "unit_name"}
    params: dict[str, object] = {"path": prev.path}
    if prev.loaded is None:
        if prev.reason:
            return finding("previous-not-comparable", "reason", {**params, "reason": prev.reason}, **where)
        if prev.error:
            return finding("previous-not-comparable", "crashed", {**params, "error": prev.error}, **where)
        return finding("previous-not-comparable", "unreadable", params, **where)
    m, pm = loaded.model, prev.loaded.model
    year, pyear = m.fiscal_year, pm.fiscal_year
    if unit_key(m.unit_name) != unit_key(pm.unit_name):
        return finding("previous-not-comparable", "other-unit",
                       {**params, "unit": m.unit_name, "unit_then": pm.unit_name}, **where)
    if year is None or pyear is None or pyear != year - 1:
        return finding("previous-not-comparable", "other-year", {**params, "year": year, "year_then": pyear}, **where)
    return None


def _figures(loaded: Loaded, computed: Computed, prev: Previous) -> list[Finding]:
    assert prev.loaded is not None and prev.computed is not None
    out: list[Finding] = []
    for mine, theirs in pairs():
        stated = _value(loaded, computed, mine)
        last = _value(prev.loaded, prev.computed, theirs)
        if stated is None or last is None or stated == last:
            continue
        f, g = spec.FIELD_BY_NAME[mine], spec.FIELD_BY_NAME[theirs]
        sheet, cell = place(loaded, mine)
        ps, pc = place(prev.loaded, theirs)
        out.append(finding("previous-figure-mismatch", "default",
                           {"label": f.label, "label_en": f.label_en, "stated": stated, "path": prev.path,
                            "last_sheet": ps, "last_cell": pc, "last_label": g.label, "last_label_en": g.label_en,
                            "last": last},
                           sheet=sheet, cell=cell, name=mine, expected=fmt(last, 2), actual=fmt(stated, 2)))
    return out


def _said(loaded: Loaded) -> list[str]:
    rows = loaded.model.lists.get("narrative", [])
    texts = [str(r.get(k)) for r in rows for k in ("heading", "text") if isinstance(r.get(k), str)]
    texts += [str(loaded.model.values.get(n)) for n in ("org_setup", "main_tasks") if isinstance(loaded.model.values.get(n), str)]
    return [normalise(t) for t in texts]


def _quota(loaded: Loaded, prev: Previous) -> list[Finding]:
    assert prev.loaded is not None
    q, q0 = loaded.model.number("staff_quota"), prev.loaded.model.number("staff_quota")
    if q is None or q0 is None or q0 <= 0:
        return []
    change = q - q0
    if abs(change) < STAFF_MIN_CHANGE or abs(change) <= q0 * STAFF_CHANGE:
        return []
    if any(re.search(_QUOTA_EXPLAINED, t) for t in _said(loaded)):
        return []
    sheet, cell = place(loaded, "staff_quota")
    pct = (change / q0 * 100).quantize(Decimal("0.1"))
    return [finding("staff-quota-change", "up" if change > 0 else "down",
                    {"quota": q, "quota_then": q0, "path": prev.path, "change": change, "pct": pct, "size": abs(change),
                     "share": abs(pct)},
                    sheet=sheet, cell=cell, name="staff_quota", expected=fmt(q0), actual=fmt(q))]


def _paragraphs(loaded: Loaded, table: str, keys: tuple[str, ...]) -> list[tuple[int, str, str]]:
    out = []
    for i, row in enumerate(loaded.model.lists.get(table, [])):
        for key in keys:
            text = row.get(key)
            if isinstance(text, str) and len(text.strip()) >= 10:
                out.append((i, key, text))
    return out


def _stale_figures(text: str, loaded: Loaded, computed: Computed, prev: Previous) -> list[str]:
    """Numbers in ``text`` that are last year's figure and not this year's."""
    assert prev.loaded is not None and prev.computed is not None
    out = []
    for sentence in re.split(r"[。；;！？!?\n]", normalise(text)):
        found = numbers(sentence)
        for k, s in enumerate(found):
            t = tie(sentence, s, found[:k])
            if t is None or t.name not in spec.FIELD_BY_NAME:
                continue
            now, then = _value(loaded, computed, t.name), _value(prev.loaded, prev.computed, t.name)
            if then is not None and then == t.value and now != t.value:
                out.append(f"{s.text}{s.unit}")
    return out


def _copied(loaded: Loaded, computed: Computed, prev: Previous) -> list[Finding]:
    assert prev.loaded is not None
    out: list[Finding] = []
    year = loaded.model.fiscal_year
    last_year = phrase(YEAR_WORD, {"year": year - 1}) if year is not None else None
    for table, keys in (("narrative", ("text",)), ("goals", ("text",))):
        theirs = {re.sub(_SPACE, "", normalise(t)) for _, _, t in _paragraphs(prev.loaded, table, keys)}
        for i, key, text in _paragraphs(loaded, table, keys):
            if re.sub(_SPACE, "", normalise(text)) not in theirs:
                continue
            stale = [last_year] if last_year and last_year in normalise(text) else []
            stale += _stale_figures(text, loaded, computed, prev)
            if not stale:
                continue
            sheet, cell = list_place(loaded, table, key, i)
            p = Passage(sheet, cell, *wording(PASSAGE_LABELS[table], {"n": i + 1}), text)
            out.append(finding("narrative-copied", "default",
                               {"where": p.where, "where_en": p.where_en, "path": prev.path, "stale": stale},
                               sheet=sheet, cell=cell, actual=stale[0]))
    return out


def check(loaded: Loaded, computed: Computed, prev: Previous) -> list[Finding]:
    problem = comparable(loaded, prev)
    if problem is not None:
        return [problem]
    return _figures(loaded, computed, prev) + _quota(loaded, prev) + _copied(loaded, computed, prev)


__all__ = ["Previous", "STAFF_CHANGE", "STAFF_MIN_CHANGE", "check", "comparable", "pairs"]
