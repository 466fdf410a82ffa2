"""Starting import jobs: imports of IATI activity files that run as tasks (``compact.interop.tasks``).

``import_job_start`` checks who imports and with which options, stores the uploaded files with the
default storage (``compact.interop.models.import_upload_path``), creates the ``ImportJob`` with its
change-log event in one transaction, and queues the task once that transaction is committed, so that a
worker never sees a job that is not there. ``import_job_confirm`` repeats a dry run that passed as a
real import ("Import for real"): same files, same options, with its own reason; once only.

Who may import: the secretariat, for any lead entity; the focal point of an entity, for their own entity
only (the lead entity of the projects an import creates when their reporting organisation is not a
registry entity). The import itself (``compact.interop.iati_services.iati_import``) checks each project
as its actor, through the projects' services.

The worker's later updates of a job (status, progress, report) are the task's bookkeeping, not content:
they are not in the change log; the import's own changes are, under the job's actor, reason and request.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from compact.access.principal import principal_for
from compact.audit.context import current as current_audit_context
from compact.audit.models import ChangeEvent
from compact.audit.services import diff, record_change, snapshot
from compact.interop.iati.selection import Selection
from compact.interop.job_selectors import may_import
from compact.interop.models import ImportJob, import_upload_path
from compact.registry.models import Body, Entity

logger = logging.getLogger(__name__)

#: What a file to import may be: its content, an open file (an upload) or a path.
Upload = bytes | File | Path

#: How many bytes of a file are looked at to tell whether it is XML at all.
SNIFF_BYTES = 1024

#: White space, NUL bytes (UTF-16 and UTF-32 read as UTF-8) and the byte-order mark, before the first "<".
_LEADING = " \t\r\n\x00\ufeff"


@dataclass(frozen=True)
class ImportOptions:
    """How an import runs: ``dry_run`` (check and report, write nothing), the ``lead_body`` (a working
    group) and ``lead_entity`` of the projects it creates, and the ``selection`` of counter-terrorism
    relevant activities (None: every activity)."""

    dry_run: bool = True
    lead_body: Body | None = None
    lead_entity: Entity | None = None
    selection: Selection | None = None


def selection_from_options(texts: dict[str, str] | None) -> Selection | None:
    """The ``Selection`` a job's options keep as ``Selection.as_texts()`` (None: every activity)."""
    return None if texts is None else Selection.parse(**texts)


def _size(content: Upload) -> int:
    if isinstance(content, bytes):
        return len(content)
    if isinstance(content, Path):
        return content.stat().st_size
    return content.size


def _head(content: Upload) -> bytes:
    if isinstance(content, bytes):
        return content[:SNIFF_BYTES]
    if isinstance(content, Path):
        with content.open("rb") as f:
            return f.read(SNIFF_BYTES)
    content.seek(0)
    head = content.read(SNIFF_BYTES)
    content.seek(0)
    return head


def looks_like_xml(head: bytes) -> bool:
    """Whether a file's first bytes start, after any byte-order mark and white space, with ``<`` in UTF-8,
    UTF-16 or UTF-32 (with or without a byte-order mark) or in any encoding that keeps ASCII as it is.
    Only the reader (``compact.interop.iati.reader``) tells whether it is well-formed IATI XML."""
    return head.decode("utf-8", errors="ignore").lstrip(_LEADING).startswith("<")


def _file_errors(files: Sequence[tuple[str, Upload]]) -> list[str]:
    """Why the files cannot be imported: none given, an empty one, one over ``settings.IMPORT_MAX_FILE_SIZE``
    or one that is not XML."""
    if not files:
        return [_("Choose at least one IATI XML file.")]
    limit = settings.IMPORT_MAX_FILE_SIZE
    errors = []
    for name, content in files:
        size = _size(content)
        if not size:
            errors.append(_("%(file)s is empty.") % {"file": name})
        elif size > limit:
            errors.append(_("%(file)s is larger than %(size)s.") % {"file": name, "size": filesizeformat(limit)})
        elif not looks_like_xml(_head(content)):
            errors.append(_("%(file)s is not an XML file: an IATI file starts with “<”.") % {"file": name})
    return errors


