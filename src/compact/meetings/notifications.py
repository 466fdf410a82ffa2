"""E-mail notices about meetings, minutes and action items.

Each function sends, through Django's e-mail backend (``settings.EMAIL_BACKEND``: the console unless
``COMPACT_EMAIL_URL`` names an SMTP server), one message per recipient and returns how many it sent.
The services call them once their transaction has committed (``transaction.on_commit``).

Who receives what:

- a **user** (a registry person with a platform account) receives a notice only when they may read what
  it is about (``compact.access.policy.can``, today), have an e-mail address (their account's, else their
  person's), and have not turned that kind of notice off (``meetings.Preference``). Each notice is sent
  to a user once: it is recorded as a ``Notification`` whose ``key`` (unique per user) names it, e.g.
  ``overdue:<action item id>:<due date>``; a notice already recorded is not sent again;
- a **person without an account** is e-mailed at ``Person.email`` (when there is one) only when invited
  to a meeting by name (an ``Attendee`` row of that meeting), about that meeting and its minutes, and
  only when the meeting is *public* (the policy cannot be asked for someone without an account, and
  internal content is for signed-in users: docs/access.md); focal points and representatives of an
  attending entity who have no account receive nothing. No ``Notification`` row is written for them
  (the model records a user), so these notices are not guarded against repetition: each call sends them
  once. Notices of action items (new and overdue) go to users only.

Subjects and bodies are rendered from ``templates/meetings/email/<kind>_subject.txt`` and ``<kind>.txt``
in the recipient's language (``recipient_language``), with times in the meeting's own zone and, when
it differs, in the recipient's (``times.viewer_zone``). Invitations and changes carry the meeting's
iCalendar file (``text/calendar; method=REQUEST``, RFC 5546 section 3.2.2; ``method=CANCEL`` for a
cancellation, section 3.2.5), so that mail programs put it in the recipient's calendar.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from compact.access.models import Sensitivity
from compact.access.policy import Action, can
from compact.core.i18n import translated
from compact.core.models import valid_on
from compact.meetings import calendar, times
from compact.meetings.models import ActionItem, Attendance, Meeting, MinutesVersion, Notification, Preference
from compact.meetings.selectors import overdue_action_items
from compact.registry.models import LeadershipRole, Person

logger = logging.getLogger(__name__)

#: The preference that turns each kind of notice off.
PREFERENCE_OF: dict[str, str] = {
    Notification.Kind.INVITATION: "notify_invitations",
    Notification.Kind.MEETING_CHANGED: "notify_invitations",
    Notification.Kind.MEETING_CANCELLED: "notify_invitations",
    Notification.Kind.MINUTES_CIRCULATED: "notify_minutes",
    Notification.Kind.ACTION_ITEM: "notify_action_items",
    Notification.Kind.OVERDUE: "notify_overdue",
}


@dataclasses.dataclass(frozen=True)
class Recipient:
    """Where a notice goes: an address and a name, and the user (None for a person without an account)."""

    email: str
    name: str
    user: object | None = None


def recipient_language(user) -> str:
    """The language notices to ``user`` are written in: their preference (``Preference.language``), else
    the site's default language (``settings.LANGUAGE_CODE``)."""
    from compact.meetings.models import Preference

    code = Preference.objects.filter(user=user).values_list("language", flat=True).first() if user else None
    return code or settings.LANGUAGE_CODE


def _person_name(person: Person) -> str:
    return f"{person.given_name} {person.family_name}".strip()


def _recipients(people: Iterable[Person], *, about, kind: str, named: frozenset[int] = frozenset()) -> list[Recipient]:
    """The recipients among ``people`` of a notice of ``kind`` about ``about`` (a meeting or an action
    item), in the order given, each address once. ``named``: ids of the people invited by name
    (``Attendee``) who, without an account, may receive it, and then only when ``about`` is public."""
    people = list(people)
    flag = PREFERENCE_OF[kind]
    user_ids = [p.user_id for p in people if p.user_id]
    opted_out = set(Preference.objects.filter(user_id__in=user_ids, **{flag: False}).values_list("user_id", flat=True))
    found: list[Recipient] = []
    seen: set[str] = set()
    for person in people:
        user = person.user if person.user_id else None
        if user is not None:
            address = user.email or person.email
            if not user.is_active or user.pk in opted_out or not address or not can(user, Action.VIEW, about):
                continue
        else:
            address = person.email
            if person.pk not in named or not address or about.sensitivity != Sensitivity.PUBLIC:
                continue
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        found.append(Recipient(email=address, name=_person_name(person), user=user))
    return found


