"""Importing tables of joint projects and funding flows (CSV or XLSX with HXL hashtags), all or nothing.

``projects_import`` and ``flows_import`` take a ``Table`` read by ``compact.interop.tabular.reader``
and hand each row to the services of the apps (``compact.projects.services.project_create`` /
``project_update``, ``compact.funding.services.flow_create`` / ``flow_update``), so every rule, every
permission check and every change-log event is theirs. They run in one ``transaction.atomic()`` with a
savepoint per row, so that one row's failure does not hide the next row's problems: every row is
checked, each problem is reported with its row number as in the file, its column (letter, name and
hashtag), the value found and the reason. When any row fails, or on a dry run, everything is rolled
back: nothing is written and no change-log event remains. Otherwise the report lists what each row
created, updated or left unchanged.

Rows are matched to what exists: a projects row with a project number (``#activity +id``), or with an
IATI identifier that a project has, updates that project, passing on only the columns whose value
differs (a row equal to its project changes nothing and is reported unchanged); a flows row with a flow
number (``#meta +id``) updates that flow. Each row is checked as its actor: a focal point imports the
projects of their own entity, and the other rows are refused one by one. ``actor=None`` is the platform
itself (``compact import-table`` without ``--as``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from compact.access.policy import Action, can, restrict
from compact.audit.services import ReasonRequired
from compact.core.i18n import translated
from compact.interop.tabular import cells
from compact.interop.tabular import flows as flow_format
from compact.interop.tabular import projects as project_format
from compact.interop.tabular.columns import Matched, Problem, Spec, column_label, match
from compact.interop.tabular.lookups import Lookups
from compact.interop.tabular.reader import Table


@dataclass(frozen=True)
class RowResult:
    """What a row did (or would do, on a dry run): ``action`` is ``"create"``, ``"update"`` or
    ``"unchanged"``; ``label`` names the project or flow; ``object_id`` is its number (None for a row
    that would create it); ``fields`` are the columns an update changes."""

    row: int
    action: str
    label: str
    object_id: int | None = None
    fields: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"row": self.row, "action": self.action, "label": self.label, "id": self.object_id,
                "fields": list(self.fields)}


@dataclass
class ImportReport:
    """The outcome of an import: the ``kind`` of file, its ``source`` name, whether it was a ``dry_run``,
    the ``results`` of the rows, the ``problems`` (any problem means nothing was written), ``notes`` on
    values read in a normalised form (``004`` for ``4``) and the reader's ``read_notes`` (encoding,
    separator)."""

    kind: str
    source: str
    dry_run: bool
    results: list[RowResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    read_notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every row passed."""
        return not self.problems

    @property
    def written(self) -> bool:
        """Whether the import was written (no problem, not a dry run)."""
        return self.ok and not self.dry_run

    @property
    def counts(self) -> dict[str, int]:
        """``{"create": n, "update": n, "unchanged": n}`` over the rows that passed."""
        found = Counter(r.action for r in self.results)
        return {action: found.get(action, 0) for action in ("create", "update", "unchanged")}

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the API's and ``compact import-table --format json``'s answer)."""
        return {
            "kind": self.kind, "source": self.source, "dry_run": self.dry_run, "ok": self.ok, "written": self.written,
            "counts": self.counts, "rows": [r.as_dict() for r in self.results],
            "problems": [p.as_dict() for p in self.problems], "notes": [n.as_dict() for n in self.notes],
            "read_notes": list(self.read_notes),
        }


def _reason(reason: str, dry_run: bool) -> str:
    if reason and reason.strip():
        return reason.strip()
    if dry_run:
        return _("Dry run of an import")
    raise ReasonRequired(_("A reason is required for an import."))


def _problem_at(matched: Matched, specs: tuple[Spec, ...], row, names: tuple[str, ...], message: str) -> Problem:
    """A problem on the first of the columns ``names`` the file has (or on the row when it has none)."""
    for name in names:
        column = matched.columns.get(name)
        if column is not None:
            return Problem(row.number, column_label(column), column.tag_text.strip(),
                           cells.text(row.cells[column.index]), message)
    spec = next((s for s in specs if s.name in names), None)
    return Problem(row.number, "", spec.hashtag if spec else "", "", message)


def _service_problems(exc: Exception, matched: Matched, specs, row, error_columns: Mapping[str, tuple[str, ...]]) -> list[Problem]:
    """The problems of a service's refusal of a row, each on its column."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        out = []
        for key, messages in exc.message_dict.items():
            names = error_columns.get(key, (key,))
            out += [_problem_at(matched, specs, row, names, m) for m in messages]
        return out
    if isinstance(exc, ValidationError):
        return [Problem(row.number, "", "", "", m) for m in exc.messages]
    if isinstance(exc, Http404):
        return [_problem_at(matched, specs, row, error_columns.get("project", ()), _("No such joint project, or you may not read it."))]
    return [Problem(row.number, "", "", "", str(exc))]


