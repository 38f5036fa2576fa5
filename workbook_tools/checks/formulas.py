"""Formula integrity: every derived cell must still hold the template's formula.

Formula text is compared after normalisation (case outside string literals, spaces, ``$``, sheet
prefixes and quoting, a leading ``=``, Excel's ``_xlfn.`` marks), never by cached value alone. A derived
cell holding a typed constant is judged by :mod:`.arithmetic` (one finding per cell, saying whether the
number is still right); this module reports the cells whose formula was deleted or changed.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from ..core import layouts, live_checks, spec
from ..core.findings import Finding
from ..xlsx.reader import Loaded
from . import Computed, finding, place

_SHEET_PREFIX = re.compile(r"[^\s!(),+\-*/=<>&^:;\"'{}\[\]]+!")


@lru_cache(maxsize=4096)
def normalize(formula: str) -> str:
    """Canonical text of a formula: ``='资金使用'!$B$5 + x`` and ``=资金使用!B5+X`` compare equal."""
    text = formula.strip()
    if text.startswith("="):
        text = text[1:]
    out: list[str] = []
    segment: list[str] = []

    def flush() -> None:
        s = "".join(segment).upper().replace("_XLFN.", "").replace("_XLWS.", "")
        out.append(_SHEET_PREFIX.sub("", s))
        segment.clear()

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':  # string literal: kept verbatim, "" is an escaped quote
            flush()
            j = i + 1
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        j += 2
                        continue
                    break
                j += 1
            out.append(text[i:j + 1])
            i = j + 1
            continue
        if ch == "'":  # quoted sheet name: dropped together with its '!'
            j = i + 1
            while j < n:
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            if j + 1 < n and text[j + 1] == "!":
                i = j + 2
                continue
            segment.append(text[i:j + 1])
            i = j + 1
            continue
        if not ch.isspace() and ch != "$":
            segment.append(ch)
        i += 1
    flush()
    return "".join(out)


@cache
def expected(name: str, version: str | None = None) -> str:
    """The normalised formula of a derived field in the current template (or in an earlier ``version``)."""
    layout = layouts.for_version(version)
    formula = layout.formulas.get(name) if layout is not None else None
    formula = formula or spec.FIELD_BY_NAME[name].formula
    assert formula is not None
    return normalize(formula)


def template_formula(name: str, version: str | None = None) -> str:
    layout = layouts.for_version(version)
    return (layout.formulas.get(name) if layout is not None else None) or spec.FIELD_BY_NAME[name].formula or ""


def intact(name: str, formula: str | None, version: str | None = None) -> bool:
    return formula is not None and formula != "" and normalize(formula) == expected(name, version)


#: Above this many broken live-check formulas, one finding says so (a cleared column is one mistake).
LIVE_GROUP_LIMIT = 3


@cache
def _live_sheets() -> tuple[str, ...]:
    """The sheets holding live-check cells: the 校验 sheet (its rows, the summary) and those with a status line."""
    return tuple(dict.fromkeys(lc.sheet for lc in live_checks.status_cells()))


@cache
def _live_expected(sheet: str) -> tuple[dict[str, str], dict[str, live_checks.LiveCell]]:
    """One sheet's live-check formula texts (without '=') by cell, and the cells themselves. Only the 校验 sheet
    needs every row built (~25 ms, once per process); the others hold status lines alone."""
    expected: dict[str, str] = {}
    by_cell: dict[str, live_checks.LiveCell] = {}
    for lc in live_checks.cells() if sheet == live_checks.SHEET else live_checks.status_cells():
        if lc.sheet == sheet:
            expected[lc.cell] = lc.formula[1:]
            by_cell[lc.cell] = lc
    return expected, by_cell


@cache
def _live_order() -> dict[live_checks.LiveCell, int]:
    return {lc: i for i, lc in enumerate(live_checks.cells())}


def _live(loaded: Loaded) -> list[Finding]:
    """The 校验 sheet and the status lines are derived cells too: their formulas must be the template's."""
    if not spec.present_in(live_checks.SINCE, loaded.version):
        return []  # a 1.0 workbook has no live checks
    broken: list[tuple[live_checks.LiveCell, str | None]] = []
    for sheet in _live_sheets():
        data = loaded.book.sheet(sheet)
        if data is None or data.sealed:
            continue  # a missing sheet: sheet-missing says it once; a sealed one cannot have been edited
        expected, by_cell = _live_expected(sheet)
        for ref, formula in data.cells.differing(expected).items():
            lc = by_cell[ref]
            if formula is None or normalize(formula) != normalize(lc.formula):
                broken.append((lc, formula))
    if broken:
        order = _live_order()
        broken.sort(key=lambda b: order[b[0]])
    if len(broken) > LIVE_GROUP_LIMIT:
        lc, _ = broken[0]
        places = [f"{b.sheet}!{b.cell}" for b, _ in broken[:3]]
        return [finding("formula-changed", "live-many", {"count": len(broken), "places": places},
                        sheet=lc.sheet, cell=lc.cell, expected=lc.formula)]
    out: list[Finding] = []
    for lc, formula in broken:
        where = {"sheet": lc.sheet, "cell": lc.cell, "what": lc.what}
        if formula is None:
            out.append(finding("formula-deleted", "live", where, sheet=lc.sheet, cell=lc.cell, expected=lc.formula))
        else:
            out.append(finding("formula-changed", "live", where, sheet=lc.sheet, cell=lc.cell, expected=lc.formula,
                               actual="=" + formula))
    return out


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    out: list[Finding] = []
    version = loaded.layout.version if loaded.layout is not None else None
    for f in spec.DERIVED_FIELDS:
        if not loaded.has(f.name):
            continue
        sheet, cell = place(loaded, f.name)
        if loaded.book.sheet(sheet) is None:
            continue
        c = loaded.cells.get(f.name)
        formula = c.formula if c is not None else None
        want = template_formula(f.name, version)
        if formula is None:
            if c is None or c.value is None or c.value == "":
                out.append(finding("formula-deleted", "field",
                                   {"label": f.label, "label_en": f.label_en, "formula": want},
                                   sheet=sheet, cell=cell, name=f.name, expected=want, actual=None))
            continue
        if not intact(f.name, formula, version):
            out.append(finding("formula-changed", "field",
                               {"label": f.label, "label_en": f.label_en, "formula": want, "found": formula},
                               sheet=sheet, cell=cell, name=f.name, expected=want, actual="=" + formula))
    return out + _live(loaded)


__all__ = ["check", "expected", "intact", "normalize"]