def invited_people(meeting: Meeting) -> list[Person]:
    """The people invited to ``meeting``: those invited by name (``Attendee``), then, for each entity
    attending (``Attendance``), its focal points and the people representing it in the meeting's body;
    each once, with their user account."""
    named = [a.person for a in meeting.attendees.select_related("person__user").order_by("pk")]
    entity_ids = Attendance.objects.filter(meeting=meeting).values("entity_id")
    through_entity = (Person.objects.select_related("user").filter(entity_id__in=entity_ids)
                      .filter(Q(function=Person.Function.FOCAL_POINT) | Q(body_id=meeting.body_id))
                      .order_by("entity__acronym", "pk"))
    seen = {p.pk for p in named}
    return named + [p for p in through_entity if p.pk not in seen]


def _task_people(item: ActionItem, day: dt.date) -> list[Person]:
    """The focal points of the entity an action item is given to, or of the entities leading (chair,
    co-chair, vice-chair) the body it is given to on ``day``."""
    if item.owner_entity_id:
        entity_ids = [item.owner_entity_id]
    else:
        entity_ids = list(LeadershipRole.objects.filter(valid_on(day), body_id=item.owner_body_id)
                          .values_list("entity_id", flat=True))
    return list(Person.objects.select_related("user").filter(entity_id__in=entity_ids,
                                                             function=Person.Function.FOCAL_POINT)
                .order_by("entity__acronym", "family_name", "pk"))


