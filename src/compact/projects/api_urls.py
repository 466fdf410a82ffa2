"""Joint-project API routes, under ``/api/`` (see docs/api.md)."""

from django.urls import path

from compact.projects import api

urlpatterns = [
    path("projects/", api.ProjectListApi.as_view(), name="api-project-list"),
    path("projects/<int:project_id>/", api.ProjectDetailApi.as_view(), name="api-project-detail"),
    path("projects/<int:project_id>/<str:step>/", api.ProjectStepApi.as_view(), name="api-project-step"),
]
