"""Pages of the meetings app under ``/meetings/``: meetings with their agenda, attendance, minutes and
decisions, the decisions register, the action items, the meeting packs, and (``feed_urls``) the calendar
feeds and preferences.

A decision's page is addressed by its reference as it is written, slashes included:
``/meetings/decisions/CC/2019/3/``.
"""

from django.urls import include, path, re_path, register_converter

from compact.meetings import views

app_name = "meetings"


class ReferenceConverter:
    """A decision reference in a URL, slashes included: body code / year / number (``CC/2019/3``,
    ``WG3/2024/12``), as ``models.Decision.reference`` writes it."""

    regex = r"[A-Za-z0-9]+/[0-9]{4}/[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "decision_reference")

urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("new/", views.meeting_create, name="meeting-create"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("<int:pk>/pack.pdf", views.meeting_pack, name="pack"),
    path("<int:pk>/agenda/new/", views.agenda_item_add, name="agenda-item-add"),
    path("<int:pk>/agenda/finalise/", views.agenda_finalise, name="agenda-finalise"),
    path("<int:pk>/agenda/<int:item_pk>/edit/", views.agenda_item_edit, name="agenda-item-edit"),
    path("<int:pk>/agenda/<int:item_pk>/remove/", views.agenda_item_remove, name="agenda-item-remove"),
    path("<int:pk>/agenda/<int:item_pk>/move/", views.agenda_item_move, name="agenda-item-move"),
    path("<int:pk>/attendance/", views.attendance_set, name="attendance-set"),
    path("<int:pk>/attendees/", views.attendee_invite, name="attendee-invite"),
    path("<int:pk>/attendees/<int:attendee_pk>/", views.attendee_status, name="attendee-status"),
    path("<int:pk>/minutes/", views.minutes_edit, name="minutes-edit"),
    path("<int:pk>/minutes/step/", views.minutes_step, name="minutes-step"),
    path("<int:pk>/minutes/<int:number>/", views.minutes_version, name="minutes-version"),
    path("<int:pk>/minutes/<int:number>/comment/", views.minutes_comment, name="minutes-comment"),
    path("<int:pk>/decisions/new/", views.decision_record, name="decision-record"),
    path("decisions/", views.decision_list, name="decision-list"),
    re_path(r"^decisions/register\.(?P<fmt>csv|xlsx)$", views.decision_export, name="decision-export"),
    path("decisions/<decision_reference:reference>/", views.decision_detail, name="decision"),
    path("decisions/<decision_reference:reference>/edit/", views.decision_edit, name="decision-edit"),
    path("actions/", views.action_item_list, name="action-item-list"),
    path("actions/<int:pk>/", views.action_item_detail, name="action-item"),
    path("", include("compact.meetings.feed_urls")),
]
