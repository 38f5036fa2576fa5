"""Background work: PDFs through LibreOffice and the zip of all reports, one at a time, state in the database.

A job is a row (queued → running → done/failed) that pages show; the work runs in a thread of the server
process once the transaction that created the row has committed. Jobs a stopped server left queued or
running are started again by :func:`resume`, which ``workbook-tools serve`` calls at start.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from ..prefill import NameAllocator, safe_filename
from .models import Job, Round
from .storage import data_dir

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-job")
        return _executor


def enqueue(job: Job) -> None:
    transaction.on_commit(lambda: submit(job.pk))


def submit(job_id: int) -> Future[None]:
    return _pool().submit(run, job_id)


def wait_idle(timeout: float = 120) -> None:
    """Block until every job submitted so far has finished (tests; a clean shutdown)."""
    _pool().submit(lambda: None).result(timeout=timeout)


def resume() -> int:
    pending = list(Job.objects.filter(state__in=("queued", "running")).values_list("pk", flat=True))
    for pk in pending:
        submit(pk)
    return len(pending)


def run(job_id: int) -> None:
    close_old_connections()
    try:
        job = Job.objects.get(pk=job_id)
        job.state = "running"
        job.save(update_fields=["state"])
        try:
            output = RUNNERS[job.kind](job)
        except Exception as exc:  # noqa: BLE001 - LibreOffice missing or failing: the job says so, the server goes on
            log.warning("job %s failed", job_id, exc_info=True)
            job.state, job.message = "failed", str(exc) or type(exc).__name__
        else:
            job.state, job.output = "done", str(output.relative_to(data_dir()))
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "message", "output", "finished_at"])
    finally:
        connection.close()


def _out(job: Job, name: str) -> Path:
    dest = data_dir() / "outputs" / "jobs" / str(job.pk) / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest


def report_pdf(job: Job) -> Path:
    from . import services

    assert job.submission is not None
    pdf = services.report(job.submission, "pdf")
    return services.copy_to(pdf, _out(job, "report.pdf"))


def reports_zip(job: Job) -> Path:
    """Every department's latest report (.docx, and PDF when LibreOffice is there) plus a list of what is missing."""
    from .. import libreoffice
    from . import services

    rnd: Round = job.round
    formats = ("docx", "pdf") if libreoffice.available() else ("docx",)
    dest = _out(job, f"reports_{rnd.year}.zip")
    names = NameAllocator()
    missing: list[str] = []
    with tempfile.TemporaryDirectory(dir=data_dir() / "tmp") as tmp:
        part = Path(tmp) / "reports.zip"
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            for row in services.board(rnd):
                dept = row.department
                if row.latest is None:
                    missing.append(f"{dept.name}：未提交")
                    continue
                stem = names.take(safe_filename(dept.name), "")
                for fmt in formats:
                    try:
                        path = services.report(row.latest, fmt)
                    except services.PortalError as exc:
                        missing.append(f"{dept.name}（第 {row.latest.version} 版）：{exc}")
                        break
                    zf.write(path, f"{stem}.{fmt}")
            if not libreoffice.available():
                missing.append("服务器未安装 LibreOffice，本压缩包只含 .docx 报告")
            if missing:
                zf.writestr("未包含的报告.txt", "\n".join(missing) + "\n")
        part.replace(dest)
    return dest


RUNNERS = {"report-pdf": report_pdf, "reports-zip": reports_zip}
