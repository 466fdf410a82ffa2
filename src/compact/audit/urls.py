"""Audit trail pages (HTML), under ``/audit/``: secretariat only."""

from django.urls import path

from compact.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.change_log, name="change-log"),
    path("export.csv", views.change_log_export, name="change-log-export"),
    path("access/", views.access_log, name="access-log"),
    path("access/export.csv", views.access_log_export, name="access-log-export"),
]
