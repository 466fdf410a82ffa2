"""Meetings as iCalendar data (RFC 5545), written with the ``icalendar`` library.

- ``calendar_for(meetings, name=...)`` is one VCALENDAR (``VERSION:2.0``, ``CALSCALE:GREGORIAN``, a
  ``METHOD``: ``PUBLISH`` for feeds, ``REQUEST`` / ``CANCEL`` for e-mailed invitations, RFC 5546
  section 1.4) holding one VEVENT per meeting and one VTIMEZONE per zone the events use (RFC 5545
  section 3.6.5), generated from the tz database (``zoneinfo``) for whole years around the events, so
  that a calendar never has to guess the rules of a zone.
- ``meeting_event(meeting)`` is the VEVENT of one meeting: ``UID`` is ``Meeting.uid`` and never changes
  (section 3.8.4.7); ``SEQUENCE`` is ``Meeting.sequence``, raised by the services for every change
  attendees should see (section 3.8.7.4); a cancelled meeting stays, with ``STATUS:CANCELLED`` (section
  3.8.1.11); ``DTSTART``/``DTEND`` carry the ``TZID`` of the meeting's own zone (section 3.3.5, form 3),
  or are dates (``VALUE=DATE``, the end exclusive, section 3.6.1) for an all-day meeting; ``CLASS``
  (section 3.8.1.3) follows the meeting's sensitivity (``CLASSES``).

Texts (summary, agenda) are those of the language asked for, else of the active language, with the
platform's fallback order (``compact.core.i18n.translated``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compact.access.models import Sensitivity
from compact.core.i18n import translated
from compact.meetings import times
from compact.meetings.models import Meeting

#: The product identifier of the calendars the platform writes (RFC 5545 section 3.7.3).
PRODID = "-//United Nations Global Counter-Terrorism Coordination Compact//Compact meetings//EN"

#: The media type of the calendars the platform serves (RFC 5545 section 8.1).
CONTENT_TYPE = "text/calendar; charset=utf-8"

#: ``METHOD`` of a published feed, of an invitation or update, and of a cancellation (RFC 5546 section 1.4).
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"

#: ``CLASS`` of an event by the meeting's sensitivity (RFC 5545 section 3.8.1.3): public meetings are
#: PUBLIC, internal ones PRIVATE (signed-in users only), confidential and strictly confidential ones
#: CONFIDENTIAL.
CLASSES: dict[str, str] = {
    Sensitivity.PUBLIC: "PUBLIC",
    Sensitivity.INTERNAL: "PRIVATE",
    Sensitivity.CONFIDENTIAL: "CONFIDENTIAL",
    Sensitivity.STRICTLY_CONFIDENTIAL: "CONFIDENTIAL",
}

#: How often a calendar client should fetch a feed again (RFC 7986 section 5.7 and the older
#: ``X-PUBLISHED-TTL``).
REFRESH = dt.timedelta(hours=1)


def meeting_path(meeting: Meeting) -> str:
    """The path of the meeting's page on the platform (``/meetings/<id>/``)."""
    return reverse("meetings:meeting", args=[meeting.pk])


def site_url() -> str:
    """The address of the platform, for links written outside a request (``settings.SITE_URL``)."""
    return settings.SITE_URL.rstrip("/")


def body_name(body, language: str | None = None) -> str:
    """The body's name in ``language`` (default: the active one): "WG 3: <title>" for a working group."""
    with translation.override(language or translation.get_language()):
        return str(body)


def meeting_summary(meeting: Meeting, language: str | None = None) -> str:
    """The meeting's title in ``language`` (default: the active one, with fallback), else
    "<body>, meeting <number>"."""
    title = translated(meeting, "title", language).text
    if title:
        return title
    with translation.override(language or translation.get_language()):
        return _("%(body)s, meeting %(number)s") % {"body": body_name(meeting.body), "number": meeting.number}


