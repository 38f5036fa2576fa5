"""fill: make a workbook complete and correct, and say exactly what was changed.

The finance bureau receives workbooks whose derived cells are missing (written by a tool that never
recalculated), stale or typed over. :func:`fill` restores every derived cell's template formula, converts
obvious text numbers in input cells, writes each formula's value (computed in Python with Excel's rounding)
as the cell's cached value so pandas/calamine read numbers, and reports each change as a finding in the same
format as validate. It owns only the cells the spec names; everything else is carried over as openpyxl reads
it, and the source is never modified unless ``in_place`` is asked for (then a ``.bak`` copy is kept).
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import msgspec

from .checks import structure
from .checks.formulas import normalize, template_formula
from .core import live_checks, profiles, spec
from .core.cells import address, rc
from .core.compute import compute
from .core.errors import WorkbookToolsError
from .core.expr import excel_round
from .core.findings import Finding, Report
from .core.fsutil import atomic_copy, atomic_path, fits, free_backup_name
from .core.model import Value
from .core.numbers import parse_text_number
from .core.scoring import Rules, Suggestion, load_rules, suggest
from .session import WorkbookSession
from .xlsx import reader
from .xlsx.legacy import converted, is_legacy
from .xlsx.package import UnreadableWorkbook
from .xlsx.patch import NotPatchable, Patched, SheetEdits, cached_cell_xml, sheet_parts, try_prepare
from .xlsx.worksheet import Cell


class FillError(WorkbookToolsError, ValueError):
    """The request cannot be carried out (output is the input, rules file broken); one line naming the file."""

    code = "fill-refused"


class FillReport(Report):
    """A validate-style report of what fill changed, plus where the result went."""

    output: str | None = None
    changed_cells: int = 0
    written: bool = False
    recalculated: bool = False
    backup: str | None = None
    suggestions: list[Suggestion] = msgspec.field(default_factory=list)
    #: What wrote the output: the part-level writer, openpyxl (the file needed it, or ``FAST_WRITER`` is off) or
    #: a byte copy (nothing to change); None when nothing was written. Benchmarks and tests read it to know
    #: which path a file took.
    writer: Literal["parts", "openpyxl", "copy"] | None = None

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        d.update(output=self.output, changed_cells=self.changed_cells, written=self.written,
                 recalculated=self.recalculated, backup=self.backup)
        return d


def default_output(src: Path) -> Path:
    """Where fill writes when no output is given: beside the input, never over it."""
    suffix = ".xlsx" if is_legacy(src) else (src.suffix or ".xlsx")  # a legacy file is filled into an .xlsx
    return src.with_name(fits(f"{src.stem}_filled{suffix}"))


def same_formula(a: str | None, b: str | None) -> bool:
    """Formulas equal after validate's normalisation (case, spaces, '$', sheet prefixes, '=')."""
    return a is not None and b is not None and a.strip() not in ("", "=") and normalize(a) == normalize(b)


def _same_value(cached: Value, expected: Value, decimals: int | None) -> bool:
    """Cached and computed agree at the field's precision (validate's cache-stale uses the same test)."""
    if expected is None:
        return cached == ""  # a cached empty string is what Excel stores for IF(…,"",…)
    if isinstance(expected, str):
        return cached == expected
    if not isinstance(cached, Decimal) or not isinstance(expected, Decimal | int):
        return False
    d = decimals if decimals is not None else 2
    return excel_round(cached, d) == excel_round(Decimal(expected), d)


def _shown(v: object) -> object:
    return "（空）" if v is None or v == "" else v


# -- the cached-value patch ---------------------------------------------------------------------------

_CELL = re.compile(r'<c((?:\s+[\w:]+="[^"]*")*)\s*>(.*?)</c>', re.S)
_ATTR_R = re.compile(r'\sr="([A-Z]+[0-9]+)"')
_ATTR_T = re.compile(r'\st="[^"]*"')
_FORMULA = re.compile(r"<f(?:\s[^>]*)?(?:/>|>.*?</f>)", re.S)


def _cell_xml(attrs: str, body: str, value: Value) -> str:
    formula = _FORMULA.search(body)
    return cached_cell_xml(_ATTR_T.sub("", attrs), formula.group(0) if formula else "", value)


