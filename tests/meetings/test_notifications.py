"""E-mail notices (Django's locmem backend under pytest: ``mailoutbox``), sent after the services' commits.

Standing (``tests/meetings/conftest.py``): UNDP (``member_fp``, focal point) is a member of wg-3;
INTERPOL (``wg3_officer``) chairs wg-3; UNOCT (the ``secretariat`` user's entity) is a vice-chair of
wg-4, which UNODC chairs and CTED vice-chairs; WCO (``outsider``, a representative) takes no part in
wg-3. Users made by ``make_user`` have the address ``<username>@example.org``.
"""

from __future__ import annotations

import datetime as dt
import smtplib

import icalendar
import pytest
from django.core.management import CommandError, call_command

from compact.meetings import notifications, services
from compact.meetings.models import Notification, Preference
from compact.registry.models import Entity, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service and then its after-commit callbacks (the notices), as a real commit would."""
    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


@pytest.fixture
def meeting(meeting_factory, wg3):
    """An internal meeting of wg-3 on 2025-06-02 10:00-12:00 UTC, its participants' entities invited."""
    return meeting_factory(wg3, day=dt.date(2025, 6, 2), title="Border management")


def _to(message) -> list[str]:
    return [address.split("<")[-1].rstrip(">") for address in message.to]


def _calendar(message) -> icalendar.Calendar:
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert filename.endswith(".ics")
    return mimetype, icalendar.Calendar.from_ical(content)


def _person(user) -> Person:
    return Person.objects.get(user=user)


