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
    """For a ``Money`` or ``Totals`` missing some rates: "incomplete: N amounts not converted (EUR 2026-03,
    ...)" naming each currency and month; empty when complete."""
    pairs = getattr(value, "not_converted", ())
    if not pairs:
        return ""
    labels = ", ".join(f"{code} {month:%Y-%m}" for code, month in pairs)
    return ngettext("incomplete: %(count)d amount not converted (%(pairs)s)",
                    "incomplete: %(count)d amounts not converted (%(pairs)s)", len(pairs)) % {
        "count": len(pairs), "pairs": labels}
