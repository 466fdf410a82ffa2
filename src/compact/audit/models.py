"""The audit trail: the change log (one row per write, recorded in the same transaction as the write)
and the access log (reads of confidential and strictly confidential items, and every export).

Both are append-only for the application: the models and their query sets refuse updates and deletes,
and on PostgreSQL triggers refuse them in the database itself (migrations 0002 and 0004).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """A query set that refuses bulk updates and deletes."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only.")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only.")


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted by the application."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name_plural} are append-only.")


ChangeEventQuerySet = AppendOnlyQuerySet


class ChangeEvent(AppendOnlyModel):
    """Who changed what (and for which entity), when, in which request, how (before/after of each
    field) and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        _("actor label"), max_length=150, blank=True, help_text=_("e.g. the command that made the change")
    )
    actor_entity = models.ForeignKey(
        "registry.Entity", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor's entity"),
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, help_text=_("{field: [before, after]}"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-time"], name="audit_change_object_idx")]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_repr}"


class AccessEvent(AppendOnlyModel):
    """One read of confidential or strictly confidential content, or one export: who (and for which
    entity), when, in which request, what (object type and the ids of the protected rows seen, or every
    row exported), how many rows, and where (the path asked for, without its query string)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        LIST = "list", _("listed")
        SEARCH = "search", _("found in search")
        DOWNLOAD = "download", _("downloaded")
        EXPORT = "export", _("exported")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("user"),
    )
    user_label = models.CharField(_("user label"), max_length=150, blank=True)
    user_entity = models.ForeignKey(
        "registry.Entity", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("user's entity"),
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_ids = models.JSONField(_("object ids"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    highest_sensitivity = models.CharField(_("highest sensitivity"), max_length=24, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True, help_text=_("e.g. the export format and filters"))

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.object_type} ({self.row_count})"
