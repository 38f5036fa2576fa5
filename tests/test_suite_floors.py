"""The test suite's own floors: a skipped test is named at the end with the command that installs what it
needs (also when the tests run on several workers), under CI=true a skip is a failure, and every test left
out of `make test` (marked slow) has its row in docs/testing.md saying what the default run keeps."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

from .conftest import INSTALL_HINT, ROOT

#: A test that skips when the corpus folder is missing; pointed at a folder that does not exist.
SKIPPING = "tests/test_reader_agreement.py::test_corpus_agrees_with_the_regex_reader"


def _pytest(*args: str, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS")}
    env["WORKBOOK_TOOLS_CORPUS"] = str(ROOT / "no-such-corpus")
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, SKIPPING],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_a_skipped_test_is_named_with_the_install_command_on_several_workers() -> None:
    r = _pytest("-n", "2", ci=False)
    assert r.returncode == 0, r.stdout[-2000:]
    assert "1 tests skipped" in r.stdout and SKIPPING in r.stdout, r.stdout[-2000:]
    assert INSTALL_HINT in r.stdout


def test_under_ci_a_skip_fails() -> None:
    r = _pytest(ci=True)
    assert r.returncode == 1, r.stdout[-2000:]
    assert "skipped under CI=true, where nothing may be skipped: shared corpus not present" in r.stdout
    assert "1 error" in r.stdout  # a skip at setup (skipif) fails the setup


def _mentions_slow(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "slow" and isinstance(n.value, ast.Attribute)
               and n.value.attr == "mark" for n in ast.walk(node))


def _marked_slow() -> set[str]:
    """Every test module (``portal/test_x.py``) and test (``test_x.py::test_y``) marked slow, in whole or for
    some of its parameters, read from the source."""
    found: set[str] = set()
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        rel = path.relative_to(ROOT / "tests").as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
                if _mentions_slow(node.value):
                    found.add(rel)
            elif isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                if any(_mentions_slow(d) for d in node.decorator_list):
                    found.add(f"{rel}::{node.name}")
    return found


def _slow_table() -> list[list[str]]:
    """The rows of docs/testing.md's "Marked slow" table, cell by cell."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = text.split("\n## Marked slow", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # past the header and its rule
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows]


def test_the_scan_sees_the_ways_a_test_is_marked_slow() -> None:
    tree = ast.parse("@pytest.mark.slow\ndef test_a(): pass\n"
                     "@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.slow)])\ndef test_b(x): pass\n"
                     "@pytest.mark.libreoffice\ndef test_c(): pass\n")
    assert [_mentions_slow(d) for f in tree.body if isinstance(f, ast.FunctionDef) for d in f.decorator_list] == [
        True, True, False]
    assert "test_agreement_generated.py" in _marked_slow()  # a module's pytestmark


def test_every_slow_test_has_its_row_with_what_the_default_run_keeps() -> None:
    rows = _slow_table()
    assert rows and all(len(r) == 3 and all(r) for r in rows), rows  # test, why it is slow, what stays in make test
    named = [r[0] for r in rows]
    slow = _marked_slow()
    missing = [t for t in sorted(slow) if not any(
        f"`{t}`" in cell if "::" not in t else
        (f"`{t.split('::')[0]}`" in cell or (t.split("::")[0] in cell and f"::{t.split('::')[1]}`" in cell))
        for cell in named)]
    assert not missing, f"marked slow but not in docs/testing.md's table: {missing}"
    for cell in named:
        for name in re.findall(r"::(test_\w+)", cell):
            assert any(t.endswith(f"::{name}") and t.split("::")[0] in cell for t in slow), \
                f"docs/testing.md names {name} as slow, but no test of that name is marked slow"
