"""A user's standing is derived from the registry on the day: checked against standings written by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from compact.access.principal import principal_for
from compact.registry.models import Body, LeadershipRole, Participation
from support.access_world import ROLES

pytestmark = pytest.mark.django_db


def _keys(ids) -> set[str]:
    return set(Body.objects.filter(pk__in=ids).values_list("key", flat=True))


def test_every_role_has_the_standing_written_by_hand(matrix_world):
    for role, standing in ROLES.items():
        p = principal_for(matrix_world.users[role])
        assert p.is_authenticated == standing.signed_in, role
        assert p.is_secretariat == standing.secretariat, role
        if not standing.signed_in:
            continue
        assert (p.entity_id is not None) == (standing.entity is not None), role
        assert p.is_focal_point == standing.focal_point, role
        assert _keys(p.member_body_ids) == set(standing.members_of), role
        assert _keys(p.observer_body_ids) == set(standing.observers_of), role
        assert _keys(p.officer_body_ids) == set(standing.officers_of), role


def test_officer_rights_follow_the_dates_of_the_role(seeded, make_user):
    """INTERPOL chairs wg-3 from 2019-04-16: its focal point is an officer from that day, not the day before,
    and no longer after the role ends."""
    user = make_user("chairfp", entity="INTERPOL")
    wg3 = Body.objects.get(key="wg-3")
    assert wg3.pk in principal_for(user, dt.date(2019, 4, 16)).officer_body_ids
    assert wg3.pk not in principal_for(user, dt.date(2019, 4, 15)).officer_body_ids
    LeadershipRole.objects.filter(body=wg3, entity__acronym="INTERPOL").update(end=dt.date(2024, 12, 31))
    user = type(user).objects.get(pk=user.pk)  # a new request: nothing cached
    assert wg3.pk in principal_for(user, dt.date(2024, 12, 31)).officer_body_ids
    assert wg3.pk not in principal_for(user, dt.date(2025, 1, 1)).officer_body_ids


def test_representatives_are_never_officers(seeded, make_user):
    user = make_user("rep", entity="INTERPOL", function="representative")
    p = principal_for(user, dt.date(2020, 1, 1))
    assert not p.officer_body_ids
    assert _keys(p.member_body_ids) == {"compact", "committee", "wg-2", "wg-3"}


def test_an_observer_of_the_compact_observes_the_committee(seeded, make_user):
    from compact.registry.models import Entity

    guest = Entity.objects.create(acronym="GUEST", name="Guest organisation", kind="non_un")
    Participation.objects.create(entity=guest, body=Body.objects.get(key="compact"), capacity="observer",
                                 start=dt.date(2020, 1, 1))
    p = principal_for(make_user("guestfp", entity="GUEST"), dt.date(2021, 1, 1))
    assert _keys(p.observer_body_ids) == {"compact", "committee"}
    assert not p.member_body_ids


def test_the_standing_is_computed_once_per_user_and_day(seeded, make_user, django_assert_max_num_queries):
    user = make_user("cached", entity="UNDP")
    with django_assert_max_num_queries(5):
        principal_for(user)
    with django_assert_max_num_queries(0):
        principal_for(user)
