"""The in-process portal tests again, against a real PostgreSQL server (``WBT_PORTAL_TEST_DB=postgresql``).

Django is configured once per process, so the second backend runs in a child pytest; the browser flow covers
both backends itself (test_browser.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .services import need_postgresql

HERE = Path(__file__).resolve().parent


@pytest.mark.postgresql
@pytest.mark.skipif(os.environ.get("WBT_PORTAL_TEST_DB") == "postgresql", reason="already running on PostgreSQL")
def test_portal_suite_on_postgresql() -> None:
    need_postgresql()
    env = dict(os.environ, WBT_PORTAL_TEST_DB="postgresql")
    files = [str(HERE / "test_portal.py"), str(HERE / "test_security.py")]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *files],
                          capture_output=True, text=True, env=env, cwd=HERE.parents[1], timeout=1800)
    tail = "\n".join(proc.stdout.splitlines()[-40:])
    assert proc.returncode == 0, tail
    last = tail.splitlines()[-1]
    assert " passed" in last and "failed" not in last and "error" not in last, tail
