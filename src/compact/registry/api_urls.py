"""Registry API routes, under ``/api/`` (read-only; see docs/api.md)."""

from django.urls import path

from compact.registry import api

urlpatterns = [
    path("pillars/", api.PillarListApi.as_view(), name="api-pillar-list"),
    path("entities/", api.EntityListApi.as_view(), name="api-entity-list"),
    path("entities/<str:acronym>/", api.EntityDetailApi.as_view(), name="api-entity-detail"),
    path("entities/<str:acronym>/contacts/", api.EntityContactsApi.as_view(), name="api-entity-contacts"),
    path("working-groups/", api.WorkingGroupListApi.as_view(), name="api-working-group-list"),
    path("working-groups/<int:number>/", api.WorkingGroupDetailApi.as_view(), name="api-working-group-detail"),
    path("committee/", api.CommitteeApi.as_view(), name="api-committee"),
]