def write_cached_values(path: Path, values: Mapping[tuple[str, str], Value]) -> int:
    """Give formula cells (sheet, A1) a cached value in a saved .xlsx, atomically; returns the cells patched.

    openpyxl writes formulas without cached values, so pandas and calamine read nothing until a
    spreadsheet recalculates. Numbers are written as exact Decimal text, text as ``t="str"``, blanks as an
    empty ``t="str"`` value (what Excel stores for ``IF(…,"",…)``). Only cells that hold a formula are
    patched; ``fullCalcOnLoad`` is left to the caller, so Excel still recalculates on open.
    """
    path = Path(path)
    by_sheet: dict[str, dict[str, Value]] = {}
    for (sheet, cell), v in values.items():
        by_sheet.setdefault(sheet, {})[cell] = v
    patched = 0
    with zipfile.ZipFile(path) as zin:
        parts = sheet_parts(zin)
        replaced: dict[str, bytes] = {}
        for sheet, cells in by_sheet.items():
            part = parts.get(sheet)
            if not part:
                continue
            text = zin.read(part).decode("utf-8")

            def sub(m: re.Match[str], cells: dict[str, Value] = cells) -> str:
                nonlocal patched
                attrs, body = m.group(1), m.group(2)
                r = _ATTR_R.search(attrs)
                if r is None or r.group(1) not in cells or not _FORMULA.search(body):
                    return m.group(0)
                patched += 1
                return _cell_xml(attrs, body, cells[r.group(1)])

            replaced[part] = _CELL.sub(sub, text).encode("utf-8")
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, replaced.get(info.filename, zin.read(info.filename)))
    return patched


# -- fill -------------------------------------------------------------------------------------------------


@dataclass
class FillPlan:
    """What fill decided to change, before anything is written."""

    inputs: dict[tuple[str, str], tuple[Decimal | int, str]] = field(default_factory=dict)  # cell → (value, kind)
    formulas: dict[tuple[str, str], str] = field(default_factory=dict)
    scores: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    constants: dict[tuple[str, str], object] = field(default_factory=dict)
    caches: dict[tuple[str, str], Value] = field(default_factory=dict)
    stale: int = 0
    present: set[str] = field(default_factory=set)  # sheets the workbook has
    shifted: set[str] = field(default_factory=set)  # sheets whose fixed labels moved (rows inserted/deleted)
    skipped: set[str] = field(default_factory=set)  # sheets where a cell was left alone
    reseal: bool = False  # the 校验 sheet lost its seal (spec.LIVE_SEAL_PASSWORD): protect it again

    def writable(self, sheet: str) -> bool:
        """A cell may be written when its sheet exists and no rows moved on it.

        After rows are inserted or deleted, a name moved by Excel is right but one left behind by another
        tool, or the template address a missing name falls back to, points at someone else's cell; fill
        cannot tell them apart, so it leaves that sheet alone and reports why.
        """
        ok = sheet in self.present and sheet not in self.shifted
        if not ok:
            self.skipped.add(sheet)
        return ok

    @property
    def cells(self) -> int:
        touched = set(self.inputs) | set(self.formulas) | set(self.scores) | set(self.constants)
        return len(touched) + self.stale


def reseal(plan: FillPlan, protect: Callable[[str, str], None]) -> None:
    """Put back the seal the plan found broken, by the face's own means: ``protect(sheet, password)`` is
    openpyxl for :func:`fill`, Excel's COM for the 计算派生值 button; the sheet and password are the spec's."""
    if plan.reseal:
        protect(spec.LIVE_SHEET, spec.LIVE_SEAL_PASSWORD)


def _unreadable(report: FillReport, exc: UnreadableWorkbook) -> FillReport:
    report.unreadable = Finding(exc.code, exc.message("zh"), message_en=exc.message("en"))
    return report


def _list_cell(loaded: reader.Loaded, table: spec.ListTable, key: str, index: int) -> tuple[str, str]:
    """Sheet cell of column ``key`` in the model's row ``index`` of a list, through the names."""
    first_col = loaded.list_locations[table.name][table.columns[0].key]
    offset = loaded.list_rows[table.name][index] - rc(first_col.cell)[0]
    loc = loaded.list_locations[table.name][key]
    row, col = rc(loc.cell)
    return loc.sheet, address(row + offset, col)