def test_an_invitation_carries_the_meeting_as_a_calendar_request(commit, meeting, outsider, secretariat, mailoutbox):
    commit(services.attendee_invite, actor=secretariat, meeting=meeting, person=_person(outsider), reason="Expert")
    (message,) = mailoutbox
    assert _to(message) == ["wco_rep@example.org"]
    assert message.subject == "Invitation: Border management, 2025-06-02 10:00–12:00 UTC (UTC+00:00)"
    assert "Dear Wco_Rep Example," in message.body
    assert f"/meetings/{meeting.pk}/" in message.body
    mimetype, cal = _calendar(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == meeting.uid
    assert str(event["ATTENDEE"]) == "mailto:wco_rep@example.org"
    notice = Notification.objects.get(user=outsider)
    assert (notice.kind, notice.key, notice.subject) == ("invitation", f"invitation:{meeting.pk}", message.subject)


def test_a_new_meeting_invites_the_focal_points_of_the_entities_taking_part(commit, world, wg3, member_fp, outsider,
                                                                             secretariat, mailoutbox):
    """Scheduling a meeting invites the entities taking part in its body that day: their focal points
    (UNDP's, a member of wg-3) are e-mailed the invitation; WCO, which takes no part, is not. A meeting
    recorded after it took place invites nobody."""
    from django.utils import timezone

    start = (timezone.now() + dt.timedelta(days=30)).replace(microsecond=0)
    commit(services.meeting_create, actor=secretariat, body=wg3, start=start, end=start + dt.timedelta(hours=2),
           time_zone="UTC", title="Planning", reason="Scheduled")
    assert "undp_fp@example.org" in [address for message in mailoutbox for address in _to(message)]
    assert "wco_rep@example.org" not in [address for message in mailoutbox for address in _to(message)]
    assert all(message.subject.startswith("Invitation: Planning") for message in mailoutbox)
    sent = len(mailoutbox)
    past = start - dt.timedelta(days=400)
    commit(services.meeting_create, actor=secretariat, body=wg3, start=past, end=past + dt.timedelta(hours=2),
           time_zone="UTC", title="Recorded afterwards", reason="Record")
    assert len(mailoutbox) == sent


def test_an_invitation_is_sent_once(meeting, outsider, mailoutbox):
    assert notifications.notify_invitation(meeting, [_person(outsider)]) == 1
    assert notifications.notify_invitation(meeting, [_person(outsider)]) == 0
    assert len(mailoutbox) == 1


def test_a_user_who_opted_out_gets_no_invitation(meeting, outsider, mailoutbox):
    Preference.objects.create(user=outsider, notify_invitations=False)
    assert notifications.notify_invitation(meeting, [_person(outsider)]) == 0
    assert mailoutbox == [] and not Notification.objects.exists()


def test_the_invitation_gives_the_time_in_the_recipients_zone_too(meeting_factory, wg3, outsider, mailoutbox):
    # 09:00-11:00 JST on 2025-03-10 = 20:00-22:00 EDT on 2025-03-09 (New York on summer time since 03-09).
    tokyo = meeting_factory(wg3, day=dt.date(2025, 3, 10), hours=(9, 11), zone="Asia/Tokyo", title="Tokyo")
    Preference.objects.create(user=outsider, time_zone="America/New_York")
    notifications.notify_invitation(tokyo, [_person(outsider)])
    (message,) = mailoutbox
    assert "When: 2025-03-10 09:00–11:00 Asia/Tokyo (UTC+09:00)" in message.body
    assert "In your time zone: 2025-03-09 20:00–22:00 America/New_York (UTC-04:00)" in message.body


def test_a_person_without_an_account_is_e_mailed_but_not_recorded(meeting_factory, wg3, secretariat, mailoutbox):
    from compact.meetings.models import Attendee

    guest = Person.objects.create(entity=Entity.objects.get(acronym="WCO"), given_name="Grace", family_name="Guest",
                                  function="representative", email="grace@example.org")
    public = meeting_factory(wg3, day=dt.date(2025, 6, 9), title="Open session", sensitivity="public")
    Attendee.objects.create(meeting=public, person=guest)
    assert notifications.notify_invitation(public, [guest]) == 1
    assert _to(mailoutbox[0]) == ["grace@example.org"]
    assert not Notification.objects.exists()
    # Internal and confidential content is e-mailed only to accounts, for which the access policy can be asked.
    for level, day in (("internal", 10), ("confidential", 11)):
        closed = meeting_factory(wg3, day=dt.date(2025, 6, day), title="Closed session", sensitivity=level)
        Attendee.objects.create(meeting=closed, person=guest)
        assert notifications.notify_invitation(closed, [guest]) == 0
    assert len(mailoutbox) == 1


def test_people_without_an_account_get_only_notices_of_public_meetings_they_are_named_to(
        commit, meeting_factory, wg3, secretariat, member_fp, mailoutbox):
    from compact.meetings.models import Attendee

    # UNDP attends wg-3's meetings; its second focal point has no account. WCO's guest is invited by name.
    undp_fp2 = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Uma", family_name="Nouser",
                                     function="focal_point", email="uma@example.org")
    guest = Person.objects.create(entity=Entity.objects.get(acronym="WCO"), given_name="Grace", family_name="Guest",
                                  function="representative", email="grace@example.org")
    addresses = {}
    for level, day in (("public", 9), ("internal", 10)):
        meeting = meeting_factory(wg3, day=dt.date(2025, 6, day), title=f"{level} session", sensitivity=level)
        Attendee.objects.create(meeting=meeting, person=guest)
        mailoutbox.clear()
        assert notifications.notify_invitation(meeting, [guest, undp_fp2]) == (1 if level == "public" else 0)
        commit(services.meeting_update, actor=secretariat, meeting=meeting, venue="Room 2", reason="Moved")
        commit(services.minutes_save, actor=secretariat, meeting=meeting, text="Opened.")
        commit(services.minutes_circulate, actor=secretariat, meeting=meeting)
        addresses[level] = [a for m in mailoutbox for a in _to(m)]
    # Public: the named guest gets the invitation, the change and the minutes; the entity's focal point
    # without an account gets nothing; the focal point with an account (member_fp) gets the change and minutes.
    assert sorted(a for a in addresses["public"] if a != "undp_fp@example.org") == ["grace@example.org"] * 3
    assert "uma@example.org" not in addresses["public"]
    assert "undp_fp@example.org" in addresses["public"]
    # Internal: only accounts.
    assert "grace@example.org" not in addresses["internal"] and "uma@example.org" not in addresses["internal"]
    assert "undp_fp@example.org" in addresses["internal"]


def test_a_user_who_may_not_read_the_meeting_is_not_told_of_it(meeting_factory, wg3, outsider, mailoutbox):
    closed = meeting_factory(wg3, day=dt.date(2025, 6, 10), title="Closed session", sensitivity="confidential")
    assert notifications.notify_invitation(closed, [_person(outsider)]) == 0
    assert mailoutbox == []


