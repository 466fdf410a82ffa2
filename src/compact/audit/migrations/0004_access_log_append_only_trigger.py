"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the access log (append-only), as it
does on the change log (0002)."""

from django.db import migrations

from compact.audit.triggers import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_access_log_and_actor_entity")]
    operations = [migrations.RunPython(*append_only("audit_accessevent"))]
