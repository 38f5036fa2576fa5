"""The Django application of the portal (label ``portal``)."""

from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "workbook_tools.portal"
    label = "portal"
    verbose_name = "绩效评价收集"
    default_auto_field = "django.db.models.BigAutoField"
