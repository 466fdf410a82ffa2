"""REST API endpoints of the meetings app, under ``/api/meetings/``. A decision is addressed by its
reference as written, slashes included (``/api/meetings/decisions/CC/2019/3/``)."""

from django.urls import path

import compact.meetings.urls  # noqa: F401  (registers the decision_reference converter)
from compact.meetings import api

urlpatterns = [
    path("meetings/", api.MeetingListApi.as_view(), name="api-meeting-list"),
    path("meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="api-meeting-detail"),
    path("meetings/decisions/", api.DecisionListApi.as_view(), name="api-decision-list"),
    path("meetings/decisions/<decision_reference:reference>/", api.DecisionDetailApi.as_view(),
         name="api-decision-detail"),
    path("meetings/action-items/", api.ActionItemListApi.as_view(), name="api-action-item-list"),
]
