"""Planning API routes, under ``/api/``."""

from django.urls import path

from compact.planning import api

urlpatterns = [
    path("programmes/", api.ProgrammeListApi.as_view(), name="api-programme-list"),
    path("programmes/compare/", api.ProgrammeCompareApi.as_view(), name="api-programme-compare"),
    path("programmes/<int:programme_id>/", api.ProgrammeDetailApi.as_view(), name="api-programme-detail"),
]
