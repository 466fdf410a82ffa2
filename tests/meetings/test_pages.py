"""The meeting pages: times in the meeting's zone and the viewer's, who sees what, the managers' forms
(meeting, agenda, attendance, minutes, decisions, action items) and bounded query counts.

The world is ``tests/meetings/conftest.py``'s: working group 3 (wg-3) with INTERPOL, UNODA, UNICRI and OPCW
(its officers) and UNDP as members and the IMF as an observer from 2024-03-01; the users ``secretariat``,
``wg3_officer`` (INTERPOL focal point), ``member_fp`` (UNDP), ``observer_fp`` (IMF) and ``outsider`` (WCO
representative, no part in wg-3).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compact.meetings import services
from compact.meetings.models import ActionItem, AgendaItem, Attendance, Attendee, Decision, Meeting

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, css_class: str) -> str:
    """The text of the first element whose class list holds ``css_class``, up to its closing tag's line."""
    match = re.search(rf'class="[^"]*\b{re.escape(css_class)}\b[^"]*"[^>]*>(.*?)</(dd|td|table|div|section|ol|ul|p)>',
                      html, re.S)
    assert match, f"no element .{css_class}"
    return _text(match.group(1))


def _tokyo_meeting(body, secretariat, **fields):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    return services.meeting_create(actor=secretariat, body=body, start=dt.datetime(2025, 3, 10, 9, tzinfo=tokyo),
                                   end=dt.datetime(2025, 3, 10, 11, tzinfo=tokyo), time_zone="Asia/Tokyo",
                                   title="Tokyo consultations", reason="Scheduled", **fields)


# --- times -----------------------------------------------------------------------------------------


def test_a_tokyo_meeting_is_shown_in_new_york_time_to_a_viewer_there(wg3, secretariat, member_fp, client):
    """09:00-11:00 JST on 10 March 2025 is 00:00-02:00 UTC, i.e. 20:00-22:00 EDT on 9 March (daylight time
    began in New York on 9 March 2025 at 02:00, so the offset is UTC-04:00)."""
    from compact.meetings.models import Preference

    meeting = _tokyo_meeting(wg3, secretariat)
    Preference.objects.create(user=member_fp, time_zone="America/New_York")
    client.force_login(member_fp)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    own = _section(html, "meeting-time")
    assert "2025-03-10 09:00" in own and "11:00" in own and "JST" in own and "Asia/Tokyo" in own and "UTC+09:00" in own
    viewer = _section(html, "viewer-time")
    assert "2025-03-09 20:00" in viewer and "22:00" in viewer
    assert "EDT" in viewer and "America/New_York" in viewer and "UTC-04:00" in viewer
    assert "the day before" in viewer
    assert 'datetime="2025-03-09T20:00-04:00"' in html and 'datetime="2025-03-10T09:00+09:00"' in html


def test_a_viewer_in_the_meetings_own_zone_sees_its_times_once(wg3, secretariat, member_fp, client):
    from compact.meetings.models import Preference

    meeting = _tokyo_meeting(wg3, secretariat)
    Preference.objects.create(user=member_fp, time_zone="Asia/Tokyo")
    client.force_login(member_fp)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "viewer-time" not in html and "In your time zone" not in html


def test_a_meeting_past_midnight_is_marked_plus_one_day(wg3, secretariat, client, aware):
    """22:00 UTC to 01:00 UTC the next day: the end is on 4 June, one day later."""
    meeting = services.meeting_create(actor=secretariat, body=wg3, start=aware(dt.date(2024, 6, 3), 22),
                                      end=aware(dt.date(2024, 6, 4), 1), time_zone="UTC", reason="Late session")
    client.force_login(secretariat)
    own = _section(client.get(f"/meetings/{meeting.pk}/").content.decode(), "meeting-time")
    assert "2024-06-03 22:00" in own and "2024-06-04 01:00" in own and "+1 day" in own