def _convert_text_numbers(loaded: reader.Loaded, plan: FillPlan, findings: list[Finding]) -> None:
    model = loaded.model

    def convert(v: Value, kind: str, variant: str, label: dict[str, object], where: tuple[str, str],
                name: str) -> Decimal | int | None:
        if not isinstance(v, str):
            return None
        number, why = parse_text_number(v, kind)
        if number is None:
            return None
        value: Decimal | int = number
        if kind in spec.INTEGRAL_KINDS:
            if number != number.to_integral_value():
                return None
            value = int(number)
        plan.inputs[where] = (value, kind)
        findings.append(Finding.of("fill-text-converted", variant, {**label, "raw": v, "value": value, "why": why},
                                   sheet=where[0], cell=where[1], name=name, expected=value, actual=v))
        return value

    for f in spec.INPUT_FIELDS:
        if f.kind in spec.NUMERIC_KINDS and f.name in loaded.locations:
            loc = loaded.locations[f.name]
            if not plan.writable(loc.sheet):
                continue
            got = convert(model.values.get(f.name), f.kind, "field", {"label": f.label}, (loc.sheet, loc.cell), f.name)
            if got is not None:
                model.values[f.name] = got
    for t in spec.TABLES:
        for c in t.columns:
            col_loc = loaded.list_locations[t.name].get(c.key)
            if col_loc is None or c.kind not in spec.NUMERIC_KINDS or not plan.writable(col_loc.sheet):
                continue
            for i, row in enumerate(model.rows(t.name)):
                where = _list_cell(loaded, t, c.key, i)
                got = convert(row.get(c.key), c.kind, "row", {"table": t.label, "row": i + 1, "column": c.label}, where,
                              t.range_name(c.key))
                if got is not None:
                    row[c.key] = got


def _grade_table(loaded: reader.Loaded, rules: Rules, plan: FillPlan, findings: list[Finding]) -> None:
    """Make the workbook's threshold table (which the grade formula reads) say what the rules say."""
    ascending = sorted(rules.grades, key=lambda g: g[1])
    wanted: dict[str, list[str | Decimal]] = {"grade_labels": [g[0] for g in ascending],
                                             "grade_minimums": [g[1] for g in ascending]}
    for k in spec.CONSTANTS:
        sheet, ref, _ = reader.locate(loaded.book, k.name, k.sheet, k.ref)
        if not plan.writable(sheet):
            continue
        first = ref.split(":")[0]
        row, col = rc(first)
        for i, want in enumerate(wanted[k.name]):
            cell = address(row + i, col)
            c = loaded.book.cell(sheet, cell)
            have = c.value if c is not None else None
            if have == want:
                continue
            plan.constants[(sheet, cell)] = want
            loaded.model.constants.setdefault(k.name, list(k.values))
            if i < len(loaded.model.constants[k.name]):
                loaded.model.constants[k.name][i] = want
            findings.append(Finding.of("fill-value-computed", "grade-table", {"source": rules.source, "value": want},
                                       sheet=sheet, cell=cell, name=k.name, expected=want, actual=have))


def _computed(loaded: reader.Loaded) -> dict[str, Value]:
    """Derived values; the grade follows the workbook's threshold table as it will be written."""
    return compute(loaded.model)


def _scores(loaded: reader.Loaded, computed: dict[str, Value], rules: Rules, write: bool, plan: FillPlan,
            findings: list[Finding], report: FillReport) -> bool:
    table = spec.table("indicators")
    wrote = False
    for s in suggest(loaded.model, computed, rules):
        row = loaded.model.rows("indicators")[s.row]
        if row.get("score") is not None:
            continue  # a typed score is never replaced, even when it differs
        report.suggestions.append(s)
        sheet, cell = _list_cell(loaded, table, "score", s.row)
        written = write and plan.writable(sheet)
        if written:
            plan.scores[(sheet, cell)] = s.score
            row["score"] = s.score
            wrote = True
        code = "fill-score-written" if written else "fill-score-suggested"
        findings.append(Finding.of(code, "default", {"indicator": s.indicator, "score": s.score, "basis": s.basis,
                                                     "basis_en": s.basis_en},
                                   sheet=sheet, cell=cell, name=table.range_name("score"), expected=s.score))
    return wrote


