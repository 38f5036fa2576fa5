"""The batch summary: ``summary.xlsx`` (汇总, 问题清单, 未处理, 图表, 问题统计), ``summary.csv`` and ``summary.json``.

Figures are the ones computed from each workbook's inputs (Decimal, Excel rounding), not what the
department typed into derived cells. Total rows (one per year) add the amounts and recompute each ratio
from the totals with the template's own expressions, so a county's 执行率 is Σ决算 ÷ Σ预算, never an
average of rates. Everything taken from a workbook (unit names, file names, messages) is written as
text: never a live formula in the .xlsx, and OWASP-escaped in the CSV (formula injection).

openpyxl is imported only when the workbook is written; the validate path never imports this module.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import spec
from ..core.expr import excel_round
from ..core.fsutil import atomic_path, atomic_save
from ..core.model import unit_key
from ..core.words import (
    CHART_TITLES,
    SEVERITY_WORDS,
    SHORT_HEADERS,
    STATUS_WORDS,
    SUMMARY_SHEETS,
    TOTAL_NOTE,
    TOTAL_UNITS,
    TOTAL_WORD,
    lang_of,
)
from .result import SUMMARY_FIGURES, FileResult

#: Leading characters that make a spreadsheet treat a CSV field as a formula (OWASP CSV injection).
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: The sheet names and a file's status in words, from the shared words table.
SHEETS = SUMMARY_SHEETS
STATUS_LABELS = STATUS_WORDS
#: Chart size: per-department bar charts grow with the number of departments, up to Excel's practical limit.
MAX_CHART_CM = 150.0
CHART_WIDTH_CM = 18.0

#: A summary column that shows a field of the workbook: its key → the field (headed by the field's short label).
FIELD_OF: dict[str, str] = {"unit": "unit_name", "year": "fiscal_year", **{n: n for n in SUMMARY_FIGURES}}
#: The number format a field's kind takes in the summary (a year is a whole number, a grade text).
_KIND_OF_FIELD: dict[str, str] = {"money": "money", "percent": "percent", "score": "score", "int": "int", "year": "int"}
#: Columns that show no field but a count.
_COUNTS = ("errors", "warnings", "files", "findings")


def header(key: str, lang: str = "zh") -> str:
    """A column's header, from the spec: the short label of the field it shows, else its summary header."""
    en = lang == "en"
    name = FIELD_OF.get(key)
    if name is None:
        zh, english = spec.SUMMARY_HEADERS[key]
        return english if en else zh
    f = spec.FIELD_BY_NAME[name]
    text = f.short_en if en else f.short
    if not text:
        raise KeyError(f"the summary shows {name} but the spec gives it no short label")
    return text


def short_header(key: str, lang: str = "zh") -> str:
    """A column's header where space is short (the portal's sort buttons): the words table's short form, else
    :func:`header`."""
    short = SHORT_HEADERS.get(key)
    if short is None:
        return header(key, lang)
    return short[1] if lang == "en" else short[0]


def column_kind(key: str) -> str:
    """text | int | money | percent | score: how a column's cells are formatted."""
    name = FIELD_OF.get(key)
    if name is None:
        return "int" if key in _COUNTS else "text"
    return _KIND_OF_FIELD.get(spec.FIELD_BY_NAME[name].kind, "text")


def _columns(*keys: str) -> tuple[tuple[str, str, str, str], ...]:
    return tuple((k, header(k, "zh"), header(k, "en"), column_kind(k)) for k in keys)


#: Columns of 汇总: key, Chinese header, English header, kind (text | int | money | percent | score).
COLUMNS = _columns("file", "unit", "year", *SUMMARY_FIGURES, "errors", "warnings", "status", "note")
#: Amounts added up in a total row; ratios are then recomputed from these sums.
SUMMED = ("total_budget", "total_actual", "basic_budget", "basic_actual", "project_budget", "project_actual",
          "sangong_actual", "sangong_prev", "staff_quota", "staff_actual")
RECOMPUTED = ("total_rate", "sangong_change_pct", "staff_control_rate")
FINDING_COLUMNS = _columns("file", "unit", "sheet", "cell", "code", "severity", "message")
CODE_COLUMNS = _columns("code", "title", "family", "severity", "files", "findings")
UNPROCESSED_COLUMNS = _columns("file", "status", "code", "reason")
#: 图表's data blocks: the departments with the figures charted, and the number of departments by grade.
CHART_COLUMNS = _columns("department", "total_rate", "sangong_actual", "sangong_prev")
GRADE_COLUMNS = _columns("grade", "departments")


