"""The portal's addresses; every view behind them checks who may see what (see :mod:`.views`)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "portal"

portal = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("bureau/", views.rounds, name="rounds"),
    path("bureau/round/<int:pk>/", views.board, name="board"),
    path("bureau/round/<int:pk>/import/", views.import_departments, name="import"),
    path("bureau/round/<int:pk>/summary.xlsx", views.summary, name="summary"),
    path("bureau/round/<int:pk>/reports/", views.reports_zip, name="reports_zip"),
    path("bureau/round/<int:pk>/audit/", views.audit_log, name="audit"),
    path("bureau/submission/<int:pk>/return/", views.return_submission, name="return"),
    path("department/", views.department, name="department"),
    path("department/prefilled.xlsx", views.prefilled, name="prefilled"),
    path("template.xlsx", views.blank_template, name="template"),
    path("submission/<int:pk>/", views.submission, name="submission"),
    path("submission/<int:pk>/file/<str:kind>/", views.submission_file, name="submission_file"),
    path("submission/<int:pk>/pdf/", views.submission_pdf, name="submission_pdf"),
    path("job/<int:pk>/", views.job_status, name="job"),
    path("job/<int:pk>/download/", views.job_download, name="job_download"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((portal, "portal"))),
]