def _formulas_and_caches(loaded: reader.Loaded, computed: dict[str, Value], plan: FillPlan,
                         findings: list[Finding]) -> None:
    missing = 0
    version = loaded.layout.version if loaded.layout is not None else None
    for f in spec.DERIVED_FIELDS:
        if f.name not in loaded.locations:
            continue  # not in this file's template version (migrate adds it)
        loc = loaded.locations[f.name]
        if not plan.writable(loc.sheet):
            continue
        where = (loc.sheet, loc.cell)
        c: Cell | None = loaded.cells.get(f.name)
        value = computed.get(f.name)
        plan.caches[where] = value
        formula = ("=" + c.formula) if c is not None and c.formula else None
        want = template_formula(f.name, version)
        if not same_formula(formula, want):
            plan.formulas[where] = want
            old = c.value if c is not None else None
            actual: object
            if formula:
                variant, actual = "changed", formula
            elif old in (None, ""):
                variant, actual = "deleted", None
            else:
                variant, actual = "typed-over", old
            findings.append(Finding.of("fill-formula-restored", variant,
                                       {"label": f.label, "label_en": f.label_en, "value": _shown(value)},
                                       sheet=loc.sheet, cell=loc.cell, name=f.name, expected=want,
                                       actual=_shown(actual)))
            continue
        assert c is not None
        cached = c.value
        if cached is None:
            missing += 1
        elif not _same_value(cached, value, f.decimals):
            plan.stale += 1
            findings.append(Finding.of("fill-value-computed", "stale", {"label": f.label, "label_en": f.label_en},
                                       sheet=loc.sheet, cell=loc.cell, name=f.name, expected=_shown(value),
                                       actual=_shown(cached)))
    _input_formulas(loaded, plan)
    if missing:
        plan.stale += missing
        findings.append(Finding.of("fill-value-computed", "missing", {"count": missing}))


def _live_formulas(loaded: reader.Loaded, plan: FillPlan, findings: list[Finding]) -> None:
    """Restore the live checks' formulas (校验 sheet, status lines) of a workbook whose version has them."""
    if not spec.present_in(live_checks.SINCE, loaded.version):
        return  # a 1.0 workbook has no live checks; adding them is migrate's job
    restored: list[live_checks.LiveCell] = []
    by_sheet: dict[str, list[live_checks.LiveCell]] = {}
    for lc in live_checks.cells():
        by_sheet.setdefault(lc.sheet, []).append(lc)
    for sheet, cells in by_sheet.items():
        data = loaded.book.sheet(sheet)
        if data is None or not plan.writable(sheet):
            continue
        if data.sealed:
            continue  # nobody can have edited it
        if sheet == spec.LIVE_SHEET:
            plan.reseal = True
        found = data.cells.formula_texts(c.cell for c in cells)
        for lc in cells:
            formula = found.get(lc.cell)
            if not same_formula(None if formula is None else "=" + formula, lc.formula):
                plan.formulas[(lc.sheet, lc.cell)] = lc.formula
                restored.append(lc)
    if not restored:
        return
    if len(restored) <= 3:
        for lc in restored:
            findings.append(Finding.of("fill-formula-restored", "live",
                                       {"sheet": lc.sheet, "cell": lc.cell, "what": lc.what},
                                       sheet=lc.sheet, cell=lc.cell, expected=lc.formula))
        return
    first = restored[0]
    findings.append(Finding.of("fill-formula-restored", "live-many", {"count": len(restored)},
                               sheet=first.sheet, cell=first.cell, expected=first.formula))


def _input_formulas(loaded: reader.Loaded, plan: FillPlan) -> None:
    """Inputs typed as formulas (``=200+85.48``) keep their value: openpyxl drops every cached value when it
    saves, so the one the source holds is written back (an input formula without one stays as it is, and
    validate says so)."""
    for f in spec.INPUT_FIELDS:
        c = loaded.cells.get(f.name)
        loc = loaded.locations.get(f.name)  # None: a figure this workbook's (earlier) layout does not have
        if loc is not None and c is not None and c.formula and c.value not in (None, "") and (loc.sheet, loc.cell) not in plan.inputs:
            plan.caches[(loc.sheet, loc.cell)] = c.value
    for t in spec.TABLES:
        for col in t.columns:
            if col.key not in loaded.list_locations[t.name]:
                continue  # a column this workbook's (earlier) layout does not have
            for i in range(len(loaded.model.rows(t.name))):
                where = _list_cell(loaded, t, col.key, i)
                c = loaded.book.cell(*where)
                if c is not None and c.formula and c.value not in (None, "") and where not in plan.inputs:
                    plan.caches[where] = c.value


