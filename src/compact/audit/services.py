"""Recording changes and protected reads.

Every service that writes calls ``record_change`` (or ``save_with_audit`` / ``delete_with_audit``)
inside its transaction; views that show confidential or strictly confidential content, and every
export, call ``record_access``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from compact.audit.context import current as current_context
from compact.audit.models import AccessEvent, ChangeEvent


class ReasonRequired(ValueError):
    """A change that must say why was made without a reason."""


def reason_required(obj: models.Model, changes: dict[str, list[Any]] | None = None) -> bool:
    """Whether a change to ``obj`` needs a reason: structure rows (models declaring
    ``audit_requires_reason = True``: bodies, participation, leadership) and content that is, or was
    before this change, confidential or strictly confidential (``docs/access.md``)."""
    from compact.access.models import PROTECTED_LEVELS

    if getattr(type(obj), "audit_requires_reason", False):
        return True
    levels = {getattr(obj, "sensitivity", None)}
    if changes and "sensitivity" in changes:
        levels |= set(changes["sensitivity"])
    return bool(levels & PROTECTED_LEVELS)


def _entity_id_of(user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    from compact.access.principal import principal_for

    return principal_for(user).entity_id


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value (dates as ISO 8601, decimals as strings, objects by pk)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


#: Fields whose values never enter the trail: a change shows as a different opaque marker.
SECRET_FIELDS = frozenset({"password"})


def _hidden(value: Any) -> str:
    import hashlib

    return "" if not value else "hidden:" + hashlib.sha256(str(value).encode()).hexdigest()[:8]


def _recorded(field: models.Field, model: type[models.Model]) -> bool:
    """Whether a field's value belongs in the trail: not the key, not an automatic timestamp (the event has
    its own time), not a field the model lists in ``audit_omit`` (e.g. its creator: the event's actor)."""
    if field.primary_key or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False
    return field.name not in getattr(model, "audit_omit", ())


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The recorded field values of ``obj`` as ``{field attname: plain value}`` (see ``_recorded``); secret
    fields (``SECRET_FIELDS``) as an opaque marker that changes when the value changes."""
    return {
        f.attname: _hidden(getattr(obj, f.attname)) if f.attname in SECRET_FIELDS else _plain(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if _recorded(f, type(obj))
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value differs between two snapshots."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record_change(
    *,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]],
    reason: str,
    actor=None,
    actor_label: str = "",
    request_id: str = "",
) -> ChangeEvent:
    """Append one event to the change log. Call it inside the write's ``transaction.atomic()``.

    ``action`` is ``"create" | "update" | "delete"``; ``changes`` maps each field to
    ``[before, after]`` (see ``diff``); ``actor`` is a user or None for a system actor named by
    ``actor_label`` (e.g. ``"compact load-structure"``). The request id and label default to those of
    the running request or command (``compact.audit.context``); the actor's entity is recorded too.

    Raises ``ReasonRequired`` when the change needs a reason (``reason_required``) and has none.
    """
    if not reason.strip() and reason_required(obj, changes):
        raise ReasonRequired(_("A reason is required for a change to %(type)s “%(object)s”.")
                             % {"type": obj._meta.verbose_name, "object": obj})
    context = current_context()
    request_id = request_id or context.request_id
    actor_label = actor_label or context.actor_label
    return ChangeEvent.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes,
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label or (actor.get_username() if getattr(actor, "is_authenticated", False) else ""),
        actor_entity_id=_entity_id_of(actor),
        request_id=request_id,
    )


def record_access(
    *,
    user,
    action: str,
    model: type[models.Model],
    rows: list[models.Model] | None = None,
    row_count: int | None = None,
    detail: str = "",
    always: bool = False,
) -> AccessEvent | None:
    """Write one access-log event when ``rows`` holds confidential or strictly confidential content,
    or whenever ``always`` (exports). Returns the event, or None when nothing needed logging.

    ``action`` is one of ``AccessEvent.Action`` (view, list, search, download, export); ``rows`` are the
    access-controlled objects the user was shown (only the protected ones are listed by id);
    ``row_count`` defaults to ``len(rows)``.
    """
    from compact.access.models import PROTECTED_LEVELS, RANK

    rows = rows or []
    protected = [r for r in rows if getattr(r, "sensitivity", None) in PROTECTED_LEVELS]
    if not protected and not always:
        return None
    levels = [r.sensitivity for r in rows if getattr(r, "sensitivity", None)]
    context = current_context()
    authenticated = getattr(user, "is_authenticated", False)
    return AccessEvent.objects.create(
        user=user if authenticated else None,
        user_label=user.get_username() if authenticated else context.actor_label,
        user_entity_id=_entity_id_of(user),
        request_id=context.request_id,
        action=action,
        object_type=model._meta.label_lower,
        object_ids=sorted(r.pk for r in (rows if always else protected)),
        row_count=len(rows) if row_count is None else row_count,
        highest_sensitivity=max(levels, key=RANK.__getitem__) if levels else "",
        path=context.path,
        detail=detail[:300],
    )


def save_with_audit(*, obj: models.Model, reason: str, actor=None, actor_label: str = "", request_id: str = "") -> ChangeEvent | None:
    """Save ``obj`` and record the change (create, or update with its field diff) in one transaction.

    Returns the event, or None when an existing object's fields did not change (nothing recorded).
    Raises ``ValueError`` when ``reason`` is empty.
    """
    if not reason.strip():
        raise ReasonRequired(_("A reason is required for this change."))
    with transaction.atomic():
        before = None
        if obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(stored) if stored is not None else None
        obj.save()
        after = snapshot(obj)
        changes = diff(before or {}, after)
        if before is not None and not changes:
            return None
        return record_change(
            action=ChangeEvent.Action.UPDATE if before is not None else ChangeEvent.Action.CREATE,
            obj=obj, changes=changes, reason=reason, actor=actor, actor_label=actor_label, request_id=request_id,
        )


def delete_with_audit(*, obj: models.Model, reason: str, actor=None, actor_label: str = "", request_id: str = "") -> ChangeEvent:
    """Delete ``obj`` and record its last field values, in one transaction.

    Raises ``ValueError`` when ``reason`` is empty, and Django's ``ProtectedError`` when other rows
    still refer to ``obj`` (nothing is deleted or recorded then).
    """
    if not reason.strip():
        raise ReasonRequired(_("A reason is required for this change."))
    with transaction.atomic():
        before = snapshot(obj)
        event = record_change(
            action=ChangeEvent.Action.DELETE, obj=obj, changes=diff(before, {}), reason=reason,
            actor=actor, actor_label=actor_label, request_id=request_id,
        )
        obj.delete()
        return event