@dataclass(frozen=True)
class Total:
    year: int | None
    units: int
    values: dict[str, Decimal | None]


def counted(results: Sequence[FileResult]) -> list[FileResult]:
    """Readable results with each unit and year once (the first by path): duplicates are not added twice."""
    seen: set[tuple[str, int | None]] = set()
    out: list[FileResult] = []
    for r in sorted(results, key=lambda r: r.path):
        if not r.readable:
            continue
        key = (unit_key(r.unit or r.path), r.year)
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


def totals(results: Sequence[FileResult]) -> list[Total]:
    """One total per year: sums of the amounts, ratios recomputed from the sums with the spec's expressions."""
    by_year: dict[int | None, list[FileResult]] = {}
    for r in counted(results):
        by_year.setdefault(r.year, []).append(r)
    out: list[Total] = []
    for year in sorted(by_year, key=lambda y: (y is None, y or 0)):
        rows = by_year[year]
        env: dict[str, Any] = {}
        for name in SUMMED:
            env[name] = sum((v for r in rows if (v := r.figure(name)) is not None), Decimal(0))
        values: dict[str, Decimal | None] = {n: env[n] for n in SUMMED}
        for name in RECOMPUTED:
            expr = spec.FIELD_BY_NAME[name].expr
            assert expr is not None
            ratio = expr.compute(env)
            values[name] = ratio if isinstance(ratio, Decimal) else None
        out.append(Total(year, len(rows), values))
    return out


def _status_note(r: FileResult, lang: str) -> str:
    parts: list[str] = []
    if r.reason:
        parts.append(r.reason)
    if r.status == "duplicate":
        parts += [f["message"] for f in r.findings if f.get("code") == "duplicate-submission"]
    parts += r.notes
    return "；".join(parts) if lang != "en" else "; ".join(parts)


def summary_rows(results: Sequence[FileResult], lang: str = "zh") -> list[dict[str, Any]]:
    """汇总 as dicts keyed by column: one per file, then one total row per year. Numbers are Decimal/int."""
    return list(iter_summary_rows(results, lang))


def iter_summary_rows(results: Sequence[FileResult], lang: str = "zh") -> Iterator[dict[str, Any]]:
    """:func:`summary_rows` one at a time, for the writers (10,000 rows are never all built at once)."""
    lg = lang_of(lang)
    for r in sorted(results, key=lambda r: r.path):
        row: dict[str, Any] = {"file": r.path, "unit": r.unit, "year": r.year}
        for name in SUMMARY_FIGURES:
            v = r.figures.get(name)
            if name == "grade":
                row[name] = v
            elif name in ("staff_quota", "staff_actual"):
                row[name] = int(Decimal(v)) if v not in (None, "") else None
            else:
                row[name] = Decimal(v) if v not in (None, "") else None
        row.update(errors=r.errors if r.readable else None, warnings=r.warnings if r.readable else None,
                   status=STATUS_LABELS[lg][r.status], note=_status_note(r, lang) or None)
        yield row
    for t in totals(results):
        row = {"file": TOTAL_WORD[lg], "year": t.year, "unit": TOTAL_UNITS[lg].format(units=t.units)}
        for name, amount in t.values.items():
            row[name] = int(amount) if name in ("staff_quota", "staff_actual") and amount is not None else amount
        row["note"] = TOTAL_NOTE[lg]
        yield row


def finding_rows(results: Sequence[FileResult], lang: str = "zh") -> list[dict[str, Any]]:
    return list(iter_finding_rows(results, lang))


def iter_finding_rows(results: Sequence[FileResult], lang: str = "zh") -> Iterator[dict[str, Any]]:
    lg = lang_of(lang)
    for r in sorted(results, key=lambda r: r.path):
        for f in r.findings:
            yield {"file": r.path, "unit": r.unit, "sheet": f.get("sheet"), "cell": f.get("cell"),
                   "code": f.get("code"), "severity": SEVERITY_WORDS[lg].get(f.get("severity", ""), f.get("severity")),
                   "message": f.get("message")}


def code_counts(results: Sequence[FileResult]) -> dict[str, dict[str, int]]:
    """For every code found: in how many files, and how many times (in catalogue order)."""
    from ..core.findings import CATALOGUE_LIST

    files: dict[str, set[str]] = {}
    times: dict[str, int] = {}
    for r in results:
        for f in r.findings:
            code = str(f.get("code"))
            files.setdefault(code, set()).add(r.path)
            times[code] = times.get(code, 0) + 1
    order = [c.code for c in CATALOGUE_LIST if c.code in times] + sorted(set(times) - {c.code for c in CATALOGUE_LIST})
    return {code: {"files": len(files[code]), "findings": times[code]} for code in order}