def _utc_label(value: dt.datetime) -> str:
    minutes = int(value.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def span_text(meeting: Meeting, tz) -> str:
    """``meeting``'s dates and times in ``tz`` (a ``ZoneInfo`` or an IANA name), unambiguous in every
    language: ``"2025-03-10 09:00–11:00 Asia/Tokyo (UTC+09:00)"``; the end's date when it is another day,
    both offsets when a daylight-saving change falls within; an all-day meeting's dates in its own zone
    (``"2025-03-10"`` or ``"2025-03-10 – 2025-03-11"``)."""
    if meeting.all_day:
        own = times.span_in(meeting, meeting.time_zone)
        first, last = own.start.date(), (own.end - dt.timedelta(days=1)).date()
        return first.isoformat() if last <= first else f"{first.isoformat()} – {last.isoformat()}"
    span = times.span_in(meeting, tz)
    start, end = span.start, span.end
    until = f"{end:%H:%M}" if end.date() == start.date() else f" {end:%Y-%m-%d %H:%M}"
    dash = "–" if end.date() == start.date() else " –"
    offsets = _utc_label(start) if start.utcoffset() == end.utcoffset() else f"{_utc_label(start)} / {_utc_label(end)}"
    return f"{start:%Y-%m-%d %H:%M}{dash}{until} {span.zone_name} ({offsets})"


def _preferences_url() -> str:
    return calendar.site_url() + reverse("meetings:preferences")


def _meeting_context(meeting: Meeting, recipient: Recipient, language: str) -> dict:
    own = times.zone(meeting.time_zone)
    viewer = times.viewer_zone(recipient.user) if recipient.user is not None else own
    return {
        "recipient": recipient,
        "preferences_url": _preferences_url(),
        "meeting": meeting,
        "summary": calendar.meeting_summary(meeting, language),
        "body_title": calendar.body_name(meeting.body, language),
        "when": span_text(meeting, own),
        "when_yours": span_text(meeting, viewer) if viewer.key != own.key and not meeting.all_day else "",
        "url": calendar.site_url() + calendar.meeting_path(meeting),
        "cancelled": meeting.status == Meeting.Status.CANCELLED,
    }


def _send(recipient: Recipient, *, kind: str, key: str, context: dict, language: str,
          attachment: tuple[str, bytes, str] | None = None) -> bool:
    """Render and send one notice; for a user, record it first (in the same transaction) and send
    nothing when it is already recorded. Returns whether it was sent. A failure of the mail server is
    logged and counts as not sent (nothing is recorded then)."""
    if recipient.user is not None and Notification.objects.filter(user=recipient.user, key=key).exists():
        return False
    with translation.override(language):
        subject = " ".join(render_to_string(f"meetings/email/{kind}_subject.txt", context).split())
        body = render_to_string(f"meetings/email/{kind}.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=[f"{recipient.name} <{recipient.email}>" if recipient.name else recipient.email])
    if attachment is not None:
        message.attach(*attachment)
    try:
        with transaction.atomic():
            if recipient.user is not None:
                Notification.objects.create(user=recipient.user, kind=kind, key=key[:120], subject=subject[:300])
            message.send()
    except IntegrityError:
        return False
    except (smtplib.SMTPException, OSError):
        logger.warning("notice %s to %s not sent", key, recipient.email, exc_info=True)
        return False
    return True


def _ics(meeting: Meeting, recipient: Recipient, language: str, method: str) -> tuple[str, bytes, str]:
    content = calendar.calendar_for([meeting], name=calendar.meeting_summary(meeting, language), method=method,
                                    language=language, attendee=(recipient.email, recipient.name))
    return (calendar.filename(f"meeting-{meeting.pk}"), content.decode(),
            f"text/calendar; method={method}")


def _named(meeting: Meeting) -> frozenset[int]:
    """Ids of the people invited to ``meeting`` by name (its ``Attendee`` rows)."""
    return frozenset(meeting.attendees.values_list("person_id", flat=True))


def _meeting_notices(meeting: Meeting, people: Iterable[Person], *, kind: str, key: str, method: str) -> int:
    sent = 0
    meeting = Meeting.objects.select_related("body").prefetch_related("agenda_items").get(pk=meeting.pk)
    for recipient in _recipients(people, about=meeting, kind=kind, named=_named(meeting)):
        language = recipient_language(recipient.user)
        context = _meeting_context(meeting, recipient, language)
        sent += _send(recipient, kind=kind, key=key, context=context, language=language,
                      attachment=_ics(meeting, recipient, language, method))
    return sent


def notify_invitation(meeting: Meeting, people: Iterable[Person]) -> int:
    """Invite ``people`` (``registry.Person`` rows) to ``meeting``, with its .ics attached
    (``method=REQUEST``). Key ``invitation:<meeting id>``: a user is invited once."""
    return _meeting_notices(meeting, people, kind=Notification.Kind.INVITATION, key=f"invitation:{meeting.pk}",
                            method=calendar.REQUEST)


def notify_meeting_changed(meeting: Meeting, *, cancelled: bool = False) -> int:
    """Tell the meeting's invited people (``invited_people``) that it changed (key
    ``meeting:<id>:<sequence>``, .ics ``method=REQUEST`` with the new sequence) or was cancelled (key
    ``cancelled:<id>``, .ics ``method=CANCEL``)."""
    people = invited_people(meeting)
    if cancelled:
        return _meeting_notices(meeting, people, kind=Notification.Kind.MEETING_CANCELLED,
                                key=f"cancelled:{meeting.pk}", method=calendar.CANCEL)
    return _meeting_notices(meeting, people, kind=Notification.Kind.MEETING_CHANGED,
                            key=f"meeting:{meeting.pk}:{meeting.sequence}", method=calendar.REQUEST)


def notify_minutes_circulated(version: MinutesVersion) -> int:
    """Tell the meeting's invited people (``invited_people``) that minutes ``version`` are circulated for
    comments. Key ``minutes:<version id>``."""
    meeting = Meeting.objects.select_related("body").get(pk=version.meeting_id)
    kind = Notification.Kind.MINUTES_CIRCULATED
    sent = 0
    for recipient in _recipients(invited_people(meeting), about=meeting, kind=kind, named=_named(meeting)):
        language = recipient_language(recipient.user)
        context = _meeting_context(meeting, recipient, language) | {"version": version}
        sent += _send(recipient, kind=kind, key=f"minutes:{version.pk}", context=context, language=language)
    return sent


def _item_context(item: ActionItem, recipient: Recipient, language: str, day: dt.date) -> dict:
    owner = item.owner_entity.acronym if item.owner_entity_id else calendar.body_name(item.owner_body, language)
    # The decision is named only to a recipient who may read it (docs/access.md, "No leaks through relations").
    decision_shown = recipient.user is not None and can(recipient.user, Action.VIEW, item.decision)
    return {
        "recipient": recipient,
        "preferences_url": _preferences_url(),
        "item": item,
        "title": translated(item, "title", language).text,
        "description": translated(item, "description", language).text,
        "decision_shown": decision_shown,
        "decision_reference": item.decision.reference if decision_shown else "",
        "decision_title": translated(item.decision, "title", language).text if decision_shown else "",
        "owner": owner,
        "due": item.due.isoformat(),
        "days_late": (day - item.due).days,
        "url": calendar.site_url() + reverse("meetings:action-item", args=[item.pk]),
    }


def _item_notices(item: ActionItem, *, kind: str, key: str, day: dt.date) -> int:
    sent = 0
    for recipient in _recipients(_task_people(item, day), about=item, kind=kind):
        language = recipient_language(recipient.user)
        sent += _send(recipient, kind=kind, key=key, context=_item_context(item, recipient, language, day),
                      language=language)
    return sent


def notify_action_item(item: ActionItem) -> int:
    """Tell the focal points of the tasked entity (or of the entities leading the tasked body, today) of a
    new action item. Key ``action_item:<id>``."""
    item = ActionItem.objects.select_related("decision", "owner_entity", "owner_body").get(pk=item.pk)
    return _item_notices(item, kind=Notification.Kind.ACTION_ITEM, key=f"action_item:{item.pk}",
                         day=timezone.localdate())


def notify_overdue(day: dt.date) -> int:
    """Tell the same people as ``notify_action_item`` of every action item still open or in progress after
    its due date, as of ``day`` (``selectors.overdue_action_items``): once per item and due date (key
    ``overdue:<id>:<due date>``; a new due date that passes makes a new notice)."""
    sent = 0
    for item in overdue_action_items(day=day):
        sent += _item_notices(item, kind=Notification.Kind.OVERDUE, key=f"overdue:{item.pk}:{item.due.isoformat()}",
                              day=day)
    return sent
