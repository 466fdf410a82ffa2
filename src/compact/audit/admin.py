"""The change log in the admin: readable and filterable, never editable."""

from django.contrib import admin

from compact.audit.models import ChangeEvent


@admin.register(ChangeEvent)
class ChangeEventAdmin(admin.ModelAdmin):
    list_display = ("time", "actor", "actor_label", "action", "object_type", "object_repr", "reason")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "reason", "actor_label", "request_id")
    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