def _duplicates(rows_values: list[tuple[Any, dict]], name: str, matched: Matched, specs, message: str) -> dict[int, Problem]:
    """Problems for rows repeating, in column ``name``, a value an earlier row has: ``{row number: problem}``."""
    first: dict[Any, int] = {}
    out = {}
    for row, values in rows_values:
        value = values.get(name)
        if value in (None, ""):
            continue
        if value in first:
            out[row.number] = _problem_at(matched, specs, row, (name,), message % {"row": first[value]})
        else:
            first[value] = row.number
    return out


def _readable(actor, obj) -> bool:
    return actor is None or can(actor, Action.VIEW, obj)


def projects_import(*, actor, table: Table, dry_run: bool, reason: str) -> ImportReport:
    """Import a projects file (``docs/exchange-files.md``) as ``actor`` (a user, or None for the platform).

    Returns the ``ImportReport``; the problems of rows are in it, never raised. Raises ``ReasonRequired``
    when ``reason`` is blank and it is not a dry run. Writes only when every row passes and ``dry_run``
    is false, through ``project_create`` / ``project_update``, with ``reason`` on every change-log event.
    """
    from compact.projects.models import Project
    from compact.projects.services import project_create, project_update

    reason = _reason(reason, dry_run)
    specs = project_format.PROJECT_COLUMNS
    report = ImportReport("projects", table.name, dry_run, read_notes=list(table.notes))
    matched = match(table, specs)
    report.problems += matched.problems
    lookups = Lookups()
    parsed = []
    for row in table.rows:
        values, problems, notes = project_format.read_row(row, matched, lookups)
        report.notes += notes
        for name in ("lead_entity", "lead_working_group"):
            if name in values and values[name] is None:
                problems.append(_problem_at(matched, specs, row, (name,), _("A value is required.")))
        parsed.append((row, values, problems))
    pairs = [(row, values) for row, values, _p in parsed]
    duplicates = _duplicates(pairs, "iati_identifier", matched, specs, _("Row %(row)d has this IATI identifier too."))
    duplicates |= _duplicates(pairs, "id", matched, specs, _("Row %(row)d has this project number too."))
    ids = {v["id"] for _r, v in pairs if v.get("id")}
    identifiers = {v["iati_identifier"] for _r, v in pairs if v.get("iati_identifier")}
    existing = list(project_format.export_queryset(
        Project.objects.filter(Q(pk__in=ids) | Q(iati_identifier__in=identifiers))))
    by_id = {p.pk: p for p in existing}
    by_identifier = {p.iati_identifier: p for p in existing if p.iati_identifier}
    with transaction.atomic():
        for row, values, problems in parsed:
            if row.number in duplicates:
                problems.append(duplicates[row.number])
            project = None
            if values.get("id"):
                project = by_id.get(values["id"])
                if project is None or not _readable(actor, project):
                    problems.append(_problem_at(matched, specs, row, ("id",), _(
                        "No joint project has this number, or you may not read it.")))
            elif values.get("iati_identifier") in by_identifier:
                project = by_identifier[values["iati_identifier"]]
                if not _readable(actor, project):
                    problems.append(_problem_at(matched, specs, row, ("iati_identifier",), _(
                        "This IATI identifier belongs to a joint project you may not change.")))
            if problems:
                report.problems += problems
                continue
            report.problems += _import_project(actor, row, values, project, matched, reason, report,
                                               project_create, project_update)
        if report.problems or dry_run:
            transaction.set_rollback(True)
    return report


