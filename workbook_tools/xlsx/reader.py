"""Workbook → evaluation model, through the spec.

Cells are located by their defined names (which Excel moves along when rows are inserted), falling back
to the spec's address when a name is missing; the structure checks report either case. The reader keeps,
beside the model, what validation needs: each named cell's formula text, cached value and location.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import msgspec

from ..core import layouts, spec
from ..core.cells import address, rc
from ..core.fsutil import file_kind
from ..core.model import Evaluation, Row, Value
from .package import UnreadableWorkbook
from .workbook import Workbook, read
from .worksheet import Cell, Cells, FormulaCells


class Location(msgspec.Struct, frozen=True):
    sheet: str
    cell: str
    by_name: bool  # False when the defined name was missing or broken and the spec address was used


class Loaded(msgspec.Struct):
    """A read workbook: the model plus the cell-level facts validation and fill need."""

    path: str
    book: Workbook
    model: Evaluation
    version: str | None
    template_id: str | None
    locations: dict[str, Location] = msgspec.field(default_factory=dict)
    cells: dict[str, Cell | None] = msgspec.field(default_factory=dict)
    list_rows: dict[str, list[int]] = msgspec.field(default_factory=dict)  # sheet row of each model row
    list_locations: dict[str, dict[str, Location]] = msgspec.field(default_factory=dict)  # table → column → first cell
    #: The layout of the file's template version (None: a version this code does not know).
    layout: layouts.Layout | None = None

    def has(self, name: str) -> bool:
        """Whether the file's template version has this defined name (a 1.0 file lacks the 2.0 figures)."""
        return self.layout is None or self.layout.has(name)

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
    loaded = Loaded(book.path, book, Evaluation(), ver, tid, layout=layouts.for_version(ver))
    model = loaded.model
    if ver:
        model.template_version = ver
    old = loaded.layout is not None and not loaded.layout.is_current
    for f in spec.FIELDS:
        if not loaded.has(f.name):
            continue  # a figure later versions added: blank in an older workbook
        at = loaded.layout.names[f.name] if old and loaded.layout is not None else None
        sheet, ref, by_name = locate(book, f.name, at.sheet if at else f.sheet, at.ref if at else f.cell)
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
    _read_constants(book, loaded)
    model.profile = _read_profile(book)
    return loaded


def _read_constants(book: Workbook, loaded: Loaded) -> None:
    """The workbook's own threshold table: the grade formula reads it, so validation must too."""
    for k in spec.CONSTANTS:
        at = loaded.layout.names.get(k.name) if loaded.layout is not None else None
        sheet, ref, _ = locate(book, k.name, at.sheet if at else k.sheet, at.ref if at else k.ref)
        first, _, last = ref.partition(":")
        (r1, col), r2 = rc(first), rc(last or first)[0]
        kind = "score" if isinstance(k.values[0], Decimal) else "text"
        values = [cell_value(book.cell(sheet, address(r, col)), kind) for r in range(r1, r2 + 1)]
        if any(v is not None for v in values):
            loaded.model.constants[k.name] = values


def _read_profile(book: Workbook) -> str | None:
    if "profile" not in spec.META_NAMES:
        return None
    sheet, ref = spec.META_NAMES["profile"]
    c = book.cell(*(book.resolve("profile") or (sheet, ref)))
    v = c.value if c is not None else None
    return v.strip() if isinstance(v, str) and v.strip() else None


@cache
def _column_refs(col: int, first_row: int, count: int) -> tuple[str, ...]:
    """A1 addresses of one list column (cached: every workbook asks for the same few)."""
    return tuple(address(first_row + i, col) for i in range(count))


def _read_list(book: Workbook, loaded: Loaded, t: spec.ListTable) -> None:
    columns: list[tuple[spec.Column, Cells | FormulaCells | None, tuple[str, ...]]] = []
    loaded.list_locations[t.name] = {}
    located = []
    count = t.capacity
    old = loaded.layout is not None and not loaded.layout.is_current
    for c in t.columns:
        name = t.range_name(c.key)
        if not loaded.has(name):
            continue  # a column later versions added
        at = loaded.layout.names[name] if old and loaded.layout is not None else None
        sheet, ref, by_name = locate(book, name, at.sheet if at else t.sheet, at.ref if at else t.column_ref(c.key))
        first, _, last = ref.partition(":")
        r1, col = rc(first)
        r2 = rc(last)[0] if last else r1
        count = max(count, r2 - r1 + 1)
        located.append((c, sheet, r1, col))
        loaded.list_locations[t.name][c.key] = Location(sheet, first, by_name)
    if not located:  # a whole list later versions added
        loaded.model.lists[t.name] = []
        loaded.list_rows[t.name] = []
        return
    for c, sheet, r1, col in located:
        data = book.sheet(sheet)
        columns.append((c, data.cells if data is not None else None, _column_refs(col, r1, count)))
    first_row = located[0][2]
    rows: list[Row] = []
    sheet_rows: list[int] = []
    for i in range(count):
        row: Row = {c.key: None for c in t.columns}
        for c, cells, refs in columns:
            row[c.key] = cell_value(cells.get(refs[i]) if cells is not None else None, c.kind)
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row.values()):
            rows.append(row)
            sheet_rows.append(first_row + i)
    loaded.model.lists[t.name] = rows
    loaded.list_rows[t.name] = sheet_rows


__all__ = ["Loaded", "Location", "UnreadableWorkbook", "check_input", "is_lock_file", "load", "from_book", "locate", "cell_value"]