def _open_with_openpyxl(src: Path, findings: list[Finding]) -> Any:
    from openpyxl import load_workbook

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            wb = load_workbook(src, keep_vba=False, rich_text=True)
        except Exception as exc:  # openpyxl rejects some producers' style values
            raise UnreadableWorkbook(src, f"openpyxl 无法打开此文件（{type(exc).__name__}: {exc}），fill 无法写出",
                                     f"openpyxl cannot open the file ({type(exc).__name__}: {exc})") from exc
    lost = sorted({str(w.message) for w in caught})
    with zipfile.ZipFile(src) as zf:
        names = zf.namelist()
    if any(re.fullmatch(r"xl/drawings/drawing\d+\.xml", n) for n in names):
        lost.append("图形（形状、文本框等，openpyxl 不保留）shapes and drawings")
    if any(n.startswith("xl/vbaProject") for n in names):
        lost.append("宏 macros (VBA)")
    if lost:
        findings.append(Finding.of("fill-parts-dropped", "default", {"parts": lost}))
    return wb


def _writable_cell(wb: Any, sheet: str, cell: str, unmerged: list[tuple[str, str]]) -> Any:
    """The cell to write; one hidden under a merged range (a merge drawn over a derived cell) is uncovered
    first, so the template's cell comes back instead of openpyxl's AttributeError on a MergedCell."""
    from openpyxl.cell.cell import MergedCell

    ws = wb[sheet]
    c = ws[cell]
    if isinstance(c, MergedCell):
        for rng in list(ws.merged_cells.ranges):
            if cell in rng:
                ws.unmerge_cells(str(rng))
                unmerged.append((sheet, str(rng)))
        c = ws[cell]
    return c


def _apply(wb: Any, plan: FillPlan) -> list[tuple[str, str]]:
    """Write the plan into the openpyxl workbook; returns the merged ranges that had to be undone."""
    unmerged: list[tuple[str, str]] = []
    for (sheet, cell), (value, kind) in plan.inputs.items():
        c = _writable_cell(wb, sheet, cell, unmerged)
        c.value = value
        if c.quotePrefix:
            c.quotePrefix = False
        if c.number_format == "@":
            c.number_format = spec.KINDS[kind].number_format  # a converted input loses its text format
    for (sheet, cell), formula in plan.formulas.items():
        _writable_cell(wb, sheet, cell, unmerged).value = formula
    for (sheet, cell), score in plan.scores.items():
        _writable_cell(wb, sheet, cell, unmerged).value = score
    for (sheet, cell), constant in plan.constants.items():
        integral = isinstance(constant, Decimal) and constant == constant.to_integral_value()
        _writable_cell(wb, sheet, cell, unmerged).value = int(constant) if integral else constant  # type: ignore[call-overload]
    if plan.reseal:
        from .template import seal  # openpyxl's vocabulary, imported only when writing

        reseal(plan, lambda sheet, password: seal(wb, sheet, password))
    wb.calculation.fullCalcOnLoad = True
    return unmerged


#: Write through the part-level writer when the file allows it; False forces the openpyxl path (the reference
#: the tests compare the part writer with).
FAST_WRITER = True


