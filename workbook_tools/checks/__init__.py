"""The validation checks, one module per family; each exposes ``check(loaded, computed) -> list[Finding]``.

This module holds what the families share: where a named cell or a list cell is in the file, how a
finding is made (a catalogue code, its message variant and the parameters; the words are the catalogue's),
and which inputs hold text where a number belongs (so arithmetic on them is not reported a second time as
a wrong total).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache

from ..core import spec
from ..core.cells import address, rc
from ..core.findings import Finding, fmt, fmt_en
from ..core.model import Value
from ..core.words import program, program_en
from ..xlsx.reader import Loaded
from ..xlsx.worksheet import Cell

Computed = Mapping[str, Value]


def finding(code: str, variant: str, params: Mapping[str, object] | None = None, *, sheet: str | None = None,
            cell: str | None = None, name: str | None = None, expected: object = None,
            actual: object = None) -> Finding:
    """A finding of catalogue ``code``, its message rendered from the template ``variant`` with ``params``."""
    return Finding.of(code, variant, params, sheet=sheet, cell=cell, name=name, expected=expected, actual=actual)


def place(loaded: Loaded, name: str) -> tuple[str, str]:
    """Where a named field actually is in this file (following its defined name)."""
    loc = loaded.locations.get(name)
    if loc is not None:
        return loc.sheet, loc.cell
    f = spec.FIELD_BY_NAME[name]
    return f.sheet, f.cell


def _column_origin(loaded: Loaded, table: str, key: str) -> tuple[str, int, int] | None:
    """(sheet, row shift, column) of column ``key`` of a list table as located in this file, or None when
    its name was not found (the spec's letters are used then)."""
    t = spec.table(table)
    locs = loaded.list_locations.get(table, {})
    loc, first = locs.get(key), locs.get(t.columns[0].key)
    if loc is None or first is None:
        return None
    row0, col = rc(loc.cell)
    return loc.sheet, row0 - rc(first.cell)[0], col


def list_places(loaded: Loaded, table: str, key: str) -> list[tuple[str, str]]:
    """Sheet and cell of column ``key`` in every used row of a list table, in model order."""
    rows = loaded.list_rows.get(table, [])
    origin = _column_origin(loaded, table, key)
    if origin is None:
        t = spec.table(table)
        letters = t.column(key).col
        return [(t.sheet, f"{letters}{t.first_row + i}") for i in range(len(rows))]
    sheet, shift, col = origin
    return [(sheet, address(r + shift, col)) for r in rows]


def list_place(loaded: Loaded, table: str, key: str, index: int) -> tuple[str, str]:
    """Sheet and cell of column ``key`` in the ``index``-th used row of a list table (``list_places(…)[index]``
    without building the others: the narrative checks ask for one cell at a time)."""
    t = spec.table(table)
    rows = loaded.list_rows.get(table, [])
    if index < len(rows):
        origin = _column_origin(loaded, table, key)
        if origin is not None:
            sheet, shift, col = origin
            return sheet, address(rows[index] + shift, col)
    return t.sheet, f"{t.column(key).col}{t.first_row + index}"


def list_cell(loaded: Loaded, table: str, key: str, index: int) -> Cell | None:
    sheet, cell = list_place(loaded, table, key, index)
    return loaded.book.cell(sheet, cell)


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


__all__ = ["Computed", "depends_on", "finding", "fmt", "fmt_en", "is_numberish", "list_cell",
           "list_place", "list_places", "not_numbers", "place", "program", "program_en"]
