"""The quick ``validate`` path of the program's entry point answers exactly as the full command line does,
and without importing typer or rich."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from workbook_tools.cli.app import app
from workbook_tools.cli.entry import VALIDATE_FLAGS, VALIDATE_VALUES, quick_validate

from .broken_inputs import cached_build
from .conftest import EXAMPLES, ROOT

SEED = EXAMPLES / "seed_2022_anhua_zhongdian.xlsx"


def _run(module: str, *args: str) -> tuple[int, str, str]:
    r = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return r.returncode, r.stdout, r.stderr


def test_the_quick_parser_knows_every_option_of_the_validate_command() -> None:
    command = typer.main.get_command(app).commands["validate"]  # type: ignore[attr-defined]
    options = {opt for p in command.params for opt in p.opts if opt.startswith("--")}
    assert options == set(VALIDATE_FLAGS) | set(VALIDATE_VALUES)


@pytest.mark.parametrize("argv", [
    [], ["fill", "a.xlsx"], ["validate"], ["validate", "--help"], ["validate", "a.xlsx", "--help"],
    ["validate", "a.xlsx", "b.xlsx"], ["validate", "a.xlsx", "--bogus"], ["validate", "a.xlsx", "--lang"],
    ["validate", "a.xlsx", "--lang", "fr"], ["validate", "a.xlsx", "--json", "--json"], ["validate", "-x.xlsx"],
    ["validate", "a.xlsx", "--annotate", "--json"],
])
def test_anything_but_a_plain_call_goes_to_the_full_parser(argv: list[str]) -> None:
    assert quick_validate(argv) is None


@pytest.mark.parametrize("argv", [
    ["validate", "a.xlsx"], ["validate", "--json", "a.xlsx"], ["validate", "a.xlsx", "--lang=en", "--strict"],
    ["validate", "a.xlsx", "--annotate", "o.xlsx", "--previous", "p.xlsx", "--rules", "r.json"],
])
def test_a_plain_call_takes_the_quick_path(argv: list[str]) -> None:
    assert quick_validate(argv) is not None


def _same_answers(tmp_path: Path, options: list[list[str]], names: set[str], broken_cache: Path | None) -> None:
    broken = cached_build(tmp_path / "b", names, broken_cache) if names else {}
    for args in [*options, *([str(p)] for p in broken.values())]:
        quick = _run("workbook_tools.cli", "validate", *args)
        full = _run("workbook_tools.cli.app", "validate", *args)
        assert quick == full, args


def test_same_output_and_exit_code_as_the_full_command_line(tmp_path: Path, broken_cache: Path | None) -> None:
    """One of each kind of answer (findings, JSON, a missing file, a hostile workbook, --annotate); the
    other options and broken inputs are in the slow test below (two interpreter starts per case)."""
    _same_answers(tmp_path, [[str(SEED)], [str(SEED), "--json"], [str(tmp_path / "missing.xlsx")]],
                  {"escape-sequences"}, broken_cache)
    annotated = [tmp_path / "quick.xlsx", tmp_path / "full.xlsx"]
    for module, out in zip(("workbook_tools.cli", "workbook_tools.cli.app"), annotated, strict=True):
        code, stdout, _ = _run(module, "validate", str(SEED), "--annotate", str(out))
        assert code == 1 and stdout.splitlines()[-1].endswith(str(out)) and out.is_file()


@pytest.mark.slow
def test_same_output_and_exit_code_for_every_option_and_broken_input(tmp_path: Path, broken_cache: Path | None) -> None:
    _same_answers(tmp_path, [[str(SEED), "--lang", "en", "--strict"], [str(SEED), "--previous", str(tmp_path / "none.xlsx")],
                             [str(SEED), "--rules", str(SEED)]],
                  {"empty", "random-bytes", "other-template", "formula-changed", "lock-file", "fifo", "control-chars"},
                  broken_cache)


def test_the_quick_path_imports_neither_typer_nor_rich() -> None:
    code = ("import sys\nsys.argv = ['workbook-tools', 'validate', " + repr(str(SEED)) + "]\n"
            "from workbook_tools.cli.entry import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('typer', 'click', 'rich', 'openpyxl', 'pandas') if m in sys.modules), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr
