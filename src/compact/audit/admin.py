"""The change log in the admin (read-only), and the base class that makes admin edits audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from compact.access.principal import is_secretariat
from compact.audit.models import AccessEvent, ChangeEvent
from compact.audit.services import delete_with_audit, record_access, save_with_audit


@admin.register(ChangeEvent)
class ChangeEventAdmin(admin.ModelAdmin):
    """The change log, read-only, for the secretariat."""

    list_display = ("time", "actor", "actor_label", "action", "object_type", "object_repr", "reason")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "reason", "actor_label", "request_id")
    date_hierarchy = "time"

    def has_module_permission(self, request):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedChangeForm(forms.ModelForm):
    """Admin form asking for the reason of the change, recorded in the audit trail."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit trail with your name."),
    )


class AuditedAdminMixin:
    """Admin edits go through the audit services: the form asks for a reason, and every saved or
    deleted object (inline rows included) is recorded with the user, the request id and that reason."""

    form = AuditedChangeForm
    reason_field = "change_reason"

    def _audit(self, request) -> dict:
        return {
            "actor": request.user,
            "reason": getattr(request, "_compact_change_reason", ""),
            "request_id": getattr(request, "id", ""),
        }

    def save_model(self, request, obj, form, change):
        request._compact_change_reason = form.cleaned_data.get(self.reason_field, "")
        if change and not (set(form.changed_data) - {self.reason_field}):
            return  # only inline rows changed: the object itself is neither written nor recorded
        save_with_audit(obj=obj, **self._audit(request))

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete_with_audit(obj=obj, **self._audit(request))
        for obj in instances:
            save_with_audit(obj=obj, **self._audit(request))
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        # Structure is never deleted from its own page: a body is dissolved, a role or participation ended.
        return False

    # The secretariat administers the platform: it alone sees, adds and changes through the admin.
    def has_module_permission(self, request):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_add_permission(self, request, *args):
        return is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def changelist_view(self, request, extra_context=None):
        """The list; confidential or strictly confidential rows it shows are written to the access log."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None and hasattr(self.model, "sensitivity"):
            record_access(user=request.user, action=AccessEvent.Action.LIST, model=self.model,
                          rows=list(changelist.result_list), detail="admin")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The edit page; opening confidential or strictly confidential content is written to the access log."""
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original") if hasattr(response, "context_data") else None
        if obj is not None and hasattr(obj, "sensitivity"):
            record_access(user=request.user, action=AccessEvent.Action.VIEW, model=type(obj), rows=[obj], detail="admin")
        return response
