"""What the portal does, as functions the views call; every workbook operation is a call into the library.

Validation uses :func:`workbook_tools.batch.work.process_workbook` (the same per-file result ``batch`` builds, so
the board and ``summary.xlsx`` match the command line), findings pages and annotated copies use
:func:`~workbook_tools.checks.validate.validate` and :func:`~workbook_tools.checks.annotate.annotate`, the filled
copy :func:`~workbook_tools.fill.fill`, reports :func:`~workbook_tools.export.export_report`, the department list
:func:`~workbook_tools.prefill.prefill` and the summary :func:`~workbook_tools.batch.summary.write_xlsx`.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from ..batch.isolation import ProcessEngine
from ..batch.result import BatchOptions, FileResult, crashed_result, timeout_result
from ..batch.work import process_workbook
from ..core.errors import WorkbookToolsError
from ..core.scoring import Rules, RulesError, load_rules, parse_rules
from ..prefill import PrefillError, prefill, safe_filename
from .models import STATUS_LABELS, AuditEvent, Blob, Department, Round, Submission
from .storage import blob_path, data_dir, derived_path, store_chunks, store_file

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
IMPORT_SUFFIXES = (".csv", ".xlsx")


class PortalError(WorkbookToolsError):
    """A request the portal refuses, with a Chinese message for the page."""

    code = "portal-refused"


# -- audit ---------------------------------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit(request: HttpRequest | None, action: str, detail: str = "", *, round: Round | None = None,
          department: Department | None = None, user: Any = None) -> AuditEvent:
    actor = user if user is not None else (request.user if request is not None else None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(actor=actor, actor_name=actor.get_username() if actor else "",
                                     action=action, detail=detail, round=round, department=department,
                                     ip=client_ip(request))


# -- rounds and rules ----------------------------------------------------------------------------


def check_rules(text: str, name: str) -> None:
    """Refuse a scoring rules file the library cannot use, with the library's own message."""
    import json

    try:
        parse_rules(json.loads(text, parse_float=Decimal, parse_int=Decimal), name)
    except json.JSONDecodeError as exc:
        raise PortalError(f"{name}：不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）") from None
    except RulesError as exc:
        raise PortalError(str(exc)) from None


def round_rules(rnd: Round) -> Rules:
    if not rnd.rules_json:
        return load_rules(None)
    import json

    return parse_rules(json.loads(rnd.rules_json, parse_float=Decimal, parse_int=Decimal), rnd.rules_name or "评分规则")


# -- department import ---------------------------------------------------------------------------


@dataclass
class Account:
    department: Department
    username: str
    password: str | None  # shown once, only when the account was created now


@dataclass
class ImportOutcome:
    accounts: list[Account] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    rows: int = 0


def _password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _username(rnd: Round, index: int) -> str:
    return f"r{rnd.pk}d{index:03d}"


