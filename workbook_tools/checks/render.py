"""Validation reports as text (rich, grouped by sheet) and as JSON; both render the same findings.

The text form is for the person who fixes the workbook: one line per finding,
``sheet!cell  code  message（应为 …，实为 …）``, then a one-line summary (``3 个错误，2 个警告``).
The JSON form is for machines and is documented in docs/data-format.md ("Validation report JSON").
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..core import spec
from ..core.findings import Finding, Report
from ..core.textsafe import clean_data, terminal
from ..core.words import FILE_LEVEL, SEVERITY_WORDS, lang_of

JSON_SCHEMA_ID = "workbook_tools/validation-report.json"
SEVERITY_STYLE = {"error": "bold red", "warning": "dark_orange", "info": "cyan"}


def summary(report: Report, lang: str = "zh") -> str:
    """``1 个错误，5 个警告`` (plus the number of infos, which never fail a file)."""
    line = report.summary(lang_of(lang))
    infos = sum(1 for f in report.findings if f.severity == "info")
    if infos and report.unreadable is None:
        line += f", {infos} info" if lang == "en" else f"（另有 {infos} 条提示）"
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


def print_report(report: Report, lang: str = "zh", console: Console | None = None) -> None:
    """One block per sheet (file-level findings first), one line per finding, then the summary line."""
    lang = lang_of(lang)
    con = console or Console()
    if report.unreadable is not None:
        con.print(escape(terminal(report.unreadable.text(lang))), style="bold red", soft_wrap=True)
        return
    version = report.template_version or "?"
    head = (f"File: {report.file} (template {version})" if lang == "en" else
            f"文件：{report.file}（模板版本 {version}）")
    con.print(escape(terminal(head)), soft_wrap=True)
    sev = SEVERITY_WORDS[lang]
    for sheet, items in _groups(report):
        con.print()
        con.print(f"[bold]{escape(terminal(sheet or FILE_LEVEL[lang]))}[/]")
        width = max(len(f.place or "—") for f in items)
        for f in items:
            place = (f.place or "—").ljust(width)
            con.print(f"  {escape(terminal(place))}  [{SEVERITY_STYLE[f.severity]}]{sev[f.severity]}[/]  "
                      f"{escape(f.code)}  {escape(terminal(f.text(lang)))}", soft_wrap=True)
    con.print()
    style = "bold red" if report.errors else ("dark_orange" if report.warnings else "green")
    con.print(escape(summary(report, lang)), style=style)


def to_text(report: Report, lang: str = "zh", width: int = 160) -> str:
    """The text report as a plain string (no colours), e.g. for tests and logs."""
    buf = StringIO()
    print_report(report, lang, Console(file=buf, width=width, no_color=True, highlight=False,
                                       force_terminal=False, emoji=False))
    return buf.getvalue()


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
