"""Workbook → evaluation model, through the spec.

Cells are located by their defined names (which Excel moves along when rows are inserted), falling back
to the spec's address when a name is missing; the structure checks report either case. The reader keeps,
beside the model, what validation needs: each named cell's formula text, cached value and location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from ..core import spec
from ..core.cells import address, rc
from ..core.fsutil import file_kind
from ..core.model import Evaluation, Row, Value
from .package import UnreadableWorkbook
from .workbook import Workbook, read
from .worksheet import Cell, Cells, FormulaCells


@dataclass(frozen=True)
class Location:
    sheet: str
    cell: str
    by_name: bool  # False when the defined name was missing or broken and the spec address was used


@dataclass
class Loaded:
    """A read workbook: the model plus the cell-level facts validation and fill need."""

    path: str
    book: Workbook
    model: Evaluation
    version: str | None
    template_id: str | None
    locations: dict[str, Location] = field(default_factory=dict)
    cells: dict[str, Cell | None] = field(default_factory=dict)
    list_rows: dict[str, list[int]] = field(default_factory=dict)  # sheet row of each model row
    list_locations: dict[str, dict[str, Location]] = field(default_factory=dict)  # table → column → first cell

    def location(self, name: str) -> Location:
        return self.locations[name]

    def cached(self, name: str) -> Value:
        c = self.cells.get(name)
        return c.value if c is not None else None

    def formula(self, name: str) -> str | None:
        c = self.cells.get(name)
        return c.formula if c is not None else None


def locate(book: Workbook, name: str, sheet: str, ref: str) -> tuple[str, str, bool]:
    """Where a name points, or the spec's own address when the name is gone or broken."""
    found = book.resolve(name)
    if found is not None and book.sheet(found[0]) is not None:
        return found[0], found[1], True
    return sheet, ref, False


def cell_value(c: Cell | None, kind: str) -> Value:
    """Typed value of a cell for a field of this kind; text that should be a number stays text."""
    if c is None:
        return None
    v = c.value
    if c.kind == "e":
        return v if isinstance(v, str) else "#ERROR"
    if isinstance(v, str):
        if v == "":
            return None
        return v
    if isinstance(v, bool):
        return v
    if isinstance(v, Decimal):
        if kind in spec.INTEGRAL_KINDS:
            return int(v) if v == v.to_integral_value() else v
        if kind not in spec.NUMERIC_KINDS:
            return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
        return v
    return v


def _read_version(book: Workbook) -> tuple[str | None, str | None]:
    ids: list[str | None] = []
    for name in ("template_id", "template_version"):
        sheet, ref = spec.META_NAMES[name]
        loc = book.resolve(name) or (sheet, ref)
        c = book.cell(*loc)
        ids.append(str(c.value) if c is not None and c.value not in (None, "") else None)
    tid, ver = ids
    ver = ver or book.custom_properties.get("workbook_tools.template_version")
    tid = tid or book.custom_properties.get("workbook_tools.template_id")
    return tid, ver


def is_lock_file(name: str) -> bool:
    """``~$x.xlsx`` (Excel, WPS) and ``.~lock.x.xlsx#`` (LibreOffice): written beside a workbook while it is open."""
    return name.startswith(("~$", ".~lock."))


def check_input(path: str | Path) -> None:
    """Refuse, before anything opens it, what is not a workbook file: a FIFO or device would block the reader
    forever, a symlink loop or folder has no content, a lock file is not a submission."""
    p = Path(path)
    kind = file_kind(p)
    if kind is not None:
        if kind[1] == "no such file":
            raise UnreadableWorkbook(p, "文件不存在", "file not found", "file-missing")
        raise UnreadableWorkbook(p, f"这是{kind[0]}，不是工作簿文件，未打开", f"{kind[1]}, not a workbook file; not opened",
                                 "file-special")
    if is_lock_file(p.name):
        raise UnreadableWorkbook(p, "这是 Office 的锁定文件（~$…，Excel/WPS 打开工作簿时自动生成），不是提交的工作簿",
                                 "an Office lock file (~$…, created while a workbook is open), not a submission",
                                 "file-not-workbook")


def load(path: str | Path, live_values: bool = False) -> Loaded:
    """Read one workbook. Raises :class:`UnreadableWorkbook` with a Chinese message naming the file.

    The 校验 sheet's results are read only with ``live_values`` (to show what the workbook says of itself):
    the checks need its formulas alone, and its values would cost as much to read as all other sheets. Under
    its seal (``spec.LIVE_SEAL_HASH``) not even those are read: nobody can have edited them.
    """
    check_input(path)
    book = read(path, set(spec.sheet_titles()), formulas_only=frozenset() if live_values else LIVE_ONLY,
                seal=spec.LIVE_SEAL_HASH)
    return from_book(book)


#: Sheets ``load`` reads formula text of only.
LIVE_ONLY = frozenset({spec.LIVE_SHEET})


def from_book(book: Workbook) -> Loaded:
    tid, ver = _read_version(book)
    loaded = Loaded(book.path, book, Evaluation(), ver, tid)
    model = loaded.model
    if ver:
        model.template_version = ver
    for f in spec.FIELDS:
        sheet, ref, by_name = locate(book, f.name, f.sheet, f.cell)
        if ":" in ref:  # a single-cell name stretched over a range: read its first cell
            ref = ref.split(":")[0]
        loaded.locations[f.name] = Location(sheet, ref, by_name)
        c = book.cell(sheet, ref)
        loaded.cells[f.name] = c
        if f.is_derived:
            if c is not None and not c.formula and c.value not in (None, ""):
                model.stated[f.name] = cell_value(c, f.kind)
        else:
            model.values[f.name] = cell_value(c, f.kind)
    for t in spec.TABLES:
        _read_list(book, loaded, t)
    return loaded


@cache
def _column_refs(col: int, first_row: int, count: int) -> tuple[str, ...]:
    """A1 addresses of one list column (cached: every workbook asks for the same few)."""
    return tuple(address(first_row + i, col) for i in range(count))


def _read_list(book: Workbook, loaded: Loaded, t: spec.ListTable) -> None:
    columns: list[tuple[spec.Column, Cells | FormulaCells | None, tuple[str, ...]]] = []
    loaded.list_locations[t.name] = {}
    located = []
    count = t.capacity
    for c in t.columns:
        sheet, ref, by_name = locate(book, t.range_name(c.key), t.sheet, t.column_ref(c.key))
        first, _, last = ref.partition(":")
        r1, col = rc(first)
        r2 = rc(last)[0] if last else r1
        count = max(count, r2 - r1 + 1)
        located.append((c, sheet, r1, col))
        loaded.list_locations[t.name][c.key] = Location(sheet, first, by_name)
    for c, sheet, r1, col in located:
        data = book.sheet(sheet)
        columns.append((c, data.cells if data is not None else None, _column_refs(col, r1, count)))
    first_row = located[0][2]
    rows: list[Row] = []
    sheet_rows: list[int] = []
    for i in range(count):
        row: Row = {}
        for c, cells, refs in columns:
            row[c.key] = cell_value(cells.get(refs[i]) if cells is not None else None, c.kind)
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row.values()):
            rows.append(row)
            sheet_rows.append(first_row + i)
    loaded.model.lists[t.name] = rows
    loaded.list_rows[t.name] = sheet_rows


__all__ = ["Loaded", "Location", "UnreadableWorkbook", "check_input", "is_lock_file", "load", "from_book", "locate", "cell_value"]
