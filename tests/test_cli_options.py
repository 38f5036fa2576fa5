"""Every option of every command is documented (docs/cli.md, generated from the typer app) and exercised by
at least one test invocation (a string literal in a test that passes the flag to the command)."""

from __future__ import annotations

import ast
from pathlib import Path

from workbook_tools.docgen import cli_commands

from .conftest import ROOT

HERE = Path(__file__).resolve().parent


def _literals_by_module() -> dict[Path, set[str]]:
    """Every string constant of every test module but this one (a flag named only here exercises nothing)."""
    out: dict[Path, set[str]] = {}
    for p in sorted(HERE.rglob("*.py")):
        if p.name != Path(__file__).name:
            out[p] = {node.value for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    return out


def _flags() -> list[tuple[str, str]]:
    return [(command, flag) for command, rows in cli_commands().items()
            for kind, flags, *_ in rows if kind == "option" for flag in flags]


def test_every_command_has_options_listed() -> None:
    commands = cli_commands()
    assert {"template", "new", "dump", "fill", "validate", "export", "prefill", "batch", "serve"} <= set(commands)
    assert ("validate", "--annotate") in _flags() and ("batch", "-q") in _flags()


def test_every_option_is_in_the_cli_reference() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command, rows in cli_commands().items():
        section = text.split(f"## workbook-tools {command}\n", 1)[1].split("\n## ", 1)[0]
        for _kind, flags, *_ in rows:
            for flag in flags:
                assert f"`{flag}`" in section, (command, flag)


def test_every_option_is_used_by_a_test() -> None:
    """An option counts as tested where one test module names both its command and one of its flags
    (``["validate", path, "--json"]``, or a module whose helper runs ``batch`` and whose tests pass the flags)."""
    commands = cli_commands()
    passed: set[tuple[str, str]] = set()
    for literals in _literals_by_module().values():
        flags = {s.split("=", 1)[0] for s in literals if s.startswith("-")}
        passed |= {(c, f) for c in commands if c in literals for f in flags}
    untested = [f"{command} {'/'.join(flags)}" for command, rows in commands.items()
                for kind, flags, *_ in rows if kind == "option" and not any((command, f) in passed for f in flags)]
    assert untested == [], f"options no test passes to their command: {untested}"
