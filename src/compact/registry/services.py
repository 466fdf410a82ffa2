"""Write services for the registry: every change to the strategy, pillars, entities, bodies, their
milestones, participation, leadership and people goes through here, in one transaction with its
audit rows.

``structure_apply`` makes the registry match a validated structure file (see
``compact.interop.structure``); ``load_default_structure`` applies the file shipped with the
platform (``compact/data/global-ct-compact.yaml``), for ``compact setup`` and the tests.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from compact.audit.context import current as current_audit_context
from compact.audit.services import diff, record_change, snapshot
from compact.interop.structure.reader import (
    LANGUAGES,
    NAME_KINDS,
    BodyRecord,
    Problem,
    StructureDocument,
    StructureError,
    main_title,
    milestone_title_key,
    normalize_name,
    read_structure_file,
)
from compact.registry.models import (
    Body,
    Entity,
    EntityAlias,
    LeadershipRole,
    Milestone,
    Participation,
    Person,
    Pillar,
    Strategy,
    StrategyReview,
)

#: The kinds of rows a structure file describes, in the order reports list them.
RECORD_TYPES: tuple[str, ...] = (
    "strategy", "review", "pillar", "entity", "alias", "body", "participation", "leadership", "milestone", "person",
)

DEFAULT_STRUCTURE = ("data", "global-ct-compact.yaml")


@dataclass
class Counts:
    """How many rows of one type were created, updated, deleted or left unchanged."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass(frozen=True)
class Change:
    """One row written: ``action`` is ``create``, ``update`` or ``delete``; ``label`` names the row by its
    natural key (e.g. ``leadership wg-5 UNOCT vice_chair from 2019-04-16``); ``fields`` lists the
    fields that changed."""

    action: str
    type: str
    label: str
    fields: tuple[str, ...] = ()


@dataclass
class ApplyReport:
    """What applying a structure file did (or, for a dry run, would do).

    ``counts`` maps each of ``RECORD_TYPES`` to its ``Counts``; ``changes`` lists every row written,
    in order; ``absent`` lists, per type, the rows of the database that the file does not describe and
    that were therefore kept (entities, bodies, pillars, reviews, people are never deleted by a
    file); ``request_id`` groups the load's rows in the change log.
    """

    source: str
    dry_run: bool
    request_id: str
    counts: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in RECORD_TYPES})
    changes: list[Change] = field(default_factory=list)
    absent: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        """The number of rows created, updated or deleted."""
        return sum(c.changed for c in self.counts.values())

    def summary(self) -> str:
        """One line of totals, e.g. ``"136 created, 0 updated, 0 deleted, 0 unchanged"``."""
        totals = Counts()
        for counts in self.counts.values():
            for name in vars(totals):
                setattr(totals, name, getattr(totals, name) + getattr(counts, name))
        return _("%(created)d created, %(updated)d updated, %(deleted)d deleted, %(unchanged)d unchanged") % vars(totals)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (for ``--format json``)."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "request_id": self.request_id,
            "changed": self.changed,
            "counts": {t: vars(c).copy() for t, c in self.counts.items()},
            "changes": [
                {"action": c.action, "type": c.type, "label": c.label, "fields": list(c.fields)} for c in self.changes
            ],
            "absent": self.absent,
        }


def _localized(field_name: str, text: Mapping[str, str]) -> dict[str, str | None]:
    """``{"title_en": ..., "title_zh_hans": ...}`` for all six languages; None where there is no text."""
    return {build_localized_fieldname(field_name, lang): (text.get(lang) or None) for lang in LANGUAGES}


def _same(current: Any, wanted: Any) -> bool:
    """Equal, counting an empty text and a missing one (None) as the same (DESIGN.md section 4)."""
    if isinstance(current, str) or isinstance(wanted, str):
        return (current or "") == (wanted or "")
    return current == wanted


def _span(start: dt.date, end: dt.date | None) -> str:
    return f"from {start.isoformat()}" + (f" to {end.isoformat()}" if end else "")