def meeting_description(meeting: Meeting, language: str | None = None) -> str:
    """Plain text: the meeting's description, its online link and its agenda ("1. Title" lines, in order)."""
    parts = []
    description = translated(meeting, "description", language).text
    if description:
        parts.append(description)
    with translation.override(language or translation.get_language()):
        if meeting.online_url:
            parts.append(_("Online: %(url)s") % {"url": meeting.online_url})
        items = sorted(meeting.agenda_items.all(), key=lambda item: item.position)
        if items:
            lines = [f"{item.position}. {translated(item, 'title', language).text}" for item in items]
            parts.append("\n".join([_("Agenda:"), *lines]))
    return "\n\n".join(parts)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def meeting_event(meeting: Meeting, *, language: str | None = None, base_url: str | None = None,
                  stamp: dt.datetime | None = None) -> icalendar.Event:
    """The VEVENT of ``meeting`` (see the module's docstring for each property).

    ``base_url`` (e.g. ``"https://compact.example.org"``, default ``settings.SITE_URL``) makes the link
    to the meeting's page absolute; ``stamp`` is the ``DTSTAMP`` (default: now), the time the calendar
    is written (RFC 5545 section 3.8.7.2, a calendar with a ``METHOD``). The agenda items are read from
    ``meeting.agenda_items.all()`` (prefetch them for many meetings).
    """
    base = (site_url() if base_url is None else base_url).rstrip("/")
    tz = times.zone(meeting.time_zone)
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(stamp or timezone.now()))
    if meeting.all_day:
        event.add("dtstart", meeting.start.astimezone(tz).date())
        event.add("dtend", meeting.end.astimezone(tz).date())
    else:
        event.add("dtstart", meeting.start.astimezone(tz))
        event.add("dtend", meeting.end.astimezone(tz))
    event.add("summary", meeting_summary(meeting, language))
    if meeting.venue:
        event.add("location", meeting.venue)
    elif meeting.online_url:
        event.add("location", meeting.online_url)
    event.add("url", meeting.online_url or f"{base}{meeting_path(meeting)}")
    description = meeting_description(meeting, language)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    event.add("class", CLASSES[meeting.sensitivity])
    event.add("transp", "TRANSPARENT" if meeting.status == Meeting.Status.CANCELLED else "OPAQUE")
    if meeting.updated:
        event.add("last-modified", _utc(meeting.updated))
    return event


def _transition(zone, local: dt.datetime, before: dt.timedelta, after: dt.timedelta) -> dt.datetime | None:
    """The UTC instant, to the second, at which ``zone``'s offset changes from ``before`` to ``after``
    near the wall-clock time ``local`` (naive), or None when there is no such change within three hours
    of ``local`` read with ``after``."""
    centre = local.replace(tzinfo=dt.UTC) - after
    low, high = int((centre - dt.timedelta(hours=3)).timestamp()), int((centre + dt.timedelta(hours=3)).timestamp())

    def offset(seconds: int) -> dt.timedelta:
        return dt.datetime.fromtimestamp(seconds, zone).utcoffset()

    if offset(low) != before or offset(high) != after:
        return None
    while high - low > 1:  # offset(low) == before, offset(high) == after
        middle = (low + high) // 2
        if offset(middle) == before:
            low = middle
        else:
            high = middle
    return dt.datetime.fromtimestamp(high, dt.UTC)


def _onset(zone, local: dt.datetime, before: dt.timedelta, after: dt.timedelta) -> dt.datetime:
    """An observance's onset as RFC 5545 section 3.6.5 writes it: the local time *before* the change
    (the transition instant read with TZOFFSETFROM), e.g. 02:00 for New York's 2025-03-09 (-0500 to
    -0400) and for its 2025-11-02 (-0400 to -0500). ``local`` unchanged when no change is found."""
    instant = _transition(zone, local, before, after) if before != after else None
    return local if instant is None else (instant + before).replace(tzinfo=None)


