"""Excel button entry points (optional extra ``workbook-tools[excel]``, xlwings on Windows/macOS only).

The logic is a pure function from findings (or computed values) to a list of :class:`CellEdit`; the
xlwings part only reads the active workbook's path and applies those edits. Nothing else in the package
imports xlwings, and importing this module works without it.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .core import spec
from .core.errors import WorkbookToolsError
from .core.findings import Report, sort_key
from .core.words import RESULT_SHEET, SEVERITY_WORDS, headers, lang_of

if TYPE_CHECKING:
    from .fill import FillPlan, FillReport

T = TypeVar("T")
FILL_COLOURS = {"error": (255, 199, 206), "warning": (255, 235, 156), "info": (221, 235, 247)}
COLUMNS = ("place", "severity", "code", "message", "expected", "actual")
#: Sheet protection as the template sets it: formatting rows and columns allowed.
PROTECTION = {"DrawingObjects": True, "Contents": True, "Scenarios": True,
              "AllowFormattingColumns": True, "AllowFormattingRows": True}
INSTALL_HINT = ("需要安装 xlwings：pip install \"workbook-tools[excel]\"，然后运行 xlwings addin install "
                "/ xlwings is required: pip install \"workbook-tools[excel]\"")


class ExcelUnavailable(WorkbookToolsError, RuntimeError):
    """xlwings (and so Excel automation) is not available here."""

    code = "excel-unavailable"


@dataclass(frozen=True)
class CellEdit:
    """One change to make in the open workbook; ``value`` None means leave the value alone; ``formula``
    (with its '=') is written as a formula, which Excel then calculates."""

    sheet: str
    cell: str
    value: Any = None
    formula: str | None = None
    fill: tuple[int, int, int] | None = None
    comment: str | None = None
    hyperlink_to: str | None = None  # "sheet!cell" for links in the result sheet


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return v


def finding_edits(report: Report, lang: str = "zh") -> list[CellEdit]:
    """Highlights and comments on problem cells, plus the rows of the result sheet (header first)."""
    edits: list[CellEdit] = []
    ordered = sorted(report.findings, key=sort_key)
    for f in ordered:
        if f.sheet and f.cell and f.sheet != RESULT_SHEET:
            edits.append(CellEdit(f.sheet, f.cell, fill=FILL_COLOURS.get(f.severity),
                                  comment=f"[{f.code}] {f.text(lang)}"))
    for col, title in enumerate(headers(COLUMNS, lang), start=1):
        edits.append(CellEdit(RESULT_SHEET, f"{chr(64 + col)}1", value=title))
    if report.unreadable is not None:
        edits.append(CellEdit(RESULT_SHEET, "A2", value=report.unreadable.text(lang)))
        return edits
    if not ordered:
        edits.append(CellEdit(RESULT_SHEET, "A2", value="未发现问题 / no problems found"))
    for row, f in enumerate(ordered, start=2):
        target = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else None
        values = (f.place or "", SEVERITY_WORDS[lang_of(lang)].get(f.severity, f.severity), f.code, f.text(lang),
                  _text(f.expected), _text(f.actual))
        for col, v in enumerate(values, start=1):
            edits.append(CellEdit(RESULT_SHEET, f"{chr(64 + col)}{row}", value=v,
                                  hyperlink_to=target if col == 1 else None,
                                  fill=FILL_COLOURS.get(f.severity) if col == 2 else None))
    summary_row = len(ordered) + 3
    edits.append(CellEdit(RESULT_SHEET, f"A{summary_row}", value=report.summary(lang)))
    return edits


def _text(v: Any) -> str:
    """Expected/actual go into the sheet as text so a value like '=x' can never become a formula."""
    if v is None:
        return ""
    s = format(v, "f") if isinstance(v, Decimal) else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s


def computed_edits(computed: dict[str, Any], locations: dict[str, tuple[str, str]] | None = None) -> list[CellEdit]:
    """Values of every derived cell (blank ratio → empty), for writing back into the open workbook."""
    edits = []
    for f in spec.DERIVED_FIELDS:
        if locations is not None and f.name not in locations:
            continue  # a figure this workbook's template version does not have
        sheet, cell = (locations or {}).get(f.name, (f.sheet, f.cell))
        v = computed.get(f.name)
        edits.append(CellEdit(sheet, cell, value="" if v is None else _plain(v)))
    return edits


def fill_edits(plan: FillPlan) -> list[CellEdit]:
    """The cells :func:`workbook_tools.fill.fill` would change, as edits of the open workbook: text numbers
    converted, template formulas restored where they were typed over or deleted, the grade table and written
    scores. Derived cells keep (or get back) their formulas; Excel computes their values itself."""
    edits = [CellEdit(sheet, cell, value=_plain(value)) for (sheet, cell), (value, _) in plan.inputs.items()]
    edits += [CellEdit(sheet, cell, formula=formula) for (sheet, cell), formula in plan.formulas.items()]
    edits += [CellEdit(sheet, cell, value=_plain(score)) for (sheet, cell), score in plan.scores.items()]
    edits += [CellEdit(sheet, cell, value=_plain(v)) for (sheet, cell), v in plan.constants.items()]
    return edits


def first_problem(report: Report) -> tuple[str, str] | None:
    for f in sorted(report.findings, key=sort_key):
        if f.sheet and f.cell and f.severity != "info":
            return f.sheet, f.cell
    return None


# -- xlwings adapter ------------------------------------------------------------------------------


def _xlwings() -> Any:
    try:
        import xlwings
    except ImportError as exc:
        raise ExcelUnavailable(INSTALL_HINT) from exc
    return xlwings


def _target_book(xw: Any) -> Any:
    """The workbook the user is looking at: the caller, unless the macro lives in PERSONAL.XLSB or an add-in."""
    book = xw.Book.caller()
    name = str(book.name).lower()
    if name.startswith("personal.xls") or name.endswith((".xlam", ".xla")):
        return book.app.books.active
    return book


def _saved_copy(book: Any) -> Path:
    """A file holding the open workbook's current content, without saving over the user's file."""
    tmpdir = Path(tempfile.mkdtemp(prefix="workbook-tools-"))
    dest = tmpdir / "active.xlsx"
    try:
        book.api.SaveCopyAs(str(dest))  # Windows Excel: copies the in-memory state, leaves the document as is
    except Exception:  # noqa: BLE001 - macOS or a read-only COM: fall back to the last saved file
        src = Path(book.fullname)
        if not src.exists():
            raise ExcelUnavailable("请先保存工作簿再校验 / please save the workbook first") from None
        shutil.copyfile(src, dest)
    return dest


def _protected(sheet: Any) -> bool:
    try:
        return bool(sheet.api.ProtectContents)
    except Exception:  # noqa: BLE001 - macOS's AppleScript bridge: no protection to lift
        return False


@contextlib.contextmanager
def _unprotected(book: Any, sheets: Iterable[str]) -> Iterator[None]:
    """Lift the template's sheet protection (it has no password) around writing into locked cells, then put
    it back as the template sets it: formatting rows and columns allowed."""
    lifted = []
    for name in dict.fromkeys(sheets):
        sheet = book.sheets[name]
        if _protected(sheet):
            sheet.api.Unprotect()
            lifted.append(sheet)
    try:
        yield
    finally:
        for sheet in lifted:
            sheet.api.Protect(**PROTECTION)


def _seal(book: Any, name: str, password: str) -> None:
    """Protect one sheet as the template does, with the seal's password (fill's ``reseal`` asks for it)."""
    sheet = book.sheets[name]
    if _protected(sheet):
        sheet.api.Unprotect()  # protected without the seal (else fill would not ask): no password to give
    sheet.api.Protect(Password=password, **PROTECTION)


def apply_edits(book: Any, edits: Iterable[CellEdit], replace_sheet: str | None = RESULT_SHEET) -> None:
    """Apply edits through xlwings; the result sheet is created fresh (replaced if present)."""
    names = [s.name for s in book.sheets]
    if replace_sheet is not None:
        if replace_sheet in names:
            book.sheets[replace_sheet].delete()
        book.sheets.add(replace_sheet, after=book.sheets[len(book.sheets) - 1])
    edits = list(edits)
    written = [e.sheet for e in edits if (e.value is not None or e.formula is not None) and e.sheet != replace_sheet]
    with _unprotected(book, written):
        for e in edits:
            _apply_one(book, e)


def _apply_one(book: Any, e: CellEdit) -> None:
    rng = book.sheets[e.sheet].range(e.cell)
    if e.formula is not None:
        rng.formula = e.formula
    if e.value is not None:
        rng.value = e.value
    if e.fill is not None:
        rng.color = e.fill
    if e.comment is not None:
        try:
            if rng.note is not None:
                rng.note.delete()
            rng.add_note(e.comment)
        except Exception:  # noqa: BLE001 - notes are unavailable on some platforms; the sheet still lists it
            pass
    if e.hyperlink_to is not None:
        sheet, cell = e.hyperlink_to.split("!", 1)
        rng.add_hyperlink(f"#'{sheet}'!{cell}", text_to_display=str(e.value or e.hyperlink_to))


def _read_active(read: Callable[[Path], T]) -> tuple[Any, T]:
    """The workbook the user is looking at, and what ``read`` makes of a temporary copy of it."""
    book = _target_book(_xlwings())
    path = _saved_copy(book)
    try:
        return book, read(path)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def validate_active(lang: str = "zh") -> Report:
    """Button: validate the active workbook, list findings in 校验结果, select the first problem cell."""
    from .checks.validate import validate

    book, report = _read_active(validate)
    apply_edits(book, finding_edits(report, lang))
    target = first_problem(report)
    if target is not None:
        book.sheets[target[0]].activate()
        book.sheets[target[0]].range(target[1]).select()
    return report


def fill_active() -> FillReport:
    """Button 计算派生值: make the open workbook what ``workbook-tools fill`` would make of it.

    The same plan as fill (:func:`~workbook_tools.fill.plan_fill`): typed-over or deleted formulas are
    restored as formulas (never overwritten with constants, which validate would report as typed over),
    text numbers converted, scores by the workbook's own profile, and the 校验 sheet sealed again when its seal
    was broken (:func:`~workbook_tools.fill.reseal`, as fill does); then Excel recalculates. The report lists
    each change.
    """
    from .fill import FillReport, plan_fill, reseal
    from .xlsx.reader import load

    book, loaded = _read_active(load)
    report = FillReport(file=str(book.name))
    plan = plan_fill(loaded, report)
    if plan is not None:
        apply_edits(book, fill_edits(plan), replace_sheet=None)
        reseal(plan, lambda sheet, password: _seal(book, sheet, password))
        with contextlib.suppress(Exception):  # an app without calculate(): Excel recalculates on its own
            book.app.calculate()
    return report


def main() -> None:
    """The xlwings add-in's "Run main" button calls this."""
    validate_active()


__all__: Sequence[str] = ("CellEdit", "ExcelUnavailable", "finding_edits", "computed_edits", "fill_edits", "first_problem",
                          "apply_edits", "validate_active", "fill_active", "main")
