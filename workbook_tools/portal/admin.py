"""The Django admin for the bureau's superusers: every record visible; uploads, files and the audit log never deleted."""

from __future__ import annotations

from django.contrib import admin

from .models import AuditEvent, Blob, Department, Job, Round, Submission

admin.site.site_header = admin.site.site_title = "绩效评价收集 · 管理"


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "deadline", "created_at")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "round", "user", "row")
    list_filter = ("round",)
    search_fields = ("name", "user__username")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("department", "version", "status", "errors", "warnings", "score", "grade", "uploaded_at",
                    "returned_at")
    list_filter = ("status", "department__round")
    readonly_fields = ("department", "version", "blob", "original_name", "uploaded_by", "uploaded_at", "status",
                       "errors", "warnings", "score", "grade", "total_rate", "result")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # every uploaded version is kept


@admin.register(Blob)
class BlobAdmin(admin.ModelAdmin):
    list_display = ("sha256", "size", "created_at")
    readonly_fields = ("sha256", "size", "created_at")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("kind", "round", "submission", "state", "created_at", "finished_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "detail", "round", "department", "ip")
    list_filter = ("action", "round")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
