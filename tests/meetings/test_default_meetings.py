"""The Coordination Committee's known meetings shipped as default data (``src/compact/data/meetings.yaml``).

Expected values come from the sources the file cites: DESIGN.md section 2 (the dates: inaugural
2018-12-06, 2nd 2019-04-16, 5th 2020-08-28, 6th 2021-10-08, 7th 2021-12-14; the 2nd approved the working
groups' terms of reference and first workplans) and the seed (inaugurated by the Secretary-General).
The Committee's members on 2019-04-16, by hand from the default structure: the thirteen entities of the
Compact (all members from 2018-02-23); the working groups' leaders are among them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from compact.meetings import services
from compact.meetings.models import AgendaItem, Attendance, Decision, Meeting

THIRTEEN = sorted(["UNOCT", "UNAOC", "UNDP", "UNESCO", "CTED", "INTERPOL", "UNODC", "WCO", "UNODA", "UNICRI", "OPCW",
                   "OHCHR", "UN-Women"])


@pytest.fixture
def loaded(seeded):
    from compact.planning.services import load_default_programmes

    load_default_programmes()
    return services.load_default_meetings()


def test_the_five_known_meetings_on_their_dates(loaded):
    assert [(m.body.key, m.number) for m in loaded] == [("committee", n) for n in (1, 2, 5, 6, 7)]
    rows = Meeting.objects.order_by("start")
    assert [(m.number, m.start, m.end) for m in rows] == [
        (1, dt.datetime(2018, 12, 6, tzinfo=dt.UTC), dt.datetime(2018, 12, 7, tzinfo=dt.UTC)),
        (2, dt.datetime(2019, 4, 16, tzinfo=dt.UTC), dt.datetime(2019, 4, 17, tzinfo=dt.UTC)),
        (5, dt.datetime(2020, 8, 28, tzinfo=dt.UTC), dt.datetime(2020, 8, 29, tzinfo=dt.UTC)),
        (6, dt.datetime(2021, 10, 8, tzinfo=dt.UTC), dt.datetime(2021, 10, 9, tzinfo=dt.UTC)),
        (7, dt.datetime(2021, 12, 14, tzinfo=dt.UTC), dt.datetime(2021, 12, 15, tzinfo=dt.UTC)),
    ]
    for m in rows:
        assert m.all_day and m.time_zone == "UTC" and m.sensitivity == "public" and m.status == "scheduled"
        assert m.venue == "" and m.online_url == ""
        assert m.uid.endswith("@compact")


def test_titles_in_english_and_french_with_french_ordinals(loaded):
    titles = {m.number: (m.title_en, m.title_fr) for m in Meeting.objects.all()}
    assert titles == {
        1: ("Inaugural meeting of the Coordination Committee", "Réunion inaugurale du Comité de coordination"),
        2: ("2nd meeting of the Coordination Committee", "Deuxième réunion du Comité de coordination"),
        5: ("5th meeting of the Coordination Committee", "Cinquième réunion du Comité de coordination"),
        6: ("6th meeting of the Coordination Committee", "Sixième réunion du Comité de coordination"),
        7: ("7th meeting of the Coordination Committee", "Septième réunion du Comité de coordination"),
    }
    assert "Secretary-General" in Meeting.objects.get(number=1).description_en


def test_no_invented_attendance_and_only_the_matters_arising_item(loaded):
    assert not Attendance.objects.exists()
    assert sorted(AgendaItem.objects.values_list("meeting__number", "position", "kind")) == [
        (n, 1, "matters_arising") for n in (1, 2, 5, 6, 7)]


def test_the_2nd_meeting_approved_the_terms_of_reference_and_first_workplans(loaded):
    decision = Decision.objects.get()
    assert decision.reference == "CC/2019/1"
    assert (decision.body.key, decision.year, decision.number) == ("committee", 2019, 1)
    assert decision.meeting.number == 2
    assert decision.adopted_on == dt.date(2019, 4, 16)
    assert decision.title_fr == "Approbation du mandat et des premiers plans de travail des groupes de travail"
    assert sorted(e.acronym for e in decision.adopted_by.all()) == THIRTEEN
    subjects = sorted((s.kind, s.workplan.programme.key, s.workplan.body.key) for s in decision.subjects.all())
    assert subjects == [("workplan", "jpow-2019-2020", f"wg-{n}") for n in range(1, 9)]


def test_without_programmes_the_decision_has_no_subjects(seeded):
    services.load_default_meetings()
    assert not Decision.objects.get().subjects.exists()


def test_loading_again_changes_nothing(loaded):
    assert services.load_default_meetings() == []
    assert Meeting.objects.count() == 5


def test_setup_loads_them_after_the_programmes(db, tmp_path, settings):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    call_command("setup", "--no-static", verbosity=0)
    assert Meeting.objects.count() == 5
    assert Decision.objects.get().subjects.count() == 8
    call_command("setup", "--no-static", verbosity=0)
    assert Meeting.objects.count() == 5
