"""Shared model building blocks: rows valid over a period of time.

A period runs from ``start`` to ``end``, both inclusive; an empty ``end`` means "still valid".
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """Return a filter selecting rows whose ``[start, end]`` period contains ``day``.

    ``prefix`` names a relation to follow (e.g. ``"leadership_roles__"``). ``end`` is inclusive and
    null means open-ended.
    """
    return Q(**{f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day})
    )


class PeriodQuerySet(models.QuerySet):
    """Query set of dated rows, with ``as_of(day)``."""

    def as_of(self, day: dt.date) -> PeriodQuerySet:
        """Rows valid on ``day`` (a ``datetime.date``)."""
        return self.filter(valid_on(day))


class Period(models.Model):
    """Abstract base for a row valid from ``start`` to ``end`` (inclusive; empty end: still valid)."""

    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty while still in force."))

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        """True when ``day`` falls within ``[start, end]``."""
        return self.status_on(day) == "current"

    def status_on(self, day: dt.date) -> str:
        """Where the period stands on ``day``: ``"future"`` (not begun), ``"past"`` (ended) or ``"current"``."""
        if day < self.start:
            return "future"
        if self.end is not None and self.end < day:
            return "past"
        return "current"

    @property
    def is_current(self) -> bool:
        """True when the period contains today's date."""
        return self.is_valid_on(dt.date.today())
