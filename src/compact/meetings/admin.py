"""Meetings, decisions and action items in the admin: read-only, for the secretariat.

Every write of the meeting cycle goes through ``compact.meetings.services`` (which check who may act,
number decisions under a lock, keep final minutes locked and record the change log); the meetings pages
call them. The admin therefore only shows the rows, so that the secretariat can look one up by id.
"""

from __future__ import annotations

from django.contrib import admin

from compact.access.principal import is_secretariat
from compact.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Attendee,
    Decision,
    DecisionSubject,
    FeedToken,
    Meeting,
    MinutesVersion,
    Notification,
    Preference,
)


class ReadOnlyMixin:
    """Shown to the secretariat only, never added, changed or deleted here."""

    def has_module_permission(self, request, *args):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgendaItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AgendaItem
    fields = ("position", "kind", "title", "presenter", "expected_outcome")
    ordering = ("position",)
    extra = 0


class AttendanceInline(ReadOnlyMixin, admin.TabularInline):
    model = Attendance
    fields = ("entity", "capacity", "status")
    extra = 0


class AttendeeInline(ReadOnlyMixin, admin.TabularInline):
    model = Attendee
    fields = ("person", "status")
    extra = 0


class MinutesVersionInline(ReadOnlyMixin, admin.TabularInline):
    model = MinutesVersion
    fk_name = "meeting"
    fields = ("number", "status", "language", "created_by", "circulated", "finalised", "corrects", "reason")
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "body", "number", "start", "time_zone", "status", "agenda_status", "sensitivity")
    list_filter = ("body", "status", "sensitivity")
    list_select_related = ("body",)
    search_fields = ("title_en", "title_fr", "uid")
    inlines = [AgendaItemInline, AttendanceInline, AttendeeInline, MinutesVersionInline]


class DecisionSubjectInline(ReadOnlyMixin, admin.TabularInline):
    model = DecisionSubject
    fields = ("kind", "programme", "workplan", "document", "project", "call")
    extra = 0


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("reference", "title", "meeting", "adopted_on", "sensitivity")
    list_filter = ("body", "year", "sensitivity")
    list_select_related = ("meeting", "meeting__body")
    search_fields = ("reference", "title_en", "title_fr")
    inlines = [DecisionSubjectInline]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "decision", "owner_body", "owner_entity", "due", "status", "completed_on")
    list_filter = ("status", "body")
    list_select_related = ("decision", "owner_body", "owner_entity")
    search_fields = ("title_en", "title_fr", "decision__reference")


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "time_zone", "notify_invitations", "notify_minutes", "notify_action_items", "notify_overdue")


@admin.register(FeedToken)
class FeedTokenAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "created", "revoked", "last_used")
    exclude = ("digest",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("sent", "user", "kind", "subject")
    list_filter = ("kind",)
