"""Reading the "as of" date that every structural page and API call accepts."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _


class InvalidDate(ValueError):
    """Raised when an ``as_of`` parameter is not an ISO 8601 calendar date (``YYYY-MM-DD``)."""


def parse_as_of(value: str | None, *, today: dt.date | None = None) -> dt.date:
    """Return the date named by ``value`` (``YYYY-MM-DD``), or today's date when it is empty.

    Raises:
        InvalidDate: the value is not a real calendar date in ISO 8601 extended form.
    """
    if value is None or value.strip() == "":
        return today or dt.date.today()
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDate(
            _("“%(value)s” is not a valid date; use the form YYYY-MM-DD, e.g. 2019-07-27.") % {"value": value}
        ) from exc
