"""Who sees and manages meetings (``docs/access.md``, the meetings issue).

A confidential meeting of wg-3 is read by the secretariat and by the participants of wg-3 (members and
observers: by hand, INTERPOL, UNODA, UNICRI, OPCW from the seed, UNDP and the IMF from ``conftest.py``),
and by whoever holds a read grant on it; it is invisible to anyone else in lists, counts, the decisions
register and matters arising. Officers manage only their own body's meetings; observers never adopt.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from compact.access.models import Grant
from compact.access.policy import Action
from compact.meetings import selectors, services
from compact.meetings.models import Meeting
from compact.registry.models import Entity, Person


@pytest.fixture
def confidential(secretariat, wg3, meeting_factory):
    """A confidential wg-3 meeting (2024-06-03) with a decision and an action item (both confidential, as
    the meeting), and the group's next meeting (internal, 2024-09-02) where the item arises."""
    meeting = meeting_factory(wg3, sensitivity="confidential", reason="Threat briefing")
    decision = services.decision_record(actor=secretariat, meeting=meeting, title="Protect the grid", text="Restricted.",
                                        reason="Threat briefing")
    item = services.action_item_create(actor=secretariat, decision=decision, title="Assess substations",
                                       due=dt.date(2024, 8, 1), owner_body=wg3, reason="Threat briefing")
    nxt = meeting_factory(wg3, day=dt.date(2024, 9, 2))
    return {"meeting": meeting, "decision": decision, "item": item, "next": nxt}


def seen(user, world) -> dict[str, object]:
    return {
        "list": world["meeting"] in selectors.meeting_list(user=user),
        "count": selectors.meeting_list(user=user, action=Action.COUNT).count(),
        "register": list(selectors.decision_list(user=user)) == [world["decision"]],
        "arising": [i.pk for i in selectors.matters_arising(user=user, meeting=world["next"])] == [world["item"].pk],
        "items": selectors.action_item_list(user=user).count(),
    }


VISIBLE = {"list": True, "count": 2, "register": True, "arising": True, "items": 1}
HIDDEN = {"list": False, "count": 1, "register": False, "arising": False, "items": 0}


def test_invisible_to_those_outside_the_body(confidential, outsider, make_user):
    assert seen(outsider, confidential) == HIDDEN
    assert seen(make_user("nobody"), confidential) == HIDDEN  # signed in, no entity
    for user in (outsider, AnonymousUser()):
        with pytest.raises(Http404):
            selectors.meeting_get(user=user, pk=confidential["meeting"].pk)
        with pytest.raises(Http404):
            selectors.decision_get(user=user, reference=confidential["decision"].reference)


def test_anonymous_visitors_see_public_meetings_only(confidential, wg3, meeting_factory):
    public = meeting_factory(wg3, sensitivity="public")
    assert list(selectors.meeting_list(user=AnonymousUser())) == [public]
    assert selectors.meeting_list(user=AnonymousUser(), action=Action.COUNT).count() == 1


def test_visible_to_participants_and_the_secretariat(confidential, secretariat, wg3_officer, member_fp, observer_fp):
    for user in (secretariat, wg3_officer, member_fp, observer_fp):
        assert seen(user, confidential) == VISIBLE, user.username


def test_an_invited_person_of_another_entity_reads_the_meeting_through_a_grant(confidential, secretariat, outsider):
    meeting = confidential["meeting"]
    services.attendee_invite(actor=secretariat, meeting=meeting, person=Person.objects.get(user=outsider),
                             reason="Presents the customs perspective")
    grant = Grant.objects.get(user=outsider, content_type=ContentType.objects.get_for_model(Meeting), object_id=meeting.pk)
    assert grant.level == "read"
    assert selectors.meeting_get(user=outsider, pk=meeting.pk) == meeting
    assert selectors.meeting_list(user=outsider, action=Action.COUNT).count() == 2
    assert [a.person.user for a in selectors.attendance(user=outsider, meeting=meeting)[1]] == [outsider]
    # The grant opens the meeting, not the decisions and action items it took.
    assert list(selectors.decision_list(user=outsider)) == []


