"""The test suite's own floors: a skipped test is named at the end with the command that installs what it
needs (also when the tests run on several workers), and under CI=true a skip is a failure."""

from __future__ import annotations

import os
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
