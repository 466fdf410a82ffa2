"""Grants, the security policy, users and groups in the admin, read-only: they change only through the
services (``compact.access.services``) and the account pages (``/account/users/``), which record every
change with its reason. Django's own user and group admins, which would write without the trail, are
replaced by read-only ones."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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


class AccountPagesLink:
    """Read-only admin pages that say where the rows are changed: a note linking to ``/account/users/``
    above the list and the form (``templates/access/admin_change_list.html`` and
    ``admin_change_form.html``)."""

    change_list_template = "access/admin_change_list.html"
    change_form_template = "access/admin_change_form.html"


for _model in (get_user_model(), Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(get_user_model())
class UserAdmin(AccountPagesLink, ReadOnlyAdmin, auth_admin.UserAdmin):
    """Accounts, view only: created and changed on ``/account/users/``."""

    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_superuser", "last_login")
    list_filter = ("is_active", "is_superuser", "groups")


@admin.register(Group)
class GroupAdmin(AccountPagesLink, ReadOnlyAdmin, auth_admin.GroupAdmin):
    """Groups (the ``secretariat`` role), view only: the role is given and taken on ``/account/users/``."""


# Two-factor devices and sign-in attempts change only through the account pages and services (devices)
# or django-axes itself (attempts): their admins become read-only lists for the secretariat.
def _read_only_copy(model) -> None:
    registered = admin.site._registry.get(model)
    if registered is None:
        return
    admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{type(registered).__name__}", (ReadOnlyAdmin, type(registered)), {}))


def _read_only_two_factor_and_sign_in_admins() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice, AccessAttempt, AccessFailureLog, AccessLog):
        _read_only_copy(model)


_read_only_two_factor_and_sign_in_admins()
