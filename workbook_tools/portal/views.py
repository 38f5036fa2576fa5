"""Pages: thin views over :mod:`.services`. Every view that shows or sends a department's data checks that
the user is bureau staff or that department; anything else is answered 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import jobs, services
from .context import HEADS
from .forms import ImportForm, ReturnForm, RoundForm, UploadForm
from .grid import grids, numbered
from .models import STATUS_LABELS, AuditEvent, Department, Job, Round, Submission
from .storage import data_dir

View = Callable[..., HttpResponse]
#: The board's sort buttons: sort key (services.SORTS) → the column whose header the button shows.
SORT_KEYS = (("name", "department"), ("status", "status"), ("time", "latest"), ("errors", "errors"),
             ("warnings", "warnings"), ("score", "score_total"), ("rate", "total_rate"))


def department_of(user: Any) -> Department | None:
    try:
        return user.department  # type: ignore[no-any-return]
    except Department.DoesNotExist:
        return None


def bureau_required(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def department_required(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dept = department_of(request.user)
        if dept is None:
            raise Http404
        return view(request, dept, *args, **kwargs)

    return wrapped


def _submission(request: HttpRequest, pk: int) -> Submission:
    sub = get_object_or_404(Submission.objects.select_related("department__round", "blob"), pk=pk)
    if request.user.is_staff:
        return sub
    dept = department_of(request.user)
    if dept is None or sub.department_id != dept.pk:
        raise Http404
    return sub


def _send(request: HttpRequest, path: Any, name: str, action: str, detail: str, **where: Any) -> FileResponse:
    services.audit(request, "download", f"下载{detail}", **where)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        return redirect("portal:rounds")
    if department_of(request.user) is not None:
        return redirect("portal:department")
    raise Http404


# -- bureau --------------------------------------------------------------------------------------


@bureau_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        rules = form.cleaned_data["rules"]
        deadline = form.cleaned_data["deadline"]
        with transaction.atomic():
            rnd = Round.objects.create(title=form.cleaned_data["title"], year=form.cleaned_data["year"],
                                       deadline=deadline, rules_name=rules[0] if rules else "",
                                       rules_json=rules[1] if rules else "", created_by=request.user)
            services.audit(request, "round", f"新建收集轮次：{rnd}", round=rnd)
        messages.success(request, f"已新建收集轮次：{rnd}")
        return redirect("portal:board", pk=rnd.pk)
    return render(request, "portal/rounds.html", {"rounds": Round.objects.all(), "form": form})


@bureau_required
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    rows = services.board(rnd)
    status = request.GET.get("status") or None
    sort = request.GET.get("sort") or "name"
    descending = request.GET.get("desc") == "1"
    shown = services.filtered(rows, status, sort, descending)
    rates = [(r.department.name, r.latest.total_rate) for r in rows if r.latest and r.latest.total_rate is not None]
    top = max([float(v) for _, v in rates] + [100.0])
    grades = services.grade_distribution(rows)
    return render(request, "portal/board.html", {
        "round": rnd, "rows": shown, "all": len(rows), "counts": services.counts(rows), "labels": STATUS_LABELS,
        "status": status, "sort": sort, "desc": descending,
        "rates": [(n, v, round(float(v) / top * 100, 1)) for n, v in rates],
        "grades": [(g, c, round(c / max(c for _, c in grades) * 100, 1)) for g, c in grades],
        "import_form": ImportForm(), "jobs": rnd.jobs.filter(submission=None)[:5],
        "pending": rnd.jobs.filter(state__in=("queued", "running")).exists(),
        "sort_keys": [(key, HEADS[head]) for key, head in SORT_KEYS],
    })


@bureau_required
@require_POST
def import_departments(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择单位名单文件")
        return redirect("portal:board", pk=pk)
    f = form.cleaned_data["departments"]
    try:
        outcome = services.import_departments(rnd, f.name, f.chunks(), request)
    except services.PortalError as exc:
        messages.error(request, str(exc))
        return redirect("portal:board", pk=pk)
    return render(request, "portal/imported.html", {"round": rnd, "outcome": outcome})


@bureau_required
@require_GET
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    path = services.write_summary(rnd)
    return _send(request, path, f"summary_{rnd.year}.xlsx", "download", "汇总表 summary.xlsx", round=rnd)


@bureau_required
@require_POST
def reports_zip(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    with transaction.atomic():
        job = Job.objects.create(kind="reports-zip", round=rnd, requested_by=request.user)
        services.audit(request, "job", "开始生成全部报告（zip）", round=rnd)
        jobs.enqueue(job)
    messages.info(request, "正在后台生成全部报告，完成后可在本页下载")
    return redirect("portal:board", pk=pk)


@bureau_required
@require_GET
def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(Round, pk=pk)
    events = AuditEvent.objects.filter(round=rnd).select_related("department")[:1000]
    return render(request, "portal/audit.html", {"round": rnd, "events": events})


@bureau_required
@require_POST
def return_submission(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        services.return_submission(sub, form.cleaned_data["comment"], request)
        messages.success(request, f"{STATUS_LABELS['returned']} {sub.department.name} 第 {sub.version} 版")
    else:
        messages.error(request, "请填写退回意见")
    return redirect("portal:submission", pk=pk)


# -- department ----------------------------------------------------------------------------------


@department_required
@require_http_methods(["GET", "POST"])
def department(request: HttpRequest, dept: Department) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            f = form.cleaned_data["workbook"]
            try:
                sub = services.upload(dept, f.name, f.size, f.chunks(), request)
            except services.PortalError as exc:
                messages.error(request, str(exc))
            else:
                return redirect("portal:submission", pk=sub.pk)
        else:
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
        return redirect("portal:department")
    subs = list(dept.submissions.all())
    latest = subs[0] if subs else None
    return render(request, "portal/department.html", {
        "dept": dept, "round": dept.round, "form": form, "submissions": subs, "latest": latest,
        "status": services.department_status(dept, latest),
        "labels": STATUS_LABELS, "max_mb": settings.MAX_UPLOAD_BYTES // 1048576,
    })


@department_required
@require_GET
def prefilled(request: HttpRequest, dept: Department) -> HttpResponse:
    if dept.prefilled is None:
        raise Http404
    name = f"{services.safe_filename(dept.name)}_{dept.round.year}_预填.xlsx"
    return _send(request, dept.prefilled.path, name, "download", "预填工作簿", round=dept.round, department=dept)


@login_required
@require_GET
def blank_template(request: HttpRequest) -> HttpResponse:
    dept = department_of(request.user)
    return _send(request, services.template_path(), "部门整体支出绩效评价_空白模板.xlsx", "download", "空白模板",
                 round=dept.round if dept else None, department=dept)


# -- both ----------------------------------------------------------------------------------------


@login_required
@require_GET
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    sheets, loose = grids(sub.blob.path, sub.findings)
    dept = sub.department
    others = list(dept.submissions.all())
    return render(request, "portal/submission.html", {
        "sub": sub, "dept": dept, "round": dept.round, "sheets": sheets, "loose": loose, "versions": others,
        "placed": [f for f in numbered(sub.findings) if f["n"] not in {x["n"] for x in loose}],
        "latest": others[0] if others else None, "return_form": ReturnForm(),
        "jobs": sub.jobs.all()[:5], "pending": sub.jobs.filter(state__in=("queued", "running")).exists(),
        "status": services.department_status(dept, sub),
    })


DOWNLOADS = {  # kind → (maker, label, suffix)
    "original": (lambda s: s.blob.path, "原件", ".xlsx"),
    "annotated": (services.annotated, "标注", ".xlsx"),
    "filled": (services.filled, "补全", ".xlsx"),
    "docx": (lambda s: services.report(s, "docx"), "绩效报告", ".docx"),
}


@login_required
@require_GET
def submission_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    sub = _submission(request, pk)
    if kind not in DOWNLOADS:
        raise Http404
    make, label, suffix = DOWNLOADS[kind]
    try:
        path = make(sub)
    except services.PortalError as exc:
        messages.error(request, str(exc))
        return redirect("portal:submission", pk=pk)
    return _send(request, path, services.download_name(sub, label, suffix), "download",
                 f"第 {sub.version} 版{label}", round=sub.department.round, department=sub.department)


@login_required
@require_POST
def submission_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    with transaction.atomic():
        job = Job.objects.create(kind="report-pdf", round=sub.department.round, submission=sub,
                                 requested_by=request.user)
        services.audit(request, "job", f"开始生成第 {sub.version} 版报告 PDF", round=sub.department.round,
                       department=sub.department)
        jobs.enqueue(job)
    return redirect("portal:submission", pk=pk)


def _job(request: HttpRequest, pk: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("submission__department", "round"), pk=pk)
    if request.user.is_staff:
        return job
    if job.submission is None:
        raise Http404
    _submission(request, job.submission.pk)
    return job


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return JsonResponse({"state": job.state, "label": job.state_label, "message": job.message,
                         "finished": timezone.localtime(job.finished_at).isoformat() if job.finished_at else None})


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.state != "done" or not job.output:
        raise Http404
    path = data_dir() / job.output
    if job.submission is not None:
        name = services.download_name(job.submission, "绩效报告", ".pdf")
        where = {"round": job.round, "department": job.submission.department}
    else:
        name = path.name
        where = {"round": job.round}
    return _send(request, path, name, "download", job.kind_label, **where)
