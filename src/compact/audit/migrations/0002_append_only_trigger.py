"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the change log (append-only).

(TRUNCATE, which test databases use to empty tables, is left to database privileges.) On SQLite
the application's own refusal (``ChangeEvent`` and its query set) is the guard.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION audit_changeevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_changeevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_changeevent_no_update BEFORE UPDATE ON audit_changeevent
    FOR EACH ROW EXECUTE FUNCTION audit_changeevent_append_only();
CREATE TRIGGER audit_changeevent_no_delete BEFORE DELETE ON audit_changeevent
    FOR EACH ROW EXECUTE FUNCTION audit_changeevent_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS audit_changeevent_no_update ON audit_changeevent;
DROP TRIGGER IF EXISTS audit_changeevent_no_delete ON audit_changeevent;
DROP FUNCTION IF EXISTS audit_changeevent_append_only();
"""
def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