def test_a_change_is_told_to_the_invited_with_the_new_sequence(commit, meeting, member_fp, outsider, secretariat,
                                                              mailoutbox):
    commit(services.meeting_update, actor=secretariat, meeting=meeting, venue="Room B", reason="Bigger room")
    recipients = {address for message in mailoutbox for address in _to(message)}
    # UNDP attends through its entity's attendance (a member of wg-3); WCO is not invited.
    assert "undp_fp@example.org" in recipients and "wco_rep@example.org" not in recipients
    message = next(m for m in mailoutbox if _to(m) == ["undp_fp@example.org"])
    assert message.subject.startswith("Changed: Border management")
    assert "Where: Room B" in message.body
    mimetype, cal = _calendar(message)
    (event,) = cal.walk("VEVENT")
    assert (mimetype, event.decoded("SEQUENCE"), str(event["LOCATION"])) == ("text/calendar; method=REQUEST", 1, "Room B")
    assert Notification.objects.get(user=member_fp).key == f"meeting:{meeting.pk}:1"


def test_a_cancellation_is_a_calendar_cancel(commit, meeting, member_fp, secretariat, mailoutbox):
    commit(services.meeting_cancel, actor=secretariat, meeting=meeting, reason="No quorum")
    message = next(m for m in mailoutbox if _to(m) == ["undp_fp@example.org"])
    assert message.subject.startswith("Cancelled: Border management")
    mimetype, cal = _calendar(message)
    (event,) = cal.walk("VEVENT")
    assert mimetype == "text/calendar; method=CANCEL" and str(cal["METHOD"]) == "CANCEL"
    assert (str(event["STATUS"]), event.decoded("SEQUENCE"), str(event["UID"])) == ("CANCELLED", 1, meeting.uid)


def test_circulated_minutes_are_told_to_the_invited(commit, meeting, member_fp, secretariat, mailoutbox):
    services.minutes_save(actor=secretariat, meeting=meeting, text="The group met.", reason="Draft")
    version = commit(services.minutes_circulate, actor=secretariat, meeting=meeting, reason="For comments")
    message = next(m for m in mailoutbox if _to(m) == ["undp_fp@example.org"])
    assert message.subject == "Minutes for comments (version 1): Border management"
    assert message.attachments == []
    assert Notification.objects.get(user=member_fp).key == f"minutes:{version.pk}"


def test_minutes_respect_their_own_opt_out(meeting, member_fp, secretariat, mailoutbox):
    Preference.objects.create(user=member_fp, notify_minutes=False)
    version = services.minutes_save(actor=secretariat, meeting=meeting, text="The group met.", reason="Draft")
    notifications.notify_minutes_circulated(version)
    assert "undp_fp@example.org" not in {a for m in mailoutbox for a in _to(m)}


@pytest.fixture
def decision(meeting, decision_factory):
    return decision_factory(meeting, title="Border data sharing")


def test_a_new_action_item_is_told_to_the_focal_points_of_the_tasked_entity(commit, decision, member_fp, make_user,
                                                                            secretariat, mailoutbox):
    make_user("undp_rep", entity="UNDP", function="representative")
    item = commit(services.action_item_create, actor=secretariat, decision=decision, title="Draft the protocol",
                  due=dt.date(2025, 9, 30), owner_entity=Entity.objects.get(acronym="UNDP"), reason="Tasked")
    (message,) = mailoutbox
    assert _to(message) == ["undp_fp@example.org"]
    assert message.subject == "New action for UNDP: Draft the protocol (due 2025-09-30)"
    assert f"Decision: {decision.reference} Border data sharing" in message.body
    assert f"/meetings/actions/{item.pk}/" in message.body
    assert Notification.objects.get(user=member_fp).key == f"action_item:{item.pk}"


def test_an_action_item_for_a_body_goes_to_the_focal_points_of_its_leaders(decision, secretariat, wg4, mailoutbox):
    # wg-4 is led by UNODC (chair), CTED and UNOCT (vice-chairs): the secretariat user is UNOCT's focal point.
    item = services.action_item_create(actor=secretariat, decision=decision, title="Review the guidance",
                                       due=dt.date(2025, 9, 30), owner_body=wg4, reason="Tasked")
    assert notifications.notify_action_item(item) == 1
    assert _to(mailoutbox[0]) == ["sec@example.org"]


