"""Importing IATI 2.01-2.03 activity files as joint projects and their funding, all or nothing.

``iati_import`` reads each file with ``compact.interop.iati.reader`` (schema, codelists and IATI rules,
streaming), keeps the activities that ``selection`` finds relevant (all of them without a selection),
maps each to project data and flows (``compact.interop.iati.mapping``) and hands them to the services of
the apps: ``compact.projects.services.project_create`` / ``project_update`` and
``compact.funding.services.flow_create`` (for a project's new flows at once) / ``flow_delete``, so every
rule, every permission check and every change-log event is theirs. It works in two passes. The first
streams the files without writing: each activity is read, checked, selected and mapped, and those to
write wait in a temporary file (memory stays flat). The second writes them in one
``transaction.atomic()`` with a savepoint per activity, so that one activity's failure does not hide the
next one's problems; when any problem is found, in either pass, or on a dry run, everything is rolled
back: nothing is written and no change-log event remains. Only the second pass holds a write lock (on
SQLite, the whole database's), and only for the writing itself.

Matching: an activity whose IATI identifier a project has updates that project (its lead working group
stays), as does an activity the platform exported for a project without an identifier
(``<organisation>-COMPACT-<number>``, ``compact.interop.iati.writer.activity_identifier``); otherwise it
creates a project led by the entity of the reporting organisation (or, when that organisation is not a
registry entity, ``lead_entity``) in ``lead_body``. A project's flows that came
from IATI (``Flow.origin == "iati"``) are replaced by the activity's transactions, keeping those that
are unchanged; flows keyed in the platform are never touched. Re-importing the same file therefore
changes nothing. A project whose identifier starts with a reporting organisation's identifier but that
the file no longer has is reported as disappeared, never deleted.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from lxml import etree

from compact.access.policy import Action, can, restrict
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from compact.interop.iati.mapping import Organisations, project_data
from compact.interop.iati.reader import IatiFileError, open_iati
from compact.interop.iati.records import ActivityRecord, Finding
from compact.interop.iati.selection import Selection
from compact.interop.iati.writer import activity_identifier, platform_project_pk
from compact.interop.services import _reason
from compact.registry.models import Body, Entity

#: The fields of a flow compared to decide whether an imported transaction is already stored.
FLOW_FIELDS = ("kind", "amount", "currency", "date", "value_date", "reference", "description")


@dataclass(frozen=True)
class ActivityResult:
    """What an activity did (or would do, on a dry run): ``action`` is ``"create"``, ``"update"``,
    ``"unchanged"`` or ``"skipped"`` (not relevant to the selection); ``kept_because`` gives the
    selection's reasons; ``fields`` what an update changes (project fields and child rows, and
    ``flows``)."""

    file: str
    line: int
    identifier: str
    action: str
    title: str
    project_id: int | None = None
    kept_because: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    transactions: int = 0
    position: int = 0  # rank in its file (the report's order; not in as_dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"file": self.file, "line": self.line, "identifier": self.identifier, "action": self.action,
                "title": self.title, "project": self.project_id, "kept_because": list(self.kept_because),
                "fields": list(self.fields), "transactions": self.transactions}


@dataclass
class IatiReport:
    """The outcome of an import: the ``files`` read (name, version, size, activities), whether it was a
    ``dry_run``, the ``activities``' results, the ``problems`` (any problem means nothing was written),
    the ``notes`` (what was normalised or left aside), the ``unknown_organisations`` (to map in the
    registry) and the projects that ``disappeared`` from the files."""

    dry_run: bool
    files: list[dict] = field(default_factory=list)
    activities: list[ActivityResult] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    unknown_organisations: list[dict] = field(default_factory=list)
    disappeared: list[dict] = field(default_factory=list)
    selection: dict | None = None

    @property
    def ok(self) -> bool:
        """Whether every activity passed."""
        return not self.problems

    @property
    def written(self) -> bool:
        """Whether the import was written (no problem, not a dry run)."""
        return self.ok and not self.dry_run

    @property
    def counts(self) -> dict[str, int]:
        """``{"create": n, "update": n, "unchanged": n, "skipped": n}`` over the activities that passed."""
        found = Counter(r.action for r in self.activities)
        return {action: found.get(action, 0) for action in ("create", "update", "unchanged", "skipped")}

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the API's, the task's and ``compact import iati --format json``'s answer)."""
        return {
            "files": self.files, "dry_run": self.dry_run, "ok": self.ok, "written": self.written,
            "counts": self.counts, "selection": self.selection,
            "activities": [r.as_dict() for r in self.activities],
            "problems": [p.as_dict() for p in self.problems], "notes": [n.as_dict() for n in self.notes],
            "unknown_organisations": self.unknown_organisations, "disappeared": self.disappeared,
        }