def test_the_list_shows_times_in_the_viewers_zone(wg3, secretariat, member_fp, client):
    from compact.meetings.models import Preference

    _tokyo_meeting(wg3, secretariat)
    Preference.objects.create(user=member_fp, time_zone="America/New_York")
    client.force_login(member_fp)
    html = client.get("/meetings/").content.decode()
    assert "2025-03-09" in html and "20:00" in html and "Times in your time zone, America/New_York." in _text(html)


# --- who sees what ---------------------------------------------------------------------------------


def test_a_confidential_meeting_is_invisible_to_those_outside_the_body(wg3, secretariat, outsider, observer_fp,
                                                                       meeting_factory, client):
    meeting_factory(wg3, title="Open session", sensitivity="internal")
    secret = meeting_factory(wg3, day=dt.date(2024, 6, 10), title="Closed session", sensitivity="confidential")
    client.force_login(outsider)
    html = client.get("/meetings/").content.decode()
    assert "Open session" in html and "Closed session" not in html
    assert "1 meeting" in _text(html)
    assert client.get(f"/meetings/{secret.pk}/").status_code == 404
    assert client.get(f"/meetings/{secret.pk}/pack.pdf").status_code == 404
    assert client.get(f"/api/meetings/{secret.pk}/").status_code == 404
    client.force_login(observer_fp)  # the IMF observes wg-3: a participant
    html = client.get("/meetings/?body=wg-3").content.decode()
    assert "Closed session" in html and "2 meetings" in _text(html)
    assert client.get(f"/meetings/{secret.pk}/").status_code == 200


def test_a_visitor_sees_public_meetings_only(wg3, meeting_factory, client):
    meeting_factory(wg3, title="Public briefing", sensitivity="public")
    meeting_factory(wg3, day=dt.date(2024, 6, 10), title="Internal session")
    html = client.get("/meetings/").content.decode()
    assert "Public briefing" in html and "Internal session" not in html


def test_the_list_filters_by_body_and_by_time(wg3, wg4, meeting_factory, secretariat, client, aware):
    meeting_factory(wg3, title="Group three")
    meeting_factory(wg4, title="Group four")
    future = dt.date.today() + dt.timedelta(days=30)
    meeting_factory(wg3, day=future, title="Group three later")
    client.force_login(secretariat)
    html = client.get("/meetings/?body=wg-3").content.decode()
    assert "Group three" in html and "Group four" not in html and "2 meetings" in _text(html)
    html = client.get("/meetings/?when=upcoming").content.decode()
    assert "Group three later" in html and "Group four" not in html
    html = client.get("/meetings/?q=four").content.decode()
    assert "Group four" in html and "Group three" not in html
    assert client.get("/meetings/?body=no-such-body").status_code == 400


def test_a_cancelled_meeting_says_so(wg3, secretariat, meeting_factory, client):
    meeting = meeting_factory(wg3, title="To be cancelled")
    services.meeting_cancel(actor=secretariat, meeting=meeting, reason="No quorum")
    client.force_login(secretariat)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "This meeting is cancelled." in html
    assert "meeting-cancelled" in client.get("/meetings/").content.decode()


def test_the_meeting_page_in_arabic_is_right_to_left(wg3, meeting_factory, secretariat, client):
    meeting = meeting_factory(wg3, title={"en": "Session", "ar": "جلسة"})
    client.force_login(secretariat)
    html = client.get(f"/meetings/{meeting.pk}/?lang=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in html and "جلسة" in html


# --- managers' forms -------------------------------------------------------------------------------


def _meeting_post(**overrides) -> dict:
    data = {"body": "", "title_en": "Fourth session", "time_zone": "Europe/Vienna", "start_date": "2025-05-20",
            "start_time": "10:00", "end_date": "2025-05-20", "end_time": "13:00", "venue": "Vienna International Centre",
            "online_url": "", "sensitivity": "internal", "invite_participants": "on", "reason": ""}
    data.update(overrides)
    return data


def test_an_officer_adds_a_meeting_through_the_form(wg3, wg3_officer, client):
    """10:00-13:00 in Vienna on 20 May 2025 (CEST, UTC+2) is 08:00-11:00 UTC."""
    client.force_login(wg3_officer)
    assert client.get("/meetings/new/?body=wg-3").status_code == 200
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk))
    assert response.status_code == 302
    meeting = Meeting.objects.get(title_en="Fourth session")
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert (meeting.body, meeting.number, meeting.time_zone) == (wg3, 1, "Europe/Vienna")
    assert meeting.start == dt.datetime(2025, 5, 20, 8, tzinfo=dt.UTC)
    assert meeting.end == dt.datetime(2025, 5, 20, 11, tzinfo=dt.UTC)
    # Invited: wg-3's five members and the IMF, an observer since 2024-03-01.
    assert sorted(Attendance.objects.filter(meeting=meeting).values_list("entity__acronym", "capacity")) == [
        ("IMF", "observer"), ("INTERPOL", "member"), ("OPCW", "member"), ("UNDP", "member"), ("UNICRI", "member"),
        ("UNODA", "member")]
    assert AgendaItem.objects.get(meeting=meeting).kind == AgendaItem.Kind.MATTERS_ARISING


