"""The portal's behaviour through Django's test client: import, upload, findings, versions, return, downloads."""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.factory import cell_of, consistent_input, consistent_value, filled_workbook
from workbook_tools.checks.validate import validate
from workbook_tools.core import spec
from workbook_tools.xlsx.reader import load

from .helpers import CONSISTENT_UNIT, CONSISTENT_XLSX, YEAR, admin_user, client_for, make_round, upload


def _bad_workbook(tmp: Path) -> Path:
    """A typed-over ratio (a constant in 工资福利支出 占比) and a project list that does not add up."""
    wb = load_workbook(CONSISTENT_XLSX)
    sheet, cell = cell_of("projects__actual__0")
    first = wb[sheet][cell].value
    return filled_workbook(tmp / "bad.xlsx", basic_wages_rate=150, projects__actual__0=first + 100)


def test_models_and_migrations_agree() -> None:
    """The submission's column names come from the spec (the summary's headers): a change there must come with
    a migration, or the database and the models disagree."""
    from django.core.management import call_command

    from workbook_tools.batch.summary import header
    from workbook_tools.portal.models import Submission

    call_command("makemigrations", "portal", "--check", "--dry-run", verbosity=0)  # SystemExit(1) if not
    assert Submission._meta.get_field("total_rate").verbose_name == header("total_rate") == "执行率%"


def test_import_creates_accounts_and_prefilled_workbooks(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path, ["青山县档案馆", "<script>alert(1)</script>局"])
    assert [d.name for d in depts] == [CONSISTENT_UNIT, "青山县档案馆", "<script>alert(1)</script>局"]
    for d in depts:
        assert d.user.username.startswith(f"r{rnd.pk}d") and not d.user.is_staff
        model = load(d.prefilled.path).model  # the prefilled workbook is the library's, named for the unit
        assert model.unit_name == d.name and model.fiscal_year == YEAR
        assert str(model.values["basic_wages_budget"]) == str(consistent_input("basic_wages_budget"))