def import_departments(rnd: Round, name: str, chunks: Iterable[bytes], request: HttpRequest | None = None,
                       passwords: dict[str, str] | None = None) -> ImportOutcome:
    """Prefill one workbook per row (the library's ``prefill``), create an account per new department.

    ``passwords`` (demo only) fixes the password of the accounts created, by user name.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise PortalError(f"{name}：单位名单应为 .csv 或 .xlsx 文件（与 workbook-tools prefill 相同）")
    outcome = ImportOutcome()
    with tempfile.TemporaryDirectory(dir=data_dir() / "tmp") as tmp:
        source = Path(tmp) / f"departments{suffix}"  # the uploaded name is never a path
        with open(source, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        try:
            result = prefill(source, Path(tmp) / "out", year=rnd.year)
        except PrefillError as exc:
            raise PortalError(str(exc).replace(str(source), name)) from None
        outcome.rows = result.rows
        outcome.issues = [i.text() for i in result.issues]
        User = get_user_model()
        with transaction.atomic():
            next_index = Department.objects.filter(round=rnd).count() + 1
            for written in result.written:
                sha, size = store_file(written.path)
                blob, _ = Blob.objects.get_or_create(sha256=sha, defaults={"size": size})
                dept = Department.objects.filter(round=rnd, name=written.unit).first()
                if dept is not None:
                    dept.prefilled, dept.row = blob, written.row
                    dept.save(update_fields=["prefilled", "row"])
                    outcome.accounts.append(Account(dept, dept.user.get_username(), None))
                    continue
                username = _username(rnd, next_index)
                next_index += 1
                password = (passwords or {}).get(username) or _password()
                user = User.objects.create_user(username=username, password=password,
                                                first_name=written.unit[:150])
                dept = Department.objects.create(round=rnd, name=written.unit, row=written.row, user=user,
                                                 prefilled=blob)
                outcome.accounts.append(Account(dept, username, password))
            audit(request, "import", f"导入单位名单 {name}：{len(result.written)} 个单位，"
                                     f"{len(result.errors)} 行有问题", round=rnd)
    return outcome


# -- uploads -------------------------------------------------------------------------------------


_engine: ProcessEngine | None = None
_engine_lock = threading.Lock()


def _validator() -> ProcessEngine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = ProcessEngine(settings.VALIDATION_WORKERS)
        return _engine


def validate_blob(sha: str) -> FileResult:
    """The batch result for one stored file (never raises for what is in the file).

    Validation runs in the library's process pool (``VALIDATION_WORKERS`` processes), as ``batch`` runs it: the
    uploads of many departments use every core, a file that exhausts memory fails in its own worker
    (``memory_limit``) and one that hangs is stopped at the time limit, while the server goes on.
    """
    path = blob_path(sha)
    options = BatchOptions(root=str(path.parent), out_dir=str(data_dir() / "tmp"),
                           timeout=settings.VALIDATION_TIMEOUT, memory_mb=settings.VALIDATION_MEMORY_MB)
    if not settings.VALIDATION_WORKERS:
        return process_workbook(str(path), replace(options, memory_mb=0))
    for attempt in range(2):
        engine = _validator()
        future = engine.submit(process_workbook, str(path), options)
        try:
            return future.result(timeout=options.timeout)  # type: ignore[no-any-return]
        except FuturesTimeout:
            with _engine_lock:
                engine.restart()
            return timeout_result(str(path), options)
        except BrokenProcessPool:
            if attempt:  # the file itself killed a fresh worker
                return crashed_result(str(path), options)
            with _engine_lock:
                if engine is _engine:
                    engine.restart()
    raise AssertionError("unreachable")


def _score_fields(result: FileResult, rules: Rules) -> dict[str, Any]:
    score = result.figure("score_total")
    grade = result.figures.get("grade") or ""
    if score is not None:
        grade = rules.grade(score) or grade
    return {"score": score, "grade": grade or "", "total_rate": result.figure("total_rate")}


def upload(dept: Department, name: str, size: int, chunks: Iterable[bytes], request: HttpRequest | None = None,
           user: Any = None) -> Submission:
    """Keep the file, validate it, record the new version; two uploads at the same moment both survive."""
    if size > settings.MAX_UPLOAD_BYTES:
        raise PortalError(f"文件过大（{size / 1048576:.1f} MB），上限为 {settings.MAX_UPLOAD_BYTES / 1048576:.0f} MB")
    sha, stored = store_chunks(chunks)
    if stored > settings.MAX_UPLOAD_BYTES:
        raise PortalError(f"文件过大（{stored / 1048576:.1f} MB），上限为 {settings.MAX_UPLOAD_BYTES / 1048576:.0f} MB")
    result = validate_blob(sha)
    result = replace(result, path=display_name(name))
    fields = _score_fields(result, round_rules(dept.round))
    uploader = user if user is not None else (request.user if request is not None else None)
    for attempt in range(5):
        try:
            with transaction.atomic():
                blob, _ = Blob.objects.get_or_create(sha256=sha, defaults={"size": stored})
                locked = Department.objects.select_for_update().get(pk=dept.pk)
                last = locked.submissions.aggregate(v=Max("version"))["v"] or 0
                sub = Submission.objects.create(
                    department=locked, version=last + 1, blob=blob, original_name=display_name(name),
                    uploaded_by=uploader, status=result.status, errors=result.errors, warnings=result.warnings,
                    result=result.to_json(), **fields)
                audit(request, "upload", f"上传第 {sub.version} 版（{sub.original_name}，sha256 {sha[:12]}…）："
                                         f"{status_text(sub)}", round=locked.round, department=locked, user=uploader)
            return sub
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def display_name(name: str) -> str:
    """The uploaded name as text to show: its last component, no control characters, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "未命名.xlsx"
    return base[:200]


def status_text(sub: Submission) -> str:
    if sub.status == "unreadable":
        return f"文件无法读取：{sub.result.get('reason') or ''}"
    return f"{sub.errors} 个错误，{sub.warnings} 个警告"


def return_submission(sub: Submission, comment: str, request: HttpRequest) -> None:
    with transaction.atomic():
        sub.returned_at = timezone.now()
        sub.returned_by = request.user
        sub.return_comment = comment
        sub.save(update_fields=["returned_at", "returned_by", "return_comment"])
        audit(request, "return", f"退回第 {sub.version} 版：{comment}", round=sub.department.round,
              department=sub.department)


# -- the board -----------------------------------------------------------------------------------


@dataclass
class BoardRow:
    department: Department
    latest: Submission | None
    versions: int
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def department_status(dept: Department, latest: Submission | None) -> str:
    if latest is None:
        return "late" if dept.round.overdue else "missing"
    if latest.returned_at is not None:
        return "returned"
    return "ok" if latest.status == "ok" else "errors"