def test_a_time_the_clocks_skip_is_refused_on_its_field(wg3, wg3_officer, client):
    """New York's clocks jumped from 02:00 to 03:00 on 9 March 2025: 02:30 did not exist."""
    client.force_login(wg3_officer)
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk, time_zone="America/New_York",
                                                           start_date="2025-03-09", start_time="02:30", end_time="04:00",
                                                           end_date="2025-03-09"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "start_time" in errors and "does not exist in America/New_York" in " ".join(errors["start_time"])
    assert 'id="start_time-errors"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_only_managers_reach_the_forms(wg3, member_fp, outsider, meeting_factory, client):
    meeting = meeting_factory(wg3)
    assert client.get("/meetings/new/")["Location"].startswith("/account/login/")
    client.force_login(member_fp)  # a member of wg-3, not its officer; UNDP is vice-chair of wg-1
    form = client.get("/meetings/new/").context["form"]
    assert [b.key for b in form.fields["body"].queryset] == ["wg-1"]
    response = client.post("/meetings/new/", _meeting_post(body=wg3.pk))
    assert response.status_code == 400 and "body" in response.context["form"].errors
    assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 403
    assert client.post(f"/meetings/{meeting.pk}/agenda/new/", {"title_en": "x"}).status_code == 403
    assert "edit-meeting" not in client.get(f"/meetings/{meeting.pk}/").content.decode()
    client.force_login(outsider)  # may read the internal meeting, not manage it, and manages no body
    assert client.get("/meetings/new/").status_code == 403
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 403


