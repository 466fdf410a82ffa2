"""Data-quality checks of the registry: rules that flag, never reject, irregularities in the structure.

The founding document itself has irregularities the registry must hold as they are (a group led only
by co-chairs, one entity as chair and vice-chair of the same group), so nothing here refuses a row:
``run_checks`` reads the registry and returns ``Finding`` records for the secretariat to review, on
the page ``/data-quality/`` and with ``compact check``. The rules and their reasons are listed in
``docs/data-quality.md``; each rule function below says what it checks and why.

Periods follow ``compact.core.models.Period``: ``start`` and ``end`` are both inclusive and an empty
``end`` means "still in force"; a body lives from ``established`` to ``dissolved`` (inclusive, empty:
still in existence). Every check reads the registry in four queries, whatever its size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from compact.core.i18n import translated
from compact.registry.models import ROLE_ORDER, Body, Entity, LeadershipRole, Participation

ERROR = "error"
WARNING = "warning"
INFO = "info"
#: Severities, most severe first.
SEVERITIES: tuple[str, ...] = (ERROR, WARNING, INFO)
_SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}

_ONE_DAY = dt.timedelta(days=1)


def at_least(severity: str, threshold: str) -> bool:
    """True when ``severity`` is ``threshold`` or more severe (``"error"`` > ``"warning"`` > ``"info"``).

    Raises ``KeyError`` for a name not in ``SEVERITIES``.
    """
    return _SEVERITY_RANK[severity] <= _SEVERITY_RANK[threshold]


@dataclass(frozen=True)
class Finding:
    """One irregularity found in the registry.

    ``severity`` is ``"error"`` (the data contradicts itself), ``"warning"`` (an irregularity to
    review) or ``"info"`` (worth knowing, not wrong); ``rule`` is the rule's stable dotted code (e.g.
    ``"leadership.multiple_roles"``); ``message`` is a sentence in the active language; ``body`` the
    body's key and ``entity`` the entity's acronym, or None when the finding is not about one;
    ``start`` and ``end`` the period concerned (inclusive; ``end`` None: still open), or None.
    """

    severity: str
    rule: str
    message: str
    body: str | None = None
    entity: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready values (dates as ISO 8601 strings, missing values as null)."""
        return {
            "severity": self.severity,
            "rule": self.rule,
            "body": self.body,
            "entity": self.entity,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "message": self.message,
        }


# --- The registry as plain records, read once -------------------------------------------------------


class _Span(NamedTuple):
    """A participation or leadership row: ``kind`` is its capacity or its role."""

    pk: int
    entity_id: int
    body_id: int
    kind: str
    start: dt.date
    end: dt.date | None


@dataclass
class _Registry:
    bodies: dict[int, Body]
    entities: dict[int, Entity]
    participations: list[_Span]
    roles: list[_Span]

    def working_groups(self) -> list[Body]:
        return [b for b in self.bodies.values() if b.kind == Body.Kind.WORKING_GROUP]


def _read_registry() -> _Registry:
    """Read bodies, entities, participations and leadership roles: four queries."""
    bodies = {b.pk: b for b in Body.objects.order_by("kind", "number", "key")}
    entities = {e.pk: e for e in Entity.objects.only("pk", "acronym").order_by("acronym")}
    columns = ("pk", "entity_id", "body_id")
    participations = [
        _Span(*row) for row in Participation.objects.order_by("pk").values_list(*columns, "capacity", "start", "end")
    ]
    roles = [_Span(*row) for row in LeadershipRole.objects.order_by("pk").values_list(*columns, "role", "start", "end")]
    return _Registry(bodies=bodies, entities=entities, participations=participations, roles=roles)


# --- Periods (inclusive ends, None: open) ------------------------------------------------------------


def _contains(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day <= end)


def _on(rows: Iterable[_Span], as_of: dt.date | None) -> list[_Span]:
    """The rows valid on ``as_of``, or all of them when it is None."""
    return [r for r in rows if as_of is None or _contains(r.start, r.end, as_of)]