def _size(source) -> int:
    if isinstance(source, bytes | bytearray):
        return len(source)
    if isinstance(source, str | Path):
        return os.path.getsize(source)
    return 0


def _service_findings(exc: Exception, record, data: dict) -> list[Finding]:
    """The findings of a service's refusal of an activity (``record``: where it is), each naming the field at
    fault; a refusal of permission names the lead entity and working group."""
    where = f"iati-activities/iati-activity[{record.position}]"
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [Finding(record.file, record.line, f"{where} ({key})", message, record.identifier)
                for key, messages in exc.message_dict.items() for message in messages]
    if isinstance(exc, ValidationError):
        return [Finding(record.file, record.line, where, m, record.identifier) for m in exc.messages]
    if isinstance(exc, Http404):
        return [Finding(record.file, record.line, where, _("You may not read the joint project with this identifier."),
                        record.identifier)]
    if isinstance(exc, PermissionDenied) and data.get("lead_entity") is not None and data.get("lead_body") is not None:
        return [Finding(record.file, record.line, f"{where}/reporting-org", _(
            "You may not add a joint project led by %(entity)s in %(body)s: focal points import the projects of their "
            "own entity, in a working group it is a member of.")
            % {"entity": data["lead_entity"].acronym, "body": data["lead_body"]}, record.identifier)]
    return [Finding(record.file, record.line, where, str(exc), record.identifier)]


def _last_event_id() -> int:
    return ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _changed_fields(since: int) -> tuple[str, ...]:
    """The project fields and kinds of rows that change-log events after ``since`` changed."""
    out: list[str] = []
    for object_type, changes in ChangeEvent.objects.filter(id__gt=since).values_list("object_type", "changes"):
        model = object_type.rsplit(".", 1)[-1].lower()
        names = [name for name in (changes or {}) if name != "updated"] if model == "project" else [model]
        out += [n for n in names if n not in out]
    return tuple(out)


def _party(orgs: Organisations, entity_id: int | None, name: str) -> tuple:
    """Who a flow's provider or receiver is, for matching: the entity (also when only its acronym or name
    is written, as the platform's export writes a party it keeps by name), else the name without case."""
    if entity_id is not None:
        return ("entity", entity_id)
    found = orgs.by_name.get(name.strip().casefold()) or orgs.by_key.get(name.strip().casefold())
    return ("entity", found.pk) if found is not None else ("name", name.strip().casefold())


def _flow_key(orgs: Organisations, values: dict) -> tuple:
    """A flow's identity for re-imports: kind, amount, currency, dates, reference, description and who
    provides and receives it (identifiers left aside: a party is the same whether written by its
    identifier, its entity or its name)."""
    return (*(values.get(name) for name in FLOW_FIELDS),
            _party(orgs, values.get("provider_entity_id"), values.get("provider_name") or ""),
            _party(orgs, values.get("receiver_entity_id"), values.get("receiver_name") or ""))


def _plan_flows(orgs: Organisations, project, rows: list[dict], new: bool) -> tuple[list, list[dict]]:
    """What making the project's flows match ``rows`` takes: ``(flows to delete, rows to create)``. A row
    equal to a stored flow (imported, or keyed in and then exported by the platform) is that flow; the
    project's other IATI flows go; flows keyed in the platform are never deleted. ``new``: the project has
    no flow yet (nothing is read)."""
    from compact.funding.models import Flow

    wanted = []
    for row in rows:
        values = {k: v for k, v in row.items() if k != "line"}
        values["provider_entity_id"] = values["provider_entity"].pk if values["provider_entity"] else None
        values["receiver_entity_id"] = values["receiver_entity"].pk if values["receiver_entity"] else None
        wanted.append(values)
    remaining = [_flow_key(orgs, v) for v in wanted]
    deleted = []
    stored = [] if new else list(Flow.objects.filter(project=project).order_by("-origin", "pk"))  # "platform" first
    for flow in stored:
        key = _flow_key(orgs, {name: getattr(flow, name) for name in (*FLOW_FIELDS, "provider_entity_id",
                                                                      "provider_name", "receiver_entity_id",
                                                                      "receiver_name")})
        if key in remaining:
            remaining.remove(key)  # already stored: kept as it is
        elif flow.origin == Flow.Origin.IATI:
            deleted.append(flow)
    created = []
    for values in wanted:
        key = _flow_key(orgs, values)
        if key in remaining:
            remaining.remove(key)
            created.append({k: v for k, v in values.items() if not k.endswith("_entity_id")})
    return deleted, created


