"""``validate --annotate OUT.xlsx``: a copy of the workbook with every problem marked where it is.

Each problem cell is filled red (error) or orange (warning) and carries a comment with the message; a
``校验结果`` sheet, placed first, lists all findings with hyperlinks to their cells. The input file is
never modified (refused when OUT is the input) and the copy is written atomically. This is the only part
of validate that imports openpyxl, and only when called.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.errors import WorkbookToolsError
from ..core.findings import CATALOGUE, SEVERITY_ORDER, Finding, Report
from ..core.fsutil import atomic_save
from ..core.textsafe import xml_text
from ..core.words import FILE_LEVEL, RESULT_SHEET, SEVERITY_WORDS, headers, lang_of

FILLS = {"error": "FFB3B3", "warning": "FFCC80", "info": "DDEBF7"}
COLUMNS = ("number", "severity", "place", "code", "title", "message", "expected", "actual")
AUTHOR = "workbook-tools validate"


class AnnotateError(WorkbookToolsError):
    """The annotated copy cannot be written; the message names the file, in Chinese."""

    code = "annotate-failed"


def _same_file(a: Path, b: Path) -> bool:
    try:
        if b.exists() and os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _plain(v: object) -> object:
    if isinstance(v, Decimal):
        return format(v, "f")
    return xml_text(v) if isinstance(v, str) else v


def _as_text(row: Any) -> None:
    """Every string of a results row stays text: a workbook's formula text (``=HYPERLINK(…)``, an external
    link) quoted in a finding must never become a live formula in the copy."""
    for c in row:
        if isinstance(c.value, str) and c.data_type != "s":
            c.data_type = "s"


def annotate(source: str | Path, report: Report, dest: str | Path, lang: str = "zh") -> Path:
    """Write an annotated copy of ``source`` to ``dest``; ``source`` is only read."""
    src, out = Path(source), Path(dest)
    lg = lang_of(lang)
    if _same_file(src, out):
        raise AnnotateError(f"{out}：标注副本不能覆盖被校验的原文件，请换一个文件名")
    if report.unreadable is not None:
        raise AnnotateError(f"{src}：文件无法读取，不能生成标注副本")
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    try:
        wb = load_workbook(src)
    except Exception as exc:  # openpyxl raises many kinds on odd files; the copy is then impossible
        raise AnnotateError(f"{src}：无法生成标注副本（{type(exc).__name__}）") from exc
    lang = "en" if lang == "en" else "zh"
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        if f.sheet and f.cell and f.sheet in wb.sheetnames and f.sheet != RESULT_SHEET:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, cell), items in by_cell.items():
        worst = min(items, key=lambda f: SEVERITY_ORDER[f.severity]).severity
        try:
            c = wb[sheet][cell]
            c.fill = PatternFill("solid", fgColor=FILLS[worst])
            text = xml_text("\n".join(f"[{SEVERITY_WORDS[lg][f.severity]}] {f.text(lang)}" for f in items))
            comment = Comment(text, AUTHOR)
            comment.width, comment.height = 360, min(60 + 18 * (len(text) // 24 + len(items)), 600)
            c.comment = comment
        except (AttributeError, ValueError, KeyError):
            continue  # a merged (non-anchor) cell cannot carry a fill or comment; the results sheet lists it
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    ws = wb.create_sheet(RESULT_SHEET, 0)
    ws.append(list(headers(COLUMNS, lg)))
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, f in enumerate(report.findings, 1):
        entry_title = CATALOGUE[f.code].title_en if lang == "en" else f.title
        ws.append([i, SEVERITY_WORDS[lg][f.severity], f.place or FILE_LEVEL[lg], f.code,
                   entry_title, _plain(f.message_en if lang == "en" and f.message_en else f.message),
                   _plain(f.expected), _plain(f.actual)])
        row = ws.max_row
        _as_text(ws[row])
        ws.cell(row=row, column=2).fill = PatternFill("solid", fgColor=FILLS[f.severity])
        if f.sheet and f.cell and f.sheet in wb.sheetnames:
            link = ws.cell(row=row, column=3)
            quoted = "'" + f.sheet.replace("'", "''") + "'"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quoted}!{f.cell}", display=f.place)
            link.font = Font(color="0563C1", underline="single")
        ws.cell(row=row, column=6).alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append([report.summary(lang)])
    _as_text(ws[ws.max_row])
    for col, width in zip("ABCDEFGH", (6, 8, 16, 22, 24, 90, 14, 14), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    try:
        return atomic_save(wb, out)
    except OSError as exc:
        raise AnnotateError(f"{out}：无法写出标注副本（{exc.strerror or exc}）") from exc


__all__ = ["AnnotateError", "annotate"]