def _intersection(a: _Span, b: _Span) -> tuple[dt.date, dt.date | None] | None:
    """The days two periods share, or None when they are disjoint."""
    start = max(a.start, b.start)
    ends = [e for e in (a.end, b.end) if e is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return None
    return start, end


def _uncovered(
    start: dt.date, end: dt.date | None, covers: Iterable[tuple[dt.date, dt.date | None]]
) -> list[tuple[dt.date, dt.date | None]]:
    """The parts of ``[start, end]`` that no period in ``covers`` contains, in date order."""
    gaps: list[tuple[dt.date, dt.date | None]] = []
    cursor = start
    for c_start, c_end in sorted(covers, key=lambda c: c[0]):
        if end is not None and c_start > end:
            break
        if c_end is not None and c_end < cursor:
            continue
        if c_start > cursor:
            gaps.append((cursor, c_start - _ONE_DAY))
        if c_end is None or c_end == dt.date.max or (end is not None and c_end >= end):
            return gaps
        cursor = c_end + _ONE_DAY
    gaps.append((cursor, end))
    return gaps


def _period_text(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return _("from %(start)s, still in force") % {"start": start.isoformat()}
    if start == end:
        return _("on %(day)s") % {"day": start.isoformat()}
    return _("from %(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}


def _body_label(body: Body) -> str:
    if body.kind == Body.Kind.WORKING_GROUP and body.number is not None:
        return _("WG %(number)s") % {"number": body.number}
    return translated(body, "title").text or body.key


def _role_label(role: str) -> str:
    return str(LeadershipRole.Role(role).label)


def _capacity_label(capacity: str) -> str:
    return str(Participation.Capacity(capacity).label)


def _by_entity_and_body(rows: Iterable[_Span]) -> dict[tuple[int, int], list[_Span]]:
    groups: dict[tuple[int, int], list[_Span]] = defaultdict(list)
    for row in rows:
        groups[(row.entity_id, row.body_id)].append(row)
    return groups


def _periods(rows: Iterable[_Span]) -> list[tuple[dt.date, dt.date | None]]:
    return [(r.start, r.end) for r in rows]


# --- The rules -----------------------------------------------------------------------------------------


def check_multiple_roles(registry: _Registry, as_of: dt.date | None) -> Iterator[Finding]:
    """``leadership.multiple_roles`` (warning): one entity holds two leadership roles of one body on
    the same days, e.g. chair and vice-chair of a working group.

    Why: a body's officers are meant to be distinct entities; holding two roles at once gives one
    entity two seats among the officers (and two reasons to sit on the Committee). The founding
    document names UNOCT chair and vice-chair of WG 5, so it is flagged, not rejected. One finding per
    pair of overlapping roles, dated by the days they share.
    """
    for (entity_id, body_id), roles in _by_entity_and_body(_on(registry.roles, as_of)).items():
        roles.sort(key=lambda r: (ROLE_ORDER.get(r.kind, 9), r.start, r.pk))
        for i, first in enumerate(roles):
            for second in roles[i + 1 :]:
                shared = _intersection(first, second)
                if shared is None:
                    continue
                entity, body = registry.entities[entity_id], registry.bodies[body_id]
                values = {
                    "entity": entity.acronym,
                    "body": _body_label(body),
                    "period": _period_text(*shared),
                }
                if first.kind == second.kind:
                    message = _("%(entity)s holds the role of %(role)s of %(body)s twice, %(period)s.") % {
                        **values,
                        "role": _role_label(first.kind),
                    }
                else:
                    message = _("%(entity)s is both %(first)s and %(second)s of %(body)s, %(period)s.") % {
                        **values,
                        "first": _role_label(first.kind),
                        "second": _role_label(second.kind),
                    }
                yield Finding(WARNING, "leadership.multiple_roles", message, body.key, entity.acronym, *shared)


def check_no_chair(registry: _Registry, as_of: dt.date | None) -> Iterator[Finding]:
    """``leadership.no_chair``: a working group without a chair during part of its life
    (``established`` to ``dissolved``). Info where co-chairs lead it instead (WG 6 in the founding
    document), warning where nobody chairs or co-chairs it (vice-chairs do not count).

    Why: a group's chair convenes it, answers for its workplan and sits on the Coordination Committee;
    a group without one has no accountable lead. One finding per uninterrupted stretch of time; with
    ``as_of``, only a stretch that includes that day is reported (with its full extent).
    """
    by_body: dict[int, list[_Span]] = defaultdict(list)
    for role in registry.roles:
        by_body[role.body_id].append(role)
    for body in registry.working_groups():
        roles = by_body.get(body.pk, [])
        chairs = _periods(r for r in roles if r.kind == LeadershipRole.Role.CHAIR)
        co_chairs = _periods(r for r in roles if r.kind == LeadershipRole.Role.CO_CHAIR)
        stretches: list[tuple[str, dt.date, dt.date | None]] = []
        for gap_start, gap_end in _uncovered(body.established, body.dissolved, chairs):
            unled = _uncovered(gap_start, gap_end, co_chairs)
            stretches += [(WARNING, s, e) for s, e in unled]
            stretches += [(INFO, s, e) for s, e in _uncovered(gap_start, gap_end, unled)]
        for severity, start, end in sorted(stretches, key=lambda s: s[1]):
            if as_of is not None and not _contains(start, end, as_of):
                continue
            values = {"body": _body_label(body), "period": _period_text(start, end)}
            if severity == INFO:
                message = _("%(body)s has no chair; co-chairs lead it, %(period)s.") % values
            else:
                message = _("%(body)s has neither a chair nor a co-chair, %(period)s.") % values
            yield Finding(severity, "leadership.no_chair", message, body.key, None, start, end)


def check_outside_body_life(registry: _Registry, as_of: dt.date | None) -> Iterator[Finding]:
    """``period.outside_body_life`` (error): a participation or leadership role that starts before its
    body was established, or runs past its dissolution (an open end on a dissolved body runs past it).

    Why: nobody can take part in, or lead, a body that does not exist; such a row has a wrong date or
    the wrong body. One finding per bound crossed, dated by the row's own period.
    """
    kinds = (
        (registry.participations, _capacity_label, True),
        (registry.roles, _role_label, False),
    )
    for rows, label, is_participation in kinds:
        for row in _on(rows, as_of):
            body, entity = registry.bodies[row.body_id], registry.entities[row.entity_id]
            values = {
                "entity": entity.acronym,
                "body": _body_label(body),
                "kind": label(row.kind),
                "start": row.start.isoformat(),
                "period": _period_text(row.start, row.end),
                "established": body.established.isoformat(),
                "dissolved": body.dissolved.isoformat() if body.dissolved else "",
            }
            messages = []
            if row.start < body.established:
                messages.append(
                    _("The participation of %(entity)s in %(body)s as %(kind)s starts on %(start)s, "
                      "before the body was established on %(established)s.")
                    if is_participation
                    else _("The role of %(kind)s of %(body)s held by %(entity)s starts on %(start)s, "
                           "before the body was established on %(established)s.")
                )
            if body.dissolved is not None and (row.end is None or row.end > body.dissolved):
                messages.append(
                    _("The participation of %(entity)s in %(body)s as %(kind)s, %(period)s, "
                      "runs past the body's dissolution on %(dissolved)s.")
                    if is_participation
                    else _("The role of %(kind)s of %(body)s held by %(entity)s, %(period)s, "
                           "runs past the body's dissolution on %(dissolved)s.")
                )
            for message in messages:
                yield Finding(ERROR, "period.outside_body_life", message % values, body.key, entity.acronym, row.start, row.end)


def check_no_participation(registry: _Registry, as_of: dt.date | None) -> Iterator[Finding]:
    """``entity.no_participation`` (warning): an entity that neither takes part in nor leads any
    working group (with ``as_of``: none that day, reported only when some working group exists then).

    Why: the working groups are where Compact entities work together; an entity in none of them is
    either missing its participation rows or not active in the Compact, and the secretariat should know.
    """
    if as_of is not None and not any(b.exists_on(as_of) for b in registry.working_groups()):
        return
    group_ids = {b.pk for b in registry.working_groups()}
    active = {r.entity_id for r in _on([*registry.participations, *registry.roles], as_of) if r.body_id in group_ids}
    for entity in registry.entities.values():
        if entity.pk in active:
            continue
        if as_of is None:
            message = _("%(entity)s neither takes part in nor leads any working group.") % {"entity": entity.acronym}
        else:
            message = _("%(entity)s neither takes part in nor leads any working group on %(day)s.") % {
                "entity": entity.acronym,
                "day": as_of.isoformat(),
            }
        yield Finding(WARNING, "entity.no_participation", message, None, entity.acronym)


def check_participation_overlap(registry: _Registry, as_of: dt.date | None) -> Iterator[Finding]:
    """``participation.overlap`` (error): one entity with two participations in one body on the same
    days (whatever their capacities; ends are inclusive, so a participation ending on the day the
    next one starts overlaps it by that day).

    Why: an entity takes part in a body in one capacity at a time; overlapping rows make its capacity
    on those days ambiguous (member or observer?) and count it twice. One finding per overlapping pair,
    dated by the days they share.
    """
    for (entity_id, body_id), rows in _by_entity_and_body(_on(registry.participations, as_of)).items():
        rows.sort(key=lambda r: (r.start, r.pk))
        for i, first in enumerate(rows):
            for second in rows[i + 1 :]:
                shared = _intersection(first, second)
                if shared is None:
                    continue
                entity, body = registry.entities[entity_id], registry.bodies[body_id]
                message = _(
                    "%(entity)s has overlapping participations in %(body)s: as %(first)s %(first_period)s "
                    "and as %(second)s %(second_period)s."
                ) % {
                    "entity": entity.acronym,
                    "body": _body_label(body),
                    "first": _capacity_label(first.kind),
                    "first_period": _period_text(first.start, first.end),
                    "second": _capacity_label(second.kind),
                    "second_period": _period_text(second.start, second.end),
                }
                yield Finding(ERROR, "participation.overlap", message, body.key, entity.acronym, *shared)


def check_not_participant(registry: _Registry, as_of: dt.date | None) -> Iterator[Finding]:
    """``leadership.not_participant`` (warning): an entity leading a working group (chair, co-chair or
    vice-chair) on days it does not take part in the group as member.

    Why: a group's officers come from its members; a leader without a membership row is usually a
    missing participation. Days on which the leader is an observer of the group are reported by
    ``leadership.observer_leads`` instead, not twice. One finding per uninterrupted stretch; with
    ``as_of``, only a stretch that includes that day.
    """
    group_ids = {b.pk for b in registry.working_groups()}
    participations = _by_entity_and_body(registry.participations)
    for role in registry.roles:
        if role.body_id not in group_ids:
            continue
        rows = participations.get((role.entity_id, role.body_id), [])
        members = _periods(r for r in rows if r.kind == Participation.Capacity.MEMBER)
        observers = _periods(r for r in rows if r.kind == Participation.Capacity.OBSERVER)
        for gap_start, gap_end in _uncovered(role.start, role.end, members):
            for start, end in _uncovered(gap_start, gap_end, observers):
                if as_of is not None and not _contains(start, end, as_of):
                    continue
                entity, body = registry.entities[role.entity_id], registry.bodies[role.body_id]
                message = _("%(entity)s is %(role)s of %(body)s but not a member of it, %(period)s.") % {
                    "entity": entity.acronym,
                    "role": _role_label(role.kind),
                    "body": _body_label(body),
                    "period": _period_text(start, end),
                }
                yield Finding(WARNING, "leadership.not_participant", message, body.key, entity.acronym, start, end)


def check_observer_leads(registry: _Registry, as_of: dt.date | None) -> Iterator[Finding]:
    """``leadership.observer_leads`` (error): an entity holding a leadership role of a body on days it
    takes part in that body as an observer.

    Why: observers attend and discuss but never adopt decisions, so an observer cannot chair, co-chair
    or vice-chair; either the capacity or the role is wrong. One finding per overlapping role and
    observer participation, dated by the days they share.
    """
    observers = _by_entity_and_body(
        r for r in _on(registry.participations, as_of) if r.kind == Participation.Capacity.OBSERVER
    )
    for role in _on(registry.roles, as_of):
        for observer in observers.get((role.entity_id, role.body_id), []):
            shared = _intersection(role, observer)
            if shared is None:
                continue
            entity, body = registry.entities[role.entity_id], registry.bodies[role.body_id]
            message = _("%(entity)s is %(role)s of %(body)s while an observer of it, %(period)s.") % {
                "entity": entity.acronym,
                "role": _role_label(role.kind),
                "body": _body_label(body),
                "period": _period_text(*shared),
            }
            yield Finding(ERROR, "leadership.observer_leads", message, body.key, entity.acronym, *shared)


#: Every rule, by its code.
RULES: dict[str, Callable[[_Registry, dt.date | None], Iterable[Finding]]] = {
    "leadership.multiple_roles": check_multiple_roles,
    "leadership.no_chair": check_no_chair,
    "period.outside_body_life": check_outside_body_life,
    "entity.no_participation": check_no_participation,
    "participation.overlap": check_participation_overlap,
    "leadership.not_participant": check_not_participant,
    "leadership.observer_leads": check_observer_leads,
}


def run_checks(*, as_of: dt.date | None = None) -> list[Finding]:
    """Run every rule in ``RULES`` over the registry and return the findings, most severe first, then
    by rule, body (in the registry's order) and entity.

    ``as_of`` (a ``datetime.date``) limits the time-dependent rules to the rows valid that day; without
    it the registry is checked over all time. Reads only, in four queries whatever the data size.
    """
    registry = _read_registry()
    findings = [finding for rule in RULES.values() for finding in rule(registry, as_of)]
    body_order = {body.key: index for index, body in enumerate(registry.bodies.values())}
    return sorted(
        findings,
        key=lambda f: (
            _SEVERITY_RANK[f.severity],
            f.rule,
            body_order.get(f.body, -1) if f.body else -1,
            f.entity or "",
            f.start or dt.date.min,
        ),
    )
