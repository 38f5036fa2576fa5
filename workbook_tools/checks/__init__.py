"""The validation checks, one module per family; each exposes ``check(loaded, computed) -> list[Finding]``.

This module holds what the families share: where a named cell or a list cell is in the file, how a
number is shown in a message, and which inputs hold text where a number belongs (so arithmetic on them is
not reported a second time as a wrong total).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache

from ..core import spec
from ..core.cells import address, rc
from ..core.findings import Finding
from ..core.model import Value, canonical
from ..xlsx.reader import Loaded
from ..xlsx.worksheet import Cell

Computed = Mapping[str, Value]


def finding(code: str, zh: str, en: str, *, sheet: str | None = None, cell: str | None = None,
            name: str | None = None, expected: object = None, actual: object = None) -> Finding:
    return Finding(code=code, message=zh, message_en=en, sheet=sheet, cell=cell, name=name,
                   expected=expected, actual=actual)


def place(loaded: Loaded, name: str) -> tuple[str, str]:
    """Where a named field actually is in this file (following its defined name)."""
    loc = loaded.locations.get(name)
    if loc is not None:
        return loc.sheet, loc.cell
    f = spec.FIELD_BY_NAME[name]
    return f.sheet, f.cell


def list_places(loaded: Loaded, table: str, key: str) -> list[tuple[str, str]]:
    """Sheet and cell of column ``key`` in every used row of a list table, in model order."""
    t = spec.table(table)
    locs = loaded.list_locations.get(table, {})
    loc, first = locs.get(key), locs.get(t.columns[0].key)
    rows = loaded.list_rows.get(table, [])
    if loc is None or first is None:
        letters = t.column(key).col
        return [(t.sheet, f"{letters}{t.first_row + i}") for i in range(len(rows))]
    row0, col = rc(loc.cell)
    shift = row0 - rc(first.cell)[0]
    return [(loc.sheet, address(r + shift, col)) for r in rows]


def list_place(loaded: Loaded, table: str, key: str, index: int) -> tuple[str, str]:
    """Sheet and cell of column ``key`` in the ``index``-th used row of a list table."""
    places = list_places(loaded, table, key)
    if index < len(places):
        return places[index]
    t = spec.table(table)
    return t.sheet, f"{t.column(key).col}{t.first_row + index}"


def list_cell(loaded: Loaded, table: str, key: str, index: int) -> Cell | None:
    sheet, cell = list_place(loaded, table, key, index)
    return loaded.book.cell(sheet, cell)


def fmt(v: object, decimals: int | None = None) -> str:
    """A value as a person would type it: 1234.50 for money, 30 for a count, text as is."""
    if v is None or v == "":
        return "空白"
    if isinstance(v, Decimal):
        if v.is_finite() and v.adjusted() >= 16:  # 1e26 or 1e308: digits nobody can read
            return f"{v.normalize():E}"
        if decimals is not None and decimals > 0 and -v.as_tuple().exponent <= decimals:  # type: ignore[operator]
            return format(v.quantize(Decimal(1).scaleb(-decimals)), "f")
        return canonical(v)
    return str(v)


def fmt_en(v: object, decimals: int | None = None) -> str:
    return "blank" if v is None or v == "" else fmt(v, decimals)


def is_numberish(v: object) -> bool:
    return isinstance(v, Decimal | int) and not isinstance(v, bool)


@cache
def _derived_inputs() -> dict[str, frozenset[str]]:
    """Every input name (and list column) each derived field depends on, transitively."""
    derived = {f.name: f for f in spec.DERIVED_FIELDS}
    out: dict[str, frozenset[str]] = {}
    for f in spec.derived_order():
        assert f.expr is not None
        deps: set[str] = set()
        for n in f.expr.inputs():
            deps |= out[n] if n in derived else {n}
        out[f.name] = frozenset(deps)
    return out


def depends_on(name: str) -> frozenset[str]:
    return _derived_inputs().get(name, frozenset())


def not_numbers(loaded: Loaded) -> set[str]:
    """Inputs and list columns (by range name) that hold text or an error where a number belongs."""
    bad: set[str] = set()
    for f in spec.INPUT_FIELDS:
        if f.kind in spec.NUMERIC_KINDS and isinstance(loaded.model.values.get(f.name), str):
            bad.add(f.name)
    for t in spec.TABLES:
        for c in t.columns:
            if c.kind in spec.NUMERIC_KINDS and any(isinstance(r.get(c.key), str) for r in loaded.model.lists[t.name]):
                bad.add(t.range_name(c.key))
    return bad


_PROGRAMS = (("openpyxl", "openpyxl", "openpyxl"), ("libreoffice", "LibreOffice", "LibreOffice"),
             ("wps", "WPS 表格", "WPS Spreadsheets"), ("kingsoft", "WPS 表格", "WPS Spreadsheets"),
             ("excel", "Microsoft Excel", "Microsoft Excel"))


def program(application: str, lang: str = "zh") -> str:
    """The program that last saved the file, in words a user recognises (docProps/app.xml)."""
    a = application.lower()
    for needle, zh, en in _PROGRAMS:
        if needle in a:
            return en if lang == "en" else zh
    return application or ("an unknown program" if lang == "en" else "未知程序")


def program_en(application: str) -> str:
    return program(application, "en")


__all__ = ["Computed", "depends_on", "finding", "fmt", "fmt_en", "is_numberish", "list_cell",
           "list_place", "list_places", "not_numbers", "place", "program", "program_en"]
