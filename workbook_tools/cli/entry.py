"""The ``workbook-tools`` program's entry point, with a quick path for the command users run most.

``workbook-tools validate one.xlsx`` is run on every save, by hand or from the Excel button, and a person
waits for it: importing typer (and its click and rich) costs more than validating the workbook. So a
plain ``validate`` call (a file and the command's own options, nothing else) is parsed here, by the
standard library, and runs the same :func:`~workbook_tools.cli.commands.run_validate` the typer command
runs. Anything else — ``--help``, another command, an option spelled in a way this parser does not take —
goes to the full command line (:mod:`.app`), which parses it and answers as it always has.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from .commands import guarded

#: The ``validate`` options this quick path takes (the typer command declares them; a test keeps the two
#: lists equal): flags, and options that take a value.
VALIDATE_FLAGS = ("--json", "--strict")
VALIDATE_VALUES = ("--annotate", "--previous", "--rules", "--lang")


def quick_validate(argv: list[str]) -> Callable[[], int] | None:
    """The validate call ``argv`` asks for, when it is a plain one; None sends it to the full command line."""
    if not argv or argv[0] != "validate":
        return None
    file: str | None = None
    flags: dict[str, bool] = {}
    values: dict[str, str] = {}
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, eq, inline = arg.partition("=")
        if arg in VALIDATE_FLAGS and arg not in flags:
            flags[arg] = True
        elif name in VALIDATE_VALUES and name not in values:
            if eq:
                values[name] = inline
            elif i + 1 < len(rest) and not rest[i + 1].startswith("-"):
                i += 1
                values[name] = rest[i]
            else:
                return None
        elif arg.startswith("-") or file is not None or not arg:
            return None  # --help, an unknown option, a second file: the full parser answers
        else:
            file = arg
        i += 1
    if file is None:
        return None
    from ..core.words import LangError, parse_lang

    try:
        lang = parse_lang(values.get("--lang", "zh"))
    except LangError:
        return None
    from .commands import run_validate

    def optional(key: str) -> Path | None:
        return Path(values[key]) if key in values else None

    return lambda: run_validate(Path(file), as_json="--json" in flags, annotate=optional("--annotate"),
                                strict="--strict" in flags, previous=optional("--previous"),
                                rules=optional("--rules"), lang=lang)


def main() -> None:
    """``workbook-tools``: the quick validate path when it applies, else the full command line."""
    quick = quick_validate(sys.argv[1:])
    if quick is not None:
        guarded(lambda: sys.exit(quick()))
        return
    from .app import app

    guarded(app)


__all__ = ["main", "quick_validate"]