class _Writer:
    """Creates, updates and deletes rows, recording each write in the change log and the report."""

    def __init__(self, report: ApplyReport, *, actor, actor_label: str, reason: str):
        self.report = report
        self.audit = {"actor": actor, "actor_label": actor_label, "reason": reason, "request_id": report.request_id}

    def _record(self, action: str, kind: str, label: str, obj: models.Model, changes: dict) -> None:
        record_change(action=action, obj=obj, changes=changes, **self.audit)
        self.report.changes.append(Change(action, kind, label, tuple(changes)))

    def create(self, kind: str, label: str, model: type[models.Model], values: Mapping[str, Any]) -> Any:
        obj = model.objects.create(**values)
        self._record("create", kind, label, obj, diff({}, snapshot(obj)))
        self.report.counts[kind].created += 1
        return obj

    def update(self, kind: str, label: str, obj: models.Model, values: Mapping[str, Any],
               before: dict[str, Any] | None = None) -> Any:
        """Set ``values`` on ``obj``; save and record only if one differs. ``before`` overrides the
        snapshot taken now (when the row was already touched without a record, see ``_free_numbers``)."""
        changed = {name: value for name, value in values.items() if not _same(getattr(obj, name), value)}
        if not changed:
            self.report.counts[kind].unchanged += 1
            return obj
        before = before if before is not None else snapshot(obj)
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.save()
        self._record("update", kind, label, obj, diff(before, snapshot(obj)))
        self.report.counts[kind].updated += 1
        return obj

    def upsert(self, kind: str, label: str, model: type[models.Model], lookup: Mapping[str, Any],
               values: Mapping[str, Any], before: dict[str, Any] | None = None) -> Any:
        obj = model.objects.filter(**lookup).order_by("pk").first()
        if obj is None:
            return self.create(kind, label, model, {**lookup, **values})
        return self.update(kind, label, obj, values, before)

    def delete(self, kind: str, label: str, obj: models.Model) -> None:
        self._record("delete", kind, label, obj, diff(snapshot(obj), {}))
        obj.delete()
        self.report.counts[kind].deleted += 1


@contextmanager
def _default_language() -> Iterator[None]:
    """Write under the default language, so the untranslated base columns are filled the same way
    whatever language the caller is using (django-modeltranslation copies the active one)."""
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        yield


def structure_apply(
    *,
    document: StructureDocument,
    actor=None,
    actor_label: str = "",
    reason: str,
    dry_run: bool = False,
) -> ApplyReport:
    """Make the registry match ``document`` (a validated structure file), all or nothing.

    Rows are matched by natural key: strategy ``key``, review ``number``, pillar ``number``, entity
    ``acronym`` ignoring case (an acronym whose case changes, UN-Women to UN-WOMEN, is an update of
    the entity's acronym), body ``key``; a person by entity, given and family name. Missing rows are
    created and changed ones updated. For each entity in the file its aliases become exactly the
    file's; for each body in the file its participations (matched by entity and start) and leadership
    roles (matched by entity, role and start) become exactly the file's, extra ones being deleted, and
    so do its milestones (matched by date and identifying title, see
    ``compact.interop.structure.reader.milestone_title_key``) when the file lists them for the body.
    Entities, bodies, pillars, reviews and people that the file does not describe are kept and listed
    in ``ApplyReport.absent``. Each write is recorded with ``compact.audit.services.record_change``
    (``actor``, ``actor_label``, ``reason``) in the same transaction; applying the same file twice
    writes nothing the second time. With ``dry_run`` everything is done, then rolled back: the report
    tells what would change.

    Raises:
        StructureError: the file conflicts with rows it does not describe (a name or alias that is the
            acronym, a name or an alias of an entity outside the file; a working-group number held by
            another body); nothing is written.
        ValueError: ``reason`` is blank (every change in the log says why it was made).
    """
    if not reason.strip():
        raise ValueError("A reason is required for this change.")
    # The rows of one load share an id: the request's (pages, API) or a new one (command line).
    report = ApplyReport(source=document.source, dry_run=dry_run, request_id=current_audit_context().request_id or uuid.uuid4().hex)
    writer = _Writer(report, actor=actor, actor_label=actor_label, reason=reason)
    with _default_language(), transaction.atomic():
        problems = _conflicts(document)
        if problems:
            raise StructureError(problems)
        strategy = _apply_strategy(writer, document)
        pillars = _apply_pillars(writer, document, strategy)
        entities = _apply_entities(writer, document)
        _apply_aliases(writer, document, entities)
        bodies = _apply_bodies(writer, document, pillars, entities)
        for record in document.bodies:
            _apply_participants(writer, record, bodies[record.key], entities)
            _apply_leadership(writer, record, bodies[record.key], entities)
            if record.milestones is not None:
                _apply_milestones(writer, record, bodies[record.key])
        if document.people is not None:
            _apply_people(writer, document, entities, bodies)
        if dry_run:
            transaction.set_rollback(True)
    return report


