"""The change log in the admin (read-only), and the base class that makes admin edits audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from compact.audit.models import ChangeEvent
from compact.audit.services import delete_with_audit, save_with_audit


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