def test_editing_a_meeting_keeps_its_body_and_number_and_raises_its_sequence(wg3, secretariat, meeting_factory, client):
    meeting = meeting_factory(wg3, title="Before")
    client.force_login(secretariat)
    response = client.post(f"/meetings/{meeting.pk}/edit/", _meeting_post(
        title_en="After", time_zone="UTC", start_date="2024-06-03", start_time="11:00", end_date="2024-06-03",
        end_time="12:00", reason="Moved by an hour"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title_en, meeting.number, meeting.body, meeting.sequence) == ("After", 1, wg3, 1)
    assert meeting.start == dt.datetime(2024, 6, 3, 11, tzinfo=dt.UTC)


def test_cancelling_needs_a_reason(wg3, secretariat, meeting_factory, client):
    meeting = meeting_factory(wg3)
    client.force_login(secretariat)
    assert client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": ""}).status_code == 400
    assert client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Postponed"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_agenda_items_are_added_moved_and_removed(wg3, secretariat, meeting_factory, client):
    meeting = meeting_factory(wg3)
    client.force_login(secretariat)
    for title, outcome in (("Workplan 2025", "decision"), ("Briefing", "information")):
        response = client.post(f"/meetings/{meeting.pk}/agenda/new/", {"title_en": title, "expected_outcome": outcome})
        assert response.status_code == 302
    titles = lambda: list(meeting.agenda_items.order_by("position").values_list("title_en", flat=True))  # noqa: E731
    assert titles() == ["Matters arising", "Workplan 2025", "Briefing"]
    briefing = meeting.agenda_items.get(title_en="Briefing")
    assert client.post(f"/meetings/{meeting.pk}/agenda/{briefing.pk}/move/", {"op": "up"}).status_code == 302
    assert titles() == ["Matters arising", "Briefing", "Workplan 2025"]
    arising = meeting.agenda_items.get(kind="matters_arising")
    client.post(f"/meetings/{meeting.pk}/agenda/{arising.pk}/remove/", {})
    assert "Matters arising" in titles()
    client.post(f"/meetings/{meeting.pk}/agenda/{briefing.pk}/remove/", {})
    assert titles() == ["Matters arising", "Workplan 2025"]
    response = client.post(f"/meetings/{meeting.pk}/agenda/new/", {"title_en": "", "expected_outcome": "decision"})
    assert response.status_code == 400 and "title_en" in response.context["form"].errors
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Workplan 2025" in html and "for decision" in html


def test_matters_arising_list_the_bodys_open_and_overdue_action_items(wg3, secretariat, meeting_factory,
                                                                      decision_factory, client):
    """A decision of the 3 June 2024 meeting tasks UNDP, due 1 July 2024 (overdue by the 2 September meeting)
    and wg-3 itself, due 1 December 2024 (open, not overdue); a third item, done, does not arise."""
    from compact.registry.models import Entity

    first = meeting_factory(wg3, title="First")
    decision = decision_factory(first, title="Workplan adopted")
    late = services.action_item_create(actor=secretariat, decision=decision, title="Report on the workshops",
                                       due=dt.date(2024, 7, 1), owner_entity=Entity.objects.get(acronym="UNDP"),
                                       reason="Tasked")
    services.action_item_create(actor=secretariat, decision=decision, title="Draft the 2025 workplan",
                                due=dt.date(2024, 12, 1), owner_body=wg3, reason="Tasked")
    done = services.action_item_create(actor=secretariat, decision=decision, title="Circulate the report",
                                       due=dt.date(2024, 6, 20), owner_body=wg3, reason="Tasked")
    services.action_item_update(actor=secretariat, item=done, status="done", evidence_note="Sent on 19 June",
                                reason="Done")
    second = meeting_factory(wg3, day=dt.date(2024, 9, 2), title="Second")
    client.force_login(secretariat)
    html = client.get(f"/meetings/{second.pk}/").content.decode()
    table = html[html.index('class="table table-sm align-middle matters-arising"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr data-action-item="(\d+)"( class="table-danger")?>', table)
    assert [int(pk) for pk, _cls in rows][0] == late.pk  # overdue first
    assert len(rows) == 2 and rows[0][1] and not rows[1][1]
    assert "Report on the workshops" in table and "Draft the 2025 workplan" in table and "Circulate the report" not in table
    assert "overdue" in _text(table) and decision.reference in table


def test_attendance_and_invitations(wg3, secretariat, meeting_factory, client):
    from compact.registry.models import Entity, Person

    meeting = meeting_factory(wg3)
    client.force_login(secretariat)
    opcw = Entity.objects.get(acronym="OPCW")
    assert client.post(f"/meetings/{meeting.pk}/attendance/", {"entity": opcw.pk, "status": "present"}).status_code == 302
    assert Attendance.objects.get(meeting=meeting, entity=opcw).status == "present"
    wco = Entity.objects.get(acronym="WCO")  # takes no part in wg-3: a guest
    client.post(f"/meetings/{meeting.pk}/attendance/", {"entity": wco.pk, "status": "invited"})
    assert Attendance.objects.get(meeting=meeting, entity=wco).capacity == Attendance.Capacity.GUEST
    person = Person.objects.create(entity=wco, given_name="Ada", family_name="Lovelace", function="representative",
                                   email="ada@example.org")
    assert client.post(f"/meetings/{meeting.pk}/attendees/", {"person": person.pk}).status_code == 302
    attendee = Attendee.objects.get(meeting=meeting, person=person)
    client.post(f"/meetings/{meeting.pk}/attendees/{attendee.pk}/", {"status": "apologies"})
    attendee.refresh_from_db()
    assert attendee.status == "apologies"
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    row = html[html.index('data-entity="WCO"'):]
    assert "Guest" in row[:row.index("</tr>")]
    assert "Lovelace" in html


def test_the_minutes_cycle_in_the_pages(wg3, secretariat, member_fp, meeting_factory, client):
    meeting = meeting_factory(wg3)
    client.force_login(secretariat)
    assert client.post(f"/meetings/{meeting.pk}/minutes/", {"text": "Opened at 10:00.", "language": "en"}).status_code == 302
    client.force_login(member_fp)
    assert "Opened at 10:00." not in client.get(f"/meetings/{meeting.pk}/").content.decode()  # a draft: managers only
    client.force_login(secretariat)
    client.post(f"/meetings/{meeting.pk}/minutes/step/", {"op": "circulate"})
    client.force_login(member_fp)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Opened at 10:00." in html and "comment-form" in html
    assert client.post(f"/meetings/{meeting.pk}/minutes/1/comment/", {"text": "Add the closing time."}).status_code == 302
    assert "Add the closing time." in client.get(f"/meetings/{meeting.pk}/").content.decode()
    client.force_login(secretariat)
    client.post(f"/meetings/{meeting.pk}/minutes/", {"text": "Opened at 10:00.\nClosed at 12:00.", "language": "en"})
    # A draft is circulated for comments before it is made final (services.minutes_finalise).
    response = client.post(f"/meetings/{meeting.pk}/minutes/step/", {"op": "finalise"}, follow=True)
    assert "circulate the minutes for comments first" in " ".join(str(m) for m in response.context["messages"])
    client.post(f"/meetings/{meeting.pk}/minutes/step/", {"op": "circulate"})
    client.post(f"/meetings/{meeting.pk}/minutes/step/", {"op": "finalise"})
    assert list(meeting.minutes_versions.order_by("number").values_list("number", "status")) == [
        (1, "circulated"), (2, "final")]
    response = client.post(f"/meetings/{meeting.pk}/minutes/", {"text": "Opened at 10:05.\nClosed at 12:00.", "language": "en"})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    response = client.post(f"/meetings/{meeting.pk}/minutes/", {"text": "Opened at 10:05.\nClosed at 12:00.",
                                                                "language": "en", "reason": "Opening time corrected"})
    assert response.status_code == 302
    third = meeting.minutes_versions.get(number=3)
    assert (third.status, third.corrects.number, third.reason) == ("final", 2, "Opening time corrected")
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Version 3" in html and "corrects version 2" in html and "minutes-history" in html
    version = client.get(f"/meetings/{meeting.pk}/minutes/3/").content.decode()
    assert re.search(r'diff-removed">.*?Opened at 10:00\.</del>', version)
    assert re.search(r'diff-added">.*?Opened at 10:05\.</ins>', version)


def _decision_post(**overrides) -> dict:
    data = {"title_en": "Terms of reference approved", "text_en": "The group approves its terms of reference.",
            "reason": ""}
    data.update(overrides)
    return data


def test_a_decision_is_recorded_with_member_entities_only(wg3, secretariat, meeting_factory, client):
    from compact.registry.models import Entity

    meeting = meeting_factory(wg3)  # 3 June 2024: the IMF observes wg-3
    client.force_login(secretariat)
    page = client.get(f"/meetings/{meeting.pk}/decisions/new/").content.decode()
    offered = re.findall(r'name="adopted_by" value="(\d+)"', page)
    members = Entity.objects.filter(acronym__in=["INTERPOL", "OPCW", "UNDP", "UNICRI", "UNODA"])
    assert sorted(map(int, offered)) == sorted(e.pk for e in members)
    imf = Entity.objects.get(acronym="IMF")
    response = client.post(f"/meetings/{meeting.pk}/decisions/new/", _decision_post(adopted_by=[imf.pk]))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["adopted_by"])
    assert "IMF is an observer" in errors and "observers do not adopt decisions" in errors
    assert not Decision.objects.exists()
    interpol = Entity.objects.get(acronym="INTERPOL")
    response = client.post(f"/meetings/{meeting.pk}/decisions/new/",
                           _decision_post(adopted_by=[interpol.pk], title_fr="Mandat approuvé"))
    decision = Decision.objects.get()
    assert response["Location"] == "/meetings/decisions/WG3/2024/1/"
    assert (decision.reference, decision.title_fr) == ("WG3/2024/1", "Mandat approuvé")
    assert list(decision.adopted_by.values_list("acronym", flat=True)) == ["INTERPOL"]
    html = client.get("/meetings/decisions/WG3/2024/1/").content.decode()
    assert "Terms of reference approved" in html and "The group approves its terms of reference." in html


def test_action_items_are_added_and_done_only_with_evidence(wg3, secretariat, member_fp, meeting_factory,
                                                            decision_factory, client):
    from compact.registry.models import Entity

    meeting = meeting_factory(wg3)
    decision = decision_factory(meeting)
    undp = Entity.objects.get(acronym="UNDP")
    client.force_login(secretariat)
    url = f"/meetings/decisions/{decision.reference}/"
    response = client.post(url, {"title_en": "Map the projects", "owner": f"entity:{undp.pk}", "due": "2024-09-30"})
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.owner_entity, item.due, item.status) == (undp, dt.date(2024, 9, 30), "open")
    response = client.post(url, {"title_en": "Nobody", "owner": "", "due": "2024-09-30"})
    assert response.status_code == 400 and "owner" in response.context["form"].errors
    client.force_login(member_fp)  # UNDP's focal point reports progress
    page = client.get(f"/meetings/actions/{item.pk}/")
    assert "due" not in page.context["form"].fields
    response = client.post(f"/meetings/actions/{item.pk}/", {"status": "done"})
    assert response.status_code == 400
    assert "evidence" in " ".join(response.context["form"].errors["status"])
    response = client.post(f"/meetings/actions/{item.pk}/", {"status": "done", "evidence_note": "Mapped 12 projects"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.evidence_note, item.completed_on) == ("done", "Mapped 12 projects", dt.date.today())


def test_the_action_items_page_shows_mine_and_overdue(wg3, secretariat, member_fp, meeting_factory, decision_factory,
                                                      client):
    from compact.registry.models import Entity

    decision = decision_factory(meeting_factory(wg3))
    for title, owner, due in (("UNDP task", "UNDP", dt.date(2020, 1, 1)), ("OPCW task", "OPCW", dt.date(2999, 1, 1))):
        services.action_item_create(actor=secretariat, decision=decision, title=title, due=due,
                                    owner_entity=Entity.objects.get(acronym=owner), reason="Tasked")
    client.force_login(member_fp)
    html = client.get("/meetings/actions/?show=entity").content.decode()
    assert "UNDP task" in html and "OPCW task" not in html
    html = client.get("/meetings/actions/?show=overdue").content.decode()
    assert "UNDP task" in html and "OPCW task" not in html
    html = client.get("/meetings/actions/").content.decode()
    assert "UNDP task" in html and "OPCW task" in html and "2 action items" in _text(html)


def test_the_registry_pages_link_to_the_bodys_meetings(world, client):
    assert '/meetings/?body=committee' in client.get("/committee/").content.decode()
    assert '/meetings/?body=wg-3' in client.get("/working-groups/3/").content.decode()
    assert 'href="/meetings/"' in client.get("/").content.decode()


# --- query counts ----------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    client.get(url)  # warm caches (content types, the user's standing)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_runs_as_many_queries_for_twenty_meetings_as_for_one(wg3, secretariat, meeting_factory, client,
                                                                      django_assert_max_num_queries):
    meeting_factory(wg3)
    client.force_login(secretariat)
    one = _queries(client, "/meetings/")
    for n in range(19):
        meeting_factory(wg3, day=dt.date(2024, 7, 1) + dt.timedelta(days=n), invite_participants=False)
    with django_assert_max_num_queries(one):
        assert client.get("/meetings/").status_code == 200