def _part_edits(plan: FillPlan) -> dict[str, SheetEdits]:
    """The plan as per-sheet cell edits, with what ``_apply`` + ``write_cached_values`` would write."""
    edits: dict[str, SheetEdits] = {}
    groups = [set(plan.inputs), set(plan.formulas), set(plan.scores), set(plan.constants)]
    if sum(len(g) for g in groups) != len(set().union(*groups)):
        raise NotPatchable("one cell changed twice")
    for (sheet, cell), (value, _kind) in plan.inputs.items():
        e = edits.setdefault(sheet, SheetEdits())
        e.constants[cell] = value
        e.no_text_format.add(cell)  # openpyxl's path changes such a cell's style; this writer refuses
    for (sheet, cell), formula in plan.formulas.items():
        edits.setdefault(sheet, SheetEdits()).formulas[cell] = formula
    for (sheet, cell), score in plan.scores.items():
        edits.setdefault(sheet, SheetEdits()).constants[cell] = score
    for (sheet, cell), constant in plan.constants.items():
        integral = isinstance(constant, Decimal) and constant == constant.to_integral_value()
        edits.setdefault(sheet, SheetEdits()).constants[cell] = int(constant) if integral else constant  # type: ignore[call-overload]
    for (sheet, cell), cached in plan.caches.items():
        edits.setdefault(sheet, SheetEdits()).caches[cell] = cached
    if plan.reseal and spec.LIVE_SHEET in plan.present:
        edits.setdefault(spec.LIVE_SHEET, SheetEdits()).protect = spec.LIVE_SEAL_HASH
    return edits


def _fast(src: Path, plan: FillPlan) -> Patched | None:
    """The plan as a part-level patch of ``src``, or None when the file needs the openpyxl path."""
    try:
        edits = _part_edits(plan)
    except (NotPatchable, KeyError, ValueError):
        return None
    return try_prepare(src, edits)


def _copy(src: Path, dest: Path) -> None:
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)  # a new file: the umask's permissions, not the source's


def plan_fill(loaded: reader.Loaded, report: FillReport, rules: Rules | None = None, write_scores: bool = False,
              computed: Mapping[str, Value] | None = None) -> FillPlan | None:
    """What fill changes in a read workbook (its findings go to ``report``); None when the workbook is not
    ours to touch (another template or version). The Excel button applies the same plan to the open workbook.

    ``rules`` None: the workbook's own profile's rules, and its threshold table is left as it is; explicit
    rules also make the threshold table say what they say.

    ``loaded.model`` is updated as the plan converts text numbers and writes scores.
    """
    report.template_version = loaded.version
    report.application = loaded.book.application or None
    struct = structure.check(loaded, dict(computed) if computed is not None else compute(loaded.model))
    if any(f.code in structure.FATAL for f in struct):
        report.findings.extend(struct)  # not our template, or another version: nothing is touched
        return None

    # rows-shifted with the label's old cell as "expected" means the label moved (rows inserted or deleted);
    # a label merely retyped in place leaves the rows where they were
    moved = {f.sheet for f in struct if f.code == "rows-shifted" and f.sheet and f.expected == f.cell}
    plan = FillPlan(present=set(loaded.book.sheet_names), shifted=moved)
    findings: list[Finding] = []
    explicit = rules is not None
    if rules is None:
        rules = profiles.for_workbook(loaded.model.profile)[0].rules  # the workbook's own profile
    _convert_text_numbers(loaded, plan, findings)
    if explicit:
        _grade_table(loaded, rules, plan, findings)
    values = _computed(loaded)
    if _scores(loaded, values, rules, write_scores, plan, findings, report):
        values = _computed(loaded)
    _formulas_and_caches(loaded, values, plan, findings)
    _live_formulas(loaded, plan, findings)
    report.findings.extend(findings)
    # why some cells were left alone: the structure findings of those sheets, as validate words them
    report.findings.extend(f for f in struct if f.severity == "error" and f.sheet in plan.skipped)
    report.changed_cells = plan.cells
    return plan