def test_import_page_shows_each_password_once(tmp_path: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workbook_tools.portal.models import Department

    from .helpers import departments_csv

    bureau = client_for(admin_user())
    page = bureau.post("/bureau/", {"title": "测试轮次", "year": YEAR, "deadline": "2099-01-01T12:00"})
    rnd_url = page["Location"]
    src = departments_csv(tmp_path / "d.csv", ["青山县档案馆"])
    page = bureau.post(rnd_url + "import/", {"departments": SimpleUploadedFile("单位.csv", src.read_bytes())})
    text = page.content.decode()
    dept = Department.objects.get(name="青山县档案馆")
    assert dept.user.username in text and "初始密码" in text
    password = text.split(f'<td class="username">{dept.user.username}</td>')[1].split("<code>")[1].split("</code>")[0]
    assert dept.user.check_password(password)
    again = bureau.post(rnd_url + "import/", {"departments": SimpleUploadedFile("单位.csv", src.read_bytes())})
    assert password not in again.content.decode() and "账号已存在" in again.content.decode()
    assert Department.objects.count() == 2


def test_import_bad_list_is_named(tmp_path: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    bureau = client_for(admin_user())
    rnd, _ = make_round(tmp_path)
    page = bureau.post(f"/bureau/round/{rnd.pk}/import/",
                       {"departments": SimpleUploadedFile("名单.txt", b"hello")}, follow=True)
    assert "名单.txt" in page.content.decode() and ".csv 或 .xlsx" in page.content.decode()


def test_valid_upload_passes_and_the_board_says_so(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path, ["青山县档案馆"])
    dept = client_for(depts[0].user)
    response = upload(dept, CONSISTENT_XLSX)
    sub = depts[0].submissions.get()
    assert response.status_code == 302 and response["Location"] == f"/submission/{sub.pk}/"
    assert sub.status == "ok" and sub.errors == 0 and sub.version == 1
    assert sub.score == consistent_value("score_total") and sub.grade
    page = dept.get(response["Location"]).content.decode()
    assert "校验通过" in page
    board = client_for(admin_user()).get(f"/bureau/round/{rnd.pk}/").content.decode()
    row = board.split(f'data-department="{CONSISTENT_UNIT}"')[1].split("</tr>")[0]
    assert "已通过" in row
    other = board.split('data-department="青山县档案馆"')[1].split("</tr>")[0]
    assert "未提交" in other


def test_board_title_says_the_year_once(tmp_path: Path) -> None:
    """A title that names its year (2023年度…) is not followed by （2023 年度）; one that does not gets it."""
    import re

    rnd, _ = make_round(tmp_path)
    bureau = client_for(admin_user())
    board = bureau.get(f"/bureau/round/{rnd.pk}/").content.decode()
    (heading,) = re.findall(r"<h1>(.*?)</h1>", board)
    assert heading == f"{YEAR}年度部门整体支出绩效评价" and heading.count(str(YEAR)) == 1
    rnd.title = "部门整体支出绩效评价"
    rnd.save()
    board = bureau.get(f"/bureau/round/{rnd.pk}/").content.decode()
    assert re.findall(r"<h1>(.*?)</h1>", board) == [f"部门整体支出绩效评价（{YEAR} 年度）"]


def test_findings_are_shown_at_their_cells(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path)
    dept = client_for(depts[0].user)
    bad = _bad_workbook(tmp_path)
    page = dept.get(upload(dept, bad)["Location"]).content.decode()
    expected = validate(bad)
    assert expected.errors and f"{len(expected.errors)} 个错误" in page
    for code, name in (("value-mismatch", "basic_wages_rate"), ("project-list-mismatch", "project_actual")):
        finding = next(f for f in expected.findings if f.code == code)
        sheet, cell = finding.sheet, finding.cell
        assert (sheet, cell) == (spec.field(name).sheet, spec.field(name).cell)
        grid = page.split(f'data-sheet="{sheet}"')[1].split("</details>")[0]
        assert f'data-cell="{cell}" class="f-error"' in grid
        row = grid.split(f'data-cell="{cell}" class=')[1].split("</tr>")[0]  # the message sits on the cell's row
        from django.utils.html import escape

        assert escape(finding.text()) in row
        listed = page.split('id="finding-list"')[1].split("</table>")[0]  # and in the list, linked to the cell
        assert f'href="#c-{sheet}-{cell}"' in listed and escape(finding.text()) in listed


def test_every_version_is_kept(tmp_path: Path, data_dir: Path) -> None:
    rnd, depts = make_round(tmp_path)
    dept = client_for(depts[0].user)
    bad = _bad_workbook(tmp_path)
    upload(dept, bad)
    upload(dept, CONSISTENT_XLSX)
    upload(dept, bad)  # the same bytes again: a new version, the stored blob untouched
    subs = list(depts[0].submissions.order_by("version"))
    assert [s.version for s in subs] == [1, 2, 3]
    assert [s.status for s in subs] == ["errors", "ok", "errors"]
    assert subs[0].blob_id == subs[2].blob_id != subs[1].blob_id
    for s, src in zip(subs, (bad, CONSISTENT_XLSX, bad), strict=True):
        assert s.blob.path.read_bytes() == src.read_bytes()
        assert s.blob.path.is_relative_to(data_dir / "blobs")
    page = dept.get("/department/").content.decode()
    assert all(f"第 {v} 版" in page for v in (1, 2, 3))
    original = dept.get(f"/submission/{subs[0].pk}/file/original/")
    assert b"".join(original.streaming_content) == bad.read_bytes()


def test_return_with_comment_reaches_the_department(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path)
    dept = client_for(depts[0].user)
    upload(dept, CONSISTENT_XLSX)
    sub = depts[0].submissions.get()
    bureau = client_for(admin_user())
    bureau.post(f"/bureau/submission/{sub.pk}/return/", {"comment": "请补充项目绩效目标的完成情况说明。<b>急</b>"})
    page = dept.get("/department/").content.decode()
    assert "已退回" in page and "请补充项目绩效目标的完成情况说明。&lt;b&gt;急&lt;/b&gt;" in page
    board = bureau.get(f"/bureau/round/{rnd.pk}/?status=returned").content.decode()
    assert f'data-department="{CONSISTENT_UNIT}"' in board
    upload(dept, CONSISTENT_XLSX)  # the department sends it again: no longer returned
    board = bureau.get(f"/bureau/round/{rnd.pk}/?status=ok").content.decode()
    assert f'data-department="{CONSISTENT_UNIT}"' in board


def test_missing_after_deadline_is_overdue(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path, ["青山县档案馆"], deadline_days=-1)
    upload(client_for(depts[0].user), CONSISTENT_XLSX)
    board = client_for(admin_user()).get(f"/bureau/round/{rnd.pk}/").content.decode()
    assert "逾期" in board.split('data-department="青山县档案馆"')[1].split("</tr>")[0]
    assert "逾期提交" in board.split(f'data-department="{CONSISTENT_UNIT}"')[1].split("</tr>")[0]


def test_board_filters_and_sorts(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path, ["青山县档案馆", "青山县林业局"])
    upload(client_for(depts[0].user), CONSISTENT_XLSX)
    upload(client_for(depts[1].user), _bad_workbook(tmp_path))
    bureau = client_for(admin_user())
    page = bureau.get(f"/bureau/round/{rnd.pk}/?status=errors").content.decode()
    assert 'data-department="青山县档案馆"' in page and f'data-department="{CONSISTENT_UNIT}"' not in page
    page = bureau.get(f"/bureau/round/{rnd.pk}/?sort=errors&desc=1").content.decode()
    order = [page.index(f'data-department="{n}"') for n in ("青山县档案馆", CONSISTENT_UNIT, "青山县林业局")]
    assert order == sorted(order)


def _sheet_rows(data: bytes | Path, sheet: str) -> dict[object, list[object]]:
    """Rows of a summary sheet keyed by 单位名称 (column B), without the file column, which names differ."""
    ws = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)[sheet]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2) if any(c.value is not None for c in r)]
    return {(r[1], i if sheet != "汇总" else 0): r[1:] for i, r in enumerate(rows)}


