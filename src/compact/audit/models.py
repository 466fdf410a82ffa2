"""The change log: one row per write, recorded in the same transaction as the write.

Rows are append-only for the application: the model refuses updates and deletes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The change log is append-only.")

    def delete(self):
        raise PermissionError("The change log is append-only.")


class ChangeEvent(models.Model):
    """Who changed what, when, how (before/after of each field) and why."""

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
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, help_text=_("{field: [before, after]}"))
    reason = models.TextField(_("reason"), blank=True)

    objects = ChangeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The change log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The change log is append-only.")
