"""The IATI Standard's rules that matter for the platform, on records built by hand: percentages that add
up to 100 (rounding allowed for), dates in order, budget periods, currencies and identifiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compact.interop.iati import rules
from compact.interop.iati.records import ActivityRecord, Budget, Country, Region, Sector, Transaction

D = Decimal


def activity(**fields) -> ActivityRecord:
    return ActivityRecord(identifier=fields.pop("identifier", "XM-DAC-41114-1"), line=7, position=3,
                          file="f.xml", version="2.03", **fields)


def budget(start: str, end: str, currency: str = "USD") -> Budget:
    return Budget(type="1", status="1", period_start=dt.date.fromisoformat(start), period_end=dt.date.fromisoformat(end),
                  value=D("1000"), currency=currency, value_date=dt.date.fromisoformat(start), line=12)


def messages(findings) -> list[str]:
    return [finding.message for finding in findings]


@pytest.mark.parametrize("shares,accepted,rounded", [
    (["100"], True, False),
    (["60", "40"], True, False),
    (["2.4139", "97.5861"], True, False),  # DFID GB-1-110948: a country and a region
    # DFID GB-1-201158: nine sectors of two decimals add up to 99.99; each may be 0.005 off, 0.045 in all.
    (["20.91", "18.35", "15.9", "14.44", "10.32", "7.78", "6.02", "3.68", "2.59"], True, True),
    (["33.33", "33.33", "33.33"], True, True),  # 99.99, within 3 x 0.005
    (["33", "33", "33"], False, False),  # whole numbers: no rounding to allow for
    (["49.9", "49.9"], False, True),  # 99.8: 0.2 off, more than 2 x 0.05
    (["125", "75"], False, False),
])
def test_percentages_add_up_to_100_allowing_for_the_rounding_of_their_decimals(shares, accepted, rounded):
    ok, total, by_rounding = rules.sum_to_100(D(share) for share in shares)
    assert total == sum((D(share) for share in shares), D(0))
    assert ok is accepted
    if accepted:
        assert by_rounding is rounded


def test_sectors_add_up_to_100_within_each_vocabulary():
    record = activity(sectors=[Sector("1", "15110", D("60")), Sector("1", "15130", D("40")),
                               Sector("2", "151", D("100")), Sector("99", "A", None)])
    rules.sector_percentages(record)
    assert record.problems == [] and record.notes == []


def test_sector_shares_that_miss_100_are_a_problem_naming_the_rule():
    record = activity(sectors=[Sector("1", "15110", D("60")), Sector("1", "15130", D("30"))])
    rules.sector_percentages(record)
    assert messages(record.problems) == [
        "The percentages of the sectors of vocabulary 1 add up to 90, not 100 (IATI Standard rule 2.1.2)."]
    assert record.problems[0].element == "iati-activities/iati-activity[3]/sector"
    assert (record.problems[0].file, record.problems[0].line, record.problems[0].activity) == ("f.xml", 7, "XM-DAC-41114-1")


def test_a_rounded_sum_is_accepted_with_a_note_that_gives_it():
    record = activity(sectors=[Sector("1", str(code), D(share)) for code, share in
                               zip(range(15110, 15119), ["20.91", "18.35", "15.9", "14.44", "10.32", "7.78", "6.02",
                                                          "3.68", "2.59"], strict=True)])
    rules.sector_percentages(record)
    assert record.problems == []
    assert messages(record.notes) == [
        "The percentages of the sectors of vocabulary 1 add up to 99.99: 100 once the rounding of their decimals is "
        "allowed for (IATI Standard rule 2.1.2)."]


def test_several_sectors_each_need_a_percentage_and_a_single_one_has_none_or_100():
    several = activity(sectors=[Sector("1", "15110", None), Sector("1", "15130", D("50"))])
    rules.sector_percentages(several)
    assert messages(several.problems) == [
        "1 of the 2 sectors of vocabulary 1 has no percentage: each needs one, and they must add up to 100 "
        "(IATI Standard rule 2.1.1)."]
    single = activity(sectors=[Sector("1", "15110", D("30")), Sector("2", "151", D("70"))])
    rules.sector_percentages(single)
    assert messages(single.problems) == [
        "There is only one of the sectors of vocabulary 1: its percentage must be left out or be 100, not 30 "
        "(IATI Standard rule 2.1.4).",
        "There is only one of the sectors of vocabulary 2: its percentage must be left out or be 100, not 70 "
        "(IATI Standard rule 2.1.4)."]
    alone = activity(sectors=[Sector("1", "15110", None)])
    rules.sector_percentages(alone)
    assert alone.problems == []


def test_a_percentage_outside_0_to_100_is_a_problem():
    record = activity(sectors=[Sector("1", "15110", D("120")), Sector("1", "15130", D("-20"))])
    rules.sector_percentages(record)
    assert messages(record.problems) == [
        "The percentage 120 is not between 0 and 100 (IATI Standard rule 12.3.1).",
        "The percentage -20 is not between 0 and 100 (IATI Standard rule 12.3.1)."]


@pytest.mark.parametrize("countries,regions", [
    ([Country("HT")], []),  # one country without a percentage has it all
    ([Country("HT", D("100"))], []),
    ([Country("AF", D("60")), Country("PK", D("40"))], []),
    ([], [Region("1", "289")]),
    ([Country("HT", D("2.4139"))], [Region("1", "998", D("97.5861"))]),  # DFID GB-1-110948
    # The IATI Standard's example activity: everything together makes 100.
    ([Country("AF", D("25")), Country("AG", D("25"))], [Region("1", "489", D("25")), Region("99", "A1", D("25"))]),
    # The ruleset's reading: the countries with the regions of each vocabulary make 100.
    ([Country("ML", D("50"))], [Region("1", "289", D("50")), Region("2", "002", D("50"))]),
])
def test_countries_and_regions_that_share_the_activity_are_accepted(countries, regions):
    record = activity(countries=countries, regions=regions)
    rules.area_percentages(record)
    assert record.problems == []


def test_areas_that_do_not_share_the_activity_are_a_problem():
    unshared = activity(countries=[Country("AF"), Country("PK")])
    rules.area_percentages(unshared)
    assert messages(unshared.problems) == [
        "2 of the 2 recipient countries have no percentage: each needs one, and they must add up to 100 "
        "(IATI Standard rule 3.1.1)."]
    over = activity(countries=[Country("AF", D("60")), Country("PK", D("60"))])
    rules.area_percentages(over)
    assert messages(over.problems) == [
        "The percentages of the recipient countries add up to 120, not 100 (IATI Standard rule 3.1.2)."]
    mixed = activity(countries=[Country("AF", D("50"))], regions=[Region("1", "289", D("30"))])
    rules.area_percentages(mixed)
    assert messages(mixed.problems) == [
        "The percentages of the recipient countries and regions of vocabulary 1 add up to 80, not 100 "
        "(IATI Standard rule 3.4.2)."]
    region = activity(regions=[Region("1", "289", D("80"))])
    rules.area_percentages(region)
    assert messages(region.problems) == [
        "There is only one of the recipient regions of vocabulary 1: its percentage must be left out or be 100, "
        "not 80 (IATI Standard rule 3.4.4)."]


def test_pyiati_countries_of_125_and_75_are_out_of_range():
    record = activity(countries=[Country("AF", D("125")), Country("AX", D("75"))])
    rules.area_percentages(record)
    assert messages(record.problems) == ["The percentage 125 is not between 0 and 100 (IATI Standard rule 12.1.1)."]


def test_activity_dates_are_in_order():
    day = dt.date.fromisoformat
    fine = activity(dates={"1": day("2016-09-04"), "3": day("2016-09-04"), "2": day("2016-10-01"), "4": day("2017-12-31")})
    rules.date_order(fine)
    assert fine.problems == []
    planned = activity(dates={"1": day("2016-09-04"), "3": day("2016-01-01")})
    rules.date_order(planned)
    assert messages(planned.problems) == [
        "The planned end (2016-01-01) is before the planned start (2016-09-04) (IATI Standard rule 11.1.2)."]
    actual = activity(dates={"2": day("2016-09-04"), "4": day("2016-09-03")})
    rules.date_order(actual)
    assert messages(actual.problems) == [
        "The actual end (2016-09-03) is before the actual start (2016-09-04) (IATI Standard rule 11.1.3)."]
    assert actual.problems[0].element == "iati-activities/iati-activity[3]/activity-date"


def test_budget_periods_end_after_they_start_and_a_period_over_a_year_is_noted():
    record = activity(budgets=[budget("2016-01-01", "2016-12-31"), budget("2016-04-01", "2017-03-31"),
                               budget("2016-02-29", "2017-02-28"), budget("2017-01-01", "2016-12-31"),
                               budget("2016-01-01", "2017-01-01")])
    rules.budget_periods(record)
    assert messages(record.problems) == [
        "The budget period ends (2016-12-31) before it starts (2017-01-01) (IATI Standard rule 8.6.3)."]
    assert [(f.element, f.line) for f in record.problems] == [("iati-activities/iati-activity[3]/budget[4]", 12)]
    assert messages(record.notes) == [
        "The budget period from 2016-01-01 to 2017-01-01 is longer than one year (IATI Standard rule 7.5.3)."]


def test_a_value_without_a_currency_and_without_a_default_is_a_problem():
    record = activity(budgets=[budget("2016-01-01", "2016-12-31", currency="")], transactions=[
        Transaction(type="3", date=dt.date(2016, 5, 1), value=D("-50"), currency="", value_date=dt.date(2016, 5, 1),
                    line=20),
        Transaction(type="3", date=dt.date(2016, 5, 1), value=D("50"), currency="GBP", value_date=dt.date(2016, 5, 1))])
    rules.currencies(record)
    assert [(f.element, f.line, f.message) for f in record.problems] == [
        ("iati-activities/iati-activity[3]/budget/value", 12,
         "The value has no currency and the activity has no default currency (IATI Standard rule 7.8.1)."),
        ("iati-activities/iati-activity[3]/transaction[1]/value", 20,
         "The value has no currency and the activity has no default currency (IATI Standard rule 7.8.1)."),
    ]


def test_an_activity_needs_an_identifier_and_one_with_slashes_gets_a_note():
    empty = activity(identifier="")
    rules.identifier(empty)
    assert messages(empty.problems) == ["The activity has no IATI identifier."]
    slashes = activity(identifier="XI-IATI-EC_INTPA-2021/429-054")
    rules.identifier(slashes)
    assert slashes.problems == []
    assert messages(slashes.notes) == [
        "The IATI identifier “XI-IATI-EC_INTPA-2021/429-054” contains /, &, | or ?, which IATI advises against "
        "(IATI Standard rule 1.3.13)."]


def test_check_activity_runs_every_rule():
    record = activity(identifier="", countries=[Country("AF"), Country("PK")],
                      budgets=[budget("2017-01-01", "2016-12-31", currency="")])
    rules.check_activity(record)
    assert len(record.problems) == 4  # identifier, countries, budget period, currency
    assert rules.RULES == (rules.identifier, rules.sector_percentages, rules.area_percentages, rules.date_order,
                           rules.budget_periods, rules.currencies)