def fill(source: str | Path | WorkbookSession, dest: str | Path | None = None, *, in_place: bool = False,
         recalc: bool = False, rules: Rules | str | Path | None = None, write_scores: bool = False) -> FillReport:
    """Fill one workbook; the result goes to ``dest`` (default beside the input) or, with ``in_place``, over it.

    ``source`` is a path or an open :class:`~workbook_tools.session.WorkbookSession` (then the workbook is
    not read again). Returns the findings (info codes ``fill-*`` for each change). Unreadable or foreign
    workbooks give a report without writing anything. Raises :class:`FillError` when the output would
    overwrite the input without ``in_place``, or when the rules file is unusable.
    """
    src = source.path if isinstance(source, WorkbookSession) else Path(source)
    if is_legacy(src):
        return _fill_legacy(src, dest, in_place=in_place, recalc=recalc, rules=rules, write_scores=write_scores)
    if in_place:
        src = Path(os.path.realpath(src))  # a symlink: the workbook it points at is rewritten, the link stays
        target = src
    else:
        target = Path(dest) if dest is not None else default_output(src)
        if target.exists() and src.exists() and os.path.samefile(src, target):
            raise FillError(f"{target}：输出文件就是输入文件；要改写原文件请用 --in-place（会保留 .bak 备份）")
    if rules is not None and not isinstance(rules, Rules):
        from .core.scoring import RulesError

        try:
            rules = load_rules(rules)
        except RulesError as exc:
            raise FillError(str(exc)) from None
    report = FillReport(file=str(src))
    if isinstance(source, WorkbookSession):
        loaded, computed = source.copy_loaded(), source.computed
    else:
        try:
            loaded = reader.load(src)
        except UnreadableWorkbook as exc:
            return _unreadable(report, exc)
        computed = None
    plan = plan_fill(loaded, report, rules, write_scores, computed)
    if plan is None:
        return report
    report.output = str(target)
    patched = _fast(src, plan) if plan.cells and FAST_WRITER else None
    if patched is not None:
        if in_place:
            report.backup = str(_backup(src))
        with atomic_path(target) as tmp:
            patched.write(tmp)
        report.written, report.writer = True, "parts"
    elif plan.cells:
        try:
            wb = _open_with_openpyxl(src, report.findings)
        except UnreadableWorkbook as exc:
            return _unreadable(report, exc)
        for sheet, rng in _apply(wb, plan):
            report.findings.append(Finding.of("fill-unmerged", "default", {"range": rng},
                                              sheet=sheet, cell=rng.split(":")[0]))
        if in_place:
            report.backup = str(_backup(src))
        with atomic_path(target) as tmp:
            wb.save(str(tmp))
            write_cached_values(tmp, plan.caches)
        report.written, report.writer = True, "openpyxl"
    elif not in_place:
        _copy(src, target)  # nothing to change: the output is the input, byte for byte
        report.written, report.writer = True, "copy"
    if recalc:
        _recalc(target, src, in_place, report)
    return report


def _fill_legacy(src: Path, dest: str | Path | None, *, in_place: bool, recalc: bool,
                 rules: Rules | str | Path | None, write_scores: bool) -> FillReport:
    """A .xls/.ods input: convert it in a temporary folder, fill the copy into an .xlsx, never touch the input."""
    if in_place:
        raise FillError(f"{src}：旧版 {src.suffix} 文件不能 --in-place 改写；请用 -o 指定 .xlsx 输出文件")
    target = Path(dest) if dest is not None else default_output(src)
    with converted(src) as conv:
        if conv.converted is None:
            report = FillReport(file=str(src))
            report.unreadable = Finding.of("legacy-not-converted", "reason",
                                           {"file": src, "reason": conv.reason_zh, "reason_en": conv.reason_en})
            return report
        report = fill(conv.converted, target, recalc=recalc, rules=rules, write_scores=write_scores)
    report.file = str(src)
    report.findings.insert(0, Finding.of("legacy-converted", "default",
                                         {"note": conv.note("zh"), "note_en": conv.note("en")}))
    return report


def _backup(src: Path) -> Path:
    """``x.xlsx.bak`` (``.bak.1``, ``.bak.2`` … when older backups exist: none is ever replaced), with the
    workbook's own permissions."""
    return atomic_copy(src, free_backup_name(src))


def _recalc(target: Path, src: Path, in_place: bool, report: FillReport) -> None:
    from . import libreoffice

    if not libreoffice.available():
        report.findings.append(Finding.of("fill-recalc-skipped", "missing"))
        return
    if in_place and report.backup is None:
        report.backup = str(_backup(src))
    try:
        libreoffice.recalculate_file(target, target)
    except libreoffice.LibreOfficeError as exc:
        first = str(exc).splitlines()[0]
        report.findings.append(Finding.of("fill-recalc-skipped", "failed", {"error": first}))
        return
    report.recalculated = True
    report.written = True


__all__ = ["FillError", "FillPlan", "FillReport", "default_output", "fill", "plan_fill", "same_formula",
           "write_cached_values"]