def test_the_meeting_page_runs_as_many_queries_for_twenty_items_as_for_one(wg3, secretariat, meeting_factory,
                                                                           decision_factory, client,
                                                                           django_assert_max_num_queries):
    from compact.registry.models import Entity

    meeting = meeting_factory(wg3)
    earlier = decision_factory(meeting_factory(wg3, day=dt.date(2024, 5, 1)), title="Earlier")
    undp = Entity.objects.get(acronym="UNDP")
    services.action_item_create(actor=secretariat, decision=earlier, title="Task 0", due=dt.date(2024, 5, 20),
                                owner_entity=undp, reason="Tasked")
    services.agenda_item_add(actor=secretariat, meeting=meeting, title="Item 0", presenter=undp, reason="Added")
    decision_factory(meeting, title="Decision 0", adopted_by=[undp])
    client.force_login(secretariat)
    url = f"/meetings/{meeting.pk}/"
    one = _queries(client, url)
    for n in range(1, 20):
        services.agenda_item_add(actor=secretariat, meeting=meeting, title=f"Item {n}", presenter=undp, reason="Added")
        services.action_item_create(actor=secretariat, decision=earlier, title=f"Task {n}", due=dt.date(2024, 5, 20),
                                    owner_entity=undp, reason="Tasked")
        decision_factory(meeting, title=f"Decision {n}", adopted_by=[undp])
    with django_assert_max_num_queries(one):
        html = client.get(url).content.decode()
    assert "Item 19" in html and "Task 19" in html and "Decision 19" in html


