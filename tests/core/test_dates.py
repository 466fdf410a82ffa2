"""The as-of date parameter."""

import datetime as dt

import pytest

from compact.core.dates import InvalidDate, parse_as_of


def test_empty_as_of_means_today():
    assert parse_as_of(None, today=dt.date(2026, 11, 29)) == dt.date(2026, 11, 29)
    assert parse_as_of("  ", today=dt.date(2026, 11, 29)) == dt.date(2026, 11, 29)


def test_iso_date_is_read():
    assert parse_as_of("2019-07-27") == dt.date(2019, 7, 27)


@pytest.mark.parametrize(
    "bad", ["2019-02-30", "27/07/2019", "2019-7-27", "20190727", "2019-07-27T00:00", "yesterday", "2019-W30-6", "+2019-07-2"]
)
def test_malformed_or_impossible_dates_are_refused_with_the_value_in_the_message(bad):
    with pytest.raises(InvalidDate) as info:
        parse_as_of(bad)
    assert bad in str(info.value)
    assert "YYYY-MM-DD" in str(info.value)


@pytest.mark.parametrize(
    ("day", "status"),
    [("2019-04-15", "future"), ("2019-04-16", "current"), ("2021-12-31", "current"), ("2022-01-01", "past")],
)
def test_a_period_is_current_from_its_start_to_its_end_inclusive(day, status):
    from compact.registry.models import Participation

    period = Participation(start=dt.date(2019, 4, 16), end=dt.date(2021, 12, 31))
    assert period.status_on(dt.date.fromisoformat(day)) == status
    assert period.is_valid_on(dt.date.fromisoformat(day)) is (status == "current")
    assert Participation(start=dt.date(2019, 4, 16), end=None).status_on(dt.date(2099, 1, 1)) == "current"
