"""Meeting times across time zones: the helpers of ``compact.meetings.times`` and the times e-mails write
(``notifications.span_text``).

Every expected value is worked out by hand from the tz database's rules, written beside it:

- Japan keeps JST = UTC+9 all year (no daylight saving since 1951);
- the United States began daylight saving on Sunday 2025-03-09 at 02:00 local (EST UTC-5 -> EDT UTC-4)
  and ends it on Sunday 2025-11-02 at 02:00;
- the European Union ended summer time on Sunday 2025-10-26 at 01:00 UTC, i.e. in Vienna at 03:00 CEST
  (UTC+2) the clocks went back to 02:00 CET (UTC+1); it began on 2025-03-30 at 02:00 CET -> 03:00 CEST.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from compact.meetings import times
from compact.meetings.models import Meeting, Preference
from compact.meetings.notifications import span_text

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def _meeting(start, end, zone, **extra) -> Meeting:
    """An unsaved meeting: the helpers need only its times and zone."""
    return Meeting(start=start, end=end, time_zone=zone, **extra)


@pytest.fixture
def tokyo() -> Meeting:
    return _meeting(times.make_aware(dt.datetime(2025, 3, 10, 9), "Asia/Tokyo"),
                    times.make_aware(dt.datetime(2025, 3, 10, 11), "Asia/Tokyo"), "Asia/Tokyo")


@pytest.fixture
def vienna() -> Meeting:
    return _meeting(times.make_aware(dt.datetime(2025, 10, 25, 22), "Europe/Vienna"),
                    times.make_aware(dt.datetime(2025, 10, 26, 4), "Europe/Vienna"), "Europe/Vienna")


def test_tokyo_morning_is_the_previous_evening_in_new_york_after_the_american_clock_change(tokyo):
    # 09:00 JST - 9 h = 00:00 UTC on 2025-03-10; the day before, New York moved to EDT (UTC-4):
    # 00:00 UTC - 4 h = 20:00 on 2025-03-09, and 11:00 JST = 02:00 UTC = 22:00 EDT.
    assert tokyo.start == dt.datetime(2025, 3, 10, 0, 0, tzinfo=UTC)
    assert tokyo.end == dt.datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    span = times.span_in(tokyo, "America/New_York")
    assert (span.start.replace(tzinfo=None), span.end.replace(tzinfo=None)) == (
        dt.datetime(2025, 3, 9, 20, 0), dt.datetime(2025, 3, 9, 22, 0))
    assert span.start.utcoffset() == -4 * HOUR and span.start.tzname() == "EDT"
    assert span.zone_name == "America/New_York"
    assert not span.crosses_midnight
    own = times.span_in(tokyo, tokyo.time_zone)
    assert (own.start.hour, own.end.hour, own.start.tzname()) == (9, 11, "JST")


def test_a_week_earlier_new_york_was_still_on_standard_time():
    # 2025-03-03 09:00 JST = 00:00 UTC = 19:00 EST (UTC-5) on 2025-03-02: an hour apart from the case above.
    meeting = _meeting(times.make_aware(dt.datetime(2025, 3, 3, 9), "Asia/Tokyo"),
                       times.make_aware(dt.datetime(2025, 3, 3, 11), "Asia/Tokyo"), "Asia/Tokyo")
    span = times.span_in(meeting, zoneinfo.ZoneInfo("America/New_York"))
    assert span.start.replace(tzinfo=None) == dt.datetime(2025, 3, 2, 19, 0)
    assert span.start.tzname() == "EST"


def test_a_meeting_across_the_end_of_summer_time_lasts_seven_hours(vienna):
    # 22:00 CEST (UTC+2) = 20:00 UTC; 04:00 CET (UTC+1) = 03:00 UTC the next day: 7 hours, not the 6 the
    # wall clock suggests, because 02:00-03:00 happened twice that night.
    assert vienna.start == dt.datetime(2025, 10, 25, 20, 0, tzinfo=UTC)
    assert vienna.end == dt.datetime(2025, 10, 26, 3, 0, tzinfo=UTC)
    # (Python subtracts two datetimes of the same zone by their wall clocks, 6 hours: compare in UTC.)
    assert vienna.end.astimezone(UTC) - vienna.start.astimezone(UTC) == 7 * HOUR
    own = times.span_in(vienna, "Europe/Vienna")
    assert own.start.utcoffset() == 2 * HOUR and own.end.utcoffset() == 1 * HOUR
    assert own.crosses_midnight


def test_the_vienna_night_is_an_afternoon_in_new_york_still_on_summer_time(vienna):
    # New York keeps EDT (UTC-4) until 2025-11-02: 20:00 UTC = 16:00, 03:00 UTC = 23:00, both on 2025-10-25.
    span = times.span_in(vienna, "America/New_York")
    assert (span.start.replace(tzinfo=None), span.end.replace(tzinfo=None)) == (
        dt.datetime(2025, 10, 25, 16, 0), dt.datetime(2025, 10, 25, 23, 0))
    assert span.start.tzname() == span.end.tzname() == "EDT"
    assert not span.crosses_midnight


def test_a_local_time_the_clocks_skip_is_refused():
    # On 2025-03-30 Vienna's clocks jump from 02:00 CET to 03:00 CEST: 02:30 never happens.
    with pytest.raises(ValidationError) as caught:
        times.make_aware(dt.datetime(2025, 3, 30, 2, 30), "Europe/Vienna")
    assert "2025-03-30 02:30 does not exist in Europe/Vienna" in caught.value.messages[0]


def test_a_local_time_that_happens_twice_is_refused():
    # On 2025-10-26 Vienna's clocks go back from 03:00 CEST to 02:00 CET: 02:30 happens at 00:30 and 01:30 UTC.
    with pytest.raises(ValidationError) as caught:
        times.make_aware(dt.datetime(2025, 10, 26, 2, 30), "Europe/Vienna")
    assert "happens twice" in caught.value.messages[0]


def test_the_hours_around_the_change_are_accepted():
    # 01:59 CEST = 23:59 UTC the day before; 03:00 CET = 02:00 UTC.
    assert times.make_aware(dt.datetime(2025, 10, 26, 1, 59), "Europe/Vienna") == dt.datetime(2025, 10, 25, 23, 59, tzinfo=UTC)
    assert times.make_aware(dt.datetime(2025, 10, 26, 3, 0), "Europe/Vienna") == dt.datetime(2025, 10, 26, 2, 0, tzinfo=UTC)


def test_an_unknown_zone_is_refused_on_the_time_zone_field():
    with pytest.raises(ValidationError) as caught:
        times.make_aware(dt.datetime(2025, 3, 10, 9), "Mars/Olympus_Mons")
    assert "time_zone" in caught.value.message_dict


def test_a_quarter_hour_offset_comes_from_the_tz_database():
    # Nepal is UTC+05:45: 10:00 NPT = 04:15 UTC.
    assert times.make_aware(dt.datetime(2025, 3, 10, 10), "Asia/Kathmandu") == dt.datetime(2025, 3, 10, 4, 15, tzinfo=UTC)


@pytest.mark.django_db
def test_the_viewer_zone_is_the_preference_else_the_site_zone(make_user):
    user = make_user("viewer")
    assert times.viewer_zone(user).key == "UTC"
    other = make_user("tokyo_viewer")
    Preference.objects.create(user=other, time_zone="Asia/Tokyo")
    assert times.viewer_zone(other).key == "Asia/Tokyo"


def test_e_mails_write_the_tokyo_meeting_in_both_zones(tokyo):
    assert span_text(tokyo, "Asia/Tokyo") == "2025-03-10 09:00–11:00 Asia/Tokyo (UTC+09:00)"
    assert span_text(tokyo, "America/New_York") == "2025-03-09 20:00–22:00 America/New_York (UTC-04:00)"


def test_e_mails_write_both_offsets_and_the_end_date_of_the_night_meeting(vienna):
    assert span_text(vienna, "Europe/Vienna") == (
        "2025-10-25 22:00 – 2025-10-26 04:00 Europe/Vienna (UTC+02:00 / UTC+01:00)")
    assert span_text(vienna, "America/New_York") == "2025-10-25 16:00–23:00 America/New_York (UTC-04:00)"


def test_e_mails_write_an_all_day_meeting_by_its_dates():
    # An all-day meeting on 2018-12-06 runs from midnight that day to midnight the next (exclusive end).
    one_day = _meeting(dt.datetime(2018, 12, 6, tzinfo=UTC), dt.datetime(2018, 12, 7, tzinfo=UTC), "UTC", all_day=True)
    assert span_text(one_day, "Asia/Tokyo") == "2018-12-06"
    two_days = _meeting(dt.datetime(2018, 12, 6, tzinfo=UTC), dt.datetime(2018, 12, 8, tzinfo=UTC), "UTC", all_day=True)
    assert span_text(two_days, "UTC") == "2018-12-06 – 2018-12-07"


@pytest.mark.parametrize("name", ["localtime", "Factory", "right/UTC", "posix/Asia/Tokyo", "Etc/GMT+5", "",
                                  " Asia/Tokyo", "../zoneinfo/UTC"])
def test_only_the_zones_a_user_may_choose_are_accepted(name):
    with pytest.raises(ValidationError) as exc:
        times.zone(name)
    assert list(exc.value.message_dict) == ["time_zone"]


def test_utc_and_area_location_zones_are_accepted():
    assert times.zone("UTC").key == "UTC"
    assert times.zone("Asia/Kathmandu").utcoffset(dt.datetime(2025, 1, 1)) == dt.timedelta(hours=5, minutes=45)
    assert "localtime" not in times.time_zones() and "UTC" in times.time_zones()
