"""Times of meetings in IANA time zones (the tz database, through ``zoneinfo``).

A meeting's start and end are stored as aware datetimes in UTC. They are shown in the meeting's own
zone (``Meeting.time_zone``) and in the viewer's (``viewer_zone``): the zone of their preferences, else
the site's (``settings.TIME_ZONE``). Conversions go through ``zoneinfo``, so daylight-saving changes
and offsets such as +05:45 come from the tz database, never from arithmetic of our own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """IANA time zone names a user may choose: ``UTC`` and the ``Area/Location`` zones, sorted."""
    names = {n for n in zoneinfo.available_timezones() if "/" in n and not n.startswith(("Etc/", "posix/", "right/"))}
    return ("UTC", *sorted(names))


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(time_zones())


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The ``ZoneInfo`` named ``name`` (e.g. ``"Asia/Tokyo"``), one of ``time_zones()``.

    Raises ``ValidationError`` (field ``time_zone``) for any other name: one the tz database does not
    know, and also the files it holds that are not zones a meeting is held in (``localtime``,
    ``Factory``, the ``posix/`` and ``right/`` copies, ``Etc/`` offsets).
    """
    try:
        if not isinstance(name, str) or name not in _known_zones():
            raise zoneinfo.ZoneInfoNotFoundError(name)
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError({"time_zone": _("Unknown time zone %(name)r: give an IANA name such as "
                                              "America/New_York.") % {"name": name}}) from None


def viewer_zone(user) -> zoneinfo.ZoneInfo:
    """The zone ``user`` sees times in: their preference (``meetings.Preference.time_zone``), else the
    site's ``settings.TIME_ZONE``. Reads the preference once per user object."""
    name = ""
    if getattr(user, "is_authenticated", False):
        cached = user.__dict__.get("_compact_time_zone")
        if cached is None:
            from compact.meetings.models import Preference

            cached = Preference.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""
            user.__dict__["_compact_time_zone"] = cached
        name = cached
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def make_aware(local: dt.datetime, name: str) -> dt.datetime:
    """The aware datetime of the wall-clock time ``local`` (naive) in zone ``name``.

    A wall-clock time that does not exist (skipped by a daylight-saving change) or exists twice is
    refused with a ``ValidationError`` saying so, rather than shifted silently (PEP 495 ``fold``).
    """
    tz = zone(name)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
        if back != local:
            raise ValidationError(_("%(time)s does not exist in %(zone)s: the clocks skip it.")
                                  % {"time": local.strftime("%Y-%m-%d %H:%M"), "zone": name})
        raise ValidationError(_("%(time)s happens twice in %(zone)s (the clocks go back): give another time.")
                              % {"time": local.strftime("%Y-%m-%d %H:%M"), "zone": name})
    return first


@dataclasses.dataclass(frozen=True)
class LocalSpan:
    """A meeting's start and end as seen in one zone: aware datetimes in ``zone`` and its name."""

    start: dt.datetime
    end: dt.datetime
    zone_name: str

    @property
    def crosses_midnight(self) -> bool:
        """True when it ends on a later day than it starts (an end at exactly midnight does not count)."""
        last = self.end - dt.timedelta(microseconds=1)
        return last.date() > self.start.date()


def span_in(meeting, tz: zoneinfo.ZoneInfo | str) -> LocalSpan:
    """``meeting``'s start and end in ``tz`` (a ``ZoneInfo`` or an IANA name)."""
    tz = zone(tz) if isinstance(tz, str) else tz
    return LocalSpan(meeting.start.astimezone(tz), meeting.end.astimezone(tz), tz.key)


def meeting_date(meeting) -> dt.date:
    """The date a meeting starts on in its own zone (the date that counts for the registry and for the
    year of its decisions' references)."""
    return meeting.start.astimezone(zone(meeting.time_zone)).date()


def meeting_days(meeting) -> tuple[dt.date, dt.date]:
    """The first and last dates of a meeting in its own zone: ``meeting_date`` and the date its end falls
    on; for an all-day meeting, whose end is the exclusive midnight after its last day, the day before
    that midnight. A decision of the meeting is adopted on one of these days (``services.decision_record``)."""
    tz = zone(meeting.time_zone)
    first = meeting.start.astimezone(tz).date()
    end = meeting.end.astimezone(tz)
    if meeting.all_day:
        end -= dt.timedelta(microseconds=1)
    return first, max(first, end.date())
