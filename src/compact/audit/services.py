"""Recording changes. Every service that writes calls ``record_change`` inside its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

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
