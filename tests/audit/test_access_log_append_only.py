"""The access log is append-only: the application refuses to change or delete its rows, and so does
PostgreSQL itself (triggers)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from compact.audit.models import AccessEvent


@pytest.fixture
def logged(db, events):
    return [events.access_at(events.at("2025-07-01"), user_label="someone", detail=f"read {n}") for n in range(3)]


@pytest.mark.django_db
def test_access_log_rows_cannot_be_changed_or_deleted(logged):
    event = AccessEvent.objects.get(pk=logged[0].pk)
    event.detail = "rewritten"
    with pytest.raises(PermissionError, match="append-only"):
        event.save()
    with pytest.raises(PermissionError, match="append-only"):
        event.delete()
    with pytest.raises(PermissionError, match="append-only"):
        AccessEvent.objects.update(detail="rewritten")
    with pytest.raises(PermissionError, match="append-only"):
        AccessEvent.objects.filter(pk=event.pk).update(row_count=0)
    with pytest.raises(PermissionError, match="append-only"):
        AccessEvent.objects.all().delete()
    with pytest.raises(PermissionError, match="append-only"):
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert sorted(AccessEvent.objects.values_list("detail", flat=True)) == ["read 0", "read 1", "read 2"]


@pytest.mark.django_db
def test_the_database_itself_refuses_to_rewrite_the_access_log(logged):
    if connection.vendor != "postgresql":
        pytest.skip("the database-level guard is a PostgreSQL trigger")
    table = AccessEvent._meta.db_table
    event = logged[1]
    for statement in (f"UPDATE {table} SET detail = 'rewritten' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s",
                      f"UPDATE {table} SET row_count = 0"):
        args = [event.pk] if "%s" in statement else []
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, args)
    assert AccessEvent.objects.get(pk=event.pk).detail == "read 1"
    assert AccessEvent.objects.count() == 3
