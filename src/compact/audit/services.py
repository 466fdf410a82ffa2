"""Recording changes. Every service that writes calls ``record_change`` inside its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models, transaction

from compact.audit.models import ChangeEvent


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value (dates as ISO 8601, decimals as strings, objects by pk)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of ``obj`` as ``{field attname: plain value}``."""
    return {f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields if not f.primary_key}


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
    ``actor_label`` (e.g. ``"compact load-structure"``).
    """
    return ChangeEvent.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes,
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label or (actor.get_username() if getattr(actor, "is_authenticated", False) else ""),
        request_id=request_id,
    )


def save_with_audit(*, obj: models.Model, reason: str, actor=None, actor_label: str = "", request_id: str = "") -> ChangeEvent | None:
    """Save ``obj`` and record the change (create, or update with its field diff) in one transaction.

    Returns the event, or None when an existing object's fields did not change (nothing recorded).
    Raises ``ValueError`` when ``reason`` is empty.
    """
    if not reason.strip():
        raise ValueError("A reason is required for this change.")
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
        raise ValueError("A reason is required for this change.")
    with transaction.atomic():
        before = snapshot(obj)
        event = record_change(
            action=ChangeEvent.Action.DELETE, obj=obj, changes=diff(before, {}), reason=reason,
            actor=actor, actor_label=actor_label, request_id=request_id,
        )
        obj.delete()
        return event
