"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

logger = logging.getLogger(__name__)
# Once every migration has been seen applied, later probes only check that the database answers
# (migrations are applied by `compact setup` before the process starts serving).
_migrations_seen_applied = False


def healthz(request):
    """``/healthz``: 200 while the process answers."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """``/readyz``: 200 when the database answers and every migration is applied, else 503."""
    global _migrations_seen_applied
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = []
        if not _migrations_seen_applied:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:  # any database failure means "not ready"; the details go to the log, not to callers
        logger.exception("readiness probe: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse({"status": "unavailable", "pending_migrations": len(pending)}, status=503)
    _migrations_seen_applied = True
    return JsonResponse({"status": "ok"})
