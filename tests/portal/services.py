"""Real services the portal tests start themselves: a PostgreSQL server in a temporary folder, Chromium,
``workbook-tools serve`` (the load benchmark starts its server the same way).

Debian's ``postgresql`` package provides ``initdb``/``pg_ctl``; PostgreSQL refuses to run as root, so as root
(CI) the cluster belongs to the ``postgres`` system user the package creates. Without the package (or without
Chromium / Playwright) a test skips on a developer machine and fails under ``CI=true`` (.ci/run installs both).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--lang=zh-CN"]


def missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true; .ci/run installs it")
    pytest.skip(f"{what} not installed (skipped outside CI)")


def pg_bin() -> Path | None:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def need_postgresql() -> Path:
    d = pg_bin()
    if d is None:
        missing("PostgreSQL (Debian package postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg (pip install 'workbook-tools[postgresql]')")
    assert d is not None
    return d


def need_chromium() -> None:
    if not CHROMIUM.exists():
        missing("Chromium (Debian package chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing("Playwright for Python (pip install playwright)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Postgres:
    host: str
    port: int
    user: str

    def url(self, db: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """initdb + pg_ctl start in a fresh folder on a free loopback port; stopped and removed afterwards."""
    bindir = need_postgresql()
    root = Path(tempfile.mkdtemp(prefix="wbt-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    env = dict(os.environ, LC_ALL="C.UTF-8")

    def run(*args: str) -> None:
        proc = subprocess.run([*as_user, *args], capture_output=True, text=True, env=env, cwd=root)
        if proc.returncode:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            raise RuntimeError(f"{args[0]} failed: {proc.stdout}{proc.stderr}{log}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "wbt", "-E", "UTF8", "--no-locale")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start")
        try:
            yield Postgres("127.0.0.1", port, "wbt")
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def portal_server(data: Path, database: str | None, admin: tuple[str, str], *serve: str,
                  env: Mapping[str, str] | None = None) -> Iterator[int]:
    """``workbook-tools serve`` over ``data`` (SQLite there, or ``database``) on a free loopback port, the bureau
    account ``admin`` (name, password) created first; yields the port once the login page answers (within a
    minute), and stops the server afterwards. ``serve``: more options; ``env``: variables over the environment,
    whose WBT_PORTAL_* settings are dropped. The server's output goes to ``data/server.log``."""
    exe = [sys.executable, "-m", "workbook_tools.cli.app", "serve", "--data", str(data)]
    db = ["--database", database] if database else []
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WBT_PORTAL")} | dict(env or {})
    subprocess.run([*exe, *db, "--create-admin", admin[0]], input=admin[1] + "\n", text=True, check=True,
                   env=environ, capture_output=True)
    port = free_port()
    with open(data / "server.log", "w") as log:
        proc = subprocess.Popen([*exe, *db, "--port", str(port), *serve], stdout=log, stderr=subprocess.STDOUT,
                                env=environ)
        try:
            for _ in range(600):
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).close()
                    break
                if proc.poll() is not None:
                    raise RuntimeError((data / "server.log").read_text())
                time.sleep(0.1)
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=30)