def test_the_action_items_page_runs_as_many_queries_for_twenty_items_as_for_one(
        wg3, secretariat, meeting_factory, decision_factory, client, django_assert_max_num_queries):
    from compact.registry.models import Entity

    decision = decision_factory(meeting_factory(wg3))
    undp = Entity.objects.get(acronym="UNDP")
    services.action_item_create(actor=secretariat, decision=decision, title="Task 0", due=dt.date(2024, 9, 1),
                                owner_entity=undp, reason="Tasked")
    client.force_login(secretariat)
    one = _queries(client, "/meetings/actions/")
    for n in range(1, 20):
        services.action_item_create(actor=secretariat, decision=decision, title=f"Task {n}", due=dt.date(2024, 9, 1),
                                    owner_body=wg3, reason="Tasked")
    with django_assert_max_num_queries(one):
        assert client.get("/meetings/actions/").status_code == 200



def test_agenda_documents_are_shown_only_to_those_who_may_read_them(wg3, secretariat, member_fp, meeting_factory,
                                                                    client):
    from compact.library.models import Document

    meeting = meeting_factory(wg3)
    public = Document.objects.create(title="Public note", title_en="Public note", owner_body=wg3, sensitivity="public")
    secret = Document.objects.create(title="Secret annex", title_en="Secret annex", owner_body=wg3,
                                     sensitivity="strictly_confidential")
    client.force_login(secretariat)
    response = client.post(f"/meetings/{meeting.pk}/agenda/new/", {"title_en": "Briefing", "expected_outcome": "information",
                                                                    "documents": [public.pk, secret.pk]})
    assert response.status_code == 302
    assert "Secret annex" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    client.force_login(member_fp)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Public note" in html and "Secret annex" not in html


