"""Import jobs: an import of exchange files (IATI activity files) that runs as a task, outside the request
that starts it, with its progress and its report.

A job is started by ``compact.interop.job_services.import_job_start`` (which stores the uploaded files and
records the change-log event) and run by ``compact.interop.tasks.run_import_job`` on a task worker
(django-tasks, database backend: ``compact db_worker``, or the worker ``compact serve`` starts). Who sees a
job: ``compact.interop.job_selectors``.

Uploaded files are private: they are stored with the default storage under ``imports/`` of
``MEDIA_ROOT`` (``import_upload_path``) and are read only by the worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def import_upload_path(filename: str) -> str:
    """``imports/<year>/<random hex>/<file name>``: the stored name never collides and reveals no more than
    the file's own name (as ``compact.library.models.document_upload_path``)."""
    import secrets

    from django.utils import timezone

    return f"imports/{timezone.now():%Y}/{secrets.token_hex(8)}/{filename}"


class ImportJob(models.Model):
    """One import of one or more files, as a task.

    ``options`` (JSON): ``dry_run`` (bool), ``lead_body`` and ``lead_entity`` (ids or null: the working
    group and entity that lead the projects the import creates), ``selection`` (null, or the criteria of
    counter-terrorism relevance as ``Selection.as_texts()``: ``sectors``, ``sdg_targets``, ``policy_markers``,
    ``keywords``, comma-separated)
    and ``reason`` (recorded on every change the import makes). ``files`` (JSON): ``[{"name": file name as
    uploaded, "path": stored name in the default storage, "size": bytes}]``, in the order given.

    ``status`` goes queued -> running -> done or failed. ``bytes_done`` / ``bytes_total`` are the progress
    of the reading, in bytes of the files. ``report`` is the import's report
    (``compact.interop.iati_services.IatiReport.as_dict``) once done, and ``problem_count`` the number of
    its problems (kept beside it so that a list of jobs says how each ended without reading the reports);
    ``error`` says why a job failed.
    ``task_result_id`` is the id of the task's result in the task backend; ``request_id`` the request (or
    command) that started the job, under which the import's own changes are recorded. ``confirms`` is the
    dry run that a real import repeats ("Import for real"); a dry run is confirmed at most once
    (``compact.interop.job_services.import_job_confirm``), so ``confirmations`` holds one job at most.
    """

    audit_omit = ("created_by",)  # the actor of the creation event

    class Kind(models.TextChoices):
        IATI = "iati", _("IATI activity files")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.IATI)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="import_jobs",
        verbose_name=_("started by"),
    )
    options = models.JSONField(_("options"), default=dict)
    files = models.JSONField(_("files"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    bytes_done = models.PositiveBigIntegerField(_("bytes read"), default=0)
    bytes_total = models.PositiveBigIntegerField(_("bytes in all"), default=0)
    report = models.JSONField(_("report"), null=True, blank=True)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    error = models.TextField(_("error"), blank=True)
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    confirms = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="confirmations",
        verbose_name=_("dry run confirmed"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["created_by", "-created"], name="interop_job_user_idx")]

    def __str__(self) -> str:
        return _("Import #%(number)s") % {"number": self.pk}

    @property
    def dry_run(self) -> bool:
        """Whether the job only checks its files (writes nothing)."""
        return bool(self.options.get("dry_run"))

    @property
    def is_active(self) -> bool:
        """Whether the job is still queued or running."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def file_names(self) -> list[str]:
        """The names of the files as uploaded."""
        return [f["name"] for f in self.files]

    @property
    def percent(self) -> int:
        """Progress in whole per cent (100 once done)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.bytes_total:
            return 0
        return min(100, self.bytes_done * 100 // self.bytes_total)

    @property
    def all_read(self) -> bool:
        """Whether a running job has read every byte of its files (it is checking and writing the
        activities then)."""
        return self.status == self.Status.RUNNING and bool(self.bytes_total) and self.bytes_done >= self.bytes_total

    @property
    def outcome(self) -> str:
        """How the job ended, for lists: ``"written"``, ``"dry_run_passed"``, ``"problems"`` (see
        ``problem_count``) or ``"failed"``; its status (``"queued"``, ``"running"``) while it has not."""
        if self.status != self.Status.DONE:
            return self.status
        if self.problem_count:
            return "problems"
        return "dry_run_passed" if self.dry_run else "written"

    @property
    def may_confirm(self) -> bool:
        """Whether "Import for real" applies: a dry run that finished and whose report is ok. Whether it was
        confirmed already is ``confirmation``."""
        return self.dry_run and self.status == self.Status.DONE and bool((self.report or {}).get("ok"))

    @property
    def confirmation(self) -> ImportJob | None:
        """The real import that repeated this dry run ("Import for real"), or None. One query, unless
        ``confirmations`` was prefetched (``compact.interop.job_selectors.import_job_get``)."""
        return next(iter(self.confirmations.all()), None)
