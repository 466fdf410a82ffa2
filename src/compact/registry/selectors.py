"""Reads of the registry, as of a date.

Every page, API endpoint and export reads the structure through these functions. The structure of
the Compact is public information (sensitivity "public"), so no row is withheld here; each function
takes ``as_of`` (a ``datetime.date``) and answers for that day: a body exists from ``established``
to ``dissolved``, a role or participation from ``start`` to ``end`` (inclusive, empty end: still).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from compact.core.models import valid_on
from compact.registry.models import (
    ROLE_ORDER,
    Body,
    Entity,
    LeadershipRole,
    Milestone,
    Participation,
    Person,
    Pillar,
    Strategy,
)


def _bodies_existing_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}established__lte": day}) & (
        Q(**{f"{prefix}dissolved__isnull": True}) | Q(**{f"{prefix}dissolved__gte": day})
    )


def _leadership_on(day: dt.date) -> Prefetch:
    return Prefetch(
        "leadership_roles",
        queryset=LeadershipRole.objects.filter(valid_on(day)).select_related("entity").order_by("role", "entity__acronym"),
        to_attr="leadership_as_of",
    )


def _participants_on(day: dt.date) -> Prefetch:
    return Prefetch(
        "participations",
        queryset=Participation.objects.filter(valid_on(day)).select_related("entity").order_by("capacity", "entity__acronym"),
        to_attr="participants_as_of",
    )


def sort_leadership(roles) -> list[LeadershipRole]:
    """Roles in the order chair, co-chair, vice-chair, then by entity acronym."""
    return sorted(roles, key=lambda r: (ROLE_ORDER.get(r.role, 9), r.entity.acronym, r.start))


def body_index() -> dict[str, tuple[str, int | None]]:
    """Every body's ``key`` mapped to ``(kind, number)``, to link a body named by its key."""
    return {key: (kind, number) for key, kind, number in Body.objects.values_list("key", "kind", "number")}


def strategy_get() -> Strategy:
    """The strategy the compact implements, with ``reviews`` and ``pillars`` prefetched.

    Raises ``Strategy.DoesNotExist`` when the registry holds none.
    """
    strategy = Strategy.objects.prefetch_related("reviews", "pillars").order_by("adopted").first()
    if strategy is None:
        raise Strategy.DoesNotExist("No strategy in the registry.")
    return strategy


def milestone_list(*, body: Body, until: dt.date) -> QuerySet[Milestone]:
    """``body``'s milestones dated on or before ``until``, oldest first (then in the order written)."""
    return Milestone.objects.filter(body=body, date__lte=until).order_by("date", "pk")


def pillar_list() -> QuerySet[Pillar]:
    """The Strategy's pillars, by number."""
    return Pillar.objects.order_by("number")


def working_group_list(*, as_of: dt.date, pillar: int | None = None) -> QuerySet[Body]:
    """Working groups existing on ``as_of``, by number, each with ``leadership_as_of`` and
    ``participants_as_of`` lists (roles and participations valid that day) and its pillar.

    ``pillar`` (a pillar number) narrows the list.
    """
    qs = (
        Body.objects.filter(kind=Body.Kind.WORKING_GROUP)
        .filter(_bodies_existing_on(as_of))
        .select_related("pillar")
        .prefetch_related(_leadership_on(as_of), _participants_on(as_of))
        .order_by("number")
    )
    if pillar is not None:
        qs = qs.filter(pillar__number=pillar)
    return qs


def working_group_get(*, number: int, as_of: dt.date) -> Body:
    """The working group numbered ``number`` as it stood on ``as_of``.

    Raises ``Body.DoesNotExist`` when no such group existed that day.
    """
    return working_group_list(as_of=as_of).get(number=number)


def entity_list(*, as_of: dt.date) -> QuerySet[Entity]:
    """Entities by acronym, each with ``leadership_as_of`` and ``participants_as_of`` (its roles
    and participations on ``as_of``, with their bodies) and ``aliases``. Narrow it with
    ``compact.registry.filters.EntityFilter`` (kind, search).
    """
    return Entity.objects.prefetch_related(
        Prefetch(
            "leadership_roles",
            queryset=LeadershipRole.objects.filter(valid_on(as_of)).select_related("body").order_by("body__kind", "body__number"),
            to_attr="leadership_as_of",
        ),
        Prefetch(
            "participations",
            queryset=Participation.objects.filter(valid_on(as_of)).select_related("body").order_by("body__kind", "body__number"),
            to_attr="participants_as_of",
        ),
        "aliases",
    ).order_by("acronym")


def entity_get(*, acronym: str) -> Entity:
    """The entity with ``acronym`` (case-insensitive), with every role and participation it has
    held, past and present (``all_leadership`` and ``all_participations``, oldest first).

    Raises ``Entity.DoesNotExist``.
    """
    return Entity.objects.prefetch_related(
        "aliases",
        Prefetch(
            "leadership_roles",
            queryset=LeadershipRole.objects.select_related("body", "body__pillar").order_by("start", "body__kind", "body__number"),
            to_attr="all_leadership",
        ),
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("body", "body__pillar").order_by("start", "body__kind", "body__number"),
            to_attr="all_participations",
        ),
    ).get(acronym__iexact=acronym.strip())