def default_structure_file():
    """The structure file shipped with the platform (a ``Traversable``; see ``importlib.resources``)."""
    return resources.files("compact").joinpath(*DEFAULT_STRUCTURE)


def load_default_structure(**kwargs: Any) -> ApplyReport:
    """Apply the shipped structure of the Global Counter-Terrorism Coordination Compact.

    ``kwargs`` go to ``structure_apply`` (``actor``, ``actor_label``, ``reason``, ``dry_run``); the
    label defaults to ``"compact setup"`` and the reason to a sentence naming the file.

    Raises:
        StructureError: as ``structure_apply`` (the shipped file itself is checked by the tests).
    """
    with resources.as_file(default_structure_file()) as path:
        document = read_structure_file(path)
    kwargs.setdefault("actor_label", "compact setup")
    kwargs.setdefault("reason", "Default structure of the Global Counter-Terrorism Coordination Compact")
    return structure_apply(document=document, **kwargs)


# --- Steps ---------------------------------------------------------------------------------------


def _conflicts(document: StructureDocument) -> list[Problem]:
    """Clashes between the file and rows it does not describe: a name or alias of the file that is
    the acronym, a name or an alias of an entity outside the file (a reference to it would name two
    entities, and the database refuses a second alias of the same spelling), a working-group number
    held by a body outside the file."""
    problems: list[Problem] = []
    described = {e.acronym.casefold() for e in document.entities}
    held: dict[str, tuple[str, str]] = {}  # normalized name -> (acronym of the entity outside the file, what)
    for other in Entity.objects.prefetch_related("aliases").order_by("acronym"):
        if other.acronym.casefold() in described:
            continue
        held.setdefault(normalize_name(other.acronym), (other.acronym, "acronym"))
        for lang in LANGUAGES:
            name = getattr(other, build_localized_fieldname("name", lang)) or ""
            if name.strip():
                held.setdefault(normalize_name(name), (other.acronym, "name"))
        for alias in other.aliases.all():
            held.setdefault(normalize_name(alias.name), (other.acronym, "alias"))
    for entity in document.entities:
        claims = [(entity.acronym, entity.at("acronym"), "acronym")]
        claims += [(name, entity.at(f"name.{lang}"), "name") for lang, name in entity.name.items()]
        claims += [(alias.name, alias.where, "alias") for alias in entity.aliases]
        for name, where, what in claims:
            found = held.get(normalize_name(name))
            if found is None:
                continue
            owner, owner_what = found
            problems.append(Problem(where, _(
                "%(what)s “%(name)s” is already the %(owner_what)s of %(owner)s in the registry, and this file "
                "does not describe %(owner)s") % {"what": _(NAME_KINDS[what]), "name": name,
                                                  "owner_what": _(NAME_KINDS[owner_what]), "owner": owner}))
    keys = {b.key for b in document.bodies}
    for body in document.bodies:
        if body.number is None:
            continue
        other = Body.objects.filter(kind=body.kind, number=body.number).exclude(key__in=keys).first()
        if other is not None:
            problems.append(Problem(body.at("number"), _(
                "number %(number)d is already held by body “%(other)s” in the registry, which this file does "
                "not describe") % {"number": body.number, "other": other.key}))
    return problems


def _apply_strategy(writer: _Writer, document: StructureDocument) -> Strategy:
    record = document.strategy
    strategy = writer.upsert("strategy", f"strategy {record.key}", Strategy, {"key": record.key}, {
        **_localized("title", record.title), "resolution": record.resolution, "adopted": record.adopted,
    })
    for review in record.reviews:
        writer.upsert("review", f"review {record.key} {review.number}", StrategyReview,
                      {"strategy": strategy, "number": review.number}, {
                          "resolution": review.resolution, "adopted": review.adopted,
                          "due_year": review.due_year, **_localized("note", review.note)})
    numbers = [r.number for r in record.reviews]
    extra = StrategyReview.objects.filter(strategy=strategy).exclude(number__in=numbers)
    _absent(writer.report, "review", [f"{record.key} {n}" for n in extra.values_list("number", flat=True)])
    return strategy


