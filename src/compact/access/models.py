"""Sensitivity levels, the base of every access-controlled content type, explicit grants and the
platform's security settings.

A content type gets its access rules by inheriting ``AccessControlled`` and naming its owners:

    class Document(AccessControlled):
        access_owner_body = "owner_body"      # a ForeignKey to registry.Body, or None
        access_owner_entity = "owner_entity"  # a ForeignKey to registry.Entity, or None

Nothing else is needed: ``compact.access.policy.restrict`` and ``can`` read these declarations.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    """The UN information sensitivity levels (ST/SGB/2007/6, section 2), with *unclassified* split
    into public and internal. Ordered from least to most sensitive (see ``RANK``)."""

    PUBLIC = "public", _("public")
    INTERNAL = "internal", _("internal")
    CONFIDENTIAL = "confidential", _("confidential")
    STRICTLY_CONFIDENTIAL = "strictly_confidential", _("strictly confidential")


#: Position of each level, least sensitive first: ``RANK["confidential"] == 2``.
RANK: dict[str, int] = {level: i for i, level in enumerate(Sensitivity.values)}

#: Levels at which a change needs a reason and a read is written to the access log.
PROTECTED_LEVELS: frozenset[str] = frozenset({Sensitivity.CONFIDENTIAL, Sensitivity.STRICTLY_CONFIDENTIAL})


class AccessControlled(models.Model):
    """Abstract base of every piece of content: a sensitivity level and declared owners.

    Subclasses set ``access_owner_body`` and/or ``access_owner_entity`` to the name of a foreign key
    to ``registry.Body`` / ``registry.Entity`` (or leave them None). The owners' ids are read through
    ``access_body_id`` / ``access_entity_id``, names no model field takes, so a content type may have
    other body or entity fields of its own (an action item's ``owner_body`` is the body it tasks). The rules that use them are in
    ``compact.access.policy`` and written down in ``docs/access.md``.
    """

    access_owner_body: str | None = None
    access_owner_entity: str | None = None

    sensitivity = models.CharField(
        _("sensitivity"), max_length=24, choices=Sensitivity.choices, default=Sensitivity.INTERNAL, db_index=True,
        help_text=_("Who may read it: see the access rules."),
    )

    class Meta:
        abstract = True

    @property
    def access_body_id(self) -> int | None:
        """The id of the owning body, or None."""
        return getattr(self, f"{self.access_owner_body}_id") if self.access_owner_body else None

    @property
    def access_entity_id(self) -> int | None:
        """The id of the owning entity, or None."""
        return getattr(self, f"{self.access_owner_entity}_id") if self.access_owner_entity else None


class Grant(models.Model):
    """An explicit grant: a named user may read (or also change) one restricted item.

    Grants are how strictly confidential items are shared, and how a confidential item is opened to
    someone outside its owners. They are created and revoked only through ``access.services``, which
    records both in the audit trail; a revoked grant is deleted (its history stays in the trail).
    """

    class Level(models.TextChoices):
        READ = "read", _("read")
        CHANGE = "change", _("read and change")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("object id"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.READ)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("granted by"),
    )
    granted = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="access_grant_unique"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user} {self.level} {self.content_type.model} #{self.object_id}"


class SecurityPolicy(models.Model):
    """The platform's sign-in settings, one row (``SecurityPolicy.current()``), changed by the
    secretariat through ``access.services.security_policy_set``."""

    require_two_factor = models.BooleanField(
        _("require two-factor authentication for everyone"), default=False,
        help_text=_("When on, every user must confirm sign-in with a one-time code from an authenticator app."),
    )

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(_("security policy"))

    @classmethod
    def current(cls) -> SecurityPolicy:
        """The one row, or the defaults (unsaved) until the secretariat first changes them."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