def _write_flows(*, actor, orgs: Organisations, project, rows: list[dict], reason: str, new: bool = False) -> int:
    """Make the project's flows match ``rows`` (``_plan_flows``) through the funding services; returns how
    many flows were created or deleted."""
    from compact.funding.services import _create_flows, flow_delete

    deleted, created = _plan_flows(orgs, project, rows, new)
    for flow in deleted:
        flow_delete(actor=actor, flow=flow, reason=reason)
    if created:  # flow_create's checks and events, for the project's new flows at once
        _create_flows(actor=actor, project=project, rows=created, reason=reason)
    return len(deleted) + len(created)


def _check_flows(*, orgs: Organisations, project, rows: list[dict], new: bool) -> int:
    """``_write_flows`` on a dry run: the flows that would be created are checked as ``flow_create`` checks
    them, nothing is written; returns how many flows would be created or deleted."""
    from compact.funding.services import _clean_flow

    deleted, created = _plan_flows(orgs, project, rows, new)
    for values in created:
        _clean_flow({"project": project, **values})
    return len(deleted) + len(created)


@dataclass(frozen=True)
class _Pending:
    """An activity that passed the first pass, waiting for the write pass: where it is, its ``title`` and
    the selection's ``reasons``, the project it updates (None: a new one), the project ``data`` and the
    ``flows`` (``compact.interop.iati.mapping``)."""

    file: str
    line: int
    position: int
    identifier: str
    title: str
    reasons: tuple[str, ...]
    project_id: int | None
    data: dict
    flows: list[dict]


