"""Grants and the security policy in the admin, read-only: they change only through the services
(``compact.access.services``) and the account pages, which record every change with its reason."""

from __future__ import annotations

from django.contrib import admin

from compact.access.models import Grant, SecurityPolicy
from compact.access.principal import is_secretariat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows and their fields to the secretariat; refuses adding, changing and deleting."""

    def has_module_permission(self, request) -> bool:
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_secretariat(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "content_type", "object_id", "level", "granted_by", "granted")
    list_filter = ("level", "content_type")
    search_fields = ("user__username",)
    list_select_related = ("user", "content_type", "granted_by")


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "require_two_factor")
