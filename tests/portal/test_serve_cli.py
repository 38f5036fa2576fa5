"""``workbook-tools serve``: its options and its one-line answers to bad ones (run as the real command)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

EXE = [sys.executable, "-m", "workbook_tools.cli.app", "serve"]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("WBT_PORTAL")}


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], input=stdin, capture_output=True, text=True, env=ENV, timeout=300)


def test_bad_options_get_one_line_and_exit_2(tmp_path: Path) -> None:
    r = _run("--port", "0", "--data", str(tmp_path))
    assert r.returncode == 2 and "--port" in r.stderr and "Traceback" not in r.stderr
    r = _run("--demo", str(tmp_path / "nope.csv"), "--data", str(tmp_path))
    assert r.returncode == 2 and "nope.csv：文件不存在" in r.stderr


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = _run("--port", str(port), "--data", str(tmp_path))
    assert r.returncode == 2 and f"127.0.0.1:{port}：无法监听" in r.stderr and "Traceback" not in r.stderr
    assert "绩效评价收集平台" in r.stdout and "--create-admin" in r.stdout  # what to do first is printed


def test_create_admin_from_stdin_and_weak_passwords_refused(tmp_path: Path) -> None:
    r = _run("--data", str(tmp_path), "--create-admin", "王会计", stdin="short\n")
    assert r.returncode != 0 and "密码不可用" in r.stderr
    r = _run("--data", str(tmp_path), "--create-admin", "王会计", stdin="a-good-long-password\n")
    assert r.returncode == 0 and "已创建管理员账号：王会计" in r.stdout
    assert (tmp_path / "portal.sqlite3").exists() and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "portal.sqlite3") as db:
        (password, staff), = db.execute("select password, is_staff from auth_user where username='王会计'")
    assert password.startswith("pbkdf2_sha256$") and staff == 1  # the production hasher, not the tests' fast one