def test_a_final_agenda_keeps_its_matters_arising_and_loses_its_controls(wg3, secretariat, meeting_factory,
                                                                         decision_factory, client):
    from compact.registry.models import Entity

    decision = decision_factory(meeting_factory(wg3), title="Earlier")
    item = services.action_item_create(actor=secretariat, decision=decision, title="Pending task",
                                       due=dt.date(2024, 7, 1), owner_entity=Entity.objects.get(acronym="UNDP"),
                                       reason="Tasked")
    meeting = meeting_factory(wg3, day=dt.date(2024, 9, 2))
    client.force_login(secretariat)
    assert client.post(f"/meetings/{meeting.pk}/agenda/finalise/", {"reason": "Agreed"}).status_code == 302
    services.action_item_update(actor=secretariat, item=item, status="done", evidence_note="Done late", reason="Done")
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Pending task" in html  # frozen on the final agenda
    assert "agenda-controls" not in html and "finalise-agenda" not in html and 'agenda-status">final' in html


def test_draft_minutes_versions_are_not_found_by_others(wg3, secretariat, member_fp, meeting_factory, client):
    meeting = meeting_factory(wg3)
    services.minutes_save(actor=secretariat, meeting=meeting, text="Draft text", reason="")
    client.force_login(member_fp)
    assert client.get(f"/meetings/{meeting.pk}/minutes/1/").status_code == 404
    client.force_login(secretariat)
    assert "Draft text" in client.get(f"/meetings/{meeting.pk}/minutes/1/").content.decode()


