"""Start the portal: configure Django from the options, migrate, resume background jobs, serve with waitress.

waitress is a production WSGI server (pure Python, threads, request-body limits), so ``workbook-tools serve``
is the same program in a demo and behind a reverse proxy; docs/portal.md shows the proxy and HTTPS part.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

DEMO_ADMIN = ("admin", "admin-demo-2026")


def configure(data: Path, database: str | None = None, *, host: str | None = None, debug: bool = False) -> None:
    """Point the settings at ``data`` (and ``database``) and set Django up; call once per process."""
    os.environ["WBT_PORTAL_DATA"] = str(Path(data).resolve())
    if database:
        os.environ["WBT_PORTAL_DATABASE_URL"] = database
    if debug:
        os.environ["WBT_PORTAL_DEBUG"] = "1"
    if host and host not in ("0.0.0.0", "::", ""):
        hosts = os.environ.get("WBT_PORTAL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
        if host not in hosts.split(","):
            os.environ["WBT_PORTAL_ALLOWED_HOSTS"] = f"{hosts},{host}"
    elif host:
        os.environ.setdefault("WBT_PORTAL_ALLOWED_HOSTS", "*")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbook_tools.portal.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def create_admin(username: str, password: str | None = None) -> None:
    """The first bureau account (superuser): asks for the password when none is given."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if password is None and not sys.stdin.isatty():  # scripted: the password is the first line of stdin
        password = sys.stdin.readline().rstrip("\n")
    if password is None:
        import getpass

        password = getpass.getpass(f"{username} 的密码：")
        if password != getpass.getpass("再输入一次："):
            raise SystemExit("两次输入的密码不一致")
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password or "")
    except ValidationError as exc:
        raise SystemExit("密码不可用：" + "；".join(exc.messages)) from None
    user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": True})
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()


def demo(departments: Path, seed: Path | None = None) -> list[tuple[str, str, str]]:
    """A demo round (admin, the departments of ``departments``, the seed uploaded once); returns the accounts."""
    from django.utils import timezone

    from . import services
    from .models import Department, Round

    create_admin(*DEMO_ADMIN)
    rnd = Round.objects.filter(title="演示：2022年度部门整体支出绩效评价").first()
    if rnd is None:
        rnd = Round.objects.create(title="演示：2022年度部门整体支出绩效评价", year=2022,
                                   deadline=timezone.now() + timedelta(days=14))
    fixed = {f"r{rnd.pk}d{i:03d}": f"demo-r{rnd.pk}d{i:03d}" for i in range(1, 200)}
    with open(departments, "rb") as fh:
        services.import_departments(rnd, departments.name, iter([fh.read()]), passwords=fixed)
    accounts = [("财政局管理员", *DEMO_ADMIN)]
    for dept in Department.objects.filter(round=rnd).select_related("user"):
        username = dept.user.get_username()
        accounts.append((dept.name, username, fixed.get(username, "")))
    first = Department.objects.filter(round=rnd).order_by("row").first()
    if seed is not None and first is not None and not first.submissions.exists():
        data = seed.read_bytes()
        services.upload(first, seed.name, len(data), iter([data]), user=first.user)
    return accounts


def serve(host: str, port: int, data: Path, database: str | None = None, *, threads: int = 8,
          demo_departments: Path | None = None, demo_seed: Path | None = None, echo: Any = print) -> None:
    configure(data, database, host=host)
    migrate()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from . import jobs
    from .wsgi import application

    accounts = demo(demo_departments, demo_seed) if demo_departments else []
    resumed = jobs.resume()
    shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    url = f"http://{shown}:{port}/"
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    echo(f"绩效评价收集平台：{url}")
    echo(f"数据目录：{settings.DATA_DIR}（数据库：{engine}）")
    if resumed:
        echo(f"继续执行 {resumed} 个未完成的后台任务")
    if accounts:
        echo("演示账号（用户名 / 密码）：")
        for name, user, password in accounts:
            echo(f"  {name}：{user} / {password}")
    elif not get_user_model().objects.filter(is_superuser=True).exists():
        echo(f"还没有管理员账号。先运行：workbook-tools serve --data {data} --create-admin 用户名")
    echo("按 Ctrl+C 停止。")
    from waitress import serve as waitress_serve

    waitress_serve(application, host=host, port=port, threads=threads, ident="workbook-tools",
                   max_request_body_size=settings.MAX_UPLOAD_BYTES + 1024 * 1024, _quiet=True)
