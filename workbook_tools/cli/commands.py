"""What both faces of the command line share — the typer command line (:mod:`.app`) and the quick path of
:mod:`.entry`: the one mapping of failures to a line and an exit code (:func:`guarded`), and command bodies
that print and return the exit code, importing only what their command needs."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.textsafe import terminal
from ..core.words import Lang


class Terminated(SystemExit):
    """SIGTERM, raised where the program is: every ``finally`` runs, so temporary files are removed and the
    LibreOffice processes and batch workers this command started are stopped."""


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: cleanup is not interrupted by a second signal
    raise Terminated(128 + signum)


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
    report = validate(file, rules=scoring_rules, last_year=previous, convert_legacy=True)
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


__all__ = ["Terminated", "guarded", "run_validate", "say"]