def _apply_pillars(writer: _Writer, document: StructureDocument, strategy: Strategy) -> dict[int, Pillar]:
    pillars = {
        record.number: writer.upsert("pillar", f"pillar {record.number}", Pillar, {"number": record.number}, {
            "strategy_id": strategy.pk, **_localized("title", record.title)})
        for record in document.pillars
    }
    extra = Pillar.objects.exclude(number__in=list(pillars)).values_list("number", flat=True)
    _absent(writer.report, "pillar", [str(n) for n in extra])
    return pillars


def _apply_entities(writer: _Writer, document: StructureDocument) -> dict[str, Entity]:
    """Upsert the entities, matched by acronym ignoring case (acronyms are unique ignoring case): an
    entity whose acronym the file writes in another case gets the file's spelling, recorded as an
    update of ``acronym``."""
    existing = {e.acronym.casefold(): e for e in Entity.objects.all()}
    entities: dict[str, Entity] = {}
    for record in document.entities:
        values = {"acronym": record.acronym, "kind": record.kind, "iati_identifier": record.iati_identifier,
                  **_localized("name", record.name)}
        found = existing.get(record.acronym.casefold())
        label = f"entity {record.acronym}"
        if found is None:
            entities[record.acronym] = writer.create("entity", label, Entity, values)
        else:
            if found.acronym != record.acronym:
                label = f"entity {record.acronym} (was {found.acronym})"
            entities[record.acronym] = writer.update("entity", label, found, values)
    extra = Entity.objects.exclude(acronym__in=list(entities)).values_list("acronym", flat=True)
    _absent(writer.report, "entity", list(extra))
    return entities


def _apply_aliases(writer: _Writer, document: StructureDocument, entities: Mapping[str, Entity]) -> None:
    """Each entity's aliases become the file's. Extra aliases of all entities go first, so an alias
    moved from one entity to another never meets the case-insensitive uniqueness constraint."""
    plans = []
    for record in document.entities:
        entity = entities[record.acronym]
        existing = {normalize_name(a.name): a for a in EntityAlias.objects.filter(entity=entity).order_by("pk")}
        wanted = {normalize_name(a.name): a.name for a in record.aliases}
        for key, alias in existing.items():
            if key not in wanted:
                writer.delete("alias", f"alias {record.acronym} {alias.name}", alias)
        plans.append((record, entity, existing, wanted))
    for record, entity, existing, wanted in plans:
        for key, name in wanted.items():
            label = f"alias {record.acronym} {name}"
            if key in existing:
                writer.update("alias", label, existing[key], {"name": name})
            else:
                writer.create("alias", label, EntityAlias, {"entity": entity, "name": name})


def _apply_bodies(writer: _Writer, document: StructureDocument, pillars: Mapping[int, Pillar],
                  entities: Mapping[str, Entity]) -> dict[str, Body]:
    """Upsert the bodies, parents first (the reader orders them so)."""
    before = _free_numbers(document.bodies)
    bodies: dict[str, Body] = {}
    for record in document.bodies:
        bodies[record.key] = writer.upsert("body", f"body {record.key}", Body, {"key": record.key}, {
            "kind": record.kind,
            "number": record.number,
            "pillar_id": pillars[record.pillar].pk if record.pillar is not None else None,
            "parent_id": bodies[record.parent].pk if record.parent is not None else None,
            "secretariat_id": entities[record.secretariat].pk if record.secretariat is not None else None,
            "established": record.established,
            "dissolved": record.dissolved,
            **_localized("title", record.title),
            **_localized("mandate", record.mandate),
        }, before=before.get(record.key))
    extra = Body.objects.exclude(key__in=list(bodies)).values_list("key", flat=True)
    _absent(writer.report, "body", list(extra))
    return bodies


def _free_numbers(records: tuple[BodyRecord, ...]) -> dict[str, dict[str, Any]]:
    """Clear the number of each body whose number changes, so that renumbering working groups (1 and 2
    swapping) never trips the (kind, number) uniqueness constraint midway. Returns the snapshots
    taken before, so each body's change is recorded once, from its true former state."""
    wanted = {r.key: (r.kind, r.number) for r in records}
    moving = [b for b in Body.objects.filter(key__in=list(wanted)) if (b.kind, b.number) != wanted[b.key]]
    before = {b.key: snapshot(b) for b in moving}
    if moving:
        Body.objects.filter(pk__in=[b.pk for b in moving]).update(number=None)
    return before


