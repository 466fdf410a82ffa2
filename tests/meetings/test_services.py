"""The writing services of the meeting cycle (``compact.meetings.services``): each rule of the meetings
issue, with values worked out by hand from the default structure and the test rows of ``conftest.py``."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from compact.meetings import notifications, services
from compact.meetings.models import ActionItem, AgendaItem, Attendance, Decision, Meeting, MinutesVersion
from compact.registry.models import Entity, Person

DAY = dt.date(2024, 6, 3)
WG3 = "WG 3: Emerging Threats and Critical Infrastructure Protection"


def entity(acronym):
    return Entity.objects.get(acronym=acronym)


@pytest.fixture
def sent(monkeypatch):
    """Calls of the notification functions, as ``(name, args, kwargs)``, in order."""
    calls = []
    for name in ("notify_invitation", "notify_meeting_changed", "notify_minutes_circulated", "notify_action_item"):
        monkeypatch.setattr(notifications, name, lambda *a, _name=name, **k: calls.append((_name, a, k)) or 0)
    return calls


# --- meetings ----------------------------------------------------------------------------------------


def test_meetings_are_numbered_within_their_body(meeting_factory, wg3, wg4):
    assert [meeting_factory(wg3).number for _ in range(3)] == [1, 2, 3]
    assert meeting_factory(wg4).number == 1
    assert meeting_factory(wg3, number=7).number == 7
    assert meeting_factory(wg3).number == 8
    with pytest.raises(ValidationError) as exc:
        meeting_factory(wg3, number=2)
    assert "number" in exc.value.message_dict


def test_a_meeting_gets_a_uid_and_the_matters_arising_item(meeting_factory, wg3):
    meeting = meeting_factory(wg3, title={"en": "Emerging threats", "fr": "Menaces émergentes"})
    assert meeting.uid.endswith("@compact") and len(meeting.uid) == 36 + len("@compact")
    assert meeting.sequence == 0 and meeting.status == "scheduled" and meeting.agenda_status == "draft"
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.position, item.kind, item.title_en) == (1, "matters_arising", "Matters arising")
    assert all(getattr(item, f"title_{code}") for code in ("ar", "en", "es", "fr", "ru", "zh_hans"))
    assert (meeting.title_en, meeting.title_fr) == ("Emerging threats", "Menaces émergentes")


def test_participants_are_invited_in_their_capacity_on_the_meetings_date(meeting_factory, wg3):
    # wg-3 on 2024-06-03: the seed's four members, UNDP (member, test row), IMF (observer from 2024-03-01).
    meeting = meeting_factory(wg3)
    assert sorted(Attendance.objects.filter(meeting=meeting).values_list("entity__acronym", "capacity", "status")) == [
        ("IMF", "observer", "invited"), ("INTERPOL", "member", "invited"), ("OPCW", "member", "invited"),
        ("UNDP", "member", "invited"), ("UNICRI", "member", "invited"), ("UNODA", "member", "invited")]
    assert not Attendance.objects.filter(meeting=meeting_factory(wg3, invite_participants=False)).exists()


def test_the_meetings_date_in_its_own_zone_decides_the_capacity(meeting_factory, wg3):
    # 2024-03-01 08:00 in Tokyo is 2024-02-29 23:00 UTC: the IMF's observer seat (from 2024-03-01) counts.
    tokyo = meeting_factory(wg3, day=dt.date(2024, 3, 1), hours=(8, 10), zone="Asia/Tokyo")
    assert tokyo.start == dt.datetime(2024, 2, 29, 23, tzinfo=dt.UTC)
    assert tokyo.attendances.get(entity__acronym="IMF").capacity == "observer"
    # 2024-02-29 20:00 in New York is 2024-03-01 01:00 UTC: it is still 29 February there, no seat yet.
    new_york = meeting_factory(wg3, day=dt.date(2024, 2, 29), hours=(20, 22), zone="America/New_York")
    assert new_york.start == dt.datetime(2024, 3, 1, 1, tzinfo=dt.UTC)
    assert not new_york.attendances.filter(entity__acronym="IMF").exists()
    row = services.attendance_set(actor=None, meeting=new_york, entity=entity("IMF"), status="present")
    assert row.capacity == "guest"


def test_an_all_day_meeting_runs_from_midnight_to_midnight_in_its_zone(secretariat, wg3):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    meeting = services.meeting_create(actor=secretariat, body=wg3, start=dt.datetime(2024, 6, 3, 9, tzinfo=tokyo),
                                      end=dt.datetime(2024, 6, 4, 17, tzinfo=tokyo), time_zone="Asia/Tokyo", all_day=True)
    # Tokyo is UTC+9 all year: 3 June 00:00 -> 2 June 15:00 UTC; 5 June 00:00 -> 4 June 15:00 UTC.
    assert (meeting.start, meeting.end) == (dt.datetime(2024, 6, 2, 15, tzinfo=dt.UTC), dt.datetime(2024, 6, 4, 15, tzinfo=dt.UTC))


@pytest.mark.parametrize("fields, field", [
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"end": dt.datetime(2024, 6, 3, 9, tzinfo=dt.UTC)}, "end"),
    ({"start": dt.datetime(2024, 6, 3, 10)}, "start"),
    ({"start": dt.datetime(2019, 1, 7, 10, tzinfo=dt.UTC), "end": dt.datetime(2019, 1, 7, 12, tzinfo=dt.UTC)}, "start"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"sensitivity": "secret"}, "sensitivity"),
])
def test_a_meeting_with_a_wrong_field_is_refused_naming_it(secretariat, wg3, fields, field):
    # (wg-3 was established on 2019-04-16: it held no meeting on 2019-01-07)
    values = {"start": dt.datetime(2024, 6, 3, 10, tzinfo=dt.UTC), "end": dt.datetime(2024, 6, 3, 12, tzinfo=dt.UTC),
              "time_zone": "UTC"} | fields
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(actor=secretariat, body=wg3, **values)
    assert field in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_a_confidential_meeting_needs_a_reason(secretariat, wg3, meeting_factory):
    with pytest.raises(ReasonRequired):
        meeting_factory(wg3, sensitivity="confidential", reason="")
    meeting = meeting_factory(wg3, sensitivity="confidential", reason="Security briefing")
    with pytest.raises(ReasonRequired):
        services.agenda_item_add(actor=secretariat, meeting=meeting, title="Threat picture")
    with pytest.raises(ReasonRequired):
        services.meeting_update(actor=secretariat, meeting=meeting, venue="Lyon")


def test_changes_attendees_see_raise_the_sequence_and_notify(secretariat, meeting_factory, wg3, sent,
                                                            django_capture_on_commit_callbacks):
    meeting = meeting_factory(wg3)
    uid = meeting.uid
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(actor=secretariat, meeting=meeting, description="Background papers attached.")
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0 and sent == []
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_update(actor=secretariat, meeting=meeting, venue="Lyon",
                                          start=dt.datetime(2024, 6, 3, 11, tzinfo=dt.UTC))
    assert (meeting.sequence, meeting.uid) == (1, uid)
    assert [(n, a[0].pk, k) for n, a, k in sent] == [("notify_meeting_changed", meeting.pk, {"cancelled": False})]
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_update(actor=secretariat, meeting=meeting, title={"fr": "Réunion"})
    assert meeting.sequence == 2
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(actor=secretariat, meeting=meeting, body=wg3)
    assert "body" in exc.value.message_dict


def test_a_cancelled_meeting_keeps_its_uid_with_a_new_sequence(secretariat, meeting_factory, wg3, sent,
                                                              django_capture_on_commit_callbacks):
    meeting = meeting_factory(wg3)
    with pytest.raises(ValidationError) as exc:
        services.meeting_cancel(actor=secretariat, meeting=meeting, reason=" ")
    assert "reason" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.meeting_cancel(actor=secretariat, meeting=meeting, reason="No quorum")
    assert (cancelled.status, cancelled.sequence, cancelled.uid) == ("cancelled", 1, meeting.uid)
    assert [(n, k) for n, _a, k in sent] == [("notify_meeting_changed", {"cancelled": True})]
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=secretariat, meeting=meeting, reason="Again")


def test_nothing_is_notified_when_the_transaction_rolls_back(secretariat, meeting_factory, wg3, sent):
    from django.db import transaction

    meeting = meeting_factory(wg3)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.meeting_cancel(actor=secretariat, meeting=meeting, reason="No quorum")
        raise RuntimeError
    assert sent == [] and Meeting.objects.get(pk=meeting.pk).status == "scheduled"


# --- agenda ------------------------------------------------------------------------------------------


def _agenda(meeting):
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("position", "title_en"))


def test_agenda_items_are_added_moved_and_removed_keeping_numbers_in_order(secretariat, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    add = services.agenda_item_add
    add(actor=secretariat, meeting=meeting, title="Workplan")
    add(actor=secretariat, meeting=meeting, title="Adoption of the agenda", position=1)
    aob = add(actor=secretariat, meeting=meeting, title="Any other business", expected_outcome="discussion")
    assert _agenda(meeting) == [(1, "Adoption of the agenda"), (2, "Matters arising"), (3, "Workplan"),
                                (4, "Any other business")]
    services.agenda_item_update(actor=secretariat, item=aob, position=2)
    assert _agenda(meeting) == [(1, "Adoption of the agenda"), (2, "Any other business"), (3, "Matters arising"),
                                (4, "Workplan")]
    services.agenda_item_update(actor=secretariat, item=aob, position=4)
    assert _agenda(meeting) == [(1, "Adoption of the agenda"), (2, "Matters arising"), (3, "Workplan"),
                                (4, "Any other business")]
    workplan = AgendaItem.objects.get(meeting=meeting, title_en="Workplan")
    services.agenda_item_remove(actor=secretariat, item=workplan, reason="Moved to the next meeting")
    assert _agenda(meeting) == [(1, "Adoption of the agenda"), (2, "Matters arising"), (3, "Any other business")]
    with pytest.raises(ValidationError) as exc:
        add(actor=secretariat, meeting=meeting, title="Late item", position=5)
    assert "position" in exc.value.message_dict


def test_an_agenda_item_needs_a_title_and_a_known_outcome(secretariat, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(actor=secretariat, meeting=meeting, title={"fr": " "}, expected_outcome="vote")
    assert set(exc.value.message_dict) == {"title", "expected_outcome"}


def test_the_matters_arising_item_stays(secretariat, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_remove(actor=secretariat, item=meeting.agenda_items.get(), reason="Not needed")
    assert "kind" in exc.value.message_dict


def test_a_final_agenda_no_longer_changes(secretariat, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    item = services.agenda_item_add(actor=secretariat, meeting=meeting, title="Workplan")
    services.agenda_finalise(actor=secretariat, meeting=meeting, reason="Agreed")
    for call in (lambda: services.agenda_item_add(actor=secretariat, meeting=meeting, title="Late"),
                 lambda: services.agenda_item_update(actor=secretariat, item=item, title="Workplan 2025"),
                 lambda: services.agenda_item_remove(actor=secretariat, item=item, reason="Dropped"),
                 lambda: services.agenda_finalise(actor=secretariat, meeting=meeting)):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "agenda" in exc.value.message_dict
    assert _agenda(meeting) == [(1, "Matters arising"), (2, "Workplan")]


def test_agenda_documents_are_those_the_manager_may_read(wg3_officer, meeting_factory, wg3):
    from compact.library.models import Document

    meeting = meeting_factory(wg3)
    public = Document.objects.create(title="Terms of reference", owner_body=wg3, sensitivity="public")
    undp_only = Document.objects.create(title="UNDP note", owner_entity=entity("UNDP"), sensitivity="confidential")
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(actor=wg3_officer, meeting=meeting, title="Terms", documents=[public, undp_only])
    assert str(undp_only.pk) in exc.value.message_dict["documents"][0]
    item = services.agenda_item_add(actor=wg3_officer, meeting=meeting, title="Terms", documents=[public])
    assert list(item.documents.all()) == [public]
    event = ChangeEvent.objects.filter(object_type="meetings.agendaitem", object_id=str(item.pk)).get()
    assert event.changes["documents"] == [None, [public.pk]]


# --- attendance --------------------------------------------------------------------------------------


def test_attendance_is_recorded_with_the_registry_capacity(secretariat, meeting_factory, wg3):
    meeting = meeting_factory(wg3, invite_participants=False)
    rows = {a: services.attendance_set(actor=secretariat, meeting=meeting, entity=entity(a), status="present")
            for a in ("INTERPOL", "IMF", "WCO")}
    assert {a: r.capacity for a, r in rows.items()} == {"INTERPOL": "member", "IMF": "observer", "WCO": "guest"}
    again = services.attendance_set(actor=secretariat, meeting=meeting, entity=entity("WCO"), status="apologies")
    assert again.pk == rows["WCO"].pk and again.status == "apologies"
    with pytest.raises(ValidationError):
        services.attendance_set(actor=secretariat, meeting=meeting, entity=entity("WCO"), status="late")


def test_an_invitation_is_sent_after_the_commit_and_given_once(secretariat, outsider, meeting_factory, wg3, sent,
                                                              django_capture_on_commit_callbacks):
    meeting = meeting_factory(wg3)
    person = Person.objects.get(user=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        attendee = services.attendee_invite(actor=secretariat, meeting=meeting, person=person)
    assert attendee.status == "invited"
    assert [(n, a[0].pk, [p.pk for p in a[1]]) for n, a, _k in sent] == [("notify_invitation", meeting.pk, [person.pk])]
    with pytest.raises(ValidationError) as exc:
        services.attendee_invite(actor=secretariat, meeting=meeting, person=person)
    assert "person" in exc.value.message_dict


def test_a_person_answers_their_own_invitation(secretariat, outsider, member_fp, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    attendee = services.attendee_invite(actor=secretariat, meeting=meeting, person=Person.objects.get(user=outsider))
    assert services.attendee_set_status(actor=outsider, attendee=attendee, status="apologies").status == "apologies"
    with pytest.raises(PermissionDenied):
        services.attendee_set_status(actor=member_fp, attendee=attendee, status="absent")


# --- minutes -----------------------------------------------------------------------------------------


def _versions(meeting):
    return list(MinutesVersion.objects.filter(meeting=meeting).order_by("number").values_list("number", "status", "text"))


def test_minutes_go_draft_circulated_final(secretariat, member_fp, meeting_factory, wg3, sent,
                                          django_capture_on_commit_callbacks):
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="Draft one.")
    services.minutes_save(actor=secretariat, meeting=meeting, text="Draft one, revised.")
    assert _versions(meeting) == [(1, "draft", "Draft one, revised.")]
    with pytest.raises(ValidationError):  # drafts take no comments
        services.minutes_comment(actor=member_fp, version=meeting.minutes_versions.get(), text="Too early")
    with django_capture_on_commit_callbacks(execute=True):
        v1 = services.minutes_circulate(actor=secretariat, meeting=meeting)
    assert v1.circulated is not None and [(n, a[0].pk) for n, a, _k in sent] == [("notify_minutes_circulated", v1.pk)]
    comment = services.minutes_comment(actor=member_fp, version=v1, text="UNDP presented item 2.")
    assert comment.author == member_fp
    services.minutes_save(actor=secretariat, meeting=meeting, text="Draft two.")
    assert _versions(meeting) == [(1, "circulated", "Draft one, revised."), (2, "draft", "Draft two.")]
    services.minutes_circulate(actor=secretariat, meeting=meeting)
    final = services.minutes_finalise(actor=secretariat, meeting=meeting)
    assert (final.number, final.status) == (2, "final") and final.finalised is not None
    events = ChangeEvent.objects.filter(object_type="meetings.minutesversion").order_by("pk")
    assert [(e.object_id, e.action) for e in events] == [
        (str(v1.pk), "create"), (str(v1.pk), "update"), (str(v1.pk), "update"), (str(final.pk), "create"),
        (str(final.pk), "update"), (str(final.pk), "update")]


def test_no_service_modifies_final_minutes(secretariat, member_fp, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="The minutes.")
    services.minutes_circulate(actor=secretariat, meeting=meeting)
    final = services.minutes_finalise(actor=secretariat, meeting=meeting)
    stored = MinutesVersion.objects.values().get(pk=final.pk)
    attempts = [
        lambda: services.minutes_save(actor=secretariat, meeting=meeting, text="Changed."),
        lambda: services.minutes_save(actor=secretariat, meeting=meeting, text="Changed.", language="fr"),
        lambda: services.minutes_circulate(actor=secretariat, meeting=meeting),
        lambda: services.minutes_finalise(actor=secretariat, meeting=meeting),
        lambda: services.minutes_comment(actor=member_fp, version=final, text="Late comment."),
        lambda: services.minutes_correct(actor=secretariat, meeting=meeting, text="Changed.", reason=""),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    assert MinutesVersion.objects.values().get(pk=final.pk) == stored
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 1


def test_a_correction_is_a_new_final_version_that_says_why(secretariat, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    with pytest.raises(ValidationError):  # nothing final to correct
        services.minutes_correct(actor=secretariat, meeting=meeting, text="x", reason="y")
    services.minutes_save(actor=secretariat, meeting=meeting, text="Held in Vienna.", language="en")
    services.minutes_circulate(actor=secretariat, meeting=meeting)
    first = services.minutes_finalise(actor=secretariat, meeting=meeting)
    fixed = services.minutes_correct(actor=secretariat, meeting=meeting, text="Held in Lyon.", reason="Wrong city")
    assert (fixed.number, fixed.status, fixed.corrects_id, fixed.reason, fixed.language) == (
        2, "final", first.pk, "Wrong city", "en")
    assert MinutesVersion.objects.get(pk=first.pk).text == "Held in Vienna."
    event = ChangeEvent.objects.get(object_type="meetings.minutesversion", object_id=str(fixed.pk))
    assert event.reason == "Wrong city" and event.changes["corrects_id"] == [None, first.pk]


def test_only_readers_of_the_meeting_comment(secretariat, outsider, meeting_factory, wg3):
    meeting = meeting_factory(wg3, sensitivity="confidential")
    services.minutes_save(actor=secretariat, meeting=meeting, text="Restricted.", reason="Minutes")
    version = services.minutes_circulate(actor=secretariat, meeting=meeting, reason="For comments")
    with pytest.raises(PermissionDenied):
        services.minutes_comment(actor=outsider, version=version, text="Hello")


# --- decisions ---------------------------------------------------------------------------------------


def test_references_count_per_body_and_year(meeting_factory, decision_factory, wg3, committee):
    m2024 = meeting_factory(wg3)
    refs = [decision_factory(m2024).reference for _ in range(2)]
    refs.append(decision_factory(meeting_factory(committee)).reference)
    refs.append(decision_factory(meeting_factory(wg3, day=dt.date(2025, 2, 3))).reference)
    assert refs == ["WG3/2024/1", "WG3/2024/2", "CC/2024/1", "WG3/2025/1"]


def test_the_year_is_that_of_the_meetings_date_in_its_zone(meeting_factory, decision_factory, wg3):
    # 31 December 2024 23:00 in New York is 1 January 2025 04:00 UTC.
    meeting = meeting_factory(wg3, day=dt.date(2024, 12, 31), hours=(22, 23), zone="America/New_York")
    decision = decision_factory(meeting)
    assert (decision.adopted_on, decision.reference) == (dt.date(2024, 12, 31), "WG3/2024/1")


def test_a_reference_is_never_given_twice_even_after_a_row_is_removed(meeting_factory, decision_factory, wg3):
    meeting = meeting_factory(wg3)
    decision_factory(meeting)
    second = decision_factory(meeting)
    Decision.objects.filter(pk=second.pk).delete()  # no service deletes a decision; the change log remembers it
    assert decision_factory(meeting).reference == "WG3/2024/3"


def test_a_number_taken_at_the_same_moment_is_refused_not_duplicated(meeting_factory, decision_factory, wg3,
                                                                    monkeypatch):
    meeting = meeting_factory(wg3)
    decision_factory(meeting)
    monkeypatch.setattr(services, "_used_numbers", lambda body, year: set())  # as if another record had not committed
    with pytest.raises(ValidationError) as exc:
        decision_factory(meeting)
    assert "reference" in exc.value.message_dict
    assert list(Decision.objects.values_list("reference", flat=True)) == ["WG3/2024/1"]


def test_only_members_adopt(meeting_factory, decision_factory, wg3):
    meeting = meeting_factory(wg3)
    with pytest.raises(ValidationError) as exc:
        decision_factory(meeting, adopted_by=[entity("INTERPOL"), entity("IMF"), entity("WCO")])
    assert exc.value.message_dict["adopted_by"] == [
        f"IMF is an observer of {WG3} on 2024-06-03: observers do not adopt decisions.",
        f"WCO does not take part in {WG3} on 2024-06-03: only members adopt decisions.",
    ]
    decision = decision_factory(meeting, adopted_by=[entity("INTERPOL"), entity("UNDP")])
    assert sorted(e.acronym for e in decision.adopted_by.all()) == ["INTERPOL", "UNDP"]
    event = ChangeEvent.objects.get(object_type="meetings.decision", object_id=str(decision.pk))
    assert event.changes["adopted_by"] == [None, ["INTERPOL", "UNDP"]]


def test_adoption_is_checked_on_the_adoption_date(meeting_factory, decision_factory, wg3):
    # The IMF takes no part in wg-3 before 2024-03-01; UNDP (test row) is a member from 2019-04-16.
    meeting = meeting_factory(wg3, day=dt.date(2024, 2, 20))
    with pytest.raises(ValidationError) as exc:
        decision_factory(meeting, adopted_by=[entity("IMF")])
    assert exc.value.message_dict["adopted_by"] == [
        f"IMF does not take part in {WG3} on 2024-02-20: only members adopt decisions."]


def test_decision_subjects_of_each_kind(secretariat, meeting_factory, decision_factory, wg3, committee):
    from compact.appeals.models import Call
    from compact.library.models import Document
    from compact.planning.models import Programme, Workplan
    from compact.projects.models import Project

    programme = Programme.objects.create(key="jpow-2024-2026", title="JPoW", period_start=dt.date(2024, 1, 1),
                                         period_end=dt.date(2026, 12, 31), owner_body=committee)
    workplan = Workplan.objects.create(programme=programme, body=wg3)
    terms = Document.objects.create(title="Terms of reference", owner_body=wg3, kind="terms_of_reference")
    project = Project.objects.create(title="Drones", lead_body=wg3, lead_entity=entity("INTERPOL"))
    call = Call.objects.create(title="Call", body=wg3, deadline=timezone.now() + dt.timedelta(days=9))
    decision = decision_factory(meeting_factory(wg3), subjects=[programme, workplan, terms, project, call, workplan])
    assert sorted((s.kind, s.target.pk) for s in decision.subjects.all()) == sorted([
        ("programme", programme.pk), ("workplan", workplan.pk), ("terms_of_reference", terms.pk),
        ("project", project.pk), ("call", call.pk)])
    with pytest.raises(ValidationError) as exc:
        decision_factory(meeting_factory(wg3), subjects=[entity("UNDP")])
    assert "subjects" in exc.value.message_dict


def test_a_decision_needs_title_text_and_an_item_of_its_meeting(secretariat, meeting_factory, wg3):
    meeting, other = meeting_factory(wg3), meeting_factory(wg3)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(actor=secretariat, meeting=meeting, title="", text={"fr": ""},
                                 agenda_item=other.agenda_items.get())
    assert set(exc.value.message_dict) == {"title", "text", "agenda_item"}


def test_a_cancelled_meeting_takes_no_decision(secretariat, meeting_factory, decision_factory, wg3):
    meeting = meeting_factory(wg3)
    services.meeting_cancel(actor=secretariat, meeting=meeting, reason="No quorum")
    with pytest.raises(ValidationError) as exc:
        decision_factory(meeting)
    assert "meeting" in exc.value.message_dict


def test_a_decisions_text_is_kept_in_six_languages(meeting_factory, decision_factory, wg3):
    texts = {"en": "Approved.", "fr": "Approuvé.", "es": "Aprobado.", "ru": "Утверждено.", "ar": "تمت الموافقة.",
             "zh-hans": "已批准。"}
    decision = decision_factory(meeting_factory(wg3), text=texts)
    assert [getattr(decision, f"text_{c.replace('-', '_')}") for c in texts] == list(texts.values())


def test_a_decision_update_never_touches_the_reference(secretariat, meeting_factory, decision_factory, wg3):
    decision = decision_factory(meeting_factory(wg3))
    for field, value in (("reference", "WG3/2024/9"), ("number", 9), ("year", 2023), ("body", wg3)):
        with pytest.raises(ValidationError) as exc:
            services.decision_update(actor=secretariat, decision=decision, **{field: value})
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.decision_update(actor=secretariat, decision=decision, adopted_on=dt.date(2025, 1, 2))
    assert "adopted_on" in exc.value.message_dict
    updated = services.decision_update(actor=secretariat, decision=decision, title={"en": "Renamed", "fr": "Renommée"},
                                       adopted_by=[entity("OPCW")])
    assert (updated.reference, updated.title_fr) == ("WG3/2024/1", "Renommée")
    assert [e.acronym for e in updated.adopted_by.all()] == ["OPCW"]
    with pytest.raises(ValidationError):
        services.decision_update(actor=secretariat, decision=decision, adopted_by=[entity("IMF")])


# --- action items ------------------------------------------------------------------------------------


def test_an_action_item_has_exactly_one_owner(secretariat, meeting_factory, decision_factory, wg3):
    decision = decision_factory(meeting_factory(wg3))
    for owners in ({}, {"owner_body": wg3, "owner_entity": entity("UNDP")}):
        with pytest.raises(ValidationError) as exc:
            services.action_item_create(actor=secretariat, decision=decision, title="Report", due=DAY, **owners)
        assert "owner_entity" in exc.value.message_dict


def test_a_new_action_item_is_notified_after_the_commit(secretariat, meeting_factory, decision_factory, wg3, sent,
                                                        django_capture_on_commit_callbacks):
    decision = decision_factory(meeting_factory(wg3), sensitivity="internal")
    with django_capture_on_commit_callbacks(execute=True):
        item = services.action_item_create(actor=secretariat, decision=decision, title="Report", due=DAY,
                                           owner_entity=entity("UNDP"))
    assert (item.body, item.status, item.sensitivity) == (wg3, "open", "internal")
    assert [(n, a[0].pk) for n, a, _k in sent] == [("notify_action_item", item.pk)]


def test_done_needs_evidence_and_dates_the_completion(secretariat, member_fp, meeting_factory, decision_factory, wg3):
    decision = decision_factory(meeting_factory(wg3))
    item = services.action_item_create(actor=secretariat, decision=decision, title="Report", due=DAY,
                                       owner_entity=entity("UNDP"))
    with pytest.raises(ValidationError) as exc:
        services.action_item_update(actor=member_fp, item=item, status="done")
    assert "status" in exc.value.message_dict
    item = services.action_item_update(actor=member_fp, item=item, status="done",
                                       evidence_url="https://example.org/report.pdf")
    assert (item.status, item.completed_on) == ("done", timezone.localdate())
    item = services.action_item_update(actor=member_fp, item=item, status="in_progress")
    assert item.completed_on is None


def test_the_tasked_entity_reports_progress_but_does_not_move_its_due_date(secretariat, member_fp, outsider,
                                                                          meeting_factory, decision_factory, wg3):
    decision = decision_factory(meeting_factory(wg3))
    item = services.action_item_create(actor=secretariat, decision=decision, title="Report", due=DAY,
                                       owner_entity=entity("UNDP"))
    services.action_item_update(actor=member_fp, item=item, status="in_progress", evidence_note="Drafting")
    with pytest.raises(PermissionDenied):
        services.action_item_update(actor=member_fp, item=item, due=DAY + dt.timedelta(days=90))
    with pytest.raises(PermissionDenied):
        services.action_item_update(actor=outsider, item=item, status="dropped")
    item = services.action_item_update(actor=secretariat, item=item, due=DAY + dt.timedelta(days=90))
    assert (item.due, item.status, item.evidence_note) == (dt.date(2024, 9, 1), "in_progress", "Drafting")


def test_a_confidential_action_item_needs_a_reason(secretariat, meeting_factory, decision_factory, wg3):
    decision = decision_factory(meeting_factory(wg3), sensitivity="confidential", reason="Security")
    with pytest.raises(ReasonRequired):
        services.action_item_create(actor=secretariat, decision=decision, title="Assess", due=DAY, owner_body=wg3)
    item = services.action_item_create(actor=secretariat, decision=decision, title="Assess", due=DAY, owner_body=wg3,
                                       reason="Security")
    assert item.sensitivity == "confidential"
    with pytest.raises(ReasonRequired):
        services.action_item_update(actor=secretariat, item=item, status="in_progress")
    assert ActionItem.objects.get(pk=item.pk).status == "open"


@pytest.mark.django_db(transaction=True)
def test_two_records_at_once_take_two_numbers(seeded, make_user):
    """Two decisions recorded at the same moment in two connections: the lock on the body row makes the
    second wait for the first, so they take numbers 1 and 2 (PostgreSQL; SQLite serialises writers)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite takes one writer at a time")
    from compact.registry.models import Body

    secretariat = make_user("sec", entity="UNOCT", secretariat=True)
    body = Body.objects.get(key="wg-3")
    meeting = services.meeting_create(actor=secretariat, body=body, start=dt.datetime(2024, 6, 3, 10, tzinfo=dt.UTC),
                                      end=dt.datetime(2024, 6, 3, 12, tzinfo=dt.UTC), time_zone="UTC")
    start = threading.Barrier(2)
    results: list[str] = []

    def record(n):
        try:
            start.wait()
            results.append(services.decision_record(actor=secretariat, meeting=meeting, title=f"D{n}", text="x").reference)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["WG3/2024/1", "WG3/2024/2"]
