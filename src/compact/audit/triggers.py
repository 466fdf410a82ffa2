"""Append-only tables in PostgreSQL: triggers that refuse UPDATE and DELETE on a table of the audit trail.

(TRUNCATE, which test databases use to empty tables, is left to database privileges.) On SQLite the
application's own refusal (``AppendOnlyModel`` and its query set) is the guard.
"""

from __future__ import annotations


def _forward_sql(table: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""


def _backward_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_delete ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def append_only(table: str):
    """``(forward, backward)`` functions for ``migrations.RunPython`` that add (and remove) the triggers
    making ``table`` append-only on PostgreSQL, and do nothing on other databases."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_forward_sql(table), params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_backward_sql(table), params=None)

    return forward, backward
