"""Every read of import jobs (``compact.interop.models.ImportJob``).

Jobs are not content with a sensitivity level: they are the working records of whoever started them. A
user sees the jobs they started; the secretariat sees every job (``docs/access.md``, "How the platform
applies it"). Visitors see none. A job a user may not see answers as a job that does not exist.
"""

from __future__ import annotations

import re

from django.db.models import Prefetch, QuerySet

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
    """The job ``pk`` if ``user`` may see it (``import_job_list``), with the dry run it confirms and the real
    import that confirmed it (``ImportJob.confirmation``; that job is named whoever started it). Raises
    ``ImportJob.DoesNotExist`` otherwise (a 404 for the pages and the API)."""
    confirmations = Prefetch("confirmations", ImportJob.objects.only("pk", "confirms_id").order_by("pk"))
    return import_job_list(user=user).select_related("confirms").prefetch_related(confirmations).get(pk=pk)


#: The activity a finding's element is in: ``iati-activity[3]`` (the importer's paths) or
#: ``iati-activities/iati-activity[3]/...`` (the reader's, as libxml2 writes them).
_ACTIVITY_STEP = re.compile(r"(?:^|/)iati-activity\[(\d+)\]")

#: The elements of the problems an import's options cause (``compact.interop.iati_services``): a new
#: activity without a lead working group (the activity itself), a reporting organisation that is no
#: registry entity without a lead entity (its ``reporting-org``).
_NO_LEAD_BODY = re.compile(r"^(iati-activities/)?iati-activity\[\d+\]$")
_NO_LEAD_ENTITY = re.compile(r"^(iati-activities/)?iati-activity\[\d+\]/reporting-org$")


def activities_with_problems(report: dict | None) -> int:
    """How many activities of an import's ``report`` (``IatiReport.as_dict``) have at least one problem:
    an activity is its file and its position in it, read from the problem's element, or its IATI
    identifier (``activity``) when the element does not say; problems of a whole file count none."""
    found = set()
    for problem in (report or {}).get("problems") or []:
        step = _ACTIVITY_STEP.search(problem.get("element") or "")
        if step:
            found.add((problem.get("file"), "position", step.group(1)))
        elif problem.get("activity"):
            found.add((problem.get("file"), "identifier", problem["activity"]))
    return len(found)


def problems_concern_options(job: ImportJob) -> bool:
    """Whether some of ``job``'s problems come from its options rather than from its files: new activities
    when no lead working group was chosen, or a reporting organisation that is not a registry entity when
    no lead entity was (the elements ``compact.interop.iati_services`` gives these problems)."""
    options = job.options or {}
    patterns = [pattern for pattern, chosen in ((_NO_LEAD_BODY, options.get("lead_body")),
                                                (_NO_LEAD_ENTITY, options.get("lead_entity"))) if not chosen]
    return any(pattern.match(problem.get("element") or "")
               for problem in (job.report or {}).get("problems") or [] for pattern in patterns)
