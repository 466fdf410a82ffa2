"""The suite runs on the database it was asked to run on (CI runs it on SQLite and on PostgreSQL)."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_expected_database_vendor():
    expected = os.environ.get("COMPACT_EXPECT_VENDOR")
    if not expected:
        pytest.skip("COMPACT_EXPECT_VENDOR not set (make test sets it)")
    assert connection.vendor == expected


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_foreign_keys():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