def test_summary_is_the_batch_summary(tmp_path: Path) -> None:
    from workbook_tools.batch.result import BatchOptions
    from workbook_tools.batch.summary import write_xlsx
    from workbook_tools.batch.work import process_workbook

    rnd, depts = make_round(tmp_path, ["青山县档案馆"])
    bad = filled_workbook(tmp_path / "bad.xlsx", unit_name="青山县档案馆", basic_wages_rate=150)
    upload(client_for(depts[0].user), CONSISTENT_XLSX)
    upload(client_for(depts[1].user), bad)
    response = client_for(admin_user()).get(f"/bureau/round/{rnd.pk}/summary.xlsx")
    got = b"".join(response.streaming_content)
    results = [process_workbook(str(p), BatchOptions(root=str(p.parent), out_dir=str(tmp_path)))
               for p in (CONSISTENT_XLSX, bad)]  # what `workbook-tools batch` computes for the same two files
    want = write_xlsx(results, tmp_path / "batch_summary.xlsx")
    summary = _sheet_rows(got, "汇总")
    assert len(summary) == 3  # two departments and the total row
    assert summary == _sheet_rows(want, "汇总")
    assert sorted(map(str, _sheet_rows(got, "问题清单").values())) == sorted(map(str, _sheet_rows(want, "问题清单").values()))


def test_downloads_annotated_filled_and_report(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path)
    dept = client_for(depts[0].user)
    upload(dept, _bad_workbook(tmp_path))
    bad_sub = depts[0].submissions.get()
    annotated = dept.get(f"/submission/{bad_sub.pk}/file/annotated/")
    wb = load_workbook(io.BytesIO(b"".join(annotated.streaming_content)))
    assert wb.sheetnames[0] == "校验结果"
    assert "attachment" in annotated["Content-Disposition"]
    filled = dept.get(f"/submission/{bad_sub.pk}/file/filled/")
    tmp = tmp_path / "filled.xlsx"
    tmp.write_bytes(b"".join(filled.streaming_content))
    assert not any(f.code == "value-mismatch" for f in validate(tmp).findings)  # fill restored the formula
    refused = dept.get(f"/submission/{bad_sub.pk}/file/docx/", follow=True)
    assert "改正后才能生成报告" in refused.content.decode()
    upload(dept, CONSISTENT_XLSX)
    good = depts[0].submissions.get(version=2)
    docx = dept.get(f"/submission/{good.pk}/file/docx/")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs)
    assert CONSISTENT_UNIT in text


def test_blank_template_download(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path)
    response = client_for(depts[0].user).get("/template.xlsx")
    tmp = tmp_path / "t.xlsx"
    tmp.write_bytes(b"".join(response.streaming_content))
    assert load(tmp).version == spec.TEMPLATE_VERSION


def test_audit_log_records_who_did_what(tmp_path: Path) -> None:
    rnd, depts = make_round(tmp_path)
    dept = client_for(depts[0].user)
    dept.get("/department/prefilled.xlsx")
    upload(dept, CONSISTENT_XLSX)
    bureau = client_for(admin_user())
    sub = depts[0].submissions.get()
    bureau.post(f"/bureau/submission/{sub.pk}/return/", {"comment": "补充说明"})
    bureau.get(f"/bureau/round/{rnd.pk}/summary.xlsx")
    page = bureau.get(f"/bureau/round/{rnd.pk}/audit/").content.decode()
    user = depts[0].user.username
    for action, who in (("import", ""), ("download", user), ("upload", user), ("return", "bureau"),
                        ("download", "bureau")):
        assert f'<td>{who}</td><td data-action="{action}">' in page, (action, who)
    assert "下载汇总表" in page and "预填工作簿" in page


