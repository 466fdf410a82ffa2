"""The meeting forms: all-day meetings on a day whose midnight does not exist, an evidence document the
user may not read kept through a progress report, and the model's limits shown as field errors.

America/Santiago (tz database): on 2024-09-08 the clocks went from 00:00 (UTC-04:00) to 01:00
(UTC-03:00), so that day began at 01:00 local, 04:00 UTC; 2024-09-09 began at 00:00 UTC-03:00, 03:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import pytest

from compact.meetings import services
from compact.meetings.models import ActionItem, Meeting

pytestmark = pytest.mark.django_db


def _meeting_post(**overrides) -> dict:
    data = {"body": "", "title_en": "Day of dialogue", "time_zone": "America/Santiago", "start_date": "2024-09-08",
            "start_time": "", "end_date": "2024-09-08", "end_time": "", "all_day": "on", "venue": "Santiago",
            "online_url": "", "sensitivity": "internal", "invite_participants": "on", "reason": ""}
    data.update(overrides)
    return data


def test_an_all_day_meeting_on_a_day_without_midnight_is_accepted(wg3, wg3_officer, client):
    client.force_login(wg3_officer)
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk))
    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.get(title_en="Day of dialogue")
    assert meeting.all_day
    assert meeting.start == dt.datetime(2024, 9, 8, 4, tzinfo=dt.UTC)
    assert meeting.end == dt.datetime(2024, 9, 9, 3, tzinfo=dt.UTC)
    # Edited as two days, through the same form: to midnight after 2024-09-09 (UTC-03:00), 03:00 UTC on the 10th.
    response = client.post(f"/meetings/{meeting.pk}/edit/", _meeting_post(end_date="2024-09-09"))
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert (meeting.start, meeting.end) == (dt.datetime(2024, 9, 8, 4, tzinfo=dt.UTC),
                                            dt.datetime(2024, 9, 10, 3, tzinfo=dt.UTC))


def test_an_all_day_meeting_ending_before_it_starts_is_refused_on_the_end_date(wg3, wg3_officer, client):
    client.force_login(wg3_officer)
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk, end_date="2024-09-07"))
    assert response.status_code == 400 and "end_date" in response.context["form"].errors


@pytest.fixture
def item_with_hidden_evidence(wg3, secretariat, meeting_factory, decision_factory):
    from compact.library.models import Document
    from compact.registry.models import Entity

    decision = decision_factory(meeting_factory(wg3))
    item = services.action_item_create(actor=secretariat, decision=decision, title="Map the projects",
                                       due=dt.date(2999, 1, 1), owner_entity=Entity.objects.get(acronym="UNDP"),
                                       reason="Test")
    hidden = Document.objects.create(title_en="Sealed report", title="Sealed report", kind="report", owner_body=wg3,
                                     sensitivity="strictly_confidential")
    return services.action_item_update(actor=secretariat, item=item, evidence_document=hidden, reason="Evidence"), hidden


def test_a_progress_report_keeps_an_evidence_document_the_user_may_not_read(item_with_hidden_evidence, member_fp,
                                                                            client):
    item, hidden = item_with_hidden_evidence
    client.force_login(member_fp)  # UNDP's focal point: may change the item, may not read the document
    page = client.get(f"/meetings/actions/{item.pk}/").content.decode()
    assert "Sealed report" not in page
    response = client.post(f"/meetings/actions/{item.pk}/", {"status": "done", "evidence_document": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.evidence_document) == (ActionItem.Status.DONE, hidden)


def test_the_models_limits_are_field_errors(wg3, wg3_officer, secretariat, member_fp, meeting_factory,
                                           decision_factory, client):
    client.force_login(wg3_officer)
    long_url = "https://example.org/" + "a" * 490
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk, number="32768", online_url=long_url,
                                                           reason="r" * 501))
    assert response.status_code == 400
    assert {"number", "online_url", "reason"} <= set(response.context["form"].errors)
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk, number="0"))
    assert response.status_code == 400 and "number" in response.context["form"].errors
    # 497 characters without a scheme become 505 with "https://": too long.
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk, online_url="example.org/" + "b" * 485))
    assert response.status_code == 400 and "online_url" in response.context["form"].errors
    assert not Meeting.objects.exists()
    decision = decision_factory(meeting_factory(wg3))
    from compact.registry.models import Entity
    item = services.action_item_create(actor=secretariat, decision=decision, title="Map", due=dt.date(2999, 1, 1),
                                       owner_entity=Entity.objects.get(acronym="UNDP"), reason="Test")
    client.force_login(member_fp)
    response = client.post(f"/meetings/actions/{item.pk}/", {"status": "in_progress", "evidence_url": long_url,
                                                             "reason": "r" * 501})
    assert response.status_code == 400
    assert {"evidence_url", "reason"} <= set(response.context["form"].errors)


def test_a_step_with_a_too_long_reason_is_refused_not_done_without_it(wg3, secretariat, meeting_factory, client):
    meeting = meeting_factory(wg3)
    client.force_login(secretariat)
    response = client.post(f"/meetings/{meeting.pk}/agenda/finalise/", {"reason": "r" * 501}, follow=True)
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.agenda_status == Meeting.AgendaStatus.DRAFT
    assert "500" in " ".join(str(m) for m in response.context["messages"])
    client.post(f"/meetings/{meeting.pk}/agenda/finalise/", {"reason": "Agreed"})
    meeting.refresh_from_db()
    assert meeting.agenda_status == Meeting.AgendaStatus.FINAL