def _import_project(actor, row, values, project, matched, reason, report, create, update) -> list[Problem]:
    """Create or update the project of one row inside a savepoint; the row's problems."""
    specs = project_format.PROJECT_COLUMNS
    writable = set(values) - {s.name for s in specs if s.read_only} - {"id"}
    try:
        with transaction.atomic():
            if project is None:
                data = project_format.data_of(values, writable, None)
                created = create(actor=actor, data=data, reason=reason)
                report.results.append(RowResult(row.number, "create", translated(created, "title").text,
                                                None if report.dry_run else created.pk))
                return []
            current = project_format.value_of(project)
            names = project_format.changed(values, current)
            label = translated(project, "title").text
            if not names:
                report.results.append(RowResult(row.number, "unchanged", label, project.pk))
                return []
            fresh = type(project).objects.get(pk=project.pk)
            update(actor=actor, project=fresh, data=project_format.data_of(values, names, current), reason=reason)
            report.results.append(RowResult(row.number, "update", label, project.pk, tuple(
                s.name for s in specs if s.name in names)))
            return []
    except (ValidationError, PermissionDenied, ReasonRequired, Http404) as exc:
        return _service_problems(exc, matched, specs, row, project_format.ERROR_COLUMNS)
    except DatabaseError as exc:
        return [Problem(row.number, "", "", "", _("The database refused the row: %(error)s") % {"error": exc})]


def flows_import(*, actor, table: Table, dry_run: bool, reason: str) -> ImportReport:
    """Import a funding flows file (``docs/exchange-files.md``) as ``actor`` (a user, or None for the
    platform), as ``projects_import`` does, through ``flow_create`` / ``flow_update``. A row's project
    must be one ``actor`` may read (otherwise the row is refused as naming an unknown project) and change."""
    from compact.funding.models import Flow
    from compact.funding.services import flow_create, flow_update
    from compact.projects.models import Project

    reason = _reason(reason, dry_run)
    specs = flow_format.FLOW_COLUMNS
    report = ImportReport("flows", table.name, dry_run, read_notes=list(table.notes))
    matched = match(table, specs)
    report.problems += matched.problems
    if not any(matched.has(n) for n in ("project_id", "project_iati_identifier", "id")) and not matched.problems:
        report.problems.append(Problem(None, "", "", "", _(
            "The file needs a column project_id (#activity +id) or project_iati_identifier (#activity +code) naming "
            "each flow's joint project, or a column id (#meta +id) naming the flows it changes.")))
    lookups = Lookups()
    parsed = [(row, *flow_format.read_row(row, matched, lookups)[:2]) for row in table.rows]
    duplicates = _duplicates([(r, v) for r, v, _p in parsed], "id", matched, specs, _("Row %(row)d has this flow number too."))
    projects = Project.objects.all() if actor is None else restrict(Project.objects.all(), actor, Action.VIEW)
    ids = {v["project_id"] for _r, v, _p in parsed if v.get("project_id")}
    identifiers = {v["project_iati_identifier"] for _r, v, _p in parsed if v.get("project_iati_identifier")}
    found = list(projects.filter(Q(pk__in=ids) | Q(iati_identifier__in=identifiers)))
    by_id = {p.pk: p for p in found}
    by_identifier = {p.iati_identifier: p for p in found if p.iati_identifier}
    flow_ids = {v["id"] for _r, v, _p in parsed if v.get("id")}
    flows = {f.pk: f for f in Flow.objects.filter(pk__in=flow_ids, project__in=projects).select_related(
        "project", "provider_entity", "receiver_entity")}
    with transaction.atomic():
        for row, values, problems in parsed:
            if row.number in duplicates:
                problems.append(duplicates[row.number])
            project = _flow_project(row, values, matched, by_id, by_identifier, problems)
            flow = None
            if values.get("id"):
                flow = flows.get(values["id"])
                if flow is None:
                    problems.append(_problem_at(matched, specs, row, ("id",), _(
                        "No funding flow has this number, or you may not read it.")))
            else:
                for name in flow_format.REQUIRED:
                    unreadable = matched.has(name) and name not in values  # its cell's problem is reported
                    if not unreadable and values.get(name) in (None, ""):
                        message = (_("A value is required.") if matched.has(name) else _(
                            "The file has no column %(name)s, which a new flow needs.") % {"name": name})
                        problems.append(_problem_at(matched, specs, row, (name,), message))
            if problems:
                report.problems += problems
                continue
            report.problems += _import_flow(actor, row, values, project, flow, matched, reason, report,
                                            flow_create, flow_update)
        if report.problems or dry_run:
            transaction.set_rollback(True)
    return report


