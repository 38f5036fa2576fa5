"""The built spec is exactly the one recorded in ``tests/fixtures/spec_snapshot.json``.

Every public value of :mod:`workbook_tools.core.spec` (fields, names, cells, kinds, formulas, tables,
columns, rules, labels, texts, constants) is serialised, with the properties consumers read (formula,
decimals, ranges, defined names, dependency order). A refactoring of how the spec is built must leave
this unchanged; a deliberate change to the spec regenerates the snapshot with
``python tests/test_spec_snapshot.py --write`` and shows up in review as a diff of the JSON.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
from decimal import Decimal
from pathlib import Path

import msgspec

from workbook_tools.core import spec

SNAPSHOT = Path(__file__).parent / "fixtures" / "spec_snapshot.json"


def _plain(o: object) -> object:
    if o is None or isinstance(o, bool | int | float | str):
        return o
    if isinstance(o, Decimal):
        return {"decimal": str(o)}
    if isinstance(o, tuple | list):
        return [_plain(i) for i in o]
    if isinstance(o, frozenset | set):
        return sorted(_plain(i) for i in o)  # type: ignore[type-var]
    if isinstance(o, dict):
        return {str(k): _plain(v) for k, v in o.items()}
    if isinstance(o, msgspec.Struct):
        out: dict[str, object] = {"type": type(o).__name__}
        out.update({name: _plain(getattr(o, name)) for name in (f.name for f in msgspec.structs.fields(o))})
        return out
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        out = {"type": type(o).__name__}
        out.update({f.name: _plain(getattr(o, f.name)) for f in dataclasses.fields(o)})
        return out
    raise TypeError(f"cannot serialise {o!r}")


def _extras(o: object) -> dict[str, object]:
    """The derived properties consumers read, beside the declared attributes."""
    if isinstance(o, spec.Field):
        return {"formula": o.formula, "decimals": o.decimals, "is_derived": o.is_derived,
                "inputs": list(o.expr.inputs()) if o.expr else None}
    if isinstance(o, spec.Column):
        return {"decimals": o.decimals}
    if isinstance(o, spec.ListTable):
        return {"last_row": o.last_row, "ref": o.ref,
                "columns": {c.key: [o.range_name(c.key), o.column_ref(c.key)] for c in o.columns}}
    if isinstance(o, spec.Equal):
        return {"table": o.table.name, "column": o.column.key}
    return {}


#: Views of FIELDS, TABLES, SHEETS… recorded by the names they hold (the objects themselves are recorded once).
_INDEXES = ("FIELD_BY_NAME", "TABLE_BY_NAME", "SHEET_BY_TITLE", "RATE_TABLE_BY_KEY", "CHANGE_TABLE_BY_KEY",
            "INPUT_FIELDS", "DERIVED_FIELDS")


def _index(value: object) -> object:
    def ident(o: object) -> str:
        return str(getattr(o, "name", None) or getattr(o, "title", None) or getattr(o, "key"))  # noqa: B009

    if isinstance(value, dict):
        return {k: ident(v) for k, v in value.items()}
    assert isinstance(value, tuple)
    return [ident(v) for v in value]


def snapshot() -> dict[str, object]:
    """Every public value of the spec module, serialised, in a stable order."""
    out: dict[str, object] = {}
    for name in sorted(vars(spec)):
        value = getattr(spec, name)
        if name.startswith("_") or isinstance(value, type | types.ModuleType | types.FunctionType) or callable(value):
            continue
        if name in ("annotations",) or getattr(value, "__module__", None) == "typing":
            continue
        out[name] = _index(value) if name in _INDEXES else _plain(value)
    for group in ("FIELDS", "TABLES", "CROSS_RULES"):
        out[f"{group}:extras"] = [_extras(o) for o in getattr(spec, group)]
    out["defined_names()"] = _plain(spec.defined_names())
    out["derived_order()"] = [f.name for f in spec.derived_order()]
    out["sheet_titles()"] = list(spec.sheet_titles())
    out["iter_list_cells()"] = {t.name: [[i, c.key, cell] for i, c, cell in spec.iter_list_cells(t)][:: t.capacity // 2 or 1]
                                for t in spec.TABLES}
    return out


def _text(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def test_the_built_spec_matches_the_snapshot() -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    actual = json.loads(_text(snapshot()))
    for key in sorted(set(expected) | set(actual)):
        assert actual.get(key) == expected.get(key), f"spec.{key} differs from {SNAPSHOT.name}"


def test_the_snapshot_covers_every_field_and_name() -> None:
    data = snapshot()
    assert [f["name"] for f in data["FIELDS"]] == [f.name for f in spec.FIELDS]  # type: ignore[index, union-attr]
    assert len(data["defined_names()"]) == len(spec.defined_names()) > 100  # type: ignore[arg-type]
    assert all(f["formula"] for f, g in zip(data["FIELDS:extras"], spec.FIELDS, strict=True)  # type: ignore[index, call-overload]
               if g.is_derived)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    SNAPSHOT.write_text(_text(snapshot()), encoding="utf-8")
    print(SNAPSHOT)
