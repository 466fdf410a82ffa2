"""Documents in the admin, for the secretariat only; every save is audited with a reason."""

from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from compact.access.principal import is_secretariat
from compact.audit.admin import AuditedAdminMixin
from compact.library.models import Document
from compact.library.services import document_update


@admin.register(Document)
class DocumentAdmin(AuditedAdminMixin, TranslationAdmin):
    """Documents: listed by date with owners and sensitivity; file facts are read-only (they are set
    from the uploaded file by the library's services). Only the secretariat sees this page."""

    list_display = ("title", "kind", "document_date", "owner_body", "owner_entity", "sensitivity")
    list_filter = ("kind", "sensitivity", "owner_body")
    search_fields = ("title", "summary", "file_name")
    list_select_related = ("owner_body", "owner_entity")
    autocomplete_fields = ()
    raw_id_fields = ("annex_of",)
    readonly_fields = ("file", "file_name", "media_type", "size", "sha256", "created_by", "created", "updated")

    def _secretariat(self, request) -> bool:
        return is_secretariat(request.user)

    def has_module_permission(self, request):
        return self._secretariat(request)

    def has_view_permission(self, request, obj=None):
        return self._secretariat(request)

    def has_add_permission(self, request):
        return False  # documents are added with their file through the library's pages

    def has_change_permission(self, request, obj=None):
        return self._secretariat(request)

    def save_model(self, request, obj, form, change):
        """Save through ``library.services.document_update`` (validation, permission, one audited event
        with the form's reason)."""
        if change and not (set(form.changed_data) - {self.reason_field}):
            return
        document_update(document=obj, actor=request.user, reason=form.cleaned_data.get(self.reason_field, ""))
