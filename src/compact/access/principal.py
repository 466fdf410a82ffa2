"""Who a user is, for the access policy: derived from the registry on a given day.

A user's standing comes from the registry wherever it can:

- **entity**: the entity of the user's ``registry.Person`` (one per user);
- **focal point**: that person's function is *focal point*;
- **member / observer of a body**: the entity's participation in the body that day; the Coordination
  Committee's participants are derived as on its page (entities of the Compact, plus entities leading a
  working group, who sit as members);
- **officer of a body**: the user is a focal point of an entity holding chair, co-chair or vice-chair of
  the body that day (limited to the person's own body when the person represents the entity in one);
  an entity observing a body never gets officer rights in it;
- **secretariat**: the one role granted by hand, as membership of the ``secretariat`` group (or a
  superuser), because it administers the platform rather than following from the structure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone

SECRETARIAT_GROUP = "secretariat"


@dataclasses.dataclass(frozen=True)
class Principal:
    """A user's standing on ``day``; ``user_id`` None means a visitor who is not signed in."""

    user_id: int | None
    day: dt.date
    is_secretariat: bool = False
    person_id: int | None = None
    entity_id: int | None = None
    is_focal_point: bool = False
    member_body_ids: frozenset[int] = frozenset()
    observer_body_ids: frozenset[int] = frozenset()
    officer_body_ids: frozenset[int] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def participant_body_ids(self) -> frozenset[int]:
        """Bodies the user's entity takes part in that day, as member or observer."""
        return self.member_body_ids | self.observer_body_ids


def is_secretariat(user) -> bool:
    """True for an active superuser or a member of the ``secretariat`` group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=SECRETARIAT_GROUP).exists()


def principal_for(user, day: dt.date | None = None) -> Principal:
    """The ``Principal`` of ``user`` (a user or ``AnonymousUser``) on ``day`` (default: today in the
    site's time zone). At most four queries, then cached on the user object for that day."""
    day = day or timezone.localdate()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Principal(user_id=None, day=day)
    cache = user.__dict__.setdefault("_compact_principals", {})
    if day not in cache:
        cache[day] = _compute(user, day)
    return cache[day]


def _compute(user, day: dt.date) -> Principal:
    from compact.core.models import valid_on
    from compact.registry.models import Body, LeadershipRole, Participation, Person

    secretariat = is_secretariat(user)
    person = Person.objects.filter(user=user).only("id", "entity_id", "function", "body_id").first()
    if person is None:
        return Principal(user_id=user.pk, day=day, is_secretariat=secretariat)

    exists = valid_on_body(day)
    members: set[int] = set()
    observers: set[int] = set()
    compact_capacity: str | None = None
    for body_id, kind, capacity in Participation.objects.filter(
        valid_on(day), exists, entity_id=person.entity_id
    ).values_list("body_id", "body__kind", "capacity"):
        (members if capacity == Participation.Capacity.MEMBER else observers).add(body_id)
        if kind == Body.Kind.COMPACT:
            compact_capacity = capacity if compact_capacity != Participation.Capacity.MEMBER else compact_capacity

    led: dict[int, str] = dict(
        LeadershipRole.objects.filter(valid_on(day), exists, entity_id=person.entity_id).values_list("body_id", "body__kind")
    )
    leads_a_group = Body.Kind.WORKING_GROUP in led.values()
    if compact_capacity or leads_a_group:
        committees = set(
            Body.objects.filter(kind=Body.Kind.COMMITTEE, established__lte=day)
            .exclude(dissolved__lt=day)
            .values_list("id", flat=True)
        )
        if leads_a_group or compact_capacity == Participation.Capacity.MEMBER:
            members |= committees
        else:
            observers |= committees
    observers -= members

    officer: set[int] = set()
    if person.function == Person.Function.FOCAL_POINT:
        officer = {b for b in led if b not in observers}
        if person.body_id is not None:
            officer &= {person.body_id}

    return Principal(
        user_id=user.pk,
        day=day,
        is_secretariat=secretariat,
        person_id=person.pk,
        entity_id=person.entity_id,
        is_focal_point=person.function == Person.Function.FOCAL_POINT,
        member_body_ids=frozenset(members),
        observer_body_ids=frozenset(observers),
        officer_body_ids=frozenset(officer),
    )


def valid_on_body(day: dt.date):
    """Filter on a related ``body`` that exists on ``day`` (established, not yet dissolved)."""
    from django.db.models import Q

    return Q(body__established__lte=day) & (Q(body__dissolved__isnull=True) | Q(body__dissolved__gte=day))
