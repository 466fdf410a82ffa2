"""Meetings as iCalendar (RFC 5545): what ``compact.meetings.calendar`` writes, read back with
``icalendar.Calendar.from_ical`` and, where the exact text matters, as text.

Time-zone facts (by hand, from the tz database): Japan keeps UTC+9 all year; Vienna is on CET (UTC+1) in
winter and CEST (UTC+2) from the last Sunday of March (2025-03-30, 02:00 -> 03:00) to the last Sunday
of October (2025-10-26, 03:00 -> 02:00).
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from compact.meetings import calendar, services, times
from compact.meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
STAMP = dt.datetime(2025, 2, 1, 12, 0, tzinfo=UTC)


def _local(year, month, day, hour, zone):
    return times.make_aware(dt.datetime(year, month, day, hour), zone)


@pytest.fixture
def schedule(secretariat, wg3):
    """``schedule(start, end, zone, **fields)`` -> a meeting of wg-3 made by the secretariat (start and end
    are naive local times in ``zone``)."""
    def make(start: dt.datetime, end: dt.datetime, zone: str, body=None, **fields):
        fields.setdefault("reason", "Scheduled for the test")
        fields.setdefault("invite_participants", False)
        return services.meeting_create(actor=secretariat, body=body or wg3, start=times.make_aware(start, zone),
                                       end=times.make_aware(end, zone), time_zone=zone, **fields)

    return make


def _parse(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def _events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return [c for c in cal.walk("VEVENT")]


def _timezone(cal: icalendar.Calendar, tzid: str) -> icalendar.Timezone:
    found = [c for c in cal.walk("VTIMEZONE") if str(c["TZID"]) == tzid]
    assert len(found) == 1, f"expected one VTIMEZONE {tzid}, found {len(found)}"
    return found[0]


def _offsets(component: icalendar.Timezone, kind: str) -> set[tuple[dt.timedelta, dt.timedelta]]:
    """``{(TZOFFSETFROM, TZOFFSETTO)}`` of the STANDARD or DAYLIGHT parts of a VTIMEZONE."""
    return {(part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td) for part in component.walk(kind)}


def test_the_tokyo_meeting_keeps_its_zone_and_converts_to_midnight_utc(schedule):
    meeting = schedule(dt.datetime(2025, 3, 10, 9), dt.datetime(2025, 3, 10, 11), "Asia/Tokyo", title="Tokyo session")
    content = calendar.calendar_for([meeting], name="wg-3", stamp=STAMP)
    text = content.decode()
    assert "DTSTART;TZID=Asia/Tokyo:20250310T090000\r\n" in text
    assert "DTEND;TZID=Asia/Tokyo:20250310T110000\r\n" in text
    (event,) = _events(_parse(content))
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    # 09:00 JST - 9 h = 00:00 UTC; 11:00 JST = 02:00 UTC.
    assert event.decoded("DTSTART").astimezone(UTC) == dt.datetime(2025, 3, 10, 0, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == dt.datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    tokyo = _timezone(_parse(content), "Asia/Tokyo")
    assert _offsets(tokyo, "STANDARD") == {(9 * HOUR, 9 * HOUR)}  # TZOFFSETTO:+0900, no daylight saving
    assert _offsets(tokyo, "DAYLIGHT") == set()
    assert "TZOFFSETTO:+0900" in text


def test_the_tokyo_meeting_read_from_new_york_is_the_evening_before(schedule):
    meeting = schedule(dt.datetime(2025, 3, 10, 9), dt.datetime(2025, 3, 10, 11), "Asia/Tokyo")
    (event,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3")))
    # A New York calendar shows it at 20:00-22:00 EDT (UTC-4, since 2025-03-09 02:00) on 2025-03-09.
    start = event.decoded("DTSTART").astimezone(times.zone("America/New_York"))
    end = event.decoded("DTEND").astimezone(times.zone("America/New_York"))
    assert (start.date(), start.hour, end.hour, start.tzname()) == (dt.date(2025, 3, 9), 20, 22, "EDT")


def test_the_night_across_the_end_of_summer_time_lasts_seven_hours(schedule):
    meeting = schedule(dt.datetime(2025, 10, 25, 22), dt.datetime(2025, 10, 26, 4), "Europe/Vienna")
    content = calendar.calendar_for([meeting], name="wg-3")
    (event,) = _events(_parse(content))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (dt.datetime(2025, 10, 25, 22), dt.datetime(2025, 10, 26, 4))
    # 22:00 CEST = 20:00 UTC, 04:00 CET = 03:00 UTC: seven hours (compared in UTC: Python subtracts two times
    # of one zone by their wall clocks).
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (dt.datetime(2025, 10, 25, 20, tzinfo=UTC),
                                                            dt.datetime(2025, 10, 26, 3, tzinfo=UTC))
    assert end.astimezone(UTC) - start.astimezone(UTC) == 7 * HOUR
    vienna = _timezone(_parse(content), "Europe/Vienna")
    # Summer time begins 2025-03-30 (+0100 -> +0200) and ends 2025-10-26 (+0200 -> +0100).
    assert (1 * HOUR, 2 * HOUR) in _offsets(vienna, "DAYLIGHT")
    assert (2 * HOUR, 1 * HOUR) in _offsets(vienna, "STANDARD")
    ends = [part for part in vienna.walk("STANDARD") if part["TZOFFSETFROM"].td == 2 * HOUR]
    assert ends[0].decoded("DTSTART") == dt.datetime(2025, 10, 26, 3, 0)  # 03:00 CEST becomes 02:00 CET
    # Read back as a zone: 01:30 UTC on 2025-10-26 is 02:30 CET (after the change), 00:30 UTC 02:30 CEST.
    tz = vienna.to_tz()
    assert dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC).astimezone(tz).utcoffset() == 2 * HOUR
    assert dt.datetime(2025, 10, 26, 1, 30, tzinfo=UTC).astimezone(tz).utcoffset() == 1 * HOUR


def test_one_vtimezone_per_zone_covering_every_year_used(schedule, wg4):
    first = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "Europe/Vienna")
    second = schedule(dt.datetime(2026, 1, 12, 10), dt.datetime(2026, 1, 12, 12), "Europe/Vienna")
    third = schedule(dt.datetime(2025, 6, 3, 10), dt.datetime(2025, 6, 3, 12), "America/New_York", body=wg4)
    in_utc = schedule(dt.datetime(2025, 6, 4, 10), dt.datetime(2025, 6, 4, 12), "UTC", body=wg4)
    content = calendar.calendar_for([first, second, third, in_utc], name="all")
    cal = _parse(content)
    assert sorted(str(c["TZID"]) for c in cal.walk("VTIMEZONE")) == ["America/New_York", "Europe/Vienna"]
    vienna = _timezone(cal, "Europe/Vienna")
    # Read back as a zone, it knows summer (UTC+2) and winter (UTC+1) of both years the meetings fall in.
    tz = vienna.to_tz()
    for moment, offset in [(dt.datetime(2025, 1, 15, 12), 1), (dt.datetime(2025, 7, 1, 12), 2),
                           (dt.datetime(2025, 12, 1, 12), 1), (dt.datetime(2026, 7, 1, 12), 2)]:
        assert moment.replace(tzinfo=tz).utcoffset() == offset * HOUR, moment
    text = content.decode()
    assert "DTSTART:20250604T100000Z\r\n" in text  # UTC is written with Z and needs no VTIMEZONE
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")


def test_an_all_day_meeting_has_dates_and_an_exclusive_end(committee, secretariat):
    meeting = services.meeting_create(
        actor=secretariat, body=committee, start=dt.datetime(2018, 12, 6, tzinfo=UTC),
        end=dt.datetime(2018, 12, 7, tzinfo=UTC), time_zone="UTC", all_day=True, title="Inaugural meeting",
        sensitivity="public", invite_participants=False, reason="Test")
    text = calendar.calendar_for([meeting], name="committee").decode()
    # RFC 5545 section 3.6.1: DTEND of an all-day event is the day after its last day.
    assert "DTSTART;VALUE=DATE:20181206\r\n" in text
    assert "DTEND;VALUE=DATE:20181207\r\n" in text
    assert "BEGIN:VTIMEZONE" not in text


def test_the_calendar_header(schedule):
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "UTC")
    body = calendar.calendar_for([meeting], name="Meetings of WG 3")
    cal = _parse(body)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == calendar.PRODID
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Meetings of WG 3"
    assert cal.decoded("REFRESH-INTERVAL") == HOUR
    # X-PUBLISHED-TTL is a duration as RFC 5545 writes one (section 3.3.6), not "1:00:00".
    assert b"X-PUBLISHED-TTL:PT1H" in body


def test_the_event_properties(schedule, wg3):
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "Europe/Vienna",
                       title={"en": "Border management", "fr": "Gestion des frontières"},
                       venue="Vienna International Centre, Room M3", sensitivity="public")
    services.agenda_item_add(actor=None, meeting=meeting, title="Workplan 2025", reason="Agenda")
    meeting.refresh_from_db()
    (event,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3", base_url="https://compact.example.org",
                                                    stamp=STAMP)))
    assert str(event["UID"]) == meeting.uid and meeting.uid.endswith("@compact")
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("LAST-MODIFIED") == meeting.updated.astimezone(UTC).replace(microsecond=0)
    assert str(event["SUMMARY"]) == "Border management"
    assert str(event["LOCATION"]) == "Vienna International Centre, Room M3"
    assert str(event["URL"]) == f"https://compact.example.org/meetings/{meeting.pk}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["CLASS"]) == "PUBLIC"
    description = str(event["DESCRIPTION"])
    assert "1. Matters arising\n2. Workplan 2025" in description
    (french,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3", language="fr")))
    assert str(french["SUMMARY"]) == "Gestion des frontières"


def test_the_online_link_is_the_url_and_the_location_when_there_is_no_venue(schedule):
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "UTC",
                       online_url="https://meet.example.org/wg3")
    (event,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3")))
    assert str(event["URL"]) == "https://meet.example.org/wg3"
    assert str(event["LOCATION"]) == "https://meet.example.org/wg3"


def test_an_untitled_meeting_is_named_by_its_body_and_number(schedule, wg3):
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "UTC")
    (event,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3")))
    # A working group is named with its number, as everywhere on the platform.
    assert str(event["SUMMARY"]) == f"WG 3: {wg3.title}, meeting {meeting.number}"


@pytest.mark.parametrize(("sensitivity", "expected"), [
    ("public", "PUBLIC"), ("internal", "PRIVATE"), ("confidential", "CONFIDENTIAL"),
    ("strictly_confidential", "CONFIDENTIAL"),
])
def test_the_class_follows_the_sensitivity(schedule, sensitivity, expected):
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "UTC", sensitivity=sensitivity)
    (event,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3")))
    assert str(event["CLASS"]) == expected


def test_the_uid_stays_the_sequence_grows_and_a_cancelled_meeting_stays(schedule, secretariat):
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "UTC", venue="Room A")
    uid = meeting.uid
    services.meeting_update(actor=secretariat, meeting=meeting, venue="Room B", reason="Bigger room")
    meeting.refresh_from_db()
    (moved,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3")))
    assert (str(moved["UID"]), moved.decoded("SEQUENCE"), str(moved["LOCATION"])) == (uid, 1, "Room B")
    services.meeting_cancel(actor=secretariat, meeting=meeting, reason="No quorum")
    meeting.refresh_from_db()
    (cancelled,) = _events(_parse(calendar.calendar_for([meeting], name="wg-3")))
    # RFC 5545 3.8.1.11 / 3.8.7.4: same UID, higher SEQUENCE, STATUS:CANCELLED.
    assert (str(cancelled["UID"]), cancelled.decoded("SEQUENCE"), str(cancelled["STATUS"])) == (uid, 2, "CANCELLED")
    assert str(cancelled["TRANSP"]) == "TRANSPARENT"


def test_an_invitation_names_its_organizer_and_attendee(schedule, settings):
    settings.DEFAULT_FROM_EMAIL = "compact@example.org"
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "UTC")
    cal = _parse(calendar.calendar_for([meeting], name="x", method=calendar.REQUEST,
                                       attendee=("ada@example.org", "Ada Example")))
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = _events(cal)
    assert str(event["ORGANIZER"]) == "mailto:compact@example.org"
    assert str(event["ATTENDEE"]) == "mailto:ada@example.org"
    assert event["ATTENDEE"].params["CN"] == "Ada Example"
    with pytest.raises(ValueError):
        calendar.calendar_for([meeting], name="x", method=calendar.REQUEST)
    with pytest.raises(ValueError):
        calendar.calendar_for([meeting], name="x", method="REPLY")


def test_lines_are_folded_at_75_octets_and_end_with_crlf(schedule):
    meeting = schedule(dt.datetime(2025, 6, 2, 10), dt.datetime(2025, 6, 2, 12), "UTC",
                       title={"en": "Coordination", "zh-hans": "全球反恐协调契约协调委员会第七次会议关于边境管理和执法的讨论" * 2})
    content = calendar.calendar_for([meeting], name="wg-3", language="zh-hans")
    lines = content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # RFC 5545 section 3.1
    assert content.endswith(b"\r\n") and b"\n" not in content.replace(b"\r\n", b"")
    (event,) = _events(_parse(content))
    assert str(event["SUMMARY"]).startswith("全球反恐协调契约")


def test_agenda_items_are_read_in_one_query_for_many_meetings(schedule, django_assert_max_num_queries):
    made = [schedule(dt.datetime(2025, 6, day, 10), dt.datetime(2025, 6, day, 12), "UTC") for day in range(2, 12)]
    meetings = list(Meeting.objects.filter(pk__in=[m.pk for m in made]).select_related("body")
                    .prefetch_related("agenda_items"))
    assert AgendaItem.objects.filter(meeting__in=meetings).count() == 10
    with django_assert_max_num_queries(0):
        calendar.calendar_for(meetings, name="wg-3")


def test_file_names_are_plain():
    assert calendar.filename("wg-3") == "wg-3.ics"
    assert calendar.filename("Réunion / 7") == "R-union---7.ics"


def test_vtimezone_onsets_are_the_local_time_before_each_change_as_in_rfc_5545():
    """RFC 5545 section 3.6.5, the America/New_York example: DAYLIGHT begins at DTSTART 02:00 with
    TZOFFSETFROM -0500 (second Sunday of March), STANDARD at 02:00 with TZOFFSETFROM -0400 (first Sunday
    of November); for 2025: 9 March and 2 November. Lord Howe (half-hour change, tz database): daylight
    time ends 2025-04-06 at 02:00 (+1100) and begins 2025-10-05 at 02:00 (+1030)."""
    from compact.meetings.calendar import vtimezone

    def onsets(name, year):
        found = []
        for sub in vtimezone(name, year, year).walk():
            if sub.name in ("STANDARD", "DAYLIGHT") and sub.TZOFFSETFROM != sub.TZOFFSETTO:
                values = [sub.DTSTART] + [value for value, _period in sub.rdates]
                found += [(sub.name, v.isoformat(), sub.to_ical().decode().count("TZOFFSETFROM")) for v in values]
        return sorted(found, key=lambda row: row[1])

    assert onsets("America/New_York", 2025) == [("DAYLIGHT", "2025-03-09T02:00:00", 1),
                                                ("STANDARD", "2025-11-02T02:00:00", 1)]
    text = vtimezone("America/New_York", 2025, 2025).to_ical().decode().replace("\r\n", "\n")
    assert "BEGIN:DAYLIGHT\nDTSTART:20250309T020000\nTZNAME:EDT\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\n" in text
    assert "BEGIN:STANDARD\nDTSTART:20251102T020000\nTZNAME:EST\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\n" in text
    # Two years: the second year's onsets are RDATEs, corrected the same way.
    two = vtimezone("America/New_York", 2024, 2025).to_ical().decode()
    assert "DTSTART:20240310T020000" in two and "RDATE:20250309T020000" in two
    assert onsets("Australia/Lord_Howe", 2025) == [("STANDARD", "2025-04-06T02:00:00", 1),
                                                   ("DAYLIGHT", "2025-10-05T02:00:00", 1)]
