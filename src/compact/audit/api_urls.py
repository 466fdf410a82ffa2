"""Audit trail API routes, under ``/api/audit/`` (secretariat only; see ``compact.audit.api``)."""

from django.urls import path

from compact.audit import api

urlpatterns = [
    path("audit/changes/", api.ChangeEventListApi.as_view(), name="api-audit-changes"),
    path("audit/access/", api.AccessEventListApi.as_view(), name="api-audit-access"),
]
