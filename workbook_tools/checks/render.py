"""Validation reports as text (rich, grouped by sheet) and as JSON; both render the same findings.

The text form is for the person who fixes the workbook: one line per finding,
``sheet!cell  code  message（应为 …，实为 …）``, then a one-line summary (``3 个错误，2 个警告``).
The JSON form is for machines and is documented in docs/data-format.md ("Validation report JSON").
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from ..core import spec
from ..core.findings import Finding, Report
from ..core.textsafe import clean_data, terminal
from ..core.words import FILE_LEVEL, INFOS_NOTE, REPORT_HEAD, SEVERITY_WORDS, lang_of

if TYPE_CHECKING:
    from rich.console import Console

JSON_SCHEMA_ID = "workbook_tools/validation-report.json"
SEVERITY_STYLE = {"error": "bold red", "warning": "dark_orange", "info": "cyan"}


def summary(report: Report, lang: str = "zh") -> str:
    """``1 个错误，5 个警告`` (plus the number of infos, which never fail a file)."""
    line = report.summary(lang_of(lang))
    infos = sum(1 for f in report.findings if f.severity == "info")
    if infos and report.unreadable is None:
        line += INFOS_NOTE[lang_of(lang)].format(infos=infos)
    return line


def _groups(report: Report) -> list[tuple[str | None, list[Finding]]]:
    """Findings grouped by sheet, file-level ones first, in the report's order within each group."""
    order: list[str | None] = []
    groups: dict[str | None, list[Finding]] = {}
    for f in report.findings:
        key = f.sheet
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(f)
    titles = spec.sheet_titles()
    order.sort(key=lambda k: (k is not None, titles.index(k) if k in titles else len(titles)))
    return [(k, groups[k]) for k in order]


def _lines(report: Report, lang: str) -> Iterator[tuple[list[tuple[str, str | None]], bool]]:
    """The text report, line by line: each line its (text, style) pieces, and whether it may be wrapped.
    Text from the workbook is made inert here (:func:`~workbook_tools.core.textsafe.terminal`)."""
    lang = lang_of(lang)
    if report.unreadable is not None:
        yield [(terminal(report.unreadable.text(lang)), "bold red")], False
        return
    version = report.template_version or "?"
    head = REPORT_HEAD[lang_of(lang)].format(file=report.file, version=version)
    yield [(terminal(head), None)], False
    sev = SEVERITY_WORDS[lang]
    for sheet, items in _groups(report):
        yield [], True
        yield [(terminal(sheet or FILE_LEVEL[lang]), "bold")], True
        width = max(len(f.place or "—") for f in items)
        for f in items:
            place = (f.place or "—").ljust(width)
            yield [(f"  {terminal(place)}  ", None), (sev[f.severity], SEVERITY_STYLE[f.severity]),
                   (f"  {f.code}  {terminal(f.text(lang))}", None)], False
    yield [], True
    style = "bold red" if report.errors else ("dark_orange" if report.warnings else "green")
    yield [(summary(report, lang), style)], True


def _coloured(stream: IO[str]) -> bool:
    """Colours only for a person at a terminal (rich's own rule, without importing rich to learn it)."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def print_report(report: Report, lang: str = "zh", console: Console | None = None) -> None:
    """One block per sheet (file-level findings first), one line per finding, then the summary line.

    In colour through rich on a terminal (or the ``console`` given); as plain lines otherwise, without
    importing rich (``validate`` in a script or the Excel button costs what checking costs)."""
    if console is None and not _coloured(sys.stdout):
        sys.stdout.write("".join("".join(text for text, _ in pieces) + "\n" for pieces, _ in _lines(report, lang)))
        return
    from rich.console import Console
    from rich.markup import escape

    con = console or Console()
    for pieces, wrap in _lines(report, lang):
        markup = "".join(f"[{style}]{escape(text)}[/]" if style else escape(text) for text, style in pieces)
        con.print(markup, soft_wrap=not wrap)


def to_text(report: Report, lang: str = "zh") -> str:
    """The text report as a plain string (no colours), e.g. for tests and logs."""
    return "".join("".join(text for text, _ in pieces) + "\n" for pieces, _ in _lines(report, lang))


def to_json_data(report: Report, lang: str = "zh") -> dict[str, Any]:
    """The stable JSON structure (see docs/data-format.md)."""
    data: dict[str, Any] = {"$schema": JSON_SCHEMA_ID}
    data.update(report.to_json())
    data["infos"] = sum(1 for f in report.findings if f.severity == "info")
    data["summary"] = summary(report, lang)
    return data


def to_json(report: Report, lang: str = "zh") -> str:
    """JSON text; a lone surrogate or non-UTF-8 file name from the workbook becomes U+FFFD / ``\\xNN`` (a JSON
    document must be valid UTF-8)."""
    return safe_json(to_json_data(report, lang))


def safe_json(data: Any) -> str:
    """``json.dumps`` for data that may carry text straight from a workbook or a file name."""
    return json.dumps(clean_data(data), ensure_ascii=False, indent=2) + "\n"


__all__ = ["JSON_SCHEMA_ID", "print_report", "summary", "to_json", "to_json_data", "to_text"]
