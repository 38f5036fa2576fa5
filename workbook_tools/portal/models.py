"""The portal's records: rounds, departments, content-addressed files, submissions, background jobs, audit.

Files themselves live on disk under the data folder, named by their sha256 (see :mod:`.storage`); the
database holds what they are and who sent them. A submission is never updated in place except to record
that the bureau returned it; a new upload is a new row with the next version number.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..batch.summary import header  # the summary's column headers, so the portal and the summary agree
from ..core.words import RESULT_WORD, STATUS_WORDS
from .context import STATUS_LABELS

__all__ = ["STATUS_LABELS", "AuditEvent", "Blob", "Department", "Job", "Round", "Submission"]


class Round(models.Model):
    """One collection round: a year, a deadline and the scoring rules the grades follow."""

    year = models.PositiveIntegerField("评价年度")
    title = models.CharField("名称", max_length=200)
    deadline = models.DateTimeField("截止时间")
    rules_name = models.CharField("评分规则文件", max_length=200, blank=True)
    rules_json = models.TextField("评分规则（JSON）", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "收集轮次"

    def __str__(self) -> str:
        return self.heading

    @property
    def heading(self) -> str:
        """The title, with its year added only when the title does not already say it (2023年度…)."""
        return self.title if str(self.year) in self.title else f"{self.title}（{self.year} 年度）"

    @property
    def overdue(self) -> bool:
        return timezone.now() > self.deadline


class Blob(models.Model):
    """One stored file, named by its content; the same bytes uploaded twice are one blob, never rewritten."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = header("file")

    def __str__(self) -> str:
        return self.sha256

    @property
    def path(self) -> Path:
        from .storage import blob_path

        return blob_path(self.sha256)


class Department(models.Model):
    """A unit taking part in a round, with its own login; created by importing the department list."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="departments", verbose_name="轮次")
    name = models.CharField(header("unit"), max_length=200)
    row = models.PositiveIntegerField("导入行号", default=0)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="department",
                                verbose_name="账号")
    prefilled = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="预填工作簿")

    class Meta:
        ordering = ["round", "row", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="department_unique_in_round")]
        verbose_name = verbose_name_plural = header("department")

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One uploaded version of a department's workbook and what validating it found."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="submissions",
                                   verbose_name=header("department"))
    version = models.PositiveIntegerField("版本")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="submissions")
    original_name = models.CharField("上传文件名", max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    status = models.CharField(RESULT_WORD["zh"], max_length=20)  # ok | errors | unreadable (batch.FileResult.status)
    errors = models.PositiveIntegerField(header("errors"), default=0)
    warnings = models.PositiveIntegerField(header("warnings"), default=0)
    score = models.DecimalField(header("score_total"), max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField(header("grade"), max_length=20, blank=True)
    total_rate = models.DecimalField(header("total_rate"), max_digits=12, decimal_places=2, null=True, blank=True)
    result = models.JSONField("校验结果数据", default=dict)  # batch.FileResult.to_json()
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    return_comment = models.TextField("退回意见", blank=True)

    class Meta:
        ordering = ["department", "-version"]
        constraints = [models.UniqueConstraint(fields=["department", "version"], name="submission_version_unique")]
        verbose_name = verbose_name_plural = "提交"

    def __str__(self) -> str:
        return f"{self.department.name} 第 {self.version} 版"

    @property
    def late(self) -> bool:
        return self.uploaded_at > self.department.round.deadline

    @property
    def status_label(self) -> str:
        """What validating the file found, in the batch summary's words (通过, 有错误, 无法读取)."""
        return STATUS_WORDS["zh"].get(self.status, self.status)

    @property
    def findings(self) -> list[dict[str, object]]:
        return list(self.result.get("findings", []))


class Job(models.Model):
    """Slow work done in the background (a PDF through LibreOffice, the zip of all reports)."""

    KINDS = {"report-pdf": "报告 PDF", "reports-zip": "全部报告（zip）"}
    STATES = {"queued": "排队中", "running": "正在生成", "done": "已完成", "failed": "失败"}

    kind = models.CharField(max_length=20, choices=list(KINDS.items()))
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="jobs")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(max_length=10, choices=list(STATES.items()), default="queued")
    message = models.TextField(blank=True)
    output = models.CharField(max_length=500, blank=True)  # relative to the data folder
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "后台任务"

    @property
    def state_label(self) -> str:
        return self.STATES.get(self.state, self.state)

    @property
    def kind_label(self) -> str:
        return self.KINDS.get(self.kind, self.kind)


class AuditEvent(models.Model):
    """Who did what, when: uploads, returns, downloads, imports. Never edited."""

    ACTIONS = {"upload": "上传", "return": "退回", "download": "下载", "import": "导入名单", "round": "新建轮次",
               "job": "后台任务"}

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=40)
    detail = models.TextField("内容", blank=True)
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.CASCADE, related_name="audit")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "操作记录"

    @property
    def action_label(self) -> str:
        return self.ACTIONS.get(self.action, self.action)

