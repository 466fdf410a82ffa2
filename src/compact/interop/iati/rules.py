"""The IATI Standard's rules that matter for the platform, checked on an ``ActivityRecord``.

Each rule is a function that adds ``Finding``s to ``record.problems`` (the activity cannot be used) or
``record.notes`` (it can, and the user is told); ``check_activity`` runs them all, in the reader, after the
schema and the codelists. The rules are those of the IATI Standard Ruleset (IATI/IATI-Rulesets,
``rulesets/standard.json``), cited by their rule number; where the ruleset marks a rule as a warning, it
is a note here. Rules that a record cannot express, because the record holds only complete items (a
transaction without a date or a value, a budget without its period), are checked by the reader as it
maps the elements.

Percentages must add up to 100 (rules 2.1.2, 3.1.2, 3.4.2). Publishers write shares with a few decimals,
rounded one by one, so the sum can miss 100 by the rounding alone: nine sector shares with two decimals
each can add up to 99.99 (DFID's activity GB-1-201158 does) although the unrounded shares add up to
100. A sum is therefore accepted when it differs from 100 by no more than half a unit of the last
decimal place given, times the number of shares (0.045 for those nine shares), and the activity then
carries a note that gives the sum. Whole-number percentages get no tolerance: 33 + 33 + 33 is a problem,
as IATI says, and the publisher can write 33.33 + 33.33 + 33.34.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compact.interop.iati.records import ActivityRecord, Finding

HUNDRED = Decimal(100)
#: IATI Standard Ruleset 1.3.13: the symbols an activity identifier must not contain.
IDENTIFIER_PATTERN = re.compile(r"^[^/&|?]+$")


def _base(record: ActivityRecord) -> str:
    """The element path of the activity: ``iati-activities/iati-activity[3]``."""
    return f"iati-activities/iati-activity[{record.position}]"


def _step(name: str, position: int, count: int) -> str:
    """``budget[2]``, or ``budget`` when the activity has only one (as libxml2 writes paths)."""
    return f"{name}[{position}]" if count > 1 else name


def _finding(record: ActivityRecord, element: str, message: str, line: int | None = None) -> Finding:
    return Finding(file=record.file, line=line or record.line, element=element, message=message,
                   activity=record.identifier)


def _text(value: Decimal) -> str:
    """A decimal as the file wrote it, without an exponent (``100.0000``, ``99.99``)."""
    return format(value, "f")


def sum_to_100(values: Iterable[Decimal]) -> tuple[bool, Decimal, bool]:
    """Whether ``values`` (percentages) add up to 100 in the module docstring's sense, as
    ``(accepted, total, rounded)``: ``rounded`` is True when the sum is accepted only because it is
    within the rounding of the values' decimals (the caller then writes a note)."""
    values = list(values)
    total = sum(values, Decimal(0))
    if total == HUNDRED:
        return True, total, False
    places = max((-v.as_tuple().exponent for v in values if v.as_tuple().exponent < 0), default=0)
    if not places:
        return False, total, False
    tolerance = Decimal(len(values)) * Decimal(5) / Decimal(10) ** (places + 1)
    return abs(total - HUNDRED) <= tolerance, total, True


def _shares(record: ActivityRecord, element: str, what: Callable[[], str], percentages: list[Decimal | None],
            rule_each: str, rule_sum: str, rule_single: str) -> tuple[list[Finding], list[Finding]]:
    """The shared rule of sectors of one vocabulary and of countries and regions, as ``(problems, notes)``:
    one item has no percentage or 100 (``rule_single``); several items each have one (``rule_each``) and
    they add up to 100 (``rule_sum``). ``what()`` names the items in messages (translated only when a
    finding is made)."""
    if len(percentages) == 1:
        share = percentages[0]
        if share is not None and share != HUNDRED:
            return [_finding(record, element, _(
                "There is only one of the %(what)s: its percentage must be left out or be 100, not %(percentage)s "
                "(IATI Standard rule %(rule)s).")
                % {"what": what(), "percentage": _text(share), "rule": rule_single})], []
        return [], []
    missing = sum(1 for share in percentages if share is None)
    if missing:
        return [_finding(record, element, ngettext(
            "%(missing)d of the %(count)d %(what)s has no percentage: each needs one, and they must add up to 100 "
            "(IATI Standard rule %(rule)s).",
            "%(missing)d of the %(count)d %(what)s have no percentage: each needs one, and they must add up to 100 "
            "(IATI Standard rule %(rule)s).", missing)
            % {"count": len(percentages), "what": what(), "missing": missing, "rule": rule_each})], []
    accepted, total, rounded = sum_to_100(share for share in percentages if share is not None)
    if not accepted:
        return [_finding(record, element, _(
            "The percentages of the %(what)s add up to %(total)s, not 100 (IATI Standard rule %(rule)s).")
            % {"what": what(), "total": _text(total), "rule": rule_sum})], []
    if rounded:
        return [], [_finding(record, element, _(
            "The percentages of the %(what)s add up to %(total)s: 100 once the rounding of their decimals is "
            "allowed for (IATI Standard rule %(rule)s).") % {"what": what(), "total": _text(total), "rule": rule_sum})]
    return [], []