def test_a_decision_is_edited_but_keeps_its_reference(wg3, secretariat, meeting_factory, decision_factory, client):
    decision = decision_factory(meeting_factory(wg3), title="First wording")
    client.force_login(secretariat)
    response = client.post(f"/meetings/decisions/{decision.reference}/edit/",
                           _decision_post(title_en="Second wording", reason="Wording agreed"))
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == f"/meetings/decisions/{decision.reference}/"
    decision.refresh_from_db()
    assert (decision.reference, decision.title_en) == ("WG3/2024/1", "Second wording")


def test_a_decisions_subjects_are_chosen_among_what_the_user_may_read(wg3, secretariat, meeting_factory, client):
    from compact.library.models import Document
    from compact.meetings.models import DecisionSubject

    meeting = meeting_factory(wg3)
    tor = Document.objects.create(title="Terms of reference of WG 3", title_en="Terms of reference of WG 3",
                                  kind="terms_of_reference", owner_body=wg3, sensitivity="public")
    Document.objects.create(title="A report", title_en="A report", kind="report", owner_body=wg3, sensitivity="public")
    client.force_login(secretariat)
    form = client.get(f"/meetings/{meeting.pk}/decisions/new/").context["form"]
    assert list(form.fields["terms_of_reference"].queryset) == [tor]
    response = client.post(f"/meetings/{meeting.pk}/decisions/new/", _decision_post(terms_of_reference=[tor.pk]))
    assert response.status_code == 302
    assert list(DecisionSubject.objects.values_list("kind", "document_id")) == [("terms_of_reference", tor.pk)]
    html = client.get("/meetings/decisions/?subject=terms_of_reference").content.decode()
    assert "WG3/2024/1" in html


def test_a_confidential_meetings_change_needs_a_reason_shown_on_its_field(wg3, secretariat, meeting_factory, client):
    meeting = meeting_factory(wg3, sensitivity="confidential", reason="Closed")
    client.force_login(secretariat)
    response = client.post(f"/meetings/{meeting.pk}/edit/", _meeting_post(
        title_en="Renamed", time_zone="UTC", start_date="2024-06-03", start_time="10:00", end_date="2024-06-03",
        end_time="12:00", sensitivity="confidential"))
    assert response.status_code == 400 and "reason" in response.context["form"].errors


def test_the_decision_page_runs_as_many_queries_for_twenty_action_items_as_for_one(
        wg3, secretariat, meeting_factory, decision_factory, client, django_assert_max_num_queries):
    from compact.registry.models import Entity

    decision = decision_factory(meeting_factory(wg3), adopted_by=[Entity.objects.get(acronym="OPCW")])
    undp = Entity.objects.get(acronym="UNDP")
    services.action_item_create(actor=secretariat, decision=decision, title="Task 0", due=dt.date(2024, 9, 1),
                                owner_entity=undp, reason="Tasked")
    client.force_login(secretariat)
    url = f"/meetings/decisions/{decision.reference}/"
    one = _queries(client, url)
    for n in range(1, 20):
        services.action_item_create(actor=secretariat, decision=decision, title=f"Task {n}", due=dt.date(2024, 9, 1),
                                    owner_entity=undp if n % 2 else None, owner_body=None if n % 2 else wg3,
                                    reason="Tasked")
    with django_assert_max_num_queries(one):
        assert "Task 19" in client.get(url).content.decode()
