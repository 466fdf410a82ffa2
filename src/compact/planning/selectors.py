"""Every read of the joint programme of work, through the one access policy (``compact.access.policy``).

A programme (and its priorities) is the Coordination Committee's content; a workplan (and its outputs
and activities) is its working group's. Lists are ``restrict(...)``-ed querysets; one programme or
workplan is read through ``get_for``, so that one the user may not read answers 404 whether or not it
exists. A programme's workplans are those the user may list, each with its outputs and activities
prefetched (a fixed number of queries whatever their number).

``compare`` tells what changed between two versions of a programme, or two programmes, on what the
user may read.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from compact.access.policy import Action, get_for, restrict
from compact.core.i18n import field_name
from compact.planning.models import Activity, Output, Priority, Programme, Workplan
from compact.registry.models import Body

LANGUAGES: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh-hans")


def _programmes() -> QuerySet[Programme]:
    return Programme.objects.select_related("owner_body", "supersedes", "superseded_by")


def programme_list(*, user, action: Action = Action.LIST) -> QuerySet[Programme]:
    """The programme versions ``user`` may take ``action`` on (list by default), latest period first, then
    by key and newest version first, with their owning body and the versions they supersede and are
    superseded by."""
    return restrict(_programmes(), user, action)


def programme_get(*, user, pk: int, action: Action = Action.VIEW) -> Programme:
    """The programme version ``pk``, if ``user`` may take ``action`` on it. Raises ``Http404`` when it does
    not exist or the user may not read it, ``PermissionDenied`` when they may read it but not take
    ``action``."""
    return get_for(_programmes(), user, action, pk=pk)


def programme_versions(*, user, programme: Programme) -> list[Programme]:
    """The versions of ``programme`` (same ``key``) that ``user`` may list, oldest first."""
    return list(restrict(Programme.objects.filter(key=programme.key), user, Action.LIST).order_by("version"))


def priority_list(*, programme: Programme) -> list[Priority]:
    """The priorities of a programme the caller has read (they follow their programme), by number."""
    return list(programme.priorities.order_by("number"))


def _activities() -> QuerySet[Activity]:
    return (Activity.objects.select_related("lead_entity", "carried_from__output__workplan__programme")
            .prefetch_related("participating_entities").order_by("number"))


def _workplans() -> QuerySet[Workplan]:
    outputs = Output.objects.select_related("priority").order_by("number").prefetch_related(
        Prefetch("activities", queryset=_activities()))
    return (Workplan.objects.select_related("body", "body__pillar", "programme")
            .prefetch_related(Prefetch("outputs", queryset=outputs)).order_by("body__number", "body__key"))


def workplan_list(*, user, programme: Programme, action: Action = Action.LIST) -> list[Workplan]:
    """The workplans of ``programme`` that ``user`` may take ``action`` on, by working-group number, each
    with its body, outputs (with their priority) and activities (lead entity, participating entities and
    the activity each was carried from) prefetched: six queries whatever their number."""
    return list(restrict(_workplans().filter(programme=programme), user, action))


def workplan_get(*, user, pk: int, action: Action = Action.VIEW) -> Workplan:
    """The workplan ``pk`` with its outputs and activities prefetched, if ``user`` may take ``action`` on
    it and may read its programme. Raises ``Http404`` / ``PermissionDenied`` as ``programme_get``."""
    workplan = get_for(_workplans(), user, action, pk=pk)
    programme_get(user=user, pk=workplan.programme_id)
    return workplan


def current_workplan(*, user, body: Body, day=None) -> Workplan | None:
    """The workplan of working group ``body`` in the adopted programme in force on ``day`` (today by
    default: the adopted version whose period contains it, else the latest adopted one that started
    before it), if ``user`` may read both; None otherwise."""
    day = day or timezone.localdate()
    programmes = restrict(Programme.objects.filter(status=Programme.Status.ADOPTED, period_start__lte=day), user, Action.VIEW)
    workplans = restrict(Workplan.objects.filter(body=body, programme__in=programmes), user, Action.VIEW)
    in_force = workplans.filter(programme__period_end__gte=day).order_by("-programme__period_start").first()
    return in_force or workplans.order_by("-programme__period_end", "-programme__period_start").first()


# --- Comparison ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """One field that differs: ``field`` (a column, e.g. ``title_fr``, ``lead_entity``, ``start``) with its
    ``before`` and ``after`` values (plain: text, ISO dates, entity acronyms, numbers)."""

    field: str
    before: Any
    after: Any


@dataclasses.dataclass(frozen=True)
class Changed:
    """An item present in both: ``before`` (in ``a``) and ``after`` (in ``b``), and its ``fields`` that
    differ."""

    before: Any
    after: Any
    fields: tuple[FieldChange, ...]


@dataclasses.dataclass(frozen=True)
class Changes:
    """Items ``added`` (only in ``b``), ``removed`` (only in ``a``) and ``changed`` (in both, differing)."""

    added: tuple = ()
    removed: tuple = ()
    changed: tuple[Changed, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclasses.dataclass(frozen=True)
class GroupComparison:
    """What changed in one working group's workplan: the ``body``, its workplans in ``a`` and ``b`` (None
    where it has none), and its ``outputs`` and ``activities`` changes."""

    body: Body
    before: Workplan | None
    after: Workplan | None
    outputs: Changes
    activities: Changes

    def __bool__(self) -> bool:
        return self.before is None or self.after is None or bool(self.outputs) or bool(self.activities)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """What changed from programme ``a`` to programme ``b``: the programme's own ``fields``, its
    ``priorities`` (matched by number), and per working group (``groups``, by number; only groups with a
    change) outputs (matched by number) and activities (matched by ``carried_from``, else by output number
    and activity number)."""

    a: Programme
    b: Programme
    fields: tuple[FieldChange, ...]
    priorities: Changes
    groups: tuple[GroupComparison, ...]

    @property
    def unchanged(self) -> bool:
        """True when nothing differs."""
        return not (self.fields or self.priorities or self.groups)


def _texts(obj, *fields: str) -> dict[str, Any]:
    return {field_name(f, code): getattr(obj, field_name(f, code)) or "" for f in fields for code in LANGUAGES}


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _programme_values(p: Programme) -> dict[str, Any]:
    return {**_texts(p, "title", "summary"), "period_start": _plain(p.period_start), "period_end": _plain(p.period_end),
            "sensitivity": p.sensitivity}


def _priority_values(p: Priority) -> dict[str, Any]:
    return _texts(p, "title", "description")


def _output_values(o: Output) -> dict[str, Any]:
    return {**_texts(o, "title"), "priority": o.priority.number if o.priority_id else None}


def _activity_values(a: Activity) -> dict[str, Any]:
    return {
        **_texts(a, "title", "description"),
        "output": a.output.number,
        "lead_entity": a.lead_entity.acronym,
        "participating_entities": sorted(e.acronym for e in a.participating_entities.all()),
        "start": _plain(a.start),
        "end": _plain(a.end),
        "status": a.status,
    }


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(k, before.get(k), after.get(k)) for k in before if before.get(k) != after.get(k))


def _changes(before: dict, after: dict, values) -> Changes:
    """``Changes`` of two ``{match key: item}`` mappings, items compared by ``values(item)``."""
    changed = []
    for key in before:
        if key in after:
            fields = _field_changes(values(before[key]), values(after[key]))
            if fields:
                changed.append(Changed(before[key], after[key], fields))
    return Changes(
        added=tuple(after[k] for k in after if k not in before),
        removed=tuple(before[k] for k in before if k not in after),
        changed=tuple(changed),
    )


def _match_activities(before: list[Activity], after: list[Activity]) -> tuple[dict, dict]:
    """Keys matching activities of two workplans: an activity of ``after`` carried from one of ``before``
    takes that one's key, (output number, activity number); the others are keyed by their own output
    number and activity number (or by their id when that key is taken)."""
    by_id = {act.pk: act for act in before}
    keys_before = {(act.output.number, act.number): act for act in before}
    keys_after: dict = {}
    rest = []
    for act in after:
        source = by_id.pop(act.carried_from_id, None) if act.carried_from_id else None
        if source is not None:
            keys_after[(source.output.number, source.number)] = act
        else:
            rest.append(act)
    for act in rest:
        key = (act.output.number, act.number)
        keys_after[("id", act.pk) if key in keys_after else key] = act
    return keys_before, keys_after


def compare(*, user, a: Programme, b: Programme) -> Comparison:
    """What changed from programme ``a`` to ``b`` (two versions of one programme, or two programmes), on
    what ``user`` may read: both programmes must be readable (``Http404`` otherwise, as
    ``programme_get``); only the workplans the user may list on each side are compared, so a workplan
    they may not read never shows, not even as added or removed. Runs a fixed number of queries."""
    a = programme_get(user=user, pk=a.pk)
    b = programme_get(user=user, pk=b.pk)
    priorities = _changes({p.number: p for p in priority_list(programme=a)},
                          {p.number: p for p in priority_list(programme=b)}, _priority_values)
    before = {w.body_id: w for w in workplan_list(user=user, programme=a)}
    after = {w.body_id: w for w in workplan_list(user=user, programme=b)}
    groups = []
    for body_id in sorted(set(before) | set(after),
                          key=lambda i: ((before.get(i) or after.get(i)).body.number or 0, i)):
        wa, wb = before.get(body_id), after.get(body_id)
        outputs_a = list(wa.outputs.all()) if wa else []
        outputs_b = list(wb.outputs.all()) if wb else []
        outputs = _changes({o.number: o for o in outputs_a}, {o.number: o for o in outputs_b}, _output_values)
        acts_a = [act for o in outputs_a for act in o.activities.all()]
        acts_b = [act for o in outputs_b for act in o.activities.all()]
        for o in outputs_a + outputs_b:  # the output each activity is shown under, without a query
            for act in o.activities.all():
                act.output = o
        keys_a, keys_b = _match_activities(acts_a, acts_b)
        activities = _changes(keys_a, keys_b, _activity_values)
        group = GroupComparison(body=(wa or wb).body, before=wa, after=wb, outputs=outputs, activities=activities)
        if group:
            groups.append(group)
    return Comparison(a=a, b=b, fields=_field_changes(_programme_values(a), _programme_values(b)),
                      priorities=priorities, groups=tuple(groups))


def later_version(programme: Programme) -> Programme | None:
    """The version that revises ``programme`` (a later version of the same key, or one that supersedes
    it), or None. A version is revised at most once; the platform's own check, not filtered by reader."""
    later = Programme.objects.filter(key=programme.key, version__gt=programme.version).order_by("version").first()
    return later or Programme.objects.filter(supersedes=programme).first()
