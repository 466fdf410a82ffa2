"""Fixtures of the audit trail tests: events written at chosen times, a secretariat member, a focal point."""

from __future__ import annotations

import contextlib
import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from compact.audit.models import AccessEvent, ChangeEvent

UTC = dt.UTC


@contextlib.contextmanager
def frozen(moment: dt.datetime):
    """Let ``auto_now_add`` stamp rows with ``moment``."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def change_at(moment: dt.datetime, **fields) -> ChangeEvent:
    """A change event stamped ``moment`` (defaults: an update of entity 1 by a command)."""
    values = {
        "action": "update", "object_type": "registry.entity", "object_id": "1", "object_repr": "UNOCT",
        "changes": {"iati_identifier": ["", "XM-OCHA-1"]}, "reason": "", "actor_label": "compact load-structure",
    }
    values.update(fields)
    with frozen(moment):
        return ChangeEvent.objects.create(**values)


def access_at(moment: dt.datetime, **fields) -> AccessEvent:
    """An access event stamped ``moment`` (defaults: a view of person 1, confidential)."""
    values = {
        "action": "view", "object_type": "registry.person", "object_ids": [1], "row_count": 1,
        "highest_sensitivity": "confidential", "path": "/people/1/", "user_label": "someone",
    }
    values.update(fields)
    with frozen(moment):
        return AccessEvent.objects.create(**values)


def at(day: str, clock: str = "12:00:00") -> dt.datetime:
    """``"2025-03-02", "23:59:59"`` -> an aware datetime in UTC (the site's zone in the tests)."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)


@pytest.fixture
def events():
    """The helpers above, for the tests: ``events.change_at``, ``events.access_at``, ``events.at``."""
    import types

    return types.SimpleNamespace(change_at=change_at, access_at=access_at, at=at, frozen=frozen)


@pytest.fixture
def secretariat(make_user):
    """A member of the secretariat group (not a superuser), affiliated with UNOCT."""
    return make_user("amara", entity="UNOCT", secretariat=True)


@pytest.fixture
def focal_point(make_user):
    """UNODA's focal point: signed in, but not of the secretariat."""
    return make_user("tomas", entity="UNODA")
