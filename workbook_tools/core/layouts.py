"""What each template version put where: the layout a workbook of that version is read and checked against.

Departments keep last year's workbooks, so every earlier template version stays readable. The current
layout comes from the spec; an earlier one is a frozen snapshot in ``data/layouts/<version>.json`` (written by
:func:`snapshot` from the spec of that version, then never regenerated). A layout says which defined names
the version has and where they pointed, the formulas of its derived cells, its sheets and its fixed labels:
enough for the reader to skip the figures a version does not have and for the structure and formula checks
to compare a file with its own version instead of flagging every later addition.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import msgspec

from . import DATA, live_checks, spec


class NameAt(msgspec.Struct, frozen=True):
    name: str
    sheet: str
    ref: str
    role: str
    meaning: str


class Layout(msgspec.Struct, frozen=True):
    """One template version's sheets, defined names, derived formulas and fixed labels."""

    version: str
    sheets: tuple[tuple[str, bool], ...]  # (title, hidden) in template order
    names: dict[str, NameAt]
    formulas: dict[str, str]  # derived field → its formula in this version
    labels: dict[str, tuple[tuple[str, str], ...]]  # sheet → ((cell, text), …) of label and header texts
    constants: dict[str, tuple[str, ...]]

    @property
    def is_current(self) -> bool:
        return self.version == spec.TEMPLATE_VERSION

    def has(self, name: str) -> bool:
        return name in self.names

    def sheet_titles(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.sheets)

    def name_list(self) -> tuple[NameAt, ...]:
        return tuple(self.names.values())


def snapshot() -> dict[str, Any]:
    """The current spec's layout as JSON data (how ``data/layouts/<version>.json`` files were made)."""
    return {
        "$comment": f"Layout of template version {spec.TEMPLATE_VERSION}, frozen from the spec of that version. "
                    "Never regenerate: workbooks of this version exist in the field.",
        "version": spec.TEMPLATE_VERSION,
        "sheets": [{"title": s.title, "hidden": s.hidden} for s in spec.SHEETS],
        "names": [{"name": n.name, "sheet": n.sheet, "ref": n.ref, "role": n.role, "meaning": n.meaning}
                  for n in live_checks.all_names()],  # the spec's and the 校验 sheet's (2.1)
        "formulas": {f.name: f.formula for f in spec.DERIVED_FIELDS},
        "labels": {s.title: [[t.cell, t.text] for t in s.texts if t.style in ("label", "header")] for s in spec.SHEETS},
        "constants": {k.name: [str(v) for v in k.values] for k in spec.CONSTANTS},
    }


def _from_data(data: dict[str, Any]) -> Layout:
    return Layout(
        version=str(data["version"]),
        sheets=tuple((s["title"], bool(s["hidden"])) for s in data["sheets"]),
        names={n["name"]: NameAt(n["name"], n["sheet"], n["ref"], n["role"], n["meaning"]) for n in data["names"]},
        formulas={k: str(v) for k, v in data["formulas"].items()},
        labels={k: tuple((c, t) for c, t in v) for k, v in data["labels"].items()},
        constants={k: tuple(v) for k, v in data["constants"].items()},
    )


@cache
def current() -> Layout:
    return _from_data(snapshot())


def _file_name(version: str) -> str:
    return f"{version}.json"


@cache
def for_version(version: str | None) -> Layout | None:
    """The layout of ``version`` (None: a file without a version is read as the current one); None if unknown."""
    if version is None or version == spec.TEMPLATE_VERSION:
        return current()
    if version not in spec.KNOWN_VERSIONS:
        return None
    text = (DATA / "layouts" / _file_name(version)).read_text(encoding="utf-8")
    return _from_data(json.loads(text))


__all__ = ["Layout", "NameAt", "current", "for_version", "snapshot"]