def test_a_strictly_confidential_item_is_not_e_mailed_to_those_who_may_not_read_it(decision, member_fp, secretariat,
                                                                                    mailoutbox):
    item = services.action_item_create(actor=secretariat, decision=decision, title="Sensitive", due=dt.date(2025, 9, 30),
                                       owner_entity=Entity.objects.get(acronym="UNDP"),
                                       sensitivity="strictly_confidential", reason="Tasked")
    assert notifications.notify_action_item(item) == 0
    assert mailoutbox == []


@pytest.fixture
def late_item(decision, secretariat, member_fp):
    return services.action_item_create(actor=secretariat, decision=decision, title="Draft the protocol",
                                       due=dt.date(2025, 1, 10), owner_entity=Entity.objects.get(acronym="UNDP"),
                                       reason="Tasked")


def test_an_overdue_item_is_told_once_per_due_date(late_item, member_fp, secretariat, mailoutbox):
    # Due 2025-01-10: not overdue that day, overdue from 2025-01-11.
    assert notifications.notify_overdue(dt.date(2025, 1, 10)) == 0
    assert notifications.notify_overdue(dt.date(2025, 1, 11)) == 1
    assert notifications.notify_overdue(dt.date(2025, 1, 12)) == 0
    (message,) = mailoutbox
    assert message.subject == "Overdue action for UNDP: Draft the protocol (due 2025-01-10)"
    assert "This action was due 1 day ago and is still open." in message.body
    assert Notification.objects.get(user=member_fp, kind="overdue").key == f"overdue:{late_item.pk}:2025-01-10"
    services.action_item_update(actor=secretariat, item=late_item, due=dt.date(2025, 2, 1), reason="Extended")
    assert notifications.notify_overdue(dt.date(2025, 2, 4)) == 1
    assert "This action was due 3 days ago" in mailoutbox[-1].body


def test_a_done_item_is_not_overdue(late_item, member_fp, mailoutbox):
    services.action_item_update(actor=member_fp, item=late_item, status="done", evidence_note="Signed on 2025-01-09")
    assert notifications.notify_overdue(dt.date(2025, 1, 11)) == 0


def test_overdue_notices_respect_the_opt_out(late_item, member_fp, mailoutbox):
    Preference.objects.create(user=member_fp, notify_overdue=False)
    assert notifications.notify_overdue(dt.date(2025, 1, 11)) == 0
    assert mailoutbox == []


def test_the_command_says_how_many_it_sent(late_item, capsys, mailoutbox):
    call_command("notify_overdue", "--date", "2025-01-11")
    assert capsys.readouterr().out.strip() == "1 overdue notice sent (as of 2025-01-11)."
    call_command("notify_overdue", "--date", "2025-01-11")
    assert capsys.readouterr().out.strip() == "0 overdue notices sent (as of 2025-01-11)."
    assert len(mailoutbox) == 1


def test_the_command_refuses_a_malformed_date(db):
    with pytest.raises(CommandError) as caught:
        call_command("notify_overdue", "--date", "11/01/2025")
    assert caught.value.returncode == 2


def test_a_mail_server_failure_records_nothing_and_is_sent_next_time(meeting, outsider, monkeypatch, mailoutbox):
    from django.core.mail import EmailMessage

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connection lost")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", refuse)
        assert notifications.notify_invitation(meeting, [_person(outsider)]) == 0
    assert not Notification.objects.exists()
    assert notifications.notify_invitation(meeting, [_person(outsider)]) == 1


def test_the_invited_are_those_named_then_the_focal_points_and_representatives_of_attending_entities(
        meeting, make_user, member_fp, outsider, secretariat):
    # UNDP attends wg-3's meeting through its entity: its focal point, and a representative for wg-3, are
    # invited; a UNDP representative for another body is not; WCO's representative, invited by name, is.
    make_user("undp_wg3", entity="UNDP", function="representative", body="wg-3")
    make_user("undp_wg1", entity="UNDP", function="representative", body="wg-1")
    services.attendee_invite(actor=secretariat, meeting=meeting, person=_person(outsider), reason="Expert")
    invited = notifications.invited_people(meeting)
    assert invited[0] == _person(outsider)
    names = {p.user.username for p in invited if p.user_id}
    assert {"wco_rep", "undp_fp", "undp_wg3"} <= names and "undp_wg1" not in names
    assert len(invited) == len({p.pk for p in invited})