class _Spool:
    """The activities waiting for the write pass, pickled one by one into a temporary file, so that memory
    does not grow with the number of activities kept."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.count = 0

    def add(self, pending: _Pending) -> None:
        pickle.dump(pending, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self):
        self.file.seek(0)
        for _index in range(self.count):
            yield pickle.load(self.file)  # noqa: S301 (written by this process, just before)

    def close(self) -> None:
        self.file.close()


def _title_fields() -> list[str]:
    from django.conf import settings

    from compact.core.i18n import field_name

    return ["title", *(field_name("title", code) for code, _name in settings.LANGUAGES)]


class _Importer:
    """One import: the state shared by the activities of all files."""

    def __init__(self, *, actor, report: IatiReport, reason: str, lead_body: Body | None,
                 lead_entity: Entity | None, selection: Selection | None) -> None:
        from compact.projects.models import Project

        self.Project = Project
        self.actor = actor
        self.report = report
        self.reason = reason
        self.lead_body = lead_body
        self.lead_entity = lead_entity
        self.selection = selection
        self.orgs = Organisations()
        self.seen: dict[str, tuple[str, int]] = {}
        self.reporting_refs: set[str] = set()

    def check(self, record: ActivityRecord) -> _Pending | None:
        """The first pass over an activity, without writing: its problems and notes, the selection, the
        mapping and the project it updates. Returns what the write pass needs, or None when the activity is
        skipped or has a problem."""
        report = self.report
        title = record.titles.get(record.default_language) or next(iter(record.titles.values()), "")
        if record.identifier in self.seen:
            file, line = self.seen[record.identifier]
            report.problems.append(Finding(record.file, record.line,
                                           f"iati-activities/iati-activity[{record.position}]/iati-identifier",
                                           _("The activity %(identifier)s is also at %(file)s line %(line)d.")
                                           % {"identifier": record.identifier, "file": file, "line": line},
                                           record.identifier))
            return
        if record.identifier:
            self.seen[record.identifier] = (record.file, record.line)
        if record.reporting_org is not None and record.reporting_org.ref:
            self.reporting_refs.add(record.reporting_org.ref)
        if record.problems:
            report.notes += record.notes
            report.problems += record.problems
            return
        reasons: list[str] = []
        if self.selection is not None:
            reasons = self.selection.reasons(record)
            if not reasons:  # not kept: its notes would only bury those of the activities kept
                report.activities.append(ActivityResult(record.file, record.line, record.identifier, "skipped", title,
                                                        position=record.position))
                return
        report.notes += record.notes
        mapped = project_data(record, self.orgs)
        report.notes += mapped.notes
        if mapped.problems:
            report.problems += mapped.problems
            return
        project = self.Project.objects.filter(iati_identifier=record.identifier).first()
        if project is None and (pk := platform_project_pk(record.identifier)) is not None:
            # an activity the platform exported for a project without an IATI identifier: the whole identifier
            # must be the one the platform gives that project, not just its number
            found = self.Project.objects.filter(pk=pk, iati_identifier__isnull=True).select_related("lead_entity").first()
            project = found if found is not None and activity_identifier(found) == record.identifier else None
        if project is not None and self.actor is not None and not can(self.actor, Action.VIEW, project):
            project = None  # treated as new: the service then refuses the identifier without revealing more
        data = dict(mapped.data)
        if project is not None:
            del data["iati_reporting_org"]  # kept as the project was first recorded (docs/iati.md)
        if project is not None and project.iati_identifier is None:
            del data["iati_identifier"]  # the platform's own identifier of it, not one to store
        where = f"iati-activities/iati-activity[{record.position}]"
        if project is None:
            lead = mapped.lead_entity or self.lead_entity
            if lead is None:
                org = record.reporting_org
                report.problems.append(Finding(record.file, record.line, f"{where}/reporting-org", _(
                    "The reporting organisation %(org)s is not a registry entity: add its IATI identifier or an alias "
                    "to the entity it is, or choose a lead entity for the import.")
                    % {"org": (org.ref or org.name()) if org else "-"}, record.identifier))
                return
            if self.lead_body is None:
                report.problems.append(Finding(record.file, record.line, where, _(
                    "This activity is new to the platform: choose the lead working group of new projects."),
                    record.identifier))
                return
            data["lead_entity"] = lead
            data["lead_body"] = self.lead_body
        return _Pending(record.file, record.line, record.position, record.identifier, title, tuple(reasons),
                        project.pk if project is not None else None, data, mapped.flows)

    def write(self, pending: _Pending) -> None:
        """The second pass over an activity: its project and flows written through the services (inside the
        import's transaction), or the services' refusal reported."""
        from compact.projects.services import project_create, project_update

        report = self.report
        project = self.Project.objects.get(pk=pending.project_id) if pending.project_id else None
        data, record = pending.data, pending
        title, reasons = pending.title, pending.reasons
        since = _last_event_id() if project is not None else 0  # what an update changed is read from the log
        try:
            with transaction.atomic():
                if project is None:
                    project = project_create(actor=self.actor, data=data, reason=self.reason, imported=True)
                    action = "create"
                else:
                    project_update(actor=self.actor, project=project, data=data, reason=self.reason, imported=True)
                    action = "update"
                flows_changed = _write_flows(actor=self.actor, orgs=self.orgs, project=project, rows=pending.flows,
                                             reason=self.reason, new=action == "create")
        except (ValidationError, PermissionDenied, Http404, ReasonRequired, IntegrityError) as exc:
            report.problems += _service_findings(exc, record, data)
            return
        fields: tuple[str, ...] = ()
        if action == "update":
            fields = _changed_fields(since)
            if not fields and not flows_changed:
                action = "unchanged"
        report.activities.append(ActivityResult(record.file, record.line, record.identifier, action, title,
                                                project.pk, tuple(reasons), fields, len(pending.flows),
                                                position=pending.position))

    def preview(self, pending: _Pending) -> None:
        """The second pass over an activity when nothing will be written (a dry run, or problems already
        found): checked as the services check it, without a transaction or a write lock."""
        from compact.projects.models import Project
        from compact.projects.selectors import project_preview

        project = self.Project.objects.get(pk=pending.project_id) if pending.project_id else None

        try:
            fields = project_preview(actor=self.actor, data=pending.data, project=project, imported=True)
            target = project if project is not None else Project(**{
                k: v for k, v in pending.data.items() if k in ("lead_entity", "lead_body")})
            flows_changed = _check_flows(orgs=self.orgs, project=target, rows=pending.flows, new=project is None)
        except (ValidationError, PermissionDenied, Http404) as exc:
            self.report.problems += _service_findings(exc, pending, pending.data)
            return
        if project is None:
            action, fields = "create", ()
        else:
            fields = (*fields, "flow") if flows_changed else fields
            action = "update" if fields else "unchanged"
        self.report.activities.append(ActivityResult(
            pending.file, pending.line, pending.identifier, action, pending.title,
            project.pk if project is not None else None, pending.reasons, fields, len(pending.flows),
            position=pending.position))

    def disappeared(self) -> list[dict]:
        """Projects an import brought from a reporting organisation of the files (``Project.iati_reporting_org``)
        that the files no longer have, as the actor may read them."""
        if not self.reporting_refs:
            return []
        projects = self.Project.objects.filter(iati_reporting_org__in=sorted(self.reporting_refs),
                                               iati_identifier__isnull=False).order_by("iati_identifier")
        if self.actor is not None:
            projects = restrict(projects, self.actor, Action.VIEW)
        return [{"identifier": p.iati_identifier, "project": p.pk, "title": p.title}
                for p in projects.only("pk", "iati_identifier", *[f for f in _title_fields()])
                if p.iati_identifier not in self.seen]


def iati_import(*, actor, files: Sequence[tuple[str, Any]], dry_run: bool, reason: str,
                lead_body: Body | None = None, lead_entity: Entity | None = None,
                selection: Selection | None = None,
                progress: Callable[[int, int], None] | None = None) -> IatiReport:
    """Import IATI activity files as ``actor`` (a user, or None for the platform); module docstring.

    ``files``: ``(name, source)`` pairs, the source being bytes, a path or a binary file object.
    ``lead_body``: the lead working group of new projects; ``lead_entity``: the lead entity of new
    projects whose reporting organisation is not a registry entity; ``selection``: keep only the
    activities it finds relevant (None: all); ``progress(bytes_done, bytes_total)`` is called as the files
    are read. Returns the ``IatiReport`` (problems are in it, never raised). Raises ``ReasonRequired`` when
    ``reason`` is blank and it is not a dry run. Writes only when nothing is wrong and ``dry_run`` is false,
    with ``reason`` on every change-log event.
    """
    reason = _reason(reason, dry_run)
    report = IatiReport(dry_run, selection=selection.as_texts() if selection else None)
    total = sum(_size(source) for _name, source in files)
    done_before = 0
    importer = _Importer(actor=actor, report=report, reason=reason, lead_body=lead_body, lead_entity=lead_entity,
                         selection=selection)
    spool = _Spool()
    try:
        for name, source in files:
            try:
                iati = open_iati(source, name)
            except IatiFileError as exc:
                report.problems += exc.findings
                report.files.append({"name": name, "version": "", "size": _size(source), "activities": 0})
                continue
            base = done_before

            def tick(done: int, base: int = base) -> None:
                if progress is not None:
                    progress(base + done, total or base + done)

            count = 0
            try:
                for record in iati.activities(progress=tick):
                    count += 1
                    pending = importer.check(record)
                    if pending is not None:
                        spool.add(pending)
            except IatiFileError as exc:  # a fault found further on: not well-formed, bytes not decodable
                report.problems += exc.findings
            except etree.LxmlError as exc:  # e.g. entity references, which the schema validator cannot follow
                report.problems.append(Finding(name, None, "iati-activities", _(
                    "The file cannot be checked against the IATI schema (%(error)s); files with a document type "
                    "declaration or entity references are not accepted.") % {"error": exc}))
            report.notes += iati.notes  # read after the pass: it adds what it finds on the way
            report.problems += iati.problems
            report.files.append({"name": name, "version": iati.version, "size": iati.size, "activities": count})
            done_before += iati.size or _size(source)
            tick(iati.size or 0)
        report.unknown_organisations = importer.orgs.unknown_list()
        for ref, (entity, activity) in importer.orgs.by_name_only.items():
            file, line = importer.seen.get(activity, ("", None))
            report.notes.append(Finding(file, line, "", _(
                "The organisation %(ref)s is not in the registry under this identifier; it was matched to %(entity)s by "
                "its name (add the identifier as an alias of the entity to confirm).")
                % {"ref": ref, "entity": entity.acronym}, activity))
        report.disappeared = importer.disappeared()
        if dry_run or report.problems:  # nothing will be written: check the rest without a transaction
            for pending in spool:
                importer.preview(pending)
        else:
            with transaction.atomic():  # the write pass: the only time the import holds a write lock
                for pending in spool:
                    importer.write(pending)
                if not report.written:
                    transaction.set_rollback(True)
    finally:
        spool.close()
    order = {info["name"]: index for index, info in enumerate(report.files)}
    report.activities.sort(key=lambda r: (order.get(r.file, 0), r.position, r.line))
    if not report.written:  # what a failed import created was rolled back: no number to link to
        report.activities = [replace(r, project_id=None) if r.action == "create" else r for r in report.activities]
    return report
