"""The tasks of data exchange (django-tasks): running an import job.

``run_import_job`` is queued by ``compact.interop.job_services`` and run by a task worker (``compact
db_worker``, or the one ``compact serve`` starts), or at once with the immediate backend (settings
``TASKS``). It reads the job's stored files, runs ``compact.interop.iati_services.iati_import`` as the
job's actor, under the request id of the request that started the job, and keeps the job's status,
progress and report up to date.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from compact.audit.context import audit_context
from compact.interop.models import ImportJob

#: Seconds between two saves of a job's progress.
PROGRESS_INTERVAL = 1.0

#: The longest error message kept on a failed job (characters).
MAX_ERROR_LENGTH = 2000


class JobProgress:
    """The ``progress(bytes_done, bytes_total)`` callback of an import: saves the job's progress at most
    every ``interval`` seconds (and always the last call).

    The import reads the files outside any transaction (its first pass), then writes in one transaction
    (its second pass, all or nothing), whose writes others see only when it ends. While a transaction is
    open, the progress is written through a connection of its own, which commits at once and which
    ``close()`` closes; on SQLite, where that transaction holds the only write lock of the database, it is
    not written until the transaction ends (the bytes are all read by then)."""

    def __init__(self, job_id: int, *, interval: float = PROGRESS_INTERVAL, clock=time.monotonic):
        self.job_id = job_id
        self.interval = interval
        self.clock = clock
        self.saved_at: float | None = None
        self.saves = 0
        self._own_connection = None

    def __call__(self, bytes_done: int, bytes_total: int) -> None:
        now = self.clock()
        finished = bool(bytes_total) and bytes_done >= bytes_total
        if self.saved_at is not None and now - self.saved_at < self.interval and not finished:
            return
        self.saved_at = now
        self.saves += self._save(bytes_done, bytes_total)

    def _save(self, bytes_done: int, bytes_total: int) -> int:
        """Write the progress; returns 1 when it was written, 0 when it could not be."""
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(bytes_done=bytes_done, bytes_total=bytes_total)
            return 1
        if connection.vendor == "sqlite":
            return 0
        if self._own_connection is None:
            self._own_connection = connections.create_connection(DEFAULT_DB_ALIAS)
        quote = self._own_connection.ops.quote_name
        with self._own_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(ImportJob._meta.db_table)} SET {quote('bytes_done')} = %s, {quote('bytes_total')} = %s "
                f"WHERE {quote('id')} = %s", [bytes_done, bytes_total, self.job_id])
        return 1

    def close(self) -> None:
        """Close the connection of its own, if one was opened."""
        if self._own_connection is not None:
            self._own_connection.close()
            self._own_connection = None


@contextlib.contextmanager
def local_files(files: list[dict[str, Any]]):
    """The job's stored files as ``[(file name, local path)]`` for the reader: the storage's own path when
    it has one (the default file system storage), else a temporary copy removed afterwards (a remote
    storage). Raises ``FileNotFoundError`` for a stored file that is gone."""
    with contextlib.ExitStack() as stack:
        local: list[tuple[str, Path]] = []
        for item in files:
            try:
                path = Path(default_storage.path(item["path"]))
            except NotImplementedError:
                copy = stack.enter_context(tempfile.NamedTemporaryFile(suffix=Path(item["path"]).suffix))
                with default_storage.open(item["path"], "rb") as stored:
                    shutil.copyfileobj(stored, copy)
                copy.flush()
                path = Path(copy.name)
            if not path.exists():
                raise FileNotFoundError(_("The stored file %(file)s is missing.") % {"file": item["name"]})
            local.append((item["name"], path))
        yield local


def _import_arguments(job: ImportJob) -> dict[str, Any]:
    """``iati_import``'s options from the job's (the lead body and entity as registry objects)."""
    from compact.interop.job_services import selection_from_options
    from compact.registry.models import Body, Entity

    options = job.options
    return {
        "actor": job.created_by,
        "dry_run": bool(options.get("dry_run")),
        "reason": options.get("reason", ""),
        "lead_body": Body.objects.filter(pk=options["lead_body"]).first() if options.get("lead_body") else None,
        "lead_entity": Entity.objects.filter(pk=options["lead_entity"]).first() if options.get("lead_entity") else None,
        "selection": selection_from_options(options.get("selection")),
    }


@task()
def run_import_job(job_id: int) -> dict[str, Any]:
    """Run the import job ``job_id``; returns ``{"job": id, "status": "done" | "failed" | the status it had}``.

    A job that is no longer queued is left as it is (a task run twice imports once). On success the job is
    done with its report (``IatiReport.as_dict()``) and the number of its problems; on any error it is
    marked failed with the error's message, and the error is raised again so that the task backend records
    it with its traceback (the import itself writes nothing when it fails)."""
    from compact.interop.iati_services import iati_import

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started=timezone.now(), bytes_done=0)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return {"job": job_id, "status": job.status}
    progress = JobProgress(job.pk)
    try:
        with local_files(job.files) as files, audit_context(request_id=job.request_id or f"import-job-{job.pk}"):
            report = iati_import(files=files, progress=progress, **_import_arguments(job))
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            message = _("The task worker was stopped during the import.")
        else:
            message = str(exc) or type(exc).__name__
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, finished=timezone.now(),
                                                   error=message[:MAX_ERROR_LENGTH])
        raise
    finally:
        progress.close()
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.DONE, finished=timezone.now(),
                                               report=report.as_dict(), problem_count=len(report.problems),
                                               bytes_done=F("bytes_total"))
    return {"job": job_id, "status": ImportJob.Status.DONE.value}
