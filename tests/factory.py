"""Test workbooks: edited copies of the consistent example, one change at a time.

``filled_workbook(path, **overrides)`` copies examples/consistent_2023_qingshan_jiaoyu.xlsx with openpyxl
and sets cells by defined name (``basic_wages_actual="1,234.50"``), list cells as ``table__column__row``
(``projects__actual__0=...``, row 0-based), formulas with :class:`Formula`; ``edit`` gets the openpyxl
workbook for structural changes, ``post`` the written path for changes openpyxl cannot make (cached
values). Cells are found through the spec, never by address.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from workbook_tools.core import spec
from workbook_tools.core.cells import address, rc

ROOT = Path(__file__).resolve().parent.parent
CONSISTENT_XLSX = ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.xlsx"
SEED_XLSX = ROOT / "examples" / "seed_2022_anhua_zhongdian.xlsx"


@dataclass(frozen=True)
class Formula:
    """A formula to write into a cell (plain strings are always written as text)."""

    text: str


def cell_of(key: str) -> tuple[str, str]:
    """(sheet, cell) in the template of a defined name or of ``table__column__row``."""
    if "__" in key:
        table, col, row = key.split("__")
        t = spec.table(table)
        return t.sheet, f"{t.column(col).col}{t.first_row + int(row)}"
    f = spec.field(key)
    return f.sheet, f.cell


def _put(wb: Workbook, key: str, value: Any) -> None:
    sheet, cell = cell_of(key)
    c = wb[sheet][cell]
    if isinstance(value, Formula):
        c.value = value.text
    elif isinstance(value, str):
        c.value = value
        if value not in ("#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!"):
            c.data_type = "s"
    else:
        c.value = value


def filled_workbook(path: Path | None = None, /, *, source: Path = CONSISTENT_XLSX,
                    edit: Callable[[Workbook], None] | None = None, post: Callable[[Path], None] | None = None,
                    **overrides: Any) -> Path:
    """An edited copy of ``source`` (the consistent example) at ``path`` (a temporary file when omitted)."""
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="wbt-")) / "filled.xlsx"
    wb = load_workbook(source)
    for key, value in overrides.items():
        _put(wb, key, value)
    if edit is not None:
        edit(wb)
    wb.save(path)
    if post is not None:
        post(path)
    return path


def insert_rows_like_excel(wb: Workbook, sheet: str, row: int, amount: int = 1) -> None:
    """Insert rows as Excel does: cells move down and so do the defined names and merges below."""
    ws = wb[sheet]
    merges = [str(m) for m in ws.merged_cells.ranges]
    for m in merges:
        ws.unmerge_cells(m)
    ws.insert_rows(row, amount)

    def shift(ref: str) -> str:
        out = []
        for part in ref.split(":"):
            r, c = rc(part.replace("$", ""))
            out.append(address(r + amount if r >= row else r, c))
        return ":".join(out)

    for m in merges:
        ws.merge_cells(shift(m))
    quoted = "'" + sheet.replace("'", "''") + "'!"
    for dn in list(wb.defined_names.values()):
        text = dn.attr_text
        if text.startswith(quoted):
            ref = shift(text[len(quoted):])
            dn.attr_text = quoted + ":".join(f"${''.join(ch for ch in p if ch.isalpha())}$"
                                             f"{''.join(ch for ch in p if ch.isdigit())}" for p in ref.split(":"))


def _sheet_part(zf: zipfile.ZipFile, title: str) -> str:
    wb_xml = zf.read("xl/workbook.xml").decode()
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', wb_xml)
    assert rid, title
    target = re.search(rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target
    t = target.group(1).lstrip("/")
    return t if t.startswith("xl/") else "xl/" + t


def set_cached(values: Mapping[str, str]) -> Callable[[Path], None]:
    """A ``post`` step writing cached results (``<v>``) into formula cells, as a spreadsheet program would."""

    def apply(path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            items = {i.filename: zf.read(i.filename) for i in zf.infolist()}
            parts = {name: _sheet_part(zf, cell_of(name)[0]) for name in values}
        for name, v in values.items():
            part = parts[name]
            xml = items[part].decode()
            cell = cell_of(name)[1]
            m = re.search(rf'<c r="{cell}"([^>]*?)(/>|>(.*?)</c>)', xml, re.S)
            assert m, (name, cell)
            attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
            inner = re.sub(r"<v>.*?</v>|<v\s*/>", "", m.group(3) or "", flags=re.S)
            kind = "" if re.fullmatch(r"-?\d+(\.\d+)?", v) else ' t="str"'
            xml = xml[:m.start()] + f'<c r="{cell}"{attrs}{kind}>{inner}<v>{v}</v></c>' + xml[m.end():]
            items[part] = xml.encode()
        tmp = path.with_suffix(".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for n, data in items.items():
                out.writestr(n, data)
        shutil.move(tmp, path)

    return apply


def consistent_value(name: str) -> Decimal:
    """A derived value of the consistent example, computed (for typing it over in a test)."""
    import json

    from workbook_tools.core.compute import compute
    from workbook_tools.core.model import Evaluation

    model = Evaluation.from_json(json.loads((ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.json")
                                            .read_text(encoding="utf-8")))
    v = compute(model)[name]
    assert isinstance(v, Decimal), name
    return v


def consistent_input(name: str) -> Any:
    import json

    data = json.loads((ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.json").read_text(encoding="utf-8"))
    if "__" in name:
        table, col, row = name.split("__")
        return data["lists"][table][int(row)].get(col)
    return data["values"].get(name)


def layout_matches_file(layout: Any, path: Path) -> None:
    """An earlier version's layout snapshot names exactly the cells and formulas of that version's template file."""
    from workbook_tools.xlsx.workbook import read as read_book

    book = read_book(path)
    assert set(book.names) == set(layout.names)
    for n in layout.name_list():
        assert book.resolve(n.name) == (n.sheet, n.ref), n.name
    for name, formula in layout.formulas.items():
        at = layout.names[name]
        c = book.cell(at.sheet, at.ref)
        assert c is not None and "=" + (c.formula or "") == formula, name