def board(rnd: Round) -> list[BoardRow]:
    depts = list(rnd.departments.select_related("user", "round").all())
    latest: dict[int, Submission] = {}
    counts: dict[int, int] = {}
    for sub in Submission.objects.filter(department__round=rnd).order_by("department_id", "version"):
        latest[sub.department_id] = sub
        counts[sub.department_id] = counts.get(sub.department_id, 0) + 1
    return [BoardRow(d, latest.get(d.pk), counts.get(d.pk, 0), department_status(d, latest.get(d.pk)))
            for d in depts]


SORTS: dict[str, Callable[[BoardRow], Any]] = {
    "name": lambda r: (r.department.row, r.department.name),
    "status": lambda r: list(STATUS_LABELS).index(r.status),
    "time": lambda r: r.latest.uploaded_at.timestamp() if r.latest else 0,
    "errors": lambda r: r.latest.errors if r.latest else -1,
    "warnings": lambda r: r.latest.warnings if r.latest else -1,
    "score": lambda r: r.latest.score if r.latest and r.latest.score is not None else Decimal(-1),
    "rate": lambda r: r.latest.total_rate if r.latest and r.latest.total_rate is not None else Decimal(-1),
}


def filtered(rows: list[BoardRow], status: str | None, sort: str | None, descending: bool) -> list[BoardRow]:
    if status in STATUS_LABELS:
        rows = [r for r in rows if r.status == status]
    key = SORTS.get(sort or "name", SORTS["name"])
    return sorted(rows, key=key, reverse=descending)


def counts(rows: list[BoardRow]) -> dict[str, int]:
    out = {k: 0 for k in STATUS_LABELS}
    for r in rows:
        out[r.status] += 1
    return out


def grade_distribution(rows: list[BoardRow]) -> list[tuple[str, int]]:
    dist: dict[str, int] = {}
    for r in rows:
        if r.latest is not None and r.latest.grade:
            dist[r.latest.grade] = dist.get(r.latest.grade, 0) + 1
    order = ["优", "良", "中", "差"]
    return sorted(dist.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 9, kv[0]))


# -- files made from a submission ----------------------------------------------------------------


def summary_results(rnd: Round) -> list[FileResult]:
    """The latest readable-or-not submission of each department, named by department, for summary.write_xlsx."""
    out = []
    for row in board(rnd):
        if row.latest is None:
            continue
        result = FileResult.from_json(dict(row.latest.result))
        result.path = f"{safe_filename(row.department.name)}.xlsx"
        if row.latest.grade:
            result.figures = dict(result.figures, grade=row.latest.grade)
        out.append(result)
    return out


def write_summary(rnd: Round) -> Path:
    from ..batch.summary import write_xlsx

    dest = data_dir() / "outputs" / f"round-{rnd.pk}" / "summary.xlsx"
    dest.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx(summary_results(rnd), dest)


def annotated(sub: Submission) -> Path:
    from ..checks.annotate import annotate
    from ..checks.validate import validate

    dest = derived_path(sub.blob_id, "annotated.xlsx")
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        report = validate(sub.blob.path)
        if report.unreadable is not None:
            raise PortalError("文件无法读取，不能生成标注副本")
        annotate(sub.blob.path, report, dest)
    return dest


def filled(sub: Submission) -> Path:
    from ..fill import fill

    dest = derived_path(sub.blob_id, "filled.xlsx")
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        report = fill(sub.blob.path, dest, rules=round_rules(sub.department.round))
        if report.unreadable is not None or not dest.exists():
            reason = report.unreadable.text() if report.unreadable else "不是本模板的工作簿"
            raise PortalError(f"不能生成补全副本：{reason.replace(str(sub.blob.path), sub.original_name)}")
    return dest


def report(sub: Submission, fmt: str) -> Path:
    """The narrative report of a submission without errors (.docx here; PDF through a background job)."""
    from ..export import ExportRefused, export_report

    dest = derived_path(sub.blob_id, f"report.{fmt}")
    if not dest.exists():
        source = filled(sub)
        try:
            export_report(source, dest, fmt=fmt)
        except ExportRefused as exc:
            raise PortalError(f"工作簿有 {exc.errors} 个校验错误，改正后才能生成报告") from None
    return dest


def download_name(sub: Submission, what: str, suffix: str) -> str:
    return f"{safe_filename(sub.department.name)}_第{sub.version}版_{what}{suffix}"


def template_path() -> Path:
    from ..template import write_template

    dest = data_dir() / "outputs" / "evaluation_template.xlsx"
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_template(dest)
    return dest


def copy_to(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest
