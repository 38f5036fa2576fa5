"""The ``workbook-tools`` program's entry point: the one mapping of failures to a line and an exit code, and
a quick path for the command users run most.

``workbook-tools validate one.xlsx`` is run on every save, by hand or from the Excel button, and a person
waits for it: importing typer (and its click and rich) costs more than validating the workbook. So a
plain ``validate`` call (a file and the command's own options, nothing else) is parsed here, by the
standard library, and runs the same :func:`~workbook_tools.cli.commands.run_validate` the typer command
runs. Anything else — ``--help``, another command, an option spelled in a way this parser does not take —
goes to the full command line (:mod:`.app`), which parses it and answers as it always has.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

#: The ``validate`` options this quick path takes (the typer command declares them; a test keeps the two
#: lists equal): flags, and options that take a value.
VALIDATE_FLAGS = ("--json", "--strict")
VALIDATE_VALUES = ("--annotate", "--previous", "--rules", "--lang")


class Terminated(SystemExit):
    """SIGTERM, raised where the program is: every ``finally`` runs, so temporary files are removed and the
    LibreOffice processes and batch workers this command started are stopped."""


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: cleanup is not interrupted by a second signal
    raise Terminated(128 + signum)


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


def guarded(run: Callable[[], object]) -> None:
    """Run a command: any unexpected failure is one line naming the problem, never a traceback."""
    from ..core.errors import WorkbookToolsError

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        run()
    except Terminated:
        sys.stderr.write("已终止 / terminated\n")
        raise
    except SystemExit:
        raise
    except WorkbookToolsError as exc:  # one a command did not expect still gets its line and exit code
        sys.stderr.write(exc.message() + "\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("已中断 / interrupted\n")
        sys.exit(130)
    except OSError as exc:  # the environment: read-only folder, full disk, a folder where a file goes
        from ..core.fsutil import describe_os_error
        from ..core.textsafe import terminal

        sys.stderr.write(terminal(describe_os_error(exc)) + "\n")
        sys.exit(2)
    except BaseException as exc:  # noqa: BLE001 - calamine's PanicException is a BaseException
        from ..core.textsafe import terminal

        sys.stderr.write(terminal(f"内部错误 / internal error: {type(exc).__name__}: {exc}") + "\n")
        sys.exit(3)


def main() -> None:
    """``workbook-tools``: the quick validate path when it applies, else the full command line."""
    quick = quick_validate(sys.argv[1:])
    if quick is not None:
        guarded(lambda: sys.exit(quick()))
        return
    from .app import app

    guarded(app)


__all__ = ["Terminated", "guarded", "main", "quick_validate"]
