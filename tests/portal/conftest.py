"""Portal tests: Django configured in this process against a temporary data folder.

The database is SQLite under that folder, or, with ``WBT_PORTAL_TEST_DB=postgresql``, a PostgreSQL server this
module starts (``test_suite_on_postgresql`` reruns these tests that way, so both backends run in ``make test``).
Each test starts from an empty database.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import django  # noqa: F401
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the portal needs its extra: pip install 'workbook-tools[portal]' (skipped outside CI)",
                allow_module_level=True)

from .services import postgres_server  # noqa: E402

DATA = Path(tempfile.mkdtemp(prefix="wbt-portal-test-"))
atexit.register(shutil.rmtree, DATA, True)
BACKEND = os.environ.get("WBT_PORTAL_TEST_DB", "sqlite")
_stack = contextlib.ExitStack()
atexit.register(_stack.close)
if BACKEND == "postgresql":
    _pg = _stack.enter_context(postgres_server())
    DATABASE_URL: str | None = _pg.create_database("portal_test")
else:
    DATABASE_URL = None

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")  # Playwright's sync API runs an event loop in-thread
os.environ["WBT_PORTAL_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
from workbook_tools.portal import server  # noqa: E402

server.configure(DATA, DATABASE_URL)
server.migrate()

from django.test.utils import override_settings  # noqa: E402

# Hashing at the production cost (PBKDF2, ~1M iterations) would make each created account cost a second;
# test_security checks the production hasher separately.
override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()


@pytest.fixture(autouse=True)
def empty_database() -> Iterator[None]:
    yield
    from django.core.management import call_command

    from workbook_tools.portal import jobs

    jobs.wait_idle()
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def data_dir() -> Path:
    return DATA
