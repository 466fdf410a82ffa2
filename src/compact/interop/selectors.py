"""Every read of data exchange: the projects and funding flows a user may export, and the export files.

Exports read with ``Action.EXPORT`` through the access policy (``compact.access.policy.restrict``): a
project is exported to whoever may read it, and a flow with its project. Every export is written to
the access log (``compact.audit.services.record_access``), listing the confidential and strictly
confidential projects it holds (for a flows file: the projects whose flows it holds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from compact.access.policy import Action
from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.interop.tabular import flows as flow_format
from compact.interop.tabular import projects as project_format
from compact.interop.tabular.writer import CSV_TYPE, XLSX_TYPE, write_csv, write_xlsx

#: The formats of export files.
FORMATS = ("csv", "xlsx")

def _filtered(filter_class, filters, queryset) -> QuerySet:
    found = filter_class(filters, queryset=queryset)
    if not found.is_valid():
        raise ValidationError(found.errors)
    return found.qs


def project_export(*, user, filters: Mapping[str, str] | None = None) -> QuerySet:
    """The joint projects ``user`` may export (``Action.EXPORT``; ``user=None`` is the platform: all),
    oldest first, with what the file needs prefetched; ``filters`` are those of the projects list
    (``compact.projects.filters.ProjectFilter``: stage, activity_status, working_group, pillar, lead_entity,
    implementing_entity, country, sdg_target, sensitivity, q). Raises ``ValidationError`` for a bad filter."""
    from compact.projects.filters import ProjectFilter
    from compact.projects.models import Project
    from compact.projects.selectors import project_list

    if user is None:
        qs = project_format.export_queryset(Project.objects.all())
        if filters:
            qs = _filtered(ProjectFilter, filters, qs)
    else:  # prefetched as export_queryset does
        qs = project_list(user=user, filters=dict(filters) if filters else None, action=Action.EXPORT)
    return qs.order_by("pk")


def flow_export(*, user, filters: Mapping[str, str] | None = None) -> QuerySet:
    """The funding flows ``user`` may export (those of the projects they may export; ``user=None``: all),
    oldest first; ``filters`` as ``compact.funding.filters.FlowFilter`` (project, kind, currency,
    working_group, entity, provider, date_from, date_to). Raises ``ValidationError`` for a bad filter."""
    from compact.funding.models import Flow
    from compact.funding.selectors import flow_list

    if user is None:
        from compact.funding.filters import FlowFilter

        qs = Flow.objects.select_related("project", "provider_entity", "receiver_entity")
        if filters:
            qs = _filtered(FlowFilter, filters, qs)
    else:
        qs = flow_list(user, dict(filters) if filters else None, action=Action.EXPORT)
    return qs.order_by("date", "pk")


@dataclass(frozen=True)
class ExportFile:
    """An export: the file's ``content``, ``content_type``, ``filename`` and the number of ``rows``."""

    content: bytes
    content_type: str
    filename: str
    rows: int


def export_table(*, user, kind: str, file_format: str, filters: Mapping[str, str] | None = None,
                 detail: str = "") -> ExportFile:
    """The ``kind`` (``"projects"`` or ``"flows"``) file in ``file_format`` (``"csv"`` or ``"xlsx"``) of what
    ``user`` may export, filtered, written to the access log with ``detail`` (e.g. the filters). The
    file imports back with no change (``compact.interop.services``). Raises ``ValidationError`` for a
    bad filter and ``ValueError`` for an unknown kind or format."""
    from compact.projects.models import Project

    if file_format not in FORMATS:
        raise ValueError(f"unknown export format: {file_format!r}")
    if kind == "projects":
        objects = list(project_export(user=user, filters=filters))
        specs, rows, logged = project_format.PROJECT_COLUMNS, [project_format.row_of(p) for p in objects], objects
    elif kind == "flows":
        objects = list(flow_export(user=user, filters=filters))
        specs, rows = flow_format.FLOW_COLUMNS, [flow_format.row_of(f) for f in objects]
        logged = list({f.project_id: f.project for f in objects}.values())
    else:
        raise ValueError(f"unknown kind of table: {kind!r}")
    record_access(user=user, action=AccessEvent.Action.EXPORT, model=Project, rows=logged, row_count=len(objects),
                  always=True, detail=f"{kind} {file_format} {detail}".strip())
    if file_format == "csv":
        return ExportFile(write_csv(specs, rows), CSV_TYPE, f"{kind}.csv", len(objects))
    return ExportFile(write_xlsx(specs, rows, title=kind), XLSX_TYPE, f"{kind}.xlsx", len(objects))


def template(*, kind: str, file_format: str) -> ExportFile:
    """An empty ``kind`` file in ``file_format``: the header and hashtag rows only."""
    specs = {"projects": project_format.PROJECT_COLUMNS, "flows": flow_format.FLOW_COLUMNS}[kind]
    if file_format == "csv":
        return ExportFile(write_csv(specs, []), CSV_TYPE, f"{kind}-template.csv", 0)
    return ExportFile(write_xlsx(specs, [], title=kind), XLSX_TYPE, f"{kind}-template.xlsx", 0)
