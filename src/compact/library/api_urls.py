"""Library API routes, under ``/api/`` (see docs/api.md)."""

from django.urls import path

from compact.library import api

urlpatterns = [
    path("documents/", api.DocumentListApi.as_view(), name="api-document-list"),
    path("documents/<int:document_id>/", api.DocumentDetailApi.as_view(), name="api-document-detail"),
    path("documents/<int:document_id>/file", api.DocumentFileApi.as_view(), name="api-document-file"),
    path("search/", api.SearchApi.as_view(), name="api-search"),
]