def _option_errors(actor, options: ImportOptions) -> tuple[dict[str, list[str]], Entity | None]:
    """The problems of ``options`` for ``actor`` by field, and the lead entity to use: a focal point's own
    entity when they name none."""
    errors: dict[str, list[str]] = {}
    lead_entity = options.lead_entity
    if options.lead_body is not None and options.lead_body.kind != Body.Kind.WORKING_GROUP:
        errors["lead_body"] = [_("The lead of new projects must be a working group.")]
    if actor is not None:
        principal = principal_for(actor)
        if not principal.is_secretariat:
            if lead_entity is None:
                lead_entity = Entity.objects.filter(pk=principal.entity_id).first()
            elif lead_entity.pk != principal.entity_id:
                errors["lead_entity"] = [_("A focal point imports for their own entity only.")]
    return errors, lead_entity


def _reason_errors(options: ImportOptions, reason: str) -> dict[str, list[str]]:
    if not options.dry_run and not reason.strip():
        return {"reason": [_("A reason is required for an import.")]}
    return {}


def _stored_name(name: str) -> str:
    """The file's own name, without any folder a browser or client sent along."""
    return os.path.basename(name.replace("\\", "/")).strip() or "activities.xml"


def _as_storable(content: Upload) -> File:
    if isinstance(content, bytes):
        return ContentFile(content)
    if isinstance(content, Path):
        return File(content.open("rb"))
    content.seek(0)
    return content


@contextlib.contextmanager
def _stored_files(files: Sequence[tuple[str, Upload]]):
    """Store the files with the default storage; yields ``[{"name", "path", "size"}]``. When the block
    fails, the files stored are removed again, so that nothing is left half-written."""
    stored: list[dict[str, Any]] = []
    try:
        for name, content in files:
            storable = _as_storable(content)
            try:
                path = default_storage.save(import_upload_path(_stored_name(name)), storable)
            finally:
                if isinstance(content, Path):
                    storable.close()
            stored.append({"name": name, "path": path, "size": _size(content)})
        yield stored
    except BaseException:
        for item in stored:
            default_storage.delete(item["path"])
        raise


def _enqueue(job_id: int) -> None:
    """Queue the job's task (after the commit that created the job) and keep the task's result id. When
    the task cannot be queued, the job is marked failed, saying so."""
    from compact.interop.tasks import run_import_job

    try:
        result = run_import_job.enqueue(job_id)
    except Exception as exc:
        logger.exception("Import job %s could not be queued", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, finished=timezone.now(),
            error=_("The import could not be queued: %(error)s") % {"error": exc})
        return
    ImportJob.objects.filter(pk=job_id).update(task_result_id=str(result.id))