def code_rows(results: Sequence[FileResult], lang: str = "zh") -> list[dict[str, Any]]:
    from ..core.findings import CATALOGUE

    lg = lang_of(lang)
    out = []
    for code, n in code_counts(results).items():
        c = CATALOGUE.get(code)
        out.append({"code": code, "title": (c.title if lg == "zh" else c.title_en) if c else code,
                    "family": c.family if c else "", "files": n["files"], "findings": n["findings"],
                    "severity": SEVERITY_WORDS[lg].get(c.severity, c.severity) if c else ""})
    return out


def unprocessed_rows(results: Sequence[FileResult], lang: str = "zh") -> list[dict[str, Any]]:
    lg = lang_of(lang)
    return [{"file": r.path, "status": STATUS_LABELS[lg][r.status], "code": r.reason_code, "reason": r.reason}
            for r in sorted(results, key=lambda r: r.path) if not r.readable]


# -- writing ----------------------------------------------------------------------------------


def csv_safe(v: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP); numbers pass."""
    if isinstance(v, str) and v.startswith(CSV_FORMULA_START):
        return "'" + v
    return v


def _put_text(cell: Any, value: str) -> None:
    """A text cell that stays text: openpyxl would store '=HYPERLINK(...)' as a formula otherwise."""
    cell.value = _ILLEGAL_XML.sub("", value)
    cell.data_type = "s"


def _put(cell: Any, value: object, kind: str) -> None:
    if value is None:
        return
    if kind == "text" or isinstance(value, str):
        _put_text(cell, str(value))
        return
    cell.value = value
    cell.number_format = {"money": "0.00", "percent": "0.00", "score": "0.00"}.get(kind, "0")


def _cell(ws: Any, value: object = None, kind: str = "text", font: Any = None) -> Any:
    """A cell for a write-only sheet (rows are streamed: a county's 10,000 rows never sit in memory)."""
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws)
    _put(c, value, kind)
    if font is not None:
        c.font = font
    return c


class _Cells:
    """Cells of one streamed sheet. Each combination of number format, font and alignment is given to one cell
    the ordinary way and then copied (openpyxl looks a style up by hashing it on every assignment, which was
    most of the time of a 10,000-row summary); an empty cell without a style is left out, as if not written."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.cell import WriteOnlyCell

        self.ws = ws
        self._new = WriteOnlyCell
        self._styles: dict[tuple[str | None, int, int], Any] = {}

    def __call__(self, value: object, kind: str = "text", font: Any = None, alignment: Any = None) -> Any:
        if value is None and font is None and alignment is None:
            return None
        c = self._new(self.ws)
        number: str | None = None
        if value is not None:
            if kind == "text" or isinstance(value, str):
                _put_text(c, str(value))
            else:
                c.value = value
                number = {"money": "0.00", "percent": "0.00", "score": "0.00"}.get(kind, "0")
        key = (number, id(font), id(alignment))
        style = self._styles.get(key)
        if style is not None:
            c._style = copy.copy(style)
            return c
        if number is not None:
            c.number_format = number
        if font is not None:
            c.font = font
        if alignment is not None:
            c.alignment = alignment
        self._styles[key] = copy.copy(c._style)
        return c


def _table_sheet(ws: Any, headers: Sequence[str], kinds: Sequence[str], rows: Iterable[Sequence[object]],
                 widths: Sequence[float], count: int, bold_from: int | None = None) -> None:
    """Header, then ``count`` rows streamed into a write-only sheet; rows from ``bold_from`` on (totals) in bold."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="D9E1F2")
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A2"
    if count:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    head = []
    for h in headers:
        c = _cell(ws, h, "text", bold)
        c.fill = fill
        c.alignment = centre
        head.append(c)
    ws.append(head)
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = [w >= 40 for w in widths]  # long messages wrap instead of running off the page
    cell = _Cells(ws)
    for i, row in enumerate(rows, start=2):
        font = bold if bold_from is not None and i >= bold_from else None
        ws.append([cell(v, kind, font, wrap if wrapped[j] and v is not None else None)
                   for j, (v, kind) in enumerate(zip(row, kinds, strict=True))])


