"""The README shows what the commands really print: every transcript marked ``<!-- readme-check -->`` is
re-run in a scratch folder and compared (``python scripts/readme_outputs.py --update`` refreshes them)."""

from __future__ import annotations

import difflib
import importlib.util
import sys

from .conftest import ROOT


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("readme_outputs", ROOT / "scripts" / "readme_outputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_readme_outputs_are_what_the_commands_print() -> None:
    script = _script()
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    checked = script.blocks(lines)
    assert len(checked) >= 6  # worked example, validate, fill, export, prefill, batch
    fresh = script.rerun(lines)
    diff = "\n".join(difflib.unified_diff(lines, fresh, "README.md", "the commands now", lineterm=""))
    assert fresh == lines, f"{diff}\nREADME.md is stale: run python scripts/readme_outputs.py --update"


def test_a_changed_output_is_caught() -> None:
    script = _script()
    lines = ["<!-- readme-check -->", "```", "$ echo 1; echo 2 >&2; exit 3", "1", "2", "$ echo $?", "4", "```"]
    assert script.rerun(lines) == [*lines[:6], "3", "```"]