def test_a_participant_invited_gets_no_grant(confidential, secretariat, member_fp):
    services.attendee_invite(actor=secretariat, meeting=confidential["meeting"], person=Person.objects.get(user=member_fp),
                             reason="Presents the UNDP study")
    assert not Grant.objects.filter(user=member_fp).exists()


def test_a_strictly_confidential_meeting_is_the_secretariats(secretariat, wg3_officer, member_fp, wg3, meeting_factory):
    with pytest.raises(PermissionDenied):
        meeting_factory(wg3, actor=wg3_officer, sensitivity="strictly_confidential", reason="Sources")
    meeting = meeting_factory(wg3, sensitivity="strictly_confidential", reason="Sources")
    assert meeting not in selectors.meeting_list(user=member_fp)
    services.attendee_invite(actor=secretariat, meeting=meeting, person=Person.objects.get(user=member_fp), reason="Sources")
    assert meeting in selectors.meeting_list(user=member_fp)


def test_an_officer_of_wg3_cannot_manage_a_wg4_meeting(wg3_officer, wg3, wg4, meeting_factory):
    own = meeting_factory(wg3, actor=wg3_officer)
    assert own.number == 1
    with pytest.raises(PermissionDenied):
        meeting_factory(wg4, actor=wg3_officer)
    other = meeting_factory(wg4)
    undp = Entity.objects.get(acronym="UNDP")
    attempts = [
        lambda: services.meeting_update(actor=wg3_officer, meeting=other, venue="Lyon"),
        lambda: services.meeting_cancel(actor=wg3_officer, meeting=other, reason="No"),
        lambda: services.agenda_item_add(actor=wg3_officer, meeting=other, title="Drones"),
        lambda: services.agenda_finalise(actor=wg3_officer, meeting=other),
        lambda: services.attendance_set(actor=wg3_officer, meeting=other, entity=undp, status="present"),
        lambda: services.minutes_save(actor=wg3_officer, meeting=other, text="Minutes."),
        lambda: services.decision_record(actor=wg3_officer, meeting=other, title="Drones", text="Decided."),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert other.agenda_items.count() == 1 and not other.decisions.exists()


def test_a_member_who_is_not_an_officer_does_not_manage(member_fp, wg3, meeting_factory):
    with pytest.raises(PermissionDenied):
        meeting_factory(wg3, actor=member_fp)
    meeting = meeting_factory(wg3)
    with pytest.raises(PermissionDenied):
        services.minutes_save(actor=member_fp, meeting=meeting, text="Minutes.")


def test_observers_can_never_be_recorded_as_adopting(secretariat, committee, wg3, meeting_factory):
    imf = Entity.objects.get(acronym="IMF")
    for body in (committee, wg3):  # the IMF observes the Compact (hence the Committee) and wg-3
        meeting = meeting_factory(body)
        with pytest.raises(ValidationError) as exc:
            services.decision_record(actor=secretariat, meeting=meeting, title="Budget", text="Adopted.", adopted_by=[imf])
        assert exc.value.message_dict["adopted_by"] == [
            f"IMF is an observer of {body} on 2024-06-03: observers do not adopt decisions."]
        decision = services.decision_record(actor=secretariat, meeting=meeting, title="Budget", text="Adopted.")
        with pytest.raises(ValidationError):
            services.decision_update(actor=secretariat, decision=decision, adopted_by=[imf])
        assert not decision.adopted_by.exists()


def test_the_admin_shows_meetings_read_only_to_the_secretariat(client, confidential, secretariat, member_fp):
    from compact.access.models import SecurityPolicy

    assert not SecurityPolicy.current().require_two_factor
    pages = [f"/admin/meetings/{name}/" for name in ("meeting", "decision", "actionitem")]
    pages += [f"/admin/meetings/meeting/{confidential['meeting'].pk}/change/",
              f"/admin/meetings/decision/{confidential['decision'].pk}/change/"]
    client.force_login(secretariat)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert b'name="_save"' not in response.content
    assert client.get("/admin/meetings/meeting/add/").status_code == 403
    client.force_login(member_fp)
    assert all(client.get(page).status_code in (302, 403) for page in pages)
