"""Reading the "as of" date that every structural page and API call accepts."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidDate(ValueError):
    """Raised when an ``as_of`` parameter is not an ISO 8601 calendar date (``YYYY-MM-DD``)."""


def parse_as_of(value: str | None, *, today: dt.date | None = None) -> dt.date:
    """Return the date named by ``value`` (``YYYY-MM-DD``), or today's date (in ``settings.TIME_ZONE``)
    when it is empty.

    Raises:
        InvalidDate: the value is not a real calendar date in ISO 8601 extended form.
    """
    if value is None or value.strip() == "":
        return today or timezone.localdate()
    text = value.strip()
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDate(
            _("“%(value)s” is not a valid date; use the form YYYY-MM-DD, e.g. 2019-07-27.") % {"value": value}
        ) from exc