def _create(*, actor, files: list[dict[str, Any]], options: dict[str, Any], reason: str,
            confirms: ImportJob | None = None) -> ImportJob:
    """Create the job and its change-log event; its task is queued once the transaction commits."""
    job = ImportJob(
        kind=ImportJob.Kind.IATI, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        options=options, files=files, bytes_total=sum(f["size"] for f in files),
        request_id=current_audit_context().request_id, confirms=confirms,
    )
    job.save()
    record_change(action=ChangeEvent.Action.CREATE, obj=job, changes=diff({}, snapshot(job)),
                  reason=reason.strip() or _("Dry run of an IATI import"), actor=actor)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def import_job_start(*, actor, files: Sequence[tuple[str, Upload]], options: ImportOptions, reason: str = "") -> ImportJob:
    """Start an import of IATI activity ``files`` (``[(file name, content)]``, content as bytes, an
    uploaded or open file, or a path) as ``actor`` with ``options``; returns the job, queued. Its task
    runs once the caller's transaction commits (at once with the immediate task backend).

    ``reason`` is recorded on every change the import makes; required unless ``options.dry_run``.
    Raises ``PermissionDenied`` unless the actor may import (``job_selectors.may_import``; ``actor=None``
    is the platform itself), and ``ValidationError`` keyed by ``files`` (none, empty, larger than
    ``settings.IMPORT_MAX_FILE_SIZE``, not XML), ``lead_body`` (not a working group), ``lead_entity``
    (a focal point naming another entity than theirs) and ``reason``; nothing is stored then.
    """
    if actor is not None and not may_import(user=actor):
        raise PermissionDenied(_("Only the secretariat and the focal points of entities import files."))
    errors, lead_entity = _option_errors(actor, options)
    errors |= _reason_errors(options, reason)
    file_errors = _file_errors(files)
    if file_errors:
        errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)
    stored_options = {
        "dry_run": options.dry_run,
        "lead_body": options.lead_body.pk if options.lead_body is not None else None,
        "lead_entity": lead_entity.pk if lead_entity is not None else None,
        "selection": options.selection.as_texts() if options.selection is not None else None,
        "reason": reason.strip(),
    }
    with _stored_files(files) as stored, transaction.atomic():
        return _create(actor=actor, files=stored, options=stored_options, reason=reason)


def import_job_confirm(*, actor, job: ImportJob, reason: str) -> ImportJob:
    """Import for real what the dry run ``job`` checked: a new job with the same files and options, not a
    dry run, with ``reason``; returns it, queued as ``import_job_start``'s.

    A dry run is confirmed once: confirming it again would later write what it checked back then over what
    people corrected since (its files are checked again, but against the options and data of that time).
    The dry run is locked while it is confirmed (``select_for_update``; on SQLite the transaction's write
    lock), so that two confirmations at once make one import.

    Raises ``PermissionDenied`` unless the actor started the dry run or is in the secretariat (and may
    import), and ``ValidationError`` keyed by ``job`` when it is not a dry run that finished without
    problems or when it was confirmed already (naming the import that did), by ``reason`` when there is
    none, and as ``import_job_start`` when its options no longer hold for the actor (a lead body or
    entity removed meanwhile).
    """
    if actor is not None:
        if not may_import(user=actor) or (job.created_by_id != actor.pk and not principal_for(actor).is_secretariat):
            raise PermissionDenied(_("You may not import these files."))
    if not job.may_confirm:
        raise ValidationError({"job": [_("Only a dry run that finished without problems can be imported for real.")]})
    with transaction.atomic():
        ImportJob.objects.select_for_update().only("pk").get(pk=job.pk)  # held until the new job is created
        confirmation = job.confirmations.order_by("pk").first()
        if confirmation is not None:
            raise ValidationError({"job": [_(
                "This dry run was already imported for real by import #%(number)s. To import these files again, "
                "start a new dry run: it checks them against the platform as it is now.") % {"number": confirmation.pk}]})
        lead_body = Body.objects.filter(pk=job.options.get("lead_body")).first() if job.options.get("lead_body") else None
        lead_entity = (Entity.objects.filter(pk=job.options.get("lead_entity")).first()
                       if job.options.get("lead_entity") else None)
        errors: dict[str, list[str]] = {}
        if job.options.get("lead_body") and lead_body is None:
            errors["lead_body"] = [_("The lead working group of this dry run no longer exists.")]
        if job.options.get("lead_entity") and lead_entity is None:
            errors["lead_entity"] = [_("The lead entity of this dry run no longer exists.")]
        options = ImportOptions(dry_run=False, lead_body=lead_body, lead_entity=lead_entity,
                                selection=selection_from_options(job.options.get("selection")))
        option_errors, lead_entity = _option_errors(actor, options)
        errors = option_errors | errors | _reason_errors(options, reason)
        if errors:
            raise ValidationError(errors)
        stored_options = {**job.options, "dry_run": False, "lead_entity": lead_entity.pk if lead_entity else None,
                          "reason": reason.strip()}
        return _create(actor=actor, files=list(job.files), options=stored_options, reason=reason, confirms=job)