def _charts(ws: Any, results: Sequence[FileResult], lang: str) -> None:
    """Data blocks on the sheet itself (readable departments only) and native charts over them."""
    from openpyxl.chart import Reference
    from openpyxl.styles import Font

    en = lang == "en"
    titles = CHART_TITLES[lang_of(lang)]
    rows = counted(results)
    years = {r.year for r in rows}
    bold = Font(bold=True)
    h = 2 if en else 1  # the header column of CHART_COLUMNS and GRADE_COLUMNS
    n = len(rows)
    grades = [label for label, _ in spec.GRADE_BANDS]
    ws.column_dimensions["A"].width = 30
    for col in "BCDFG":
        ws.column_dimensions[col].width = 14
    ws.append([*(_cell(ws, c[h], "text", bold) for c in CHART_COLUMNS), None,
               *(_cell(ws, c[h], "text", bold) for c in GRADE_COLUMNS)])
    for i in range(max(n, len(grades))):  # row by row: the departments in A:D, the grade counts in F:G
        line: list[Any] = [None] * len(CHART_COLUMNS)
        if i < n:
            r = rows[i]
            label = r.unit or r.path
            line = [_cell(ws, f"{label}（{r.year}）" if len(years) > 1 else label),
                    *(_cell(ws, r.figure(key), kind) for key, _, _, kind in CHART_COLUMNS[1:])]
        if i < len(grades):
            g = grades[i]
            line += [None, _cell(ws, g), sum(1 for r in rows if r.figures.get("grade") == g)]
        ws.append(line)
    if n == 0:
        return
    height = min(MAX_CHART_CM, max(7.5, 2.5 + 0.55 * n))
    cats = Reference(ws, min_col=1, min_row=2, max_row=n + 1)
    row = n + 4  # charts under the data, one above the other: one page wide when printed

    size = (height, CHART_WIDTH_CM)
    _bar_chart(ws, f"A{row}", titles["rate"], Reference(ws, min_col=2, min_row=1, max_row=n + 1), cats, size=size)
    row += _rows_for(height)
    sangong = _bar_chart(ws, f"A{row}", titles["sangong"], Reference(ws, min_col=3, max_col=4, min_row=1, max_row=n + 1),
                         cats, size=size, number_format="0.0", legend="b")
    sangong.grouping = "clustered"
    row += _rows_for(height)
    dist = _bar_chart(ws, f"A{row}", titles["grades"], Reference(ws, min_col=7, min_row=1, max_row=len(grades) + 1),
                      Reference(ws, min_col=6, min_row=2, max_row=len(grades) + 1), size=(7.5, 12), direction="col")
    dist.y_axis.majorUnit = max(1, n // 5)
    dist.y_axis.scaling.min = 0


def _bar_chart(ws: Any, anchor: str, title: str, data: Any, categories: Any, *, size: tuple[float, float],
               direction: str = "bar", number_format: str = "0", legend: str | None = None) -> Any:
    """A bar chart of ``data`` by ``categories`` at ``anchor`` (``direction`` "bar": horizontal bars, "col":
    columns), both axes shown, the legend at ``legend`` or none."""
    from openpyxl.chart import BarChart

    chart = BarChart()
    chart.type = direction
    chart.title = title
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    if legend is None:
        chart.legend = None
    else:
        chart.legend.position = legend
    chart.y_axis.number_format = number_format
    chart.height, chart.width = size
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    ws.add_chart(chart, anchor)
    return chart


def _rows_for(height_cm: float) -> int:
    """Sheet rows a chart of this height covers (default row height 15 pt = 0.53 cm), plus a gap."""
    return int(height_cm / 0.53) + 2


def _print_setup(ws: Any, paper: int, landscape: bool = True) -> None:
    """One page wide when printed or converted to PDF; as many pages down as needed."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = paper
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def write_xlsx(results: Sequence[FileResult], dest: Path, lang: str = "zh") -> Path:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    lg = lang_of(lang)
    names = SHEETS[lg]
    wb = Workbook(write_only=True)  # streamed: memory does not grow with the number of files
    a4 = Worksheet.PAPERSIZE_A4
    ws = wb.create_sheet(names[0])
    _print_setup(ws, a4)  # a streamed sheet writes its properties before its first row
    keys = [k for k, *_ in COLUMNS]
    kinds = [c[3] for c in COLUMNS]
    headers = [c[1] if lg == "zh" else c[2] for c in COLUMNS]
    widths = [28 if k in ("file", "unit") else (40 if k == "note" else 12) for k in keys]
    files = sum(1 for r in results if r.path not in TOTAL_WORD.values())  # the rows above the totals
    _table_sheet(ws, headers, kinds, ([row.get(k) for k in keys] for row in iter_summary_rows(results, lang)),
                 widths, len(results) + len(totals(results)), 2 + files)

    ws2 = wb.create_sheet(names[1])
    _print_setup(ws2, a4)
    fkeys = [k for k, *_ in FINDING_COLUMNS]
    _table_sheet(ws2, [c[1] if lg == "zh" else c[2] for c in FINDING_COLUMNS], [c[3] for c in FINDING_COLUMNS],
                 ([row.get(k) for k in fkeys] for row in iter_finding_rows(results, lang)), [28, 24, 12, 8, 22, 8, 90],
                 sum(len(r.findings) for r in results))

    ws3 = wb.create_sheet(names[2])
    _print_setup(ws3, a4)
    ur = unprocessed_rows(results, lang)
    ukeys = [k for k, *_ in UNPROCESSED_COLUMNS]
    _table_sheet(ws3, [c[1] if lg == "zh" else c[2] for c in UNPROCESSED_COLUMNS], [c[3] for c in UNPROCESSED_COLUMNS],
                 ([row.get(k) for k in ukeys] for row in ur), [28, 10, 22, 90], len(ur))

    ws4 = wb.create_sheet(names[3])
    _print_setup(ws4, a4, landscape=False)
    ws4.print_title_rows = None
    _charts(ws4, results, lg)
    ws5 = wb.create_sheet(names[4])
    _print_setup(ws5, a4)
    cr = code_rows(results, lang)
    ckeys = [k for k, *_ in CODE_COLUMNS]
    _table_sheet(ws5, [c[1] if lg == "zh" else c[2] for c in CODE_COLUMNS], [c[3] for c in CODE_COLUMNS],
                 ([row.get(k) for k in ckeys] for row in cr), [26, 30, 14, 8, 10, 10], len(cr))
    wb.properties.creator = f"workbook_tools {__version__}"
    return atomic_save(wb, dest)


def _csv_cell(v: object, kind: str) -> object:
    """Amounts and ratios with two decimals, as the workbook shows them (never fewer digits than stored)."""
    if v is None:
        return ""
    if isinstance(v, Decimal) and kind in ("money", "percent", "score") and v.as_tuple().exponent >= -2:  # type: ignore[operator]
        return format(excel_round(v, 2), "f")  # Excel ROUND, at any magnitude (1e308 万元 included)
    return csv_safe(v)


def write_csv(results: Sequence[FileResult], dest: Path, lang: str = "zh") -> Path:
    """汇总 as CSV, UTF-8 with BOM so Excel opens the Chinese correctly; text fields OWASP-escaped.

    The stdlib writer is enough here, so ``batch`` works on a core install (pandas is the ``batch`` extra).
    """
    import csv
    import io

    lg = lang_of(lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c[1] if lg == "zh" else c[2] for c in COLUMNS])
    for row in iter_summary_rows(results, lang):
        w.writerow([_csv_cell(row.get(key), kind) for key, _, _, kind in COLUMNS])
    with atomic_path(dest) as tmp:
        tmp.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return dest


def _json_value(v: object) -> object:
    return format(v, "f") if isinstance(v, Decimal) else v


def write_json(results: Sequence[FileResult], dest: Path, lang: str = "zh") -> Path:
    """summary.json, written file by file (the text of 10,000 files is never built in memory at once); the
    same text ``json.dumps(…, indent=2)`` gives for the whole document."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    head = {
        "tool": f"workbook_tools {__version__}",
        "template_version": spec.TEMPLATE_VERSION,
        "counts": counts,
        "codes": code_counts(results),
    }
    sums = [{"year": t.year, "units": t.units, **{k: _json_value(v) for k, v in t.values.items()}}
            for t in totals(results)]

    def nested(value: object, depth: int) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)

    with atomic_path(dest) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.write(nested(head, 0)[:-2] + ',\n  "files": [')
        for i, r in enumerate(sorted(results, key=lambda r: r.path)):
            fh.write(("," if i else "") + "\n    " + nested(r.to_json(), 2))
        fh.write(("\n  ]" if results else "]") + ',\n  "totals": ' + nested(sums, 1) + "\n}\n")
    return Path(dest)


def write_summary(results: Sequence[FileResult], out_dir: Path, lang: str = "zh") -> dict[str, Path]:
    """All three summary files in ``out_dir``."""
    out_dir = Path(out_dir)
    return {
        "xlsx": write_xlsx(results, out_dir / "summary.xlsx", lang),
        "csv": write_csv(results, out_dir / "summary.csv", lang),
        "json": write_json(results, out_dir / "summary.json", lang),
    }


__all__ = ["write_summary", "write_xlsx", "write_csv", "write_json", "summary_rows", "finding_rows",
           "unprocessed_rows", "code_counts", "code_rows", "totals", "counted", "csv_safe", "COLUMNS", "SHEETS", "STATUS_LABELS",
           "header", "short_header", "column_kind"]
