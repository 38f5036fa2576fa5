"""A workbook's sheets as grids for the findings page: the browser counterpart of the annotated copy.

The cells come from the library's own reader (:func:`workbook_tools.xlsx.workbook.read`); findings are the ones the
submission's validation produced. Nothing here decides what is wrong with a cell. Values are plain text:
the template escapes them, so a unit name ``<script>`` or ``=HYPERLINK(...)`` is shown as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..core import spec
from ..core.cells import address, col_letters, rc
from ..core.compute import compute
from ..core.findings import SEVERITY_ORDER
from ..core.words import SEVERITY_WORDS
from ..xlsx.package import UnreadableWorkbook
from ..xlsx.reader import from_book
from ..xlsx.workbook import Workbook, read

MAX_ROWS = 150
MAX_COLS = 16


@dataclass
class GridCell:
    ref: str
    text: str = ""
    formula: str | None = None
    computed: bool = False  # a formula cell saved without its result: the value shown is the library's
    severity: str | None = None
    marks: list[int] = field(default_factory=list)


@dataclass
class GridRow:
    number: int
    cells: list[GridCell]
    notes: list[dict[str, object]]


@dataclass
class Grid:
    sheet: str
    columns: list[str]
    rows: list[GridRow]
    problems: int
    clipped: bool = False


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral() else format(v, "f")
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return str(v)


def _worst(a: str | None, b: str) -> str:
    return b if a is None or SEVERITY_ORDER.get(b, 9) < SEVERITY_ORDER.get(a, 9) else a


def _computed(book: Workbook) -> dict[tuple[str, str], object]:
    """The library's value of each derived cell, by (sheet, cell), for formulas saved without a result."""
    try:
        loaded = from_book(book)
        values = compute(loaded.model)
    except Exception:  # noqa: BLE001 - a workbook too broken to compute still gets its grid
        return {}
    out: dict[tuple[str, str], object] = {}
    for f in spec.FIELDS:
        if f.is_derived and f.name in values and f.name in loaded.locations:
            loc = loaded.location(f.name)
            out[loc.sheet, loc.cell] = values[f.name]
    return out


def numbered(findings: list[dict[str, object]]) -> list[dict[str, object]]:
    """The findings with their number on the page and their severity in words."""
    return [dict(f, n=i + 1, label=SEVERITY_WORDS["zh"].get(str(f.get("severity")), "")) for i, f in enumerate(findings)]


def grids(path: Path, findings: list[dict[str, object]]) -> tuple[list[Grid], list[dict[str, object]]]:
    """Grids of the visible sheets with numbered findings placed on their cells, and the findings with no cell."""
    numbered_ = numbered(findings)
    try:
        book = read(path)
    except UnreadableWorkbook:
        return [], numbered_
    results = _computed(book)
    by_cell: dict[tuple[str, str], list[dict[str, object]]] = {}
    loose: list[dict[str, object]] = []
    for f in numbered_:
        sheet, cell = f.get("sheet"), f.get("cell")
        if isinstance(sheet, str) and isinstance(cell, str) and book.sheet(sheet) is not None:
            try:
                rc(cell)
            except ValueError:
                loose.append(f)
                continue
            by_cell.setdefault((sheet, cell), []).append(f)
        else:
            loose.append(f)
    out: list[Grid] = []
    for sheet in book.sheets:
        if sheet.state != "visible" and not any(k[0] == sheet.name for k in by_cell):
            continue
        refs = [rc(r) for r in sheet.cells if sheet.cells[r].value not in (None, "") or sheet.cells[r].formula]
        refs += [rc(c) for (s, c) in by_cell if s == sheet.name]
        if not refs:
            continue
        max_row = max(r for r, _ in refs)
        max_col = max(c for _, c in refs)
        clipped = max_row > MAX_ROWS or max_col > MAX_COLS
        problem_rows = {rc(c)[0] for (s, c) in by_cell if s == sheet.name}
        shown_rows = [r for r in range(1, max_row + 1) if r <= MAX_ROWS or r in problem_rows]
        ncols = min(max_col, MAX_COLS)
        rows: list[GridRow] = []
        problems = 0
        for r in shown_rows:
            cells: list[GridCell] = []
            notes: list[dict[str, object]] = []
            for c in range(1, ncols + 1):
                ref = address(r, c)
                raw = sheet.cells.get(ref)
                gc = GridCell(ref, _text(raw.value) if raw else "", raw.formula if raw else None)
                if gc.formula and not gc.text and (sheet.name, ref) in results:
                    gc.text, gc.computed = _text(results[sheet.name, ref]), True
                for f in by_cell.get((sheet.name, ref), []):
                    gc.severity = _worst(gc.severity, str(f.get("severity")))
                    gc.marks.append(int(f["n"]))  # type: ignore[call-overload]
                    notes.append(f)
                cells.append(gc)
            for (s, cell), fs in by_cell.items():  # findings on columns beyond the clip still sit on their row
                if s == sheet.name and rc(cell)[0] == r and rc(cell)[1] > ncols:
                    notes.extend(fs)
            problems += len(notes)
            rows.append(GridRow(r, cells, notes))
        out.append(Grid(sheet.name, [col_letters(c) for c in range(1, ncols + 1)], rows, problems, clipped))
    return out, loose
