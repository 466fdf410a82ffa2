"""Every read of import jobs (``compact.interop.models.ImportJob``).

Jobs are not content with a sensitivity level: they are the working records of whoever started them. A
user sees the jobs they started; the secretariat sees every job (``docs/access.md``, "How the platform
applies it"). Visitors see none. A job a user may not see answers as a job that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet

from compact.access.principal import principal_for
from compact.interop.models import ImportJob


def may_import(*, user) -> bool:
    """Whether ``user`` may start import jobs: the secretariat, and the focal points of an entity."""
    if not getattr(user, "is_authenticated", False):
        return False
    principal = principal_for(user)
    return principal.is_secretariat or (principal.is_focal_point and principal.entity_id is not None)


def import_job_list(*, user) -> QuerySet[ImportJob]:
    """The jobs ``user`` may see, newest first, with who started them: their own; every job for the
    secretariat; none for a visitor. ``user=None`` is the platform itself: every job."""
    jobs = ImportJob.objects.select_related("created_by").order_by("-created", "-id")
    if user is None:
        return jobs
    if not getattr(user, "is_authenticated", False):
        return jobs.none()
    if principal_for(user).is_secretariat:
        return jobs
    return jobs.filter(created_by=user)


def import_job_get(*, user, pk: int) -> ImportJob:
    """The job ``pk`` if ``user`` may see it (``import_job_list``), with the dry run it confirms. Raises
    ``ImportJob.DoesNotExist`` otherwise (a 404 for the pages and the API)."""
    return import_job_list(user=user).select_related("confirms").get(pk=pk)
