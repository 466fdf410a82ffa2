"""The reads of the meeting cycle (``compact.meetings.selectors``): the registry on a meeting's date, matters
arising, the decisions register's follow-up, action items, and query counts that do not grow with rows.

Expected values are worked out by hand from the default structure and ``conftest.py``'s test rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compact.meetings import selectors, services
from compact.meetings.models import ActionItem, Decision
from compact.registry.models import Body, Entity, LeadershipRole, Participation

THIRTEEN = {"UNOCT", "UNAOC", "UNDP", "UNESCO", "CTED", "INTERPOL", "UNODC", "WCO", "UNODA", "UNICRI", "OPCW", "OHCHR",
            "UN-Women"}


def entity(acronym):
    return Entity.objects.get(acronym=acronym)


def by_acronym(capacities):
    acronyms = dict(Entity.objects.filter(pk__in=capacities).values_list("pk", "acronym"))
    return {acronyms[k]: v for k, v in capacities.items()}


# --- the registry on a day ---------------------------------------------------------------------------


def test_body_codes(world):
    assert [selectors.body_code(world[k]) for k in ("committee", "wg-3", "wg-8", "compact")] == ["CC", "WG3", "WG8", "GC"]


def test_the_committee_is_composed_as_its_terms_of_reference_say(committee):
    # Leads a working group without being in the Compact (test row): sits as a member.
    leader = Entity.objects.create(acronym="GCTF", name="Global Counterterrorism Forum", kind="non_un")
    LeadershipRole.objects.create(entity=leader, body=Body.objects.get(key="wg-8"), role="vice_chair",
                                  start=dt.date(2024, 1, 1))
    assert selectors.participants_on(body=committee, day=dt.date(2018, 12, 5)) == {}  # not yet established
    assert by_acronym(selectors.participants_on(body=committee, day=dt.date(2018, 12, 6))) == dict.fromkeys(THIRTEEN, "member")
    assert by_acronym(selectors.participants_on(body=committee, day=dt.date(2024, 6, 3))) == (
        dict.fromkeys(THIRTEEN, "member") | {"IMF": "observer", "GCTF": "member"})


def test_capacity_in_a_working_group_on_a_day(wg3):
    imf, undp, wco = entity("IMF"), entity("UNDP"), entity("WCO")
    assert selectors.capacity_on(body=wg3, entity=imf, day=dt.date(2024, 2, 29)) is None
    assert selectors.capacity_on(body=wg3, entity=imf, day=dt.date(2024, 3, 1)) == "observer"
    assert selectors.capacity_on(body=wg3, entity=undp, day=dt.date(2024, 3, 1)) == "member"
    assert selectors.capacity_on(body=wg3, entity=wco, day=dt.date(2024, 3, 1)) is None
    # A participation ends on its end date, inclusive.
    Participation.objects.filter(body=wg3, entity=undp).update(end=dt.date(2024, 12, 31))
    assert selectors.capacity_on(body=wg3, entity=undp, day=dt.date(2024, 12, 31)) == "member"
    assert selectors.capacity_on(body=wg3, entity=undp, day=dt.date(2025, 1, 1)) is None
    # Member and observer at once (an irregular record): member wins.
    Participation.objects.create(body=wg3, entity=imf, capacity="member", start=dt.date(2024, 6, 1))
    assert selectors.capacity_on(body=wg3, entity=imf, day=dt.date(2024, 6, 3)) == "member"


def test_who_manages(secretariat, wg3_officer, member_fp, meeting_factory, wg3, wg4):
    m3, m4 = meeting_factory(wg3), meeting_factory(wg4)
    assert [selectors.may_manage(u, x) for u in (secretariat, wg3_officer, member_fp) for x in (m3, m4, wg3, wg4)] == [
        True, True, True, True,
        True, False, True, False,
        False, False, False, False]


# --- meetings ----------------------------------------------------------------------------------------


def test_meeting_list_latest_first_and_by_body(member_fp, meeting_factory, wg3, wg4):
    a = meeting_factory(wg3, day=dt.date(2024, 6, 3))
    b = meeting_factory(wg3, day=dt.date(2024, 9, 2))
    c = meeting_factory(wg4, day=dt.date(2024, 7, 1))
    assert list(selectors.meeting_list(user=member_fp)) == [b, c, a]
    assert list(selectors.meeting_list(user=member_fp, body=wg3)) == [b, a]


def test_meeting_get_refuses_what_the_user_may_not_do(member_fp, outsider, meeting_factory, wg3):
    meeting = meeting_factory(wg3, sensitivity="confidential", reason="Briefing")
    assert selectors.meeting_get(user=member_fp, pk=meeting.pk) == meeting
    with pytest.raises(Http404):
        selectors.meeting_get(user=outsider, pk=meeting.pk)
    with pytest.raises(PermissionDenied):
        selectors.meeting_get(user=member_fp, pk=meeting.pk, action="change")
    with pytest.raises(Http404):
        selectors.agenda(user=outsider, meeting=meeting)
    with pytest.raises(Http404):
        selectors.attendance(user=outsider, meeting=meeting)
    with pytest.raises(Http404):
        selectors.minutes_history(user=outsider, meeting=meeting)


def test_agenda_lists_readable_documents_and_matters_arising(secretariat, outsider, meeting_factory, wg3):
    from compact.library.models import Document

    meeting = meeting_factory(wg3)
    public = Document.objects.create(title="Terms of reference", owner_body=wg3, sensitivity="public")
    restricted = Document.objects.create(title="Threat assessment", owner_body=wg3, sensitivity="confidential")
    services.agenda_item_add(actor=secretariat, meeting=meeting, title="Terms", documents=[public, restricted],
                             presenter=entity("INTERPOL"), reason="Briefing papers")
    items = selectors.agenda(user=outsider, meeting=meeting)
    assert [(i.position, i.kind) for i in items] == [(1, "matters_arising"), (2, "item")]
    assert items[0].arising == [] and not hasattr(items[1], "arising")
    assert list(items[1].documents.all()) == [public]
    assert items[1].presenter.acronym == "INTERPOL"
    assert list(selectors.agenda(user=secretariat, meeting=meeting)[1].documents.all()) == [public, restricted]


def test_attendance_lists_entities_and_people(secretariat, outsider, meeting_factory, wg3):
    from compact.registry.models import Person

    meeting = meeting_factory(wg3)
    services.attendee_invite(actor=secretariat, meeting=meeting, person=Person.objects.get(user=outsider))
    entities, people = selectors.attendance(user=outsider, meeting=meeting)
    assert [a.entity.acronym for a in entities] == ["IMF", "INTERPOL", "OPCW", "UNDP", "UNICRI", "UNODA"]
    assert [p.person.user for p in people] == [outsider]


def test_next_meeting_skips_cancelled_ones(secretariat, meeting_factory, wg3, aware):
    first = meeting_factory(wg3, day=dt.date(2024, 6, 3))
    cancelled = meeting_factory(wg3, day=dt.date(2024, 7, 1))
    later = meeting_factory(wg3, day=dt.date(2024, 9, 2))
    services.meeting_cancel(actor=secretariat, meeting=cancelled, reason="No quorum")
    assert selectors.next_meeting(body=wg3, after=first.start) == later
    assert selectors.next_meeting(body=wg3, after=aware(dt.date(2024, 5, 1))) == first
    assert selectors.next_meeting(body=wg3, after=later.start) is None


def test_minutes_history_newest_first_drafts_for_managers_only(secretariat, member_fp, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="One.")
    v1 = services.minutes_circulate(actor=secretariat, meeting=meeting)
    services.minutes_comment(actor=member_fp, version=v1, text="A remark.")
    services.minutes_save(actor=secretariat, meeting=meeting, text="Two.")
    assert [(v.number, v.status) for v in selectors.minutes_history(user=secretariat, meeting=meeting)] == [
        (2, "draft"), (1, "circulated")]
    history = selectors.minutes_history(user=member_fp, meeting=meeting)
    assert [(v.number, v.status) for v in history] == [(1, "circulated")]
    assert [(c.author, c.text) for c in history[0].comments.all()] == [(member_fp, "A remark.")]


# --- matters arising ---------------------------------------------------------------------------------


@pytest.fixture
def cycle(secretariat, meeting_factory, decision_factory, wg3, committee):
    """wg-3 meets on 2024-06-03 (m1), 2024-09-02 (m2), 2024-12-02 (m3); the Committee on 2024-05-01.

    Action items: from m1's decision, A (UNDP, due 2024-08-01), B (INTERPOL, due 2024-10-01), C (done),
    G (OPCW, due 2024-08-15, confidential); from m2's, D (UNODA, due 2024-11-01); from the Committee's,
    E (tasked to wg-3, due 2024-07-01) and F (tasked to UNDP: not wg-3's)."""
    cc = meeting_factory(committee, day=dt.date(2024, 5, 1))
    m1, m2, m3 = (meeting_factory(wg3, day=d) for d in (dt.date(2024, 6, 3), dt.date(2024, 9, 2), dt.date(2024, 12, 2)))
    d1, d2, dc = decision_factory(m1), decision_factory(m2), decision_factory(cc)

    def task(decision, title, due, **owner):
        owner.setdefault("sensitivity", "internal")
        return services.action_item_create(actor=secretariat, decision=decision, title=title, due=due,
                                           reason="Tasked", **owner)

    items = {
        "A": task(d1, "A", dt.date(2024, 8, 1), owner_entity=entity("UNDP")),
        "B": task(d1, "B", dt.date(2024, 10, 1), owner_entity=entity("INTERPOL")),
        "C": task(d1, "C", dt.date(2024, 7, 1), owner_entity=entity("UNICRI")),
        "G": task(d1, "G", dt.date(2024, 8, 15), owner_entity=entity("OPCW"), sensitivity="confidential"),
        "D": task(d2, "D", dt.date(2024, 11, 1), owner_entity=entity("UNODA")),
        "E": task(dc, "E", dt.date(2024, 7, 1), owner_body=wg3),
        "F": task(dc, "F", dt.date(2024, 7, 1), owner_entity=entity("UNDP")),
    }
    services.action_item_update(actor=secretariat, item=items["C"], status="done", evidence_note="Sent")
    return {"m1": m1, "m2": m2, "m3": m3, "cc": cc, **items}


def arising(user, meeting):
    return [(i.title, i.overdue) for i in selectors.matters_arising(user=user, meeting=meeting)]


def test_matters_arising_of_a_draft_agenda(secretariat, cycle):
    assert arising(secretariat, cycle["m1"]) == [("E", False)]
    assert arising(secretariat, cycle["m2"]) == [("E", True), ("A", True), ("G", True), ("B", False)]
    assert arising(secretariat, cycle["m3"]) == [("E", True), ("A", True), ("G", True), ("B", True), ("D", True)]
    # The Committee's meeting came before every decision: nothing arises there.
    assert arising(secretariat, cycle["cc"]) == []


def test_matters_arising_are_restricted_to_what_the_user_may_list(outsider, cycle):
    assert arising(outsider, cycle["m2"]) == [("E", True), ("A", True), ("B", False)]


def test_matters_arising_are_frozen_when_the_agenda_is_final(secretariat, cycle):
    m2 = services.agenda_finalise(actor=secretariat, meeting=cycle["m2"], reason="Agenda agreed")
    services.action_item_update(actor=secretariat, item=cycle["A"], status="done", evidence_note="Report sent")
    services.action_item_create(actor=secretariat, decision=cycle["E"].decision, title="H", due=dt.date(2024, 7, 2),
                                owner_body=cycle["m2"].body, reason="Late task")
    # A was overdue on 2024-09-02 and completed only today, after the meeting: still overdue as of its date.
    assert arising(secretariat, m2) == [("E", True), ("A", True), ("G", True), ("B", False)]
    assert [i.title for i in selectors.agenda(user=secretariat, meeting=m2)[0].arising] == ["E", "A", "G", "B"]
    # The draft agenda of m3 no longer lists A (done) but lists H.
    assert [t for t, _o in arising(secretariat, cycle["m3"])] == ["E", "H", "G", "B", "D"]


# --- decisions and action items ----------------------------------------------------------------------


@pytest.fixture
def register(secretariat, meeting_factory, decision_factory, wg3):
    """Four wg-3 decisions with follow-up none, pending, overdue and done (as of today), and a fifth whose
    only item is confidential and overdue (OPCW)."""
    today = timezone.localdate()
    meeting = meeting_factory(wg3)
    made = {}
    for name in ("none", "pending", "overdue", "done", "hidden"):
        made[name] = decision_factory(meeting, title=f"Decision {name}")

    def task(decision, due, **kw):
        return services.action_item_create(actor=secretariat, decision=decision, title="Task", due=due,
                                           owner_entity=entity(kw.pop("owner", "UNDP")), reason="Tasked", **kw)

    task(made["pending"], today + dt.timedelta(days=30))
    task(made["overdue"], today + dt.timedelta(days=30))
    task(made["overdue"], today - dt.timedelta(days=1))
    done = task(made["done"], today - dt.timedelta(days=1))
    dropped = task(made["done"], today - dt.timedelta(days=1))
    services.action_item_update(actor=secretariat, item=done, status="done", evidence_url="https://example.org/r")
    services.action_item_update(actor=secretariat, item=dropped, status="dropped")
    task(made["hidden"], today - dt.timedelta(days=1), owner="OPCW", sensitivity="confidential")
    return made


def follow_ups(user, **kw):
    return {d.title: d.follow_up for d in selectors.decision_list(user=user, **kw)}


def test_the_register_gives_each_decisions_follow_up(secretariat, register):
    assert follow_ups(secretariat) == {"Decision none": "none", "Decision pending": "pending",
                                       "Decision overdue": "overdue", "Decision done": "done",
                                       "Decision hidden": "overdue"}


def test_follow_up_counts_only_items_the_user_may_read(outsider, register):
    assert follow_ups(outsider)["Decision hidden"] == "none"


def test_the_register_filters(secretariat, register, meeting_factory, decision_factory, committee):
    decision_factory(meeting_factory(committee, day=dt.date(2025, 3, 3)), title="Committee decision")
    assert set(follow_ups(secretariat, filters={"follow_up": "overdue"})) == {"Decision overdue", "Decision hidden"}
    assert set(follow_ups(secretariat, filters={"body": "committee"})) == {"Committee decision"}
    assert set(follow_ups(secretariat, filters={"year": "2025"})) == {"Committee decision"}
    assert set(follow_ups(secretariat, filters={"q": "WG3/2024/2"})) == {"Decision pending"}


def test_decision_get_by_reference(secretariat, outsider, register):
    decision = selectors.decision_get(user=secretariat, reference="WG3/2024/3")
    assert (decision.title, decision.follow_up) == ("Decision overdue", "overdue")
    Decision.objects.filter(pk=decision.pk).update(sensitivity="confidential")
    with pytest.raises(Http404):
        selectors.decision_get(user=outsider, reference="WG3/2024/3")
    with pytest.raises(Http404):
        selectors.decision_get(user=secretariat, reference="WG3/2024/99")


def test_action_item_list_filters(secretariat, outsider, cycle, wg3):
    def titles(**kw):
        return [i.title for i in selectors.action_item_list(user=secretariat, **kw)]

    assert titles(owner_entity=entity("UNDP")) == ["F", "A"]
    assert titles(status="done") == ["C"]
    assert titles(body=wg3, status=["open", "in_progress"]) == ["E", "A", "G", "B", "D"]
    assert titles(overdue=True) == ["E", "F", "A", "G", "B", "D"]  # all past due today (dates in 2024)
    assert titles(overdue=False) == ["C"]
    assert {i.title: i.overdue for i in selectors.action_item_list(user=secretariat)}["C"] is False
    assert [i.title for i in selectors.action_item_list(user=outsider, owner_entity=entity("OPCW"))] == []


def test_overdue_action_items_on_a_day(cycle):
    assert [i.title for i in selectors.overdue_action_items(day=dt.date(2024, 8, 2))] == ["E", "F", "A"]
    assert [i.title for i in selectors.overdue_action_items(day=dt.date(2024, 7, 1))] == []


# --- query counts ------------------------------------------------------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _meeting_rows(user):
    return [(m.body.key, m.number) for m in selectors.meeting_list(user=user)]


def _decision_rows(user):
    return [(d.reference, d.follow_up, d.meeting.number, d.body.key) for d in selectors.decision_list(user=user)]


def test_meeting_list_and_register_queries_do_not_grow(member_fp, meeting_factory, decision_factory, wg3, secretariat,
                                                       django_assert_max_num_queries):
    meeting = meeting_factory(wg3)
    decision = decision_factory(meeting)
    services.action_item_create(actor=secretariat, decision=decision, title="T", due=dt.date(2024, 7, 1),
                                owner_entity=entity("UNDP"))
    _meeting_rows(member_fp), _decision_rows(member_fp)  # the user's standing, once
    one = (_count(lambda: _meeting_rows(member_fp)), _count(lambda: _decision_rows(member_fp)))
    for _n in range(19):
        m = meeting_factory(wg3)
        d = decision_factory(m)
        services.action_item_create(actor=secretariat, decision=d, title="T", due=dt.date(2024, 7, 1),
                                    owner_entity=entity("UNDP"))
    with django_assert_max_num_queries(one[0]):
        assert len(_meeting_rows(member_fp)) == 20
    with django_assert_max_num_queries(one[1]):
        assert len(_decision_rows(member_fp)) == 20


def _agenda_rows(user, meeting):
    return [(i.position, i.presenter and i.presenter.acronym, [d.title for d in i.documents.all()],
             [(a.title, a.overdue, a.decision.reference, a.owner_entity and a.owner_entity.acronym)
              for a in getattr(i, "arising", [])])
            for i in selectors.agenda(user=user, meeting=meeting)]


def test_agenda_and_matters_arising_queries_do_not_grow(member_fp, secretariat, meeting_factory, decision_factory, wg3,
                                                        django_assert_max_num_queries):
    from compact.library.models import Document

    earlier = meeting_factory(wg3, day=dt.date(2024, 6, 3))
    meeting = meeting_factory(wg3, day=dt.date(2024, 9, 2))
    decision = decision_factory(earlier)

    def add(n):
        doc = Document.objects.create(title=f"Paper {n}", owner_body=wg3, sensitivity="internal")
        services.agenda_item_add(actor=secretariat, meeting=meeting, title=f"Item {n}", presenter=entity("UNDP"),
                                 documents=[doc])
        services.action_item_create(actor=secretariat, decision=decision, title=f"Task {n}", due=dt.date(2024, 8, n + 1),
                                    owner_entity=entity("UNDP"))

    add(0)
    _agenda_rows(member_fp, meeting)
    one = _count(lambda: _agenda_rows(member_fp, meeting))
    for n in range(1, 20):
        add(n)
    with django_assert_max_num_queries(one):
        rows = _agenda_rows(member_fp, meeting)
    assert len(rows) == 21 and len(rows[0][3]) == 20
    assert ActionItem.objects.count() == 20


# --- choices for the forms ---------------------------------------------------------------------------


def test_invitable_people_are_those_the_user_may_list_by_entity_and_name(secretariat, outsider, member_fp, wg3,
                                                                          meeting_factory, make_user):
    from compact.access.policy import Action, can
    from compact.registry.models import Person

    make_user("zed", entity="OPCW")
    make_user("amy", entity="OPCW")
    meeting = meeting_factory(wg3)
    people = list(Person.objects.select_related("entity"))
    assert len(people) == 5
    for user in (secretariat, outsider, member_fp):
        expected = sorted((p for p in people if can(user, Action.LIST, p)),
                          key=lambda p: (p.entity.acronym, p.family_name, p.given_name, p.pk))
        with CaptureQueriesContext(connection) as ctx:
            got = list(selectors.invitable_people(user=user, meeting=meeting))
            assert [p.entity.acronym for p in got] == [p.entity.acronym for p in expected]
        assert [p.pk for p in got] == [p.pk for p in expected]
        assert len(ctx.captured_queries) <= 3


def test_readable_workplans_are_those_the_user_may_list(secretariat, outsider, member_fp, world):
    from compact.access.policy import Action, can
    from compact.planning.models import Workplan
    from compact.planning.services import load_default_programmes

    load_default_programmes()
    # test data: wg-3's workplans confidential (read by wg-3's participants and the secretariat only)
    assert Workplan.objects.filter(body__key="wg-3").update(sensitivity="confidential") >= 1
    workplans = list(Workplan.objects.all())
    readable = {}
    for user in (secretariat, outsider, member_fp):
        expected = [w.pk for w in workplans if can(user, Action.LIST, w)]
        readable[user.username] = [w.pk for w in selectors.readable_workplans(user=user)]
        assert readable[user.username] == expected
    wg3_ids = {w.pk for w in workplans if w.body.key == "wg-3"}
    assert wg3_ids <= set(readable["sec"]) and wg3_ids <= set(readable["undp_fp"])
    assert not wg3_ids & set(readable["wco_rep"]) and len(readable["wco_rep"]) == len(workplans) - len(wg3_ids)
