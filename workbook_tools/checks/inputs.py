"""Inputs: what staff typed, cell by cell — blanks, text where a number belongs, signs, ranges, digits,
choices, dates, and Excel error values anywhere on the template's sheets.

Messages say what was found and what to type instead, because the person reading them fixes the cell
by hand ("请把“工资福利支出 决算金额”改为数字 1234.50（不要千分位逗号）").
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..core import spec
from ..core.expr import excel_round
from ..core.findings import (
    EXCEL_ERROR_UNKNOWN,
    EXCEL_ERRORS,
    EXPECT_NUMBER,
    EXPECT_WHOLE,
    ROW_LABEL,
    TEXT_NUMBER_ADVICE,
    Finding,
    listing,
    wording,
)
from ..core.model import CONTROL_CHARS
from ..core.numbers import TEN_THOUSAND, looks_like_yuan, parse_text_number
from ..xlsx.reader import Loaded
from ..xlsx.worksheet import Cell
from . import Computed, finding, fmt, list_places, place

_WAN = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*万")
#: Excel's limit on the characters of one cell.
CELL_LIMIT = 32767
CONTROL = CONTROL_CHARS


class _Target:
    """One input cell: where it is, how it is called, and the spec's rules for it.

    ``label`` is a (zh, en) pair, or the parameters of :data:`ROW_LABEL` for a list cell: rendered only when a
    finding needs it (a workbook has hundreds of list cells and findings on few of them)."""

    def __init__(self, sheet: str, cell: str, label: tuple[str, str] | dict[str, object], kind: str, *,
                 name: str | None, minimum: Decimal | None, maximum: Decimal | None, choices: tuple[str, ...],
                 decimals: int | None):
        self.sheet, self.cell, self._label, self.kind = sheet, cell, label, kind
        self.name, self.min, self.max, self.choices, self.decimals = name, minimum, maximum, choices, decimals

    def f(self, code: str, variant: str, params: dict[str, object] | None = None, expected: object = None,
          actual: object = None) -> Finding:
        """A finding about this cell; its label is a parameter of every template."""
        if isinstance(self._label, dict):
            self._label = wording(ROW_LABEL, self._label)
        label, label_en = self._label
        return finding(code, variant, {"label": label, "label_en": label_en, **(params or {})},
                       sheet=self.sheet, cell=self.cell, name=self.name, expected=expected, actual=actual)


def _text_number(t: _Target, raw: str, c: Cell | None) -> Finding:
    num, note = parse_text_number(raw, t.kind)
    notes = note.split("、") if num is not None else []
    if c is not None and c.quote_prefix and "前导撇号" not in notes:
        notes = [n for n in notes if n != "数字以文本形式保存"] + ["前导撇号"]
    if num is not None:
        shown = fmt(num, t.decimals) if t.kind != "int" and t.kind != "year" else fmt(num, 0)
        advice = [TEXT_NUMBER_ADVICE.get(n, (n, n)) for n in notes]
        return t.f("text-number", "convertible", {"shown": shown, "raw": raw, "advice": [a[0] for a in advice],
                                                  "advice_en": [a[1] for a in advice]}, expected=shown, actual=raw)
    wan = _WAN.search(raw)
    if wan:
        return t.f("text-number", "not-number-wan", {"raw": raw, "note": note, "wan": wan.group(1),
                                                     "wan_shown": fmt(Decimal(wan.group(1)), t.decimals)},
                   expected=EXPECT_NUMBER, actual=raw)
    return t.f("text-number", "not-number", {"raw": raw, "note": note}, expected=EXPECT_NUMBER, actual=raw)


def _number(t: _Target, v: Decimal, c: Cell | None, book_is_date: bool) -> list[Finding]:
    out: list[Finding] = []
    if book_is_date:
        out.append(t.f("date-in-number", "default", {"value": v}, actual=fmt(v)))
    if t.kind == "money" and v < 0:
        out.append(t.f("negative-amount", "default", {"value": v}, expected="≥ 0", actual=fmt(v)))
        return out
    if t.kind in spec.INTEGRAL_KINDS and v != v.to_integral_value():
        out.append(t.f("out-of-range", "fraction", {"value": v}, expected=EXPECT_WHOLE, actual=fmt(v)))
        return out
    low, high = t.min, t.max
    if (low is not None and v < low) or (high is not None and v > high):
        bounds = f"{fmt(low)}–{fmt(high)}" if low is not None and high is not None else (
            f"≥ {fmt(low)}" if low is not None else f"≤ {fmt(high)}")
        out.append(t.f("out-of-range", "money" if t.kind == "money" else "other", {"value": v, "bounds": bounds},
                       expected=bounds, actual=fmt(v)))
        return out
    exponent = v.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if t.kind in ("money", "score") and t.decimals is not None and places > t.decimals:
        r = excel_round(v, t.decimals)
        out.append(t.f("excess-digits", t.kind, {"value": v, "rounded": fmt(r, t.decimals)},
                       expected=fmt(r, t.decimals), actual=fmt(v)))
    return out


def _value(loaded: Loaded, t: _Target, v: object, c: Cell | None) -> list[Finding]:
    if c is not None and c.is_error:
        return []  # reported once by the error sweep
    if t.kind in spec.NUMERIC_KINDS:
        if isinstance(v, str):
            return [_text_number(t, v, c)]
        if isinstance(v, bool):
            shown = "TRUE" if v else "FALSE"
            return [t.f("boolean-in-number", "default", {"shown": shown}, expected=EXPECT_NUMBER, actual=shown)]
        if isinstance(v, int) and not isinstance(v, bool):
            v = Decimal(v)
        if isinstance(v, Decimal):
            return _number(t, v, c, loaded.book.is_date(c))
        return []
    if isinstance(v, str) and t.kind in ("text", "longtext", "choice"):
        out = _text(t, v)
        if out:
            return out
    if t.kind == "choice" and t.choices and v is not None and str(v) not in t.choices:
        return [t.f("invalid-choice", "default", {"value": v, "choices": list(t.choices)},
                    expected=listing(t.choices), actual=str(v))]
    return []


def _text(t: _Target, v: str) -> list[Finding]:
    out: list[Finding] = []
    if len(v) > CELL_LIMIT:
        out.append(t.f("text-too-long", "default", {"length": len(v), "limit": CELL_LIMIT},
                       expected=f"≤ {CELL_LIMIT}", actual=len(v)))
    bad = CONTROL.findall(v)
    if bad:
        codes = sorted({f"U+{ord(ch):04X}" for ch in bad})
        out.append(t.f("control-characters", "default", {"count": len(bad), "codes": codes}, actual=listing(codes)))
    return out


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _fields(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    for f in spec.INPUT_FIELDS:
        if not loaded.has(f.name):
            continue  # a later version's figure: an older workbook has no cell for it
        sheet, cell = place(loaded, f.name)
        if loaded.book.sheet(sheet) is None:
            continue  # sheet-missing says it once
        t = _Target(sheet, cell, (f.label, f.label_en), f.kind, name=f.name, minimum=f.min, maximum=f.max,
                    choices=f.choices, decimals=f.decimals)
        v = loaded.model.values.get(f.name)
        c = loaded.cells.get(f.name)
        if c is not None and c.formula and _blank(v):
            out.append(t.f("input-formula-uncached", "default", {"formula": c.formula}, expected=EXPECT_NUMBER,
                           actual="=" + c.formula))
            continue
        if _blank(v):
            if f.required and not any(not _blank(loaded.model.values.get(n)) for n in f.required_unless):
                out.append(t.f("required-missing", "default", {"sheet": sheet, "cell": cell}))
            continue
        out += _value(loaded, t, v, c)
    return out


def _lists(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    for table in spec.TABLES:
        if loaded.book.sheet(table.sheet) is None:
            continue
        places = {col.key: list_places(loaded, table.name, col.key) for col in table.columns}
        for i, row in enumerate(loaded.model.lists.get(table.name, [])):
            for col in table.columns:
                v = row.get(col.key)
                if (col.kind in ("text", "longtext") and isinstance(v, str) and v.strip() and len(v) <= CELL_LIMIT
                        and not CONTROL.search(v)):
                    continue  # ordinary text: nothing to check, so no target to build
                sheet, cell = places[col.key][i]
                where = {"table": table.label, "table_en": table.label_en, "row": i + 1, "column": col.label,
                         "column_en": col.label_en}
                t = _Target(sheet, cell, where, col.kind, name=table.range_name(col.key), minimum=col.min,
                            maximum=col.max, choices=col.choices, decimals=col.decimals)
                if _blank(v):
                    if col.required:
                        out.append(t.f("list-row-incomplete", "default", where))
                    continue
                out += _value(loaded, t, v, loaded.book.cell(sheet, cell))
    return out


def _errors(loaded: Loaded) -> list[Finding]:
    """Excel error values cached in any cell of the template's sheets, named where the cell is a field."""
    out: list[Finding] = []
    by_place = {(loc.sheet, loc.cell): name for name, loc in loaded.locations.items()}
    derived = {f.name for f in spec.DERIVED_FIELDS}
    for title in spec.sheet_titles():
        data = loaded.book.sheet(title)
        if data is None or title == spec.LIVE_SHEET:
            continue  # an error on the 校验 sheet follows from the checked cell, which is reported itself
        for ref, c in data.cells.with_error():
            err = str(c.value or "#ERROR")
            why, why_en = EXCEL_ERRORS.get(err, EXCEL_ERROR_UNKNOWN)
            name = by_place.get((title, ref))
            fix = "derived" if name in derived else ("formula" if c.formula else "value")
            params: dict[str, object] = {"error": err, "why": why, "why_en": why_en, "cell": ref}
            if name:
                params.update(label=spec.FIELD_BY_NAME[name].label, label_en=spec.FIELD_BY_NAME[name].label_en)
            out.append(finding("excel-error", f"{'field' if name else 'cell'}-{fix}", params,
                               sheet=title, cell=ref, name=name, actual=err))
    return out


def _units(loaded: Loaded) -> list[Finding]:
    """Amounts about ten thousand times the others: most likely typed in 元 into a 万元 cell. Amounts beyond
    :data:`~workbook_tools.core.spec.MAX_MONEY` are out of range already (and 1e308 cannot be divided exactly)."""
    money = [(f, v) for f in spec.INPUT_FIELDS if f.kind == "money" and loaded.has(f.name)
             and isinstance(v := loaded.model.values.get(f.name), Decimal) and 0 < v <= spec.MAX_MONEY]
    out: list[Finding] = []
    for f, v in money:
        others = [w for g, w in money if g.name != f.name]
        if not looks_like_yuan(v, others):
            continue
        sheet, cell = place(loaded, f.name)
        wan = (v / TEN_THOUSAND).quantize(Decimal("0.01"))
        out.append(finding("unit-yuan-suspected", "default", {"label": f.label, "label_en": f.label_en, "value": v,
                                                              "wan": wan},
                           sheet=sheet, cell=cell, name=f.name, expected=fmt(wan, 2), actual=fmt(v)))
    return out


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    return _fields(loaded) + _lists(loaded) + _errors(loaded) + _units(loaded)


__all__ = ["check"]