def _flow_project(row, values, matched, by_id, by_identifier, problems):
    """The project a flows row names (None, with a problem, when it names none or an unknown one)."""
    specs = flow_format.FLOW_COLUMNS
    number, identifier = values.get("project_id"), values.get("project_iati_identifier")
    project = None
    if number:
        project = by_id.get(number)
        if project is None:
            problems.append(_problem_at(matched, specs, row, ("project_id",), _(
                "No joint project has this number, or you may not read it.")))
            return None
    if identifier:
        named = by_identifier.get(identifier)
        if named is None:
            problems.append(_problem_at(matched, specs, row, ("project_iati_identifier",), _(
                "No joint project has this IATI identifier, or you may not read it.")))
            return None
        if project is not None and named.pk != project.pk:
            problems.append(_problem_at(matched, specs, row, ("project_iati_identifier",), _(
                "This IATI identifier is that of joint project %(other)d, not of project %(number)d.")
                % {"other": named.pk, "number": project.pk}))
            return None
        project = named
    if project is None and not values.get("id"):
        problems.append(_problem_at(matched, specs, row, ("project_id", "project_iati_identifier"), _(
            "A joint project is required: its number or its IATI identifier.")))
    return project


def _import_flow(actor, row, values, project, flow, matched, reason, report, create, update) -> list[Problem]:
    """Create or update the flow of one row inside a savepoint; the row's problems."""
    specs = flow_format.FLOW_COLUMNS
    fields = flow_format.fields_of(values)
    try:
        with transaction.atomic():
            if flow is None:
                created = create(actor=actor, project=project, reason=reason, **fields)
                report.results.append(RowResult(row.number, "create", _flow_label(created),
                                                None if report.dry_run else created.pk))
                return []
            changes = flow_format.changed_fields(fields, flow)
            if project is not None and project.pk != flow.project_id:
                changes["project"] = project
            if not changes:
                report.results.append(RowResult(row.number, "unchanged", _flow_label(flow), flow.pk))
                return []
            update(actor=actor, flow=flow, reason=reason, **changes)
            report.results.append(RowResult(row.number, "update", _flow_label(flow), flow.pk, tuple(sorted(changes))))
            return []
    except (ValidationError, PermissionDenied, ReasonRequired, Http404) as exc:
        return _service_problems(exc, matched, specs, row, flow_format.ERROR_COLUMNS)
    except DatabaseError as exc:
        return [Problem(row.number, "", "", "", _("The database refused the row: %(error)s") % {"error": exc})]


def _flow_label(flow) -> str:
    return _("%(kind)s of %(amount)s %(currency)s on %(date)s, %(project)s") % {
        "kind": flow.get_kind_display(), "amount": flow.amount, "currency": flow.currency,
        "date": flow.date.isoformat() if hasattr(flow.date, "isoformat") else flow.date,
        "project": translated(flow.project, "title").text}


#: The import service of each kind of file.
IMPORTERS = {"projects": projects_import, "flows": flows_import}
