"""A world for the meeting cycle, on the default structure (fixture ``seeded``).

Standing, by hand from ``src/compact/data/global-ct-compact.yaml``: working group 3 (``wg-3``) is chaired
by INTERPOL with UNODA, UNICRI and OPCW as vice-chairs, all four members from 2019-04-16; working group 4
(``wg-4``) is chaired by UNODC with CTED and UNOCT as vice-chairs. Every seed entity is a member of the
Compact from 2018-02-23, hence of the Coordination Committee (``committee``, established 2018-12-06).

Test rows added here through the ORM (not in the seed):

- UNDP as a *member* of wg-3 from 2019-04-16, so that its focal point is a member of the group who is not
  one of its officers (UNDP leads wg-1, not wg-3);
- the IMF (``IMF``), an observer of the Compact and of wg-3 from ``IMF_FROM`` (2024-03-01): before that day
  it takes no part in either.

Users (``make_user``): ``secretariat`` (UNOCT, in the secretariat group); ``wg3_officer`` (INTERPOL focal
point: officer of wg-3 and wg-2, not of wg-4); ``member_fp`` (UNDP focal point: member of wg-3);
``observer_fp`` (IMF focal point: observer of wg-3 and of the Committee); ``outsider`` (WCO representative:
takes no part in wg-3).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

#: The day the IMF's observer seats in the Compact and in wg-3 begin (test data).
IMF_FROM = dt.date(2024, 3, 1)


@pytest.fixture
def world(seeded):
    """The test rows described above; returns the bodies by key."""
    from compact.registry.models import Body, Entity, Participation

    bodies = {b.key: b for b in Body.objects.all()}
    Participation.objects.create(entity=Entity.objects.get(acronym="UNDP"), body=bodies["wg-3"], capacity="member",
                                 start=dt.date(2019, 4, 16))
    imf = Entity.objects.create(acronym="IMF", name="International Monetary Fund", kind="un")
    for key in ("compact", "wg-3"):
        Participation.objects.create(entity=imf, body=bodies[key], capacity="observer", start=IMF_FROM)
    return bodies


@pytest.fixture
def committee(world):
    return world["committee"]


@pytest.fixture
def wg3(world):
    return world["wg-3"]


@pytest.fixture
def wg4(world):
    return world["wg-4"]


@pytest.fixture
def secretariat(world, make_user):
    return make_user("sec", entity="UNOCT", secretariat=True)


@pytest.fixture
def wg3_officer(world, make_user):
    return make_user("interpol_fp", entity="INTERPOL")


@pytest.fixture
def member_fp(world, make_user):
    return make_user("undp_fp", entity="UNDP")


@pytest.fixture
def observer_fp(world, make_user):
    return make_user("imf_fp", entity="IMF")


@pytest.fixture
def outsider(world, make_user):
    return make_user("wco_rep", entity="WCO", function="representative")


def at(day: dt.date, hour: int = 10, zone: str = "UTC") -> dt.datetime:
    """The aware datetime of ``hour``:00 on ``day`` in ``zone``."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=zoneinfo.ZoneInfo(zone))


@pytest.fixture
def meeting_factory(secretariat):
    """``meeting_factory(body, day=date(2024, 6, 3), hours=(10, 12), zone="UTC", **fields)`` -> a meeting
    scheduled by the secretariat through ``services.meeting_create`` (reason given, participants invited
    unless ``invite_participants=False``)."""
    from compact.meetings import services

    def make(body, day: dt.date = dt.date(2024, 6, 3), hours: tuple[int, int] = (10, 12), zone: str = "UTC", **fields):
        fields.setdefault("reason", "Scheduled for the test")
        return services.meeting_create(actor=fields.pop("actor", secretariat), body=body, start=at(day, hours[0], zone),
                                       end=at(day, hours[1], zone), time_zone=zone, **fields)

    return make


@pytest.fixture
def decision_factory(secretariat):
    """``decision_factory(meeting, title="...", **fields)`` -> a decision recorded by the secretariat."""
    from compact.meetings import services

    def make(meeting, title: str = "A decision", **fields):
        fields.setdefault("reason", "Recorded for the test")
        fields.setdefault("text", f"{title}: the text.")
        return services.decision_record(actor=fields.pop("actor", secretariat), meeting=meeting, title=title, **fields)

    return make


@pytest.fixture
def aware():
    """``aware(day, hour=10, zone="UTC")`` -> the aware datetime of ``hour``:00 on ``day`` in ``zone``."""
    return at