@lru_cache(maxsize=256)
def vtimezone(name: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE of zone ``name`` from 1 January ``first_year`` to 1 January ``last_year + 1``: every
    offset change the tz database has in that span, as STANDARD and DAYLIGHT components with their
    TZOFFSETFROM / TZOFFSETTO (RFC 5545 section 3.6.5). Cached: callers must not change it.

    ``icalendar.Timezone.from_tzinfo`` (7.x, no option for this) writes a change that skips local time
    (spring forward) at the first local time after it (03:00 for New York's 2025-03-09); RFC 5545's
    example (section 3.6.5) writes every onset, DTSTART and RDATE, as the local time before the change,
    in TZOFFSETFROM (02:00). Each onset is recomputed so (``_onset``)."""
    zone = times.zone(name)
    timezone_ = icalendar.Timezone.from_tzinfo(zone, tzid=name, first_date=dt.date(first_year, 1, 1),
                                               last_date=dt.date(last_year + 1, 1, 1))
    for observance in timezone_.walk():
        if observance.name not in ("STANDARD", "DAYLIGHT"):
            continue
        before, after = observance.TZOFFSETFROM, observance.TZOFFSETTO
        observance.DTSTART = _onset(zone, observance.DTSTART, before, after)
        rdates = [value for value, _period in observance.rdates]
        if rdates:
            del observance["RDATE"]
            observance.add("RDATE", [_onset(zone, value, before, after) for value in rdates])
    return timezone_


def _timezones(meetings: list[Meeting]) -> list[icalendar.Timezone]:
    """One VTIMEZONE per zone used by a timed meeting (not UTC, written with ``Z``), covering the years
    of its meetings in that zone."""
    years: dict[str, list[int]] = {}
    for meeting in meetings:
        if meeting.all_day or meeting.time_zone == "UTC":
            continue
        tz = times.zone(meeting.time_zone)
        span = years.setdefault(meeting.time_zone, [])
        span += [meeting.start.astimezone(tz).year, meeting.end.astimezone(tz).year]
    return [vtimezone(name, min(span), max(span)) for name, span in sorted(years.items())]


def calendar_for(meetings: Iterable[Meeting], *, name: str, method: str = PUBLISH, language: str | None = None,
                 base_url: str | None = None, stamp: dt.datetime | None = None,
                 attendee: tuple[str, str] | None = None) -> bytes:
    """The iCalendar file (UTF-8 bytes, CRLF lines folded at 75 octets) of ``meetings``, named ``name``
    (``X-WR-CALNAME`` and RFC 7986 ``NAME``).

    ``method`` is ``PUBLISH`` (a feed: the calendar also says how often to refresh it), ``REQUEST`` or
    ``CANCEL`` (an e-mailed invitation, update or cancellation: each event then names the platform's
    sender as ``ORGANIZER`` and ``attendee`` = ``(e-mail address, name)`` as ``ATTENDEE``, RFC 5546
    sections 3.2.2 and 3.2.5). ``language``, ``base_url`` and ``stamp``: see ``meeting_event``.
    Raises ``ValueError`` for another method, or for ``REQUEST``/``CANCEL`` without ``attendee``.
    """
    if method not in (PUBLISH, REQUEST, CANCEL):
        raise ValueError(f"unknown iCalendar method {method!r}: expected PUBLISH, REQUEST or CANCEL")
    if method != PUBLISH and attendee is None:
        raise ValueError(f"an iCalendar {method} names its attendee")
    meetings = list(meetings)
    stamp = stamp or timezone.now()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    if method == PUBLISH:
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for component in _timezones(meetings):
        cal.add_component(component)
    for meeting in meetings:
        event = meeting_event(meeting, language=language, base_url=base_url, stamp=stamp)
        if attendee is not None:
            address, display_name = attendee
            organizer = icalendar.vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
            organizer.params["CN"] = body_name(meeting.body, language)
            event.add("organizer", organizer)
            invitee = icalendar.vCalAddress(f"mailto:{address}")
            invitee.params.update({"CN": display_name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION",
                                   "RSVP": "FALSE"})
            event.add("attendee", invitee)
        cal.add_component(event)
    return cal.to_ical()


def filename(name: str) -> str:
    """A safe file name for a calendar: ``"wg-3.ics"``; letters, digits, ``-`` and ``_`` only."""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in name).strip("-") or "calendar"
    return f"{stem[:60]}.ics"
