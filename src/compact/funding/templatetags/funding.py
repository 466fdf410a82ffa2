"""Template filters for money: an amount in its currency, a ``Money`` in US dollars or "not converted"."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compact.reference.currencies import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "USD") -> str:
    """``amount`` formatted in ``currency`` for the active language (``format_money``); "not converted"
    for None (no rate), never 0."""
    if amount is None:
        return _("not converted")
    return format_money(amount, currency)


@register.filter
def incomplete(value) -> str:
    """For a ``Money`` or ``Totals`` missing some rates: "incomplete: no rate for EUR 2026-03, JPY 2026-04",
    naming each currency and month whose amounts are left out (one pair may hold several amounts); empty
    when complete."""
    pairs = getattr(value, "not_converted", ())
    if not pairs:
        return ""
    labels = ", ".join(f"{code} {month:%Y-%m}" for code, month in pairs)
    return ngettext("incomplete: no rate for %(pairs)s", "incomplete: no rates for %(pairs)s", len(pairs)) % {
        "pairs": labels}


@register.filter
def figures(totals) -> list:
    """The ``Money`` figures of a ``Totals`` in the order of the totals tables' columns: requirement,
    pledged, funded, disbursed, spent, funding gap."""
    return [totals.requirement, totals.pledged, totals.funded, totals.disbursed, totals.spent, totals.gap]
