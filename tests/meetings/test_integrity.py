"""Rules that keep the meeting record whole (the meetings issue, as reviewed): final minutes never
change, a decision is adopted within its meeting's dates, invited people keep reading a meeting made
confidential, lengths and ranges refused as field errors, time zones from the list, and the language of
a user's e-mails. Values by hand from the default structure and ``conftest.py``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from compact.access.policy import Action, can
from compact.library.models import Document
from compact.meetings import selectors, services
from compact.meetings.models import MinutesComment, MinutesVersion


def _document(secretariat, wg3):
    from compact.library.services import document_create

    return document_create(actor=secretariat, reason="Filed", title="Minutes of the 1st meeting", kind="minutes",
                           owner_body=wg3, sensitivity="internal",
                           upload=SimpleUploadedFile("minutes.txt", b"The minutes."))


# --- 1. final minutes never change -----------------------------------------------------------------


def test_a_superseded_circulated_version_takes_no_comments(secretariat, member_fp, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="First text.")
    v1 = services.minutes_circulate(actor=secretariat, meeting=meeting)
    services.minutes_comment(actor=member_fp, version=v1, text="On v1, while it is the latest.")
    services.minutes_save(actor=secretariat, meeting=meeting, text="Second text.")  # v2, a draft
    v2 = services.minutes_circulate(actor=secretariat, meeting=meeting)
    assert (v1.number, v2.number) == (1, 2)
    with pytest.raises(ValidationError) as exc:
        services.minutes_comment(actor=member_fp, version=v1, text="Late, on v1.")
    assert "version" in exc.value.message_dict and "superseded" in exc.value.message_dict["version"][0]
    services.minutes_finalise(actor=secretariat, meeting=meeting)
    with pytest.raises(ValidationError):  # v1 still refused once v2 is final
        services.minutes_comment(actor=member_fp, version=v1, text="Later still.")
    assert list(MinutesComment.objects.values_list("version__number", "text")) == [(1, "On v1, while it is the latest.")]


def test_minutes_are_circulated_before_they_are_final(secretariat, meeting_factory, wg3):
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="Draft.")
    with pytest.raises(ValidationError) as exc:
        services.minutes_finalise(actor=secretariat, meeting=meeting)
    assert "circulate the minutes for comments first" in exc.value.message_dict["status"][0]
    assert MinutesVersion.objects.get(meeting=meeting).status == "draft"
    services.minutes_circulate(actor=secretariat, meeting=meeting)
    final = services.minutes_finalise(actor=secretariat, meeting=meeting)
    assert (final.number, final.status) == (1, "final")
    fixed = services.minutes_correct(actor=secretariat, meeting=meeting, text="Corrected.", reason="Typo")
    assert (fixed.number, fixed.status, fixed.corrects_id) == (2, "final", final.pk)


def test_the_file_of_final_minutes_is_not_replaced(secretariat, meeting_factory, wg3):
    from compact.library.services import document_delete, document_update

    document = _document(secretariat, wg3)
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="See the file.", document=document)
    services.minutes_circulate(actor=secretariat, meeting=meeting)
    # circulated: the file may still be replaced
    document_update(document=document, actor=secretariat, reason="Comments taken in",
                    upload=SimpleUploadedFile("minutes.txt", b"The minutes, revised."))
    sha = Document.objects.get(pk=document.pk).sha256
    services.minutes_finalise(actor=secretariat, meeting=meeting)
    with pytest.raises(ValidationError) as exc:
        document_update(document=document, actor=secretariat, reason="Swap",
                        upload=SimpleUploadedFile("minutes.txt", b"Other minutes."))
    assert exc.value.message_dict["upload"] == [
        f"These are the final minutes of {meeting}: record a correction instead."]
    with pytest.raises(ValidationError) as exc:
        document_delete(document=document, actor=secretariat, reason="Gone")
    assert "upload" in exc.value.message_dict
    stored = Document.objects.get(pk=document.pk)
    assert stored.sha256 == sha
    # other fields of the document may still change
    document_update(document=document, actor=secretariat, reason="Better title", title="Minutes, 1st meeting")


# --- 2. a decision is adopted within its meeting's dates -------------------------------------------


def test_a_decision_is_adopted_on_a_day_of_its_meeting(secretariat, meeting_factory, decision_factory, wg3, aware):
    # 2024-06-03 22:00 to 2024-06-04 01:00 in Asia/Tokyo: local days 3 and 4 June.
    meeting = meeting_factory(wg3, day=dt.date(2024, 6, 3), hours=(22, 23), zone="Asia/Tokyo")
    services.meeting_update(actor=secretariat, meeting=meeting, reason="Longer",
                            end=aware(dt.date(2024, 6, 4), 1, "Asia/Tokyo"))
    assert decision_factory(meeting, adopted_on=dt.date(2024, 6, 4)).adopted_on == dt.date(2024, 6, 4)
    for day in (dt.date(2024, 6, 2), dt.date(2024, 6, 5)):
        with pytest.raises(ValidationError) as exc:
            decision_factory(meeting, adopted_on=day)
        assert list(exc.value.message_dict) == ["adopted_on"]
    decision = decision_factory(meeting)  # default: the meeting's date in Tokyo
    assert decision.adopted_on == dt.date(2024, 6, 3)
    with pytest.raises(ValidationError) as exc:
        services.decision_update(actor=secretariat, decision=decision, adopted_on=dt.date(2024, 6, 10), reason="x")
    assert "adopted_on" in exc.value.message_dict


def test_an_all_day_meetings_last_day_is_the_day_before_its_end(secretariat, meeting_factory, decision_factory, wg3,
                                                                 aware):
    # All day 3 and 4 June in New York: ends at midnight starting 5 June (exclusive).
    meeting = meeting_factory(wg3, day=dt.date(2024, 6, 3), hours=(0, 1), zone="America/New_York", all_day=True)
    services.meeting_update(actor=secretariat, meeting=meeting, reason="Two days",
                            end=aware(dt.date(2024, 6, 5), 0, "America/New_York"))
    meeting.refresh_from_db()
    from compact.meetings import times

    assert times.meeting_days(meeting) == (dt.date(2024, 6, 3), dt.date(2024, 6, 4))
    assert decision_factory(meeting, adopted_on=dt.date(2024, 6, 4)).adopted_on == dt.date(2024, 6, 4)
    with pytest.raises(ValidationError) as exc:
        decision_factory(meeting, adopted_on=dt.date(2024, 6, 5))
    assert "adopted_on" in exc.value.message_dict


def test_a_meeting_is_not_moved_away_from_its_decisions(secretariat, meeting_factory, decision_factory, wg3, aware):
    meeting = meeting_factory(wg3, day=dt.date(2024, 6, 3))
    first = decision_factory(meeting)
    second = decision_factory(meeting, title="Another")
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(actor=secretariat, meeting=meeting, reason="Moved",
                                start=aware(dt.date(2024, 6, 10), 10), end=aware(dt.date(2024, 6, 10), 12))
    message = exc.value.message_dict["start"][0]
    assert first.reference in message and second.reference in message
    assert meeting.__class__.objects.get(pk=meeting.pk).start == aware(dt.date(2024, 6, 3), 10)
    # within the day: allowed; a zone that moves the local date away: refused
    services.meeting_update(actor=secretariat, meeting=meeting, reason="Later", start=aware(dt.date(2024, 6, 3), 14),
                            end=aware(dt.date(2024, 6, 3), 16))
    with pytest.raises(ValidationError) as exc:  # Pacific/Kiritimati is UTC+14: 14:00 UTC is 04:00 on 4 June there
        services.meeting_update(actor=secretariat, meeting=meeting, reason="Zone", time_zone="Pacific/Kiritimati")
    assert "start" in exc.value.message_dict


# --- 3. invited people keep reading a meeting made confidential ------------------------------------


def test_an_invited_outsider_still_reads_a_meeting_made_confidential(secretariat, outsider, meeting_factory, wg3):
    from django.contrib.contenttypes.models import ContentType

    from compact.access.models import Grant
    from compact.audit.models import ChangeEvent
    from compact.meetings.models import Meeting
    from compact.registry.models import Person

    meeting = meeting_factory(wg3)  # internal: the WCO representative reads it as any signed-in user
    assert can(outsider, Action.VIEW, meeting)
    services.attendee_invite(actor=secretariat, meeting=meeting, person=Person.objects.get(user=outsider))
    assert not Grant.objects.filter(user=outsider).exists()
    services.meeting_update(actor=secretariat, meeting=meeting, sensitivity="confidential", reason="Sources discussed")
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.sensitivity == "confidential"
    grant = Grant.objects.get(user=outsider, content_type=ContentType.objects.get_for_model(Meeting),
                              object_id=meeting.pk)
    assert grant.level == "read"
    assert can(outsider, Action.VIEW, meeting)
    assert selectors.meeting_get(user=outsider, pk=meeting.pk) == meeting
    assert meeting in selectors.meeting_list(user=outsider)
    events = ChangeEvent.objects.filter(object_type="meetings.meeting", object_id=str(meeting.pk),
                                        reason="Sources discussed").order_by("pk")
    assert [sorted(e.changes) for e in events] == [["sensitivity"], [f"grant:{outsider.get_username()}"]]


# --- 4. lengths and ranges are field errors, never database errors ---------------------------------

LONG_URL = "https://meet.example.org/" + "a" * 476  # 501 characters


def test_lengths_and_ranges_of_a_meeting_are_field_errors(secretariat, meeting_factory, wg3):
    assert len(LONG_URL) == 501
    cases = [
        ({"online_url": LONG_URL}, "online_url"),
        ({"venue": "V" * 301}, "venue"),
        ({"title": "T" * 301}, "title"),
        ({"title": {"fr": "T" * 301}}, "title"),
        ({"number": 32768}, "number"),
        ({"number": 0}, "number"),
        ({"reason": "R" * 501}, "reason"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            meeting_factory(wg3, **fields)
        assert field in exc.value.message_dict, fields
    assert meeting_factory(wg3, online_url=LONG_URL[:500], venue="V" * 300, reason="R" * 500).number == 1
    assert meeting_factory(wg3, number=32767).number == 32767
    with pytest.raises(ValidationError) as exc:  # the next free number would be 32768
        meeting_factory(wg3)
    assert "number" in exc.value.message_dict
    meeting = meeting_factory(wg3, number=5)
    for fields, field in [({"online_url": LONG_URL}, "online_url"), ({"venue": "V" * 301}, "venue"),
                          ({"reason": "R" * 501}, "reason")]:
        with pytest.raises(ValidationError) as exc:
            services.meeting_update(actor=secretariat, meeting=meeting, **fields)
        assert field in exc.value.message_dict, fields


def test_every_reason_longer_than_500_characters_is_refused_not_cut(secretariat, member_fp, meeting_factory,
                                                                    decision_factory, wg3):
    from compact.meetings.account_services import feed_token_create, preference_set

    long = "R" * 501
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="Minutes.")
    services.minutes_circulate(actor=secretariat, meeting=meeting)
    version = services.minutes_finalise(actor=secretariat, meeting=meeting)
    decision = decision_factory(meeting)
    attempts = [
        lambda: services.minutes_correct(actor=secretariat, meeting=meeting, text="Fixed.", reason=long),
        lambda: services.meeting_cancel(actor=secretariat, meeting=meeting, reason=long),
        lambda: services.agenda_item_add(actor=secretariat, meeting=meeting, title="Item", reason=long),
        lambda: services.agenda_finalise(actor=secretariat, meeting=meeting, reason=long),
        lambda: decision_factory(meeting, reason=long),
        lambda: services.decision_update(actor=secretariat, decision=decision, title="New", reason=long),
        lambda: services.action_item_create(actor=secretariat, decision=decision, title="Task", due=dt.date(2024, 9, 1),
                                            owner_body=wg3, reason=long),
        lambda: preference_set(actor=member_fp, time_zone="Asia/Tokyo", reason=long),
        lambda: feed_token_create(actor=member_fp, reason=long),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert list(exc.value.message_dict) == ["reason"]
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 1 and version.status == "final"
    fixed = services.minutes_correct(actor=secretariat, meeting=meeting, text="Fixed.", reason="R" * 500)
    assert fixed.reason == "R" * 500


def test_titles_and_evidence_links_of_decisions_and_action_items(secretariat, meeting_factory, decision_factory, wg3):
    meeting = meeting_factory(wg3)
    with pytest.raises(ValidationError) as exc:
        decision_factory(meeting, title="T" * 301)
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(actor=secretariat, meeting=meeting, title={"ar": "T" * 301})
    assert "title" in exc.value.message_dict
    decision = decision_factory(meeting)
    with pytest.raises(ValidationError) as exc:
        services.action_item_create(actor=secretariat, decision=decision, title="T" * 301, due=dt.date(2024, 9, 1),
                                    owner_body=wg3)
    assert "title" in exc.value.message_dict
    item = services.action_item_create(actor=secretariat, decision=decision, title="Task", due=dt.date(2024, 9, 1),
                                       owner_body=wg3)
    with pytest.raises(ValidationError) as exc:
        services.action_item_update(actor=secretariat, item=item, status="done", evidence_url=LONG_URL)
    assert list(exc.value.message_dict) == ["evidence_url"]
    done = services.action_item_update(actor=secretariat, item=item, status="done", evidence_url=LONG_URL[:500])
    assert done.evidence_url == LONG_URL[:500]
