"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the change log (append-only)."""

from django.db import migrations

from compact.audit.triggers import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(*append_only("audit_changeevent"))]
