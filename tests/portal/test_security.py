"""Each security promise of the portal, tested: authorization, CSRF, login limits, hashing, upload limits,
hostile files, file names, escaping, no debug pages."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.broken_inputs import CASES
from tests.factory import filled_workbook
from workbook_tools.checks.validate import validate

from .helpers import CONSISTENT_XLSX, admin_user, client_for, make_round, upload


@pytest.fixture
def two_departments(tmp_path: Path):  # type: ignore[no-untyped-def]
    rnd, (a, b) = make_round(tmp_path, ["青山县档案馆"])
    upload(client_for(a.user), CONSISTENT_XLSX)
    upload(client_for(b.user), filled_workbook(tmp_path / "b.xlsx", unit_name="青山县档案馆"))
    return rnd, a, b


def test_a_department_never_sees_another_departments_files(two_departments) -> None:  # type: ignore[no-untyped-def]
    from workbook_tools.portal.models import Job

    rnd, a, b = two_departments
    theirs = b.submissions.get()
    job = Job.objects.create(kind="report-pdf", round=rnd, submission=theirs, state="done", output="x.pdf")
    zip_job = Job.objects.create(kind="reports-zip", round=rnd, state="done", output="y.zip")
    me = client_for(a.user)
    for url in (f"/submission/{theirs.pk}/", *(f"/submission/{theirs.pk}/file/{k}/" for k in
                                                ("original", "annotated", "filled", "docx")),
                f"/job/{job.pk}/", f"/job/{job.pk}/download/", f"/job/{zip_job.pk}/", f"/job/{zip_job.pk}/download/",
                "/bureau/", f"/bureau/round/{rnd.pk}/", f"/bureau/round/{rnd.pk}/summary.xlsx",
                f"/bureau/round/{rnd.pk}/audit/", "/submission/999999/"):
        assert me.get(url).status_code == 404, url
    for url in (f"/submission/{theirs.pk}/pdf/", f"/bureau/submission/{theirs.pk}/return/",
                f"/bureau/round/{rnd.pk}/reports/", f"/bureau/round/{rnd.pk}/import/"):
        assert me.post(url, {"comment": "x"}).status_code == 404, url
    assert b.submissions.get().returned_at is None
    assert me.get(f"/submission/{a.submissions.get().pk}/").status_code == 200  # their own: yes
    page = me.get("/department/prefilled.xlsx")
    assert b"".join(page.streaming_content) == a.prefilled.path.read_bytes()


def test_anonymous_users_are_sent_to_login(two_departments) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    rnd, a, _ = two_departments
    anon = Client()
    for url in ("/", "/department/", "/department/prefilled.xlsx", "/template.xlsx",
                f"/submission/{a.submissions.get().pk}/", f"/bureau/round/{rnd.pk}/"):
        r = anon.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    assert anon.get("/admin/").status_code == 302
    assert client_for(a.user).get("/admin/").status_code == 302  # not staff: the admin sends them to its login


def test_every_form_needs_its_csrf_token(two_departments) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    rnd, a, b = two_departments
    dept = Client(enforce_csrf_checks=True)
    dept.force_login(a.user)
    f = SimpleUploadedFile("x.xlsx", CONSISTENT_XLSX.read_bytes())
    assert dept.post("/department/", {"workbook": f}).status_code == 403
    assert a.submissions.count() == 1
    bureau = Client(enforce_csrf_checks=True)
    bureau.force_login(admin_user())
    sub = b.submissions.get()
    for url, data in ((f"/bureau/submission/{sub.pk}/return/", {"comment": "x"}), ("/bureau/", {"title": "x"}),
                      (f"/bureau/round/{rnd.pk}/reports/", {}), (f"/submission/{sub.pk}/pdf/", {}), ("/logout/", {})):
        assert bureau.post(url, data).status_code == 403, url
    assert Client(enforce_csrf_checks=True).post("/login/", {"username": "bureau", "password": "x"}).status_code == 403
    page = dept.get("/department/").content.decode()
    assert page.count('name="csrfmiddlewaretoken"') == page.count("<form")


def test_login_is_rate_limited(tmp_path: Path) -> None:
    from django.test import Client

    admin_user("bureau", "right-password-1")
    c = Client()
    for _ in range(4):
        r = c.post("/login/", {"username": "bureau", "password": "wrong"})
        assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    assert c.post("/login/", {"username": "bureau", "password": "wrong"}).status_code == 429  # the fifth locks
    r = c.post("/login/", {"username": "bureau", "password": "right-password-1"})
    assert r.status_code == 429 and "已暂时锁定" in r.content.decode()
    assert "_auth_user_id" not in c.session
    other = Client(REMOTE_ADDR="10.9.8.7")  # another office: not locked out by someone else's typing
    assert other.post("/login/", {"username": "bureau", "password": "right-password-1"}).status_code == 302


def test_passwords_are_hashed_by_the_framework(tmp_path: Path) -> None:
    from django.conf import global_settings
    from django.contrib.auth.hashers import identify_hasher
    from django.test import override_settings

    import workbook_tools.portal.settings as portal_settings

    assert not hasattr(portal_settings, "PASSWORD_HASHERS")  # production uses Django's default (PBKDF2)
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        rnd, (dept,) = make_round(tmp_path)
        assert identify_hasher(dept.user.password).algorithm == "pbkdf2_sha256"
        assert dept.user.password.count("$") == 3 and len(dept.user.password) > 60


def test_uploads_above_the_limit_are_refused(tmp_path: Path, data_dir: Path) -> None:
    from django.test import override_settings

    from workbook_tools.portal.models import Blob

    rnd, (dept,) = make_round(tmp_path)
    blobs = Blob.objects.count()
    client = client_for(dept.user)
    with override_settings(MAX_UPLOAD_BYTES=10_000):
        page = client.get(upload(client, CONSISTENT_XLSX)["Location"]).content.decode()
    assert "文件过大" in page and "上限" in page
    assert dept.submissions.count() == 0 and Blob.objects.count() == blobs


HOSTILE = ["billion-laughs", "zip-bomb", "encrypted", "docx-renamed", "random-bytes", "truncated-zip", "csv",
           "other-template", "future-version"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_get_the_commands_answer(name: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == name)
    path = tmp_path / case.filename
    case.build(path)
    cli = validate(path)
    rnd, (dept,) = make_round(tmp_path)
    client = client_for(dept.user)
    page = client.get(upload(client, path, "上报.xlsx")["Location"]).content.decode()
    sub = dept.submissions.get()
    assert sub.blob.path.read_bytes() == path.read_bytes()  # kept, as every upload is
    from django.utils.html import escape

    if cli.unreadable is not None:
        assert sub.status == "unreadable" and sub.result["reason_code"] == cli.unreadable.code == case.code
        reason = cli.unreadable.message.split("：", 1)[1]  # the CLI's line, without the path it names
        assert sub.result["reason"] == reason and escape(reason) in page and "文件无法读取" in page
    else:
        assert sub.status == "errors" and any(f["code"] == case.code for f in sub.findings)
        for f in cli.findings:
            assert escape(f.text()).replace(escape(str(path)), "") in page.replace("上报.xlsx", "")


def test_uploaded_file_names_are_never_paths(tmp_path: Path, data_dir: Path) -> None:
    rnd, (dept,) = make_round(tmp_path)
    before = {p for p in data_dir.rglob("*")}
    client = client_for(dept.user)
    upload(client, CONSISTENT_XLSX, "../../../../tmp/evil\u202e.xlsx")
    sub = dept.submissions.get()
    created = {p for p in data_dir.rglob("*")} - before
    assert not any("evil" in p.name for p in created)
    assert not Path("/tmp/evil.xlsx").exists()
    assert sub.blob.path.name == f"{sub.blob_id}.xlsx" and sub.blob.path.is_relative_to(data_dir / "blobs")
    assert sub.original_name == "evil.xlsx"  # shown as text: last component, no control characters


def test_workbook_text_stays_text_in_pages_and_downloads(tmp_path: Path) -> None:
    script = "<script>alert('x')</script>县局"
    formula = '=HYPERLINK("http://example.invalid","点我")'
    rnd, depts = make_round(tmp_path, [script, formula])
    for dept, name in zip(depts[1:], (script, formula), strict=True):
        upload(client_for(dept.user), filled_workbook(tmp_path / f"{dept.pk}.xlsx", unit_name=name,
                                                      org_setup=f"{name}<img src=x onerror=alert(1)>"))
    bureau = client_for(admin_user())
    pages = [bureau.get(f"/bureau/round/{rnd.pk}/").content.decode(),
             bureau.get(f"/bureau/round/{rnd.pk}/audit/").content.decode()]
    for dept in depts[1:]:
        pages.append(bureau.get(f"/submission/{dept.submissions.get().pk}/").content.decode())
        pages.append(client_for(dept.user).get("/department/").content.decode())
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;县局" in pages[0]
    assert "<img" not in pages[2] and "&lt;img src=x onerror=alert(1)&gt;" in pages[2]
    data = b"".join(bureau.get(f"/bureau/round/{rnd.pk}/summary.xlsx").streaming_content)
    ws = load_workbook(io.BytesIO(data))["汇总"]
    cells = [c for row in ws.iter_rows() for c in row if c.value in (script, formula)]
    assert {c.value for c in cells} == {script, formula}
    assert all(c.data_type == "s" for c in cells)  # never a live formula


def test_no_debug_pages_in_production(two_departments) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    assert settings.DEBUG is False
    rnd, a, _ = two_departments
    page = client_for(a.user).get("/submission/999999/")
    assert page.status_code == 404
    body = page.content.decode()
    assert "Traceback" not in body and "DEBUG = True" not in body and "URLconf" not in body
    env = {k: v for k, v in os.environ.items() if not k.startswith("WBT_PORTAL")}
    env["WBT_PORTAL_DATA"] = str(tmp := Path(settings.DATA_DIR) / "fresh")
    out = subprocess.run([sys.executable, "-c", "import workbook_tools.portal.settings as s; print(s.DEBUG)"],
                         capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False" and tmp.exists()
