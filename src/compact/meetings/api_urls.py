"""REST API endpoints of the meetings app, under ``/api/meetings/``. A decision is addressed by its
reference as written, slashes included (``/api/meetings/decisions/CC/2019/3/``)."""

from django.urls import path, re_path

from compact.meetings import api

urlpatterns = [
    path("meetings/", api.MeetingListApi.as_view(), name="api-meeting-list"),
    path("meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="api-meeting-detail"),
    path("meetings/decisions/", api.DecisionListApi.as_view(), name="api-decision-list"),
    re_path(r"^meetings/decisions/(?P<reference>[A-Za-z0-9]+/[0-9]{4}/[0-9]+)/$", api.DecisionDetailApi.as_view(),
            name="api-decision-detail"),
    path("meetings/action-items/", api.ActionItemListApi.as_view(), name="api-action-item-list"),
]