def _wait(job_id: int) -> object:
    from workbook_tools.portal import jobs
    from workbook_tools.portal.models import Job

    jobs.wait_idle()
    return Job.objects.get(pk=job_id)


def test_reports_zip_runs_in_the_background(tmp_path: Path) -> None:
    from workbook_tools.portal.models import Job

    rnd, depts = make_round(tmp_path, ["青山县档案馆", "青山县林业局"])
    upload(client_for(depts[0].user), CONSISTENT_XLSX)
    upload(client_for(depts[1].user), _bad_workbook(tmp_path))
    bureau = client_for(admin_user())
    bureau.post(f"/bureau/round/{rnd.pk}/reports/")
    job = Job.objects.get(kind="reports-zip")
    job = _wait(job.pk)
    assert job.state == "done", job.message
    page = bureau.get(f"/bureau/round/{rnd.pk}/").content.decode()
    assert f"/job/{job.pk}/download/" in page and "已完成" in page
    data = b"".join(bureau.get(f"/job/{job.pk}/download/").streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        note = zf.read("未包含的报告.txt").decode()
    assert any(n.startswith(CONSISTENT_UNIT) and n.endswith(".docx") for n in names)
    assert "青山县档案馆" in note and "校验错误" in note and "青山县林业局：未提交" in note


@pytest.mark.libreoffice
def test_report_pdf_job(tmp_path: Path) -> None:
    from tests.conftest import need_soffice
    from workbook_tools.portal.models import Job

    need_soffice()
    rnd, depts = make_round(tmp_path)
    dept = client_for(depts[0].user)
    upload(dept, CONSISTENT_XLSX)
    sub = depts[0].submissions.get()
    dept.post(f"/submission/{sub.pk}/pdf/")
    job = _wait(Job.objects.get(kind="report-pdf").pk)
    assert job.state == "done", job.message
    assert dept.get(f"/job/{job.pk}/").json()["state"] == "done"
    pdf = b"".join(dept.get(f"/job/{job.pk}/download/").streaming_content)
    assert pdf.startswith(b"%PDF")


def test_two_uploads_at_the_same_moment_both_survive(tmp_path: Path) -> None:
    from django.db import connection

    rnd, depts = make_round(tmp_path)
    files = [filled_workbook(tmp_path / f"v{i}.xlsx", staff_actual=40 + i) for i in range(4)]
    files.append(files[0])  # identical bytes at the same moment too
    barrier = threading.Barrier(len(files))
    failures: list[BaseException] = []

    def send(path: Path) -> None:
        try:
            c = client_for(depts[0].user)
            barrier.wait()
            r = upload(c, path)
            assert r.status_code == 302, r.status_code
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    subs = list(depts[0].submissions.order_by("version"))
    assert [s.version for s in subs] == list(range(1, len(files) + 1))
    assert sorted(s.blob_id for s in subs) == sorted(__import__("hashlib").sha256(f.read_bytes()).hexdigest()
                                                     for f in files)
    for s in subs:
        assert s.blob.path.exists()


@pytest.mark.slow  # starts a process pool inside the portal: CI and make test-all run it
def test_validation_in_worker_processes_gives_the_same_answers(tmp_path: Path) -> None:
    from django.test import override_settings

    from tests.broken_inputs import CASES
    from workbook_tools.portal import services

    bomb = tmp_path / "bomb.xlsx"
    next(c for c in CASES if c.name == "zip-bomb").build(bomb)
    rnd, depts = make_round(tmp_path)
    client = client_for(depts[0].user)
    with override_settings(VALIDATION_WORKERS=2):
        try:
            for path in (CONSISTENT_XLSX, _bad_workbook(tmp_path), bomb):
                upload(client, path)
        finally:
            engine, services._engine = services._engine, None
            if engine is not None:
                engine.shutdown()
    ok, bad, hostile = depts[0].submissions.order_by("version")
    assert engine is not None  # the pool really ran them
    assert (ok.status, bad.status, hostile.status) == ("ok", "errors", "unreadable")
    assert bad.errors == len(validate(tmp_path / "bad.xlsx").errors)
    assert hostile.result["reason_code"] == "file-hostile"
