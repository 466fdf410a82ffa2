"""The library: documents of the Compact's bodies and entities (terms of reference, workplans, reports,
notes, presentations), each with a sensitivity level and owners, and a private file.

Files are stored under ``MEDIA_ROOT`` and served only by the download view, after the access policy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compact.access.models import AccessControlled


def document_upload_path(document: Document, filename: str) -> str:
    """``documents/<year>/<random hex>/<file name>``: the stored name never collides and never reveals
    more than the file's own name."""
    import secrets

    from django.utils import timezone

    return f"documents/{timezone.now():%Y}/{secrets.token_hex(8)}/{filename}"


class Document(AccessControlled):
    """A document owned by a body and/or an entity, at a sensitivity level.

    ``annex_of`` makes it an annex of another document; a reader who may not read the other one sees a
    stub in its place (``library.selectors``). Titles and summaries are translated into the six languages.
    """

    access_owner_body = "owner_body"
    access_owner_entity = "owner_entity"
    audit_omit = ("created_by",)  # the actor of the creation event

    class Kind(models.TextChoices):
        TERMS_OF_REFERENCE = "terms_of_reference", _("terms of reference")
        WORKPLAN = "workplan", _("workplan")
        REPORT = "report", _("report")
        MINUTES = "minutes", _("minutes")
        NOTE = "note", _("note")
        PRESENTATION = "presentation", _("presentation")
        OTHER = "other", _("other")

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.OTHER)
    owner_body = models.ForeignKey(
        "registry.Body", on_delete=models.PROTECT, null=True, blank=True, related_name="documents",
        verbose_name=_("owning body"),
    )
    owner_entity = models.ForeignKey(
        "registry.Entity", on_delete=models.PROTECT, null=True, blank=True, related_name="documents",
        verbose_name=_("owning entity"),
    )
    document_date = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("language of the file"), max_length=10, choices=settings.LANGUAGES, blank=True)
    annex_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="annexes", verbose_name=_("annex of"),
    )
    file = models.FileField(_("file"), upload_to=document_upload_path, blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-document_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_body__isnull=False) | Q(owner_entity__isnull=False),
                name="library_document_has_owner",
                violation_error_message=_("A document belongs to a body, an entity or both."),
            ),
        ]

    def __str__(self) -> str:
        return self.title