def _add(record: ActivityRecord, findings: tuple[list[Finding], list[Finding]]) -> None:
    record.problems += findings[0]
    record.notes += findings[1]


def _in_range(record: ActivityRecord, element: str, percentages: Iterable[Decimal | None], rule: str) -> bool:
    """IATI Standard rules 12.1.1 and 12.3.1: each percentage is between 0 and 100 inclusive. Returns
    whether they all are."""
    ok = True
    for share in percentages:
        if share is not None and not Decimal(0) <= share <= HUNDRED:
            ok = False
            record.problems.append(_finding(record, element, _(
                "The percentage %(percentage)s is not between 0 and 100 (IATI Standard rule %(rule)s).")
                % {"percentage": _text(share), "rule": rule}))
    return ok


def identifier(record: ActivityRecord) -> None:
    """The activity has a non-empty ``iati-identifier`` (IATI Standard: the identifier is required; the
    schema alone accepts an empty one), a problem otherwise; an identifier with ``/``, ``&``, ``|`` or
    ``?`` gets a note (IATI Standard Ruleset 1.3.13, a warning: such identifiers are published, e.g.
    ``XI-IATI-EC_INTPA-2021/429-054``)."""
    element = f"{_base(record)}/iati-identifier"
    if not record.identifier:
        record.problems.append(_finding(record, element, _("The activity has no IATI identifier.")))
    elif not IDENTIFIER_PATTERN.match(record.identifier):
        record.notes.append(_finding(record, element, _(
            "The IATI identifier “%(identifier)s” contains /, &, | or ?, which IATI advises against "
            "(IATI Standard rule 1.3.13).") % {"identifier": record.identifier}))


def sector_percentages(record: ActivityRecord) -> None:
    """Sectors, vocabulary by vocabulary (IATI Standard Ruleset 2.1.1, 2.1.2, 2.1.4 and 12.3.1): each
    percentage between 0 and 100; one sector of a vocabulary has no percentage or 100; several each have
    one, adding up to 100 (module docstring for rounding)."""
    element = f"{_base(record)}/sector"
    by_vocabulary: dict[str, list[Decimal | None]] = {}
    for sector in record.sectors:
        by_vocabulary.setdefault(sector.vocabulary, []).append(sector.percentage)
    for vocabulary, percentages in by_vocabulary.items():
        if _in_range(record, element, percentages, "12.3.1"):
            _add(record, _shares(record, element,
                                 lambda vocabulary=vocabulary: _("sectors of vocabulary %(vocabulary)s") % {"vocabulary": vocabulary},
                                 percentages, "2.1.1", "2.1.2", "2.1.4"))


