"""REST API endpoints of the appeals app, under ``/api/``."""

from django.urls import path

from compact.appeals import api

urlpatterns = [
    path("appeals/", api.AppealListApi.as_view(), name="api-appeal-list"),
    path("appeals/<slug:key>/", api.AppealDetailApi.as_view(), name="api-appeal-detail"),
    path("calls/", api.CallListApi.as_view(), name="api-call-list"),
    path("calls/<int:call_id>/", api.CallDetailApi.as_view(), name="api-call-detail"),
]