def entity_contacts(*, user, entity: Entity) -> QuerySet[Person]:
    """The people of ``entity`` (focal points first, then representatives; by family and given name) whose
    contact details ``user`` may see: contacts are content like any other (internal by default), so the
    list goes through ``compact.access.policy.restrict`` (``docs/access.md``). One query."""
    from compact.access.policy import Action, restrict

    people = Person.objects.filter(entity=entity).select_related("body").order_by("-function", "family_name", "given_name")
    return restrict(people, user, Action.LIST)


# Why an entity sits on the Coordination Committee (terms of reference: "all Compact entities,
# plus the chairs and vice-chairs of the working groups"). Co-chairs chair their group jointly, so
# they sit as chairs do.
BASIS_COMPACT_ENTITY = "compact_entity"
BASIS_ORDER = [BASIS_COMPACT_ENTITY, "chair", "co_chair", "vice_chair"]


@dataclass
class CompositionSeat:
    """One entity's seat on the Committee: ``basis`` lists why it sits (in ``BASIS_ORDER``) and
    ``working_groups`` the numbers of the groups whose leadership gives it a seat."""

    entity: Entity
    basis: list[str] = field(default_factory=list)
    working_groups: list[int] = field(default_factory=list)


@dataclass
class Committee:
    """The Coordination Committee on a date: the body, its chair roles, secretariat, composition and,
    when asked for, its milestones up to that date (oldest first; otherwise empty)."""

    body: Body
    as_of: dt.date
    chair: list[LeadershipRole]
    secretariat: Entity | None
    composition: list[CompositionSeat]
    milestones: list[Milestone] = field(default_factory=list)


def committee_get(*, as_of: dt.date, with_milestones: bool = False) -> Committee:
    """The Coordination Committee as it stood on ``as_of``, its composition derived from the registry:
    every entity participating in the Compact that day (basis ``compact_entity``), plus every entity
    holding a chair, co-chair or vice-chair role in a working group that day. ``with_milestones`` adds
    its milestones dated on or before ``as_of`` (one more query, whatever their number).

    Raises ``Body.DoesNotExist`` when the Committee did not exist on that date.
    """
    body = (
        Body.objects.filter(kind=Body.Kind.COMMITTEE)
        .filter(_bodies_existing_on(as_of))
        .select_related("secretariat")
        .prefetch_related(_leadership_on(as_of))
        .order_by("established")
        .first()
    )
    if body is None:
        raise Body.DoesNotExist("The Coordination Committee did not exist on that date.")
    seats: dict[int, CompositionSeat] = {}

    def seat(entity: Entity) -> CompositionSeat:
        return seats.setdefault(entity.pk, CompositionSeat(entity=entity))

    compact_participations = (
        Participation.objects.filter(valid_on(as_of), _bodies_existing_on(as_of, "body__"))
        .filter(body__kind=Body.Kind.COMPACT)
        .select_related("entity")
    )
    for participation in compact_participations:
        s = seat(participation.entity)
        if BASIS_COMPACT_ENTITY not in s.basis:
            s.basis.append(BASIS_COMPACT_ENTITY)
    group_roles = (
        LeadershipRole.objects.filter(valid_on(as_of), _bodies_existing_on(as_of, "body__"))
        .filter(body__kind=Body.Kind.WORKING_GROUP)
        .select_related("entity", "body")
    )
    for role in group_roles:
        s = seat(role.entity)
        if role.role not in s.basis:
            s.basis.append(role.role)
        if role.body.number not in s.working_groups:
            s.working_groups.append(role.body.number)
    for s in seats.values():
        s.basis.sort(key=BASIS_ORDER.index)
        s.working_groups.sort()
    composition = sorted(seats.values(), key=lambda s: s.entity.acronym)
    return Committee(
        body=body,
        as_of=as_of,
        chair=[r for r in body.leadership_as_of if r.role == LeadershipRole.Role.CHAIR],
        secretariat=body.secretariat,
        composition=composition,
        milestones=list(milestone_list(body=body, until=as_of)) if with_milestones else [],
    )


def home_overview(*, as_of: dt.date) -> dict:
    """What the home page shows: ``strategy`` (or None), ``pillars`` (each with ``groups``, its working
    groups on ``as_of`` with their leadership), and ``committee`` (or None if not yet established)."""
    groups = list(working_group_list(as_of=as_of))
    pillars = list(pillar_list())
    for pillar in pillars:
        pillar.groups = [g for g in groups if g.pillar_id == pillar.pk]
        for g in pillar.groups:
            g.leadership_sorted = sort_leadership(g.leadership_as_of)
    strategy = Strategy.objects.order_by("adopted").first()
    try:
        committee = committee_get(as_of=as_of)
    except Body.DoesNotExist:
        committee = None
    return {"strategy": strategy, "pillars": pillars, "committee": committee, "groups": groups}