def area_percentages(record: ActivityRecord) -> None:
    """Recipient countries and regions (IATI Standard Ruleset 3.1.1, 3.1.2, 3.1.4, 3.4.1, 3.4.2, 3.4.4 and
    12.1.1): each percentage between 0 and 100; the countries together with the regions of each region
    vocabulary (or the countries alone, without regions) share the activity: one area alone has no
    percentage or 100, several each have one, adding up to 100 (module docstring for rounding).

    The IATI Standard's own example activity (2.02, 2.03) splits the activity across all its countries
    and regions at once (two countries, a region of vocabulary 1 and one of vocabulary 99, 25 % each),
    where the ruleset reads each region vocabulary as a whole of its own; both readings are unambiguous,
    so with regions of several vocabularies the shares are also accepted when everything adds up to 100.
    """
    base = _base(record)
    countries = [country.percentage for country in record.countries]
    regions: dict[str, list[Decimal | None]] = {}
    for region in record.regions:
        regions.setdefault(region.vocabulary, []).append(region.percentage)
    in_range = _in_range(record, f"{base}/recipient-country", countries, "12.1.1")
    for shares in regions.values():
        in_range = _in_range(record, f"{base}/recipient-region", shares, "12.1.1") and in_range
    if not in_range:
        return
    if not regions:
        if countries:
            _add(record, _shares(record, f"{base}/recipient-country", lambda: _("recipient countries"), countries,
                                 "3.1.1", "3.1.2", "3.1.4"))
        return
    per_vocabulary: tuple[list[Finding], list[Finding]] = ([], [])
    for vocabulary, shares in regions.items():
        def what(vocabulary: str = vocabulary) -> str:
            return (_("recipient countries and regions of vocabulary %(vocabulary)s") if countries
                    else _("recipient regions of vocabulary %(vocabulary)s")) % {"vocabulary": vocabulary}

        problems, notes = _shares(record, f"{base}/recipient-region", what, countries + shares, "3.4.1", "3.4.2", "3.4.4")
        per_vocabulary[0].extend(problems)
        per_vocabulary[1].extend(notes)
    if per_vocabulary[0] and len(regions) > 1:
        together = countries + [share for shares in regions.values() for share in shares]
        whole = _shares(record, f"{base}/recipient-region", lambda: _("recipient countries and regions"), together,
                        "3.4.1", "3.4.2", "3.4.4")
        if not whole[0]:
            _add(record, whole)
            return
    _add(record, per_vocabulary)


def date_order(record: ActivityRecord) -> None:
    """The planned start is on or before the planned end, the actual start on or before the actual end
    (IATI Standard Ruleset 11.1.2 and 11.1.3; IATI ActivityDateType 1 planned start, 2 actual start,
    3 planned end, 4 actual end)."""
    element = f"{_base(record)}/activity-date"
    for start, end, rule in (("1", "3", "11.1.2"), ("2", "4", "11.1.3")):
        if start in record.dates and end in record.dates and record.dates[start] > record.dates[end]:
            message = (_("The planned end (%(end)s) is before the planned start (%(start)s) (IATI Standard rule %(rule)s).")
                       if start == "1" else
                       _("The actual end (%(end)s) is before the actual start (%(start)s) (IATI Standard rule %(rule)s)."))
            record.problems.append(_finding(record, element, message % {
                "start": record.dates[start].isoformat(), "end": record.dates[end].isoformat(), "rule": rule}))


def _one_year_later(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, month=3, day=1)


def budget_periods(record: ActivityRecord) -> None:
    """Each budget's period starts on or before it ends (IATI Standard Ruleset 8.6.3), a problem otherwise;
    a period of more than one year gets a note (rule 7.5.3: IATI asks for budgets by year or shorter, but
    a longer one still says what the activity plans to spend)."""
    base = _base(record)
    for position, budget in enumerate(record.budgets, start=1):
        element = f"{base}/{_step('budget', position, len(record.budgets))}"
        if budget.period_start > budget.period_end:
            record.problems.append(_finding(record, element, _(
                "The budget period ends (%(end)s) before it starts (%(start)s) (IATI Standard rule 8.6.3).")
                % {"start": budget.period_start.isoformat(), "end": budget.period_end.isoformat()}, budget.line))
        elif budget.period_end >= _one_year_later(budget.period_start):
            record.notes.append(_finding(record, element, _(
                "The budget period from %(start)s to %(end)s is longer than one year (IATI Standard rule 7.5.3).")
                % {"start": budget.period_start.isoformat(), "end": budget.period_end.isoformat()}, budget.line))


def currencies(record: ActivityRecord) -> None:
    """Every budget and transaction value has a currency, its own or the activity's ``default-currency``
    (IATI Standard Ruleset 7.8.1); the reader has already put the default in, so an empty currency here
    means neither was given."""
    base = _base(record)
    for kind, items in (("budget", record.budgets), ("transaction", record.transactions)):
        for position, item in enumerate(items, start=1):
            if not item.currency:
                record.problems.append(_finding(record, f"{base}/{_step(kind, position, len(items))}/value", _(
                    "The value has no currency and the activity has no default currency (IATI Standard rule 7.8.1)."),
                    item.line))


#: The rules ``check_activity`` runs, in this order.
RULES = (identifier, sector_percentages, area_percentages, date_order, budget_periods, currencies)


def check_activity(record: ActivityRecord) -> None:
    """Run every rule of ``RULES`` on ``record``, adding their findings to it."""
    for rule in RULES:
        rule(record)