def _apply_participants(writer: _Writer, record: BodyRecord, body: Body, entities: Mapping[str, Entity]) -> None:
    existing: dict[tuple[int, dt.date], list[Participation]] = {}
    for row in Participation.objects.filter(body=body).select_related("entity").order_by("pk"):
        existing.setdefault((row.entity_id, row.start), []).append(row)
    for item in record.participants:
        entity = entities[item.entity]
        label = f"participation {body.key} {item.entity} {item.capacity} {_span(item.start, item.end)}"
        rows = existing.get((entity.pk, item.start))
        values = {"capacity": item.capacity, "end": item.end}
        if rows:
            writer.update("participation", label, rows.pop(0), values)
        else:
            writer.create("participation", label, Participation,
                          {"body": body, "entity": entity, "start": item.start, **values})
    for rows in existing.values():
        for row in rows:
            writer.delete("participation", f"participation {body.key} {row.entity.acronym} {row.capacity} "
                                           f"{_span(row.start, row.end)}", row)


def _apply_leadership(writer: _Writer, record: BodyRecord, body: Body, entities: Mapping[str, Entity]) -> None:
    existing: dict[tuple[int, str, dt.date], list[LeadershipRole]] = {}
    for row in LeadershipRole.objects.filter(body=body).select_related("entity").order_by("pk"):
        existing.setdefault((row.entity_id, row.role, row.start), []).append(row)
    for item in record.leadership:
        entity = entities[item.entity]
        label = f"leadership {body.key} {item.entity} {item.role} {_span(item.start, item.end)}"
        rows = existing.get((entity.pk, item.role, item.start))
        values = {"end": item.end, **_localized("position", item.position)}
        if rows:
            writer.update("leadership", label, rows.pop(0), values)
        else:
            writer.create("leadership", label, LeadershipRole,
                          {"body": body, "entity": entity, "role": item.role, "start": item.start, **values})
    for rows in existing.values():
        for row in rows:
            writer.delete("leadership", f"leadership {body.key} {row.entity.acronym} {row.role} "
                                        f"{_span(row.start, row.end)}", row)


def _milestone_title(row: Milestone) -> dict[str, str]:
    """A milestone row's title as the file writes it: ``{language: text}`` for each language with one."""
    return {lang: text for lang in LANGUAGES if (text := (getattr(row, build_localized_fieldname("title", lang)) or ""))}


def _apply_milestones(writer: _Writer, record: BodyRecord, body: Body) -> None:
    """The body's milestones become exactly the file's, matched by date and identifying title
    (``milestone_title_key``): a changed translation is an update, a changed date or English title a
    deletion and a creation."""
    existing: dict[tuple[dt.date, str], list[Milestone]] = {}
    for row in Milestone.objects.filter(body=body).order_by("pk"):
        existing.setdefault((row.date, milestone_title_key(_milestone_title(row))), []).append(row)
    for item in record.milestones or ():
        label = f"milestone {body.key} {item.date.isoformat()} {main_title(item.title)}"
        rows = existing.get(item.key)
        values = _localized("title", item.title)
        if rows:
            writer.update("milestone", label, rows.pop(0), values)
        else:
            writer.create("milestone", label, Milestone, {"body": body, "date": item.date, **values})
    for rows in existing.values():
        for row in rows:
            writer.delete("milestone", f"milestone {body.key} {row.date.isoformat()} "
                                       f"{main_title(_milestone_title(row))}", row)


def _apply_people(writer: _Writer, document: StructureDocument, entities: Mapping[str, Entity],
                  bodies: Mapping[str, Body]) -> None:
    seen: set[int] = set()
    for item in document.people or ():
        entity = entities[item.entity]
        person = writer.upsert(
            "person", f"person {item.entity} {item.given_name} {item.family_name}", Person,
            {"entity": entity, "given_name": item.given_name, "family_name": item.family_name},
            {"function": item.function, "email": item.email, "job_title": item.job_title,
             "body_id": bodies[item.body].pk if item.body is not None else None, "sensitivity": item.sensitivity})
        seen.add(person.pk)
    extra = Person.objects.exclude(pk__in=seen).select_related("entity").order_by("entity__acronym", "pk")
    _absent(writer.report, "person", [f"{p.entity.acronym} {p.given_name} {p.family_name}" for p in extra])


def _absent(report: ApplyReport, kind: str, labels: list[str]) -> None:
    if labels:
        report.absent[kind] = sorted(labels)
