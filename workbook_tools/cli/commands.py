"""Command bodies that both faces of the command line run: the typer command (:mod:`.app`) and the quick
path of :mod:`.entry`. They print and return the exit code; they import only what their command needs."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.textsafe import terminal
from ..core.words import Lang


def say(message: str, err: bool = False) -> None:
    """Print a line with workbook text made inert: a cell's escape sequences never reach the terminal."""
    stream = sys.stderr if err else sys.stdout
    stream.write(terminal(message) + "\n")
    stream.flush()


def run_validate(file: Path, *, as_json: bool = False, annotate: Path | None = None, strict: bool = False,
                 previous: Path | None = None, rules: Path | None = None, lang: Lang = "zh") -> int:
    """``workbook-tools validate``: the report on stdout (text or JSON), the exit code returned."""
    from ..checks import render
    from ..checks.validate import validate
    from ..core.errors import WorkbookToolsError

    if previous is not None and not previous.is_file():
        say(f"{previous}: last year's workbook not found" if lang == "en" else f"{previous}：上年工作簿不存在", err=True)
        return 2
    scoring_rules = None
    if rules is not None:
        from ..core.scoring import load_rules

        try:
            scoring_rules = load_rules(rules)
        except WorkbookToolsError as exc:
            say(exc.message(lang), err=True)
            return exc.exit_code
    report = validate(file, rules=scoring_rules, last_year=previous)
    if as_json:
        sys.stdout.write(render.to_json(report, lang))
    elif report.unreadable is not None:
        say(report.unreadable.text(lang), err=True)
        return report.exit_code(strict)
    else:
        render.print_report(report, lang)
    if annotate is not None and report.unreadable is None:
        from ..checks.annotate import annotate as write_annotated

        try:
            path = write_annotated(file, report, annotate, lang)
        except WorkbookToolsError as exc:
            say(exc.message(lang), err=True)
            return exc.exit_code
        say(f"annotated copy: {path}" if lang == "en" else f"已写出标注副本：{path}", err=as_json)
    return report.exit_code(strict)


__all__ = ["run_validate", "say"]
