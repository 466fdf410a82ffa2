"""Every write of the meeting cycle: meetings, agenda items, attendance, minutes versions, decisions and
action items, and the Coordination Committee's known meetings shipped as default data.

Each service runs in one ``transaction.atomic()``, checks who may act (``compact.access.policy``),
validates (``ValidationError`` naming each field), writes, and records one change-log event per row
written (``compact.audit.services``); many-to-many links (an agenda item's documents, a decision's
adopting entities, the action items frozen under matters arising) go in the event of the row that holds
them as ``{"documents": [before ids, after ids]}``. E-mails are sent after the commit
(``compact.meetings.notifications``, through ``transaction.on_commit``).

Who does what:

- those who manage a meeting (``selectors.may_manage``: the secretariat, officers of its body, change
  grantees) schedule it, keep its agenda, attendance and minutes, and record its decisions and their
  action items;
- anyone who may read a meeting comments on minutes circulated for comments;
- the focal points of a tasked entity (the policy's *change* on the action item) report its progress:
  its status and evidence; its title, description, due date and owner stay with the managers of the
  decision's body.

Rules (the meetings issue): minutes go draft -> circulated for comments -> final; a final version is
never changed by any service, a correction is a new final version that names the one it corrects and
why. Decisions are adopted only by *members* of the body on the day (observers never adopt);
references ``<body code>/<year>/<number>`` are given once and never reused. A change to content that is
(or becomes) confidential or strictly confidential needs a reason (``ReasonRequired``), and so does any
change to the agenda, attendance or minutes of such a meeting.

Lengths and ranges are checked here, as field errors, before anything is written: titles and venues
of at most 300 characters, links (``online_url``, ``evidence_url``) of at most 500, numbers from 1 to
32767 (``SMALL_MAX``), and every ``reason`` of at most 500 characters (``REASON_MAX``; refused, never
cut).

``actor=None`` is the platform itself (the default data loaded by ``compact setup``), named by
``actor_label``; it is not checked against the policy.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from compact.access.models import PROTECTED_LEVELS, Grant, Sensitivity
from compact.access.policy import Action, can, restrict
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired, diff, record_change, snapshot
from compact.core.i18n import FALLBACK_ORDER, field_name
from compact.library.models import Document
from compact.meetings import notifications, times
from compact.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Attendee,
    Decision,
    DecisionSubject,
    Meeting,
    MinutesComment,
    MinutesVersion,
)
from compact.meetings.selectors import (
    MEMBER,
    _arising_queryset,
    body_code,
    latest_minutes,
    may_manage,
    participants_on,
)
from compact.registry.models import Body, Entity

#: The six UN languages a title or text may be given in.
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

#: The title of the matters-arising item, translated into each language when a meeting is created.
MATTERS_ARISING = gettext_noop("Matters arising")

Text = Mapping[str, str] | str | None


# --- helpers -----------------------------------------------------------------------------------------


def _texts(field: str, text: Text) -> dict[str, str | None]:
    """``{"title_en": ..., ...}`` for the languages given in ``text`` (``{language: text}``, or a plain
    string taken as English); empty texts become None. Raises ``ValidationError`` on ``field`` for a
    language that is not one of the six."""
    if text is None:
        return {}
    if isinstance(text, str):
        text = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: text}
    unknown = sorted(set(text) - set(LANGUAGES))
    if unknown:
        raise ValidationError({field: _("Unknown language %(codes)s: expected one of %(known)s.")
                               % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGES)}})
    return {field_name(field, code): ((value or "").strip() or None) for code, value in text.items()}


def _set_texts(obj, field: str, text: Text, *, replace: bool = True) -> None:
    """Set ``obj``'s language columns of ``field`` from ``text`` (with ``replace``, the languages not given
    are emptied). The untranslated column is filled when saving (``_save``)."""
    given = _texts(field, text)
    for code in LANGUAGES:
        column = field_name(field, code)
        if column in given:
            setattr(obj, column, given[column])
        elif replace:
            setattr(obj, column, None)


#: The translated fields of each model (``translation.py``).
TRANSLATED: dict[type, tuple[str, ...]] = {Meeting: ("title", "description"), AgendaItem: ("title", "description"),
                                           Decision: ("title", "text"), ActionItem: ("title", "description")}


def _save(obj) -> None:
    """Save ``obj``; for a translated model, in the language its untranslated columns are filled from
    (django-modeltranslation copies the active language's text, with its fallbacks, into them): English
    when it has text, else the first language in ``FALLBACK_ORDER`` that has."""
    fields = TRANSLATED.get(type(obj), ())
    code = next((c for c in FALLBACK_ORDER if any(getattr(obj, field_name(f, c), None) for f in fields)),
                settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
    with translation.override(code):
        obj.save()


def _text_values(obj, field: str) -> tuple[str, ...]:
    return tuple(getattr(obj, field_name(field, code)) or "" for code in LANGUAGES)


def _require_text(obj, field: str, errors: dict[str, list[str]], max_length: int | None = 300) -> None:
    values = _text_values(obj, field)
    if not any(values):
        errors.setdefault(field, []).append(_("Required, in at least one language."))
    if max_length:
        for code, value in zip(LANGUAGES, values, strict=True):
            if len(value) > max_length:
                errors.setdefault(field, []).append(_("The text in %(language)s is longer than %(limit)s characters.")
                                                    % {"language": code, "limit": max_length})


def _created(obj, *, actor, reason: str, actor_label: str = "", extra: dict[str, list[Any]] | None = None) -> ChangeEvent:
    return record_change(action=ChangeEvent.Action.CREATE, obj=obj, changes=diff({}, snapshot(obj)) | (extra or {}),
                         reason=reason, actor=actor, actor_label=actor_label)


def _saved(obj, before: dict[str, Any], *, actor, reason: str, actor_label: str = "",
           extra: dict[str, list[Any]] | None = None) -> bool:
    """Save ``obj`` and record its field changes (and ``extra``) as one update; nothing when unchanged."""
    changes = diff(before, snapshot(obj)) | (extra or {})
    if not changes:
        return False
    _save(obj)
    record_change(action=ChangeEvent.Action.UPDATE, obj=obj, changes=changes, reason=reason, actor=actor,
                  actor_label=actor_label)
    return True


def _deleted(obj, *, actor, reason: str, extra: dict[str, list[Any]] | None = None) -> None:
    record_change(action=ChangeEvent.Action.DELETE, obj=obj, changes=diff(snapshot(obj), {}) | (extra or {}),
                  reason=reason, actor=actor)
    obj.delete()


#: The longest reason a change-log event takes from a service (``MinutesVersion.reason`` keeps it too).
REASON_MAX = 500

#: The largest number a ``PositiveSmallIntegerField`` holds on every database Django supports.
SMALL_MAX = 32767


def check_reason(reason: str | None) -> None:
    """``ValidationError`` on ``reason`` when it is longer than ``REASON_MAX`` characters (refused, never
    cut)."""
    if reason is not None and not isinstance(reason, str):
        raise ValidationError({"reason": _("The reason is a text.")})
    if len((reason or "").strip()) > REASON_MAX:
        raise ValidationError({"reason": _("The reason is %(length)s characters long; the longest is %(limit)s.")
                               % {"length": len(reason.strip()), "limit": REASON_MAX}})


def _check_url(value: str, field: str, errors: dict[str, list[str]], limit: int = 500) -> None:
    """A web address (http or https) of at most ``limit`` characters, else a message on ``field``."""
    from django.core.validators import URLValidator

    if not value:
        return
    if len(value) > limit:
        errors.setdefault(field, []).append(_("The link is %(length)s characters long; the longest is %(limit)s.")
                                            % {"length": len(value), "limit": limit})
        return
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        errors.setdefault(field, []).append(_("%(value)r is not a web address (http or https).") % {"value": value})


def _require_reason(reason: str, *levels: str) -> None:
    """``ReasonRequired`` when ``reason`` is empty and any of ``levels`` is confidential or strictly
    confidential (``docs/access.md``)."""
    if not (reason or "").strip() and set(levels) & PROTECTED_LEVELS:
        raise ReasonRequired(_("A reason is required for a change to confidential or strictly confidential content."))


def _require_manager(actor, meeting_or_body, message: str) -> None:
    """``PermissionDenied`` unless ``actor`` (None: the platform) manages the meeting or body."""
    if actor is not None and not may_manage(actor, meeting_or_body):
        raise PermissionDenied(message)


def _fresh_meeting(meeting: Meeting, *, lock: bool = False) -> Meeting:
    qs = Meeting.objects.select_related("body")
    return (qs.select_for_update(of=("self",)) if lock else qs).get(pk=meeting.pk)


def _sensitivity(value: str, errors: dict[str, list[str]]) -> None:
    if value not in Sensitivity.values:
        errors.setdefault("sensitivity", []).append(_("Unknown sensitivity %(value)r: expected one of %(known)s.")
                                                    % {"value": value, "known": ", ".join(Sensitivity.values)})


def _ids(rows: Iterable) -> list[int]:
    return sorted({r.pk for r in rows})


def _unreadable(actor, model, rows: Iterable) -> list[int]:
    """Ids of ``rows`` (of an access-controlled ``model``) that ``actor`` may not read (None: the platform
    reads everything)."""
    ids = {r.pk for r in rows}
    if actor is None or not ids:
        return []
    return sorted(ids - set(restrict(model.objects.filter(pk__in=ids), actor, Action.VIEW).values_list("pk", flat=True)))


def _on_commit(fn, *args, **kwargs) -> None:
    transaction.on_commit(lambda: fn(*args, **kwargs))


# --- meetings ----------------------------------------------------------------------------------------


def _normalise_times(meeting: Meeting, errors: dict[str, list[str]]) -> None:
    """Check ``meeting``'s zone, start and end; for an all-day meeting, move its start to midnight (in its
    zone) of its first day and its end to midnight of the day after its last day (an end already at
    midnight is kept: it is that day's start)."""
    try:
        tz = times.zone(meeting.time_zone)
    except ValidationError as exc:
        errors.setdefault("time_zone", []).extend(exc.messages)
        return
    for name in ("start", "end"):
        value = getattr(meeting, name)
        if not isinstance(value, dt.datetime):
            errors.setdefault(name, []).append(_("Give a date and time."))
        elif timezone.is_naive(value):
            errors.setdefault(name, []).append(_("The time needs a time zone (see times.make_aware)."))
    if errors.get("start") or errors.get("end"):
        return
    if meeting.all_day:
        first = meeting.start.astimezone(tz).date()
        local_end = meeting.end.astimezone(tz)
        last = local_end.date() if local_end.time() == dt.time(0) and local_end.date() > first else \
            local_end.date() + dt.timedelta(days=1)
        meeting.start = dt.datetime.combine(first, dt.time(0), tz)
        meeting.end = dt.datetime.combine(max(last, first + dt.timedelta(days=1)), dt.time(0), tz)
    if meeting.end <= meeting.start:
        errors.setdefault("end", []).append(_("The meeting ends (%(end)s) before it starts (%(start)s).")
                                            % {"end": meeting.end.isoformat(), "start": meeting.start.isoformat()})


def _validate_meeting(meeting: Meeting) -> None:
    errors: dict[str, list[str]] = {}
    _normalise_times(meeting, errors)
    _sensitivity(meeting.sensitivity, errors)
    for code, value in zip(LANGUAGES, _text_values(meeting, "title"), strict=True):
        if len(value) > 300:
            errors.setdefault("title", []).append(_("The title in %(language)s is longer than %(limit)s characters.")
                                                  % {"language": code, "limit": 300})
    if len(meeting.venue or "") > 300:
        errors.setdefault("venue", []).append(_("The venue is longer than 300 characters."))
    _check_url(meeting.online_url, "online_url", errors)
    if not errors.get("start") and not errors.get("time_zone") and not meeting.body.exists_on(times.meeting_date(meeting)):
        errors.setdefault("start", []).append(_("%(body)s did not exist on %(date)s.")
                                              % {"body": meeting.body, "date": times.meeting_date(meeting).isoformat()})
    if errors:
        raise ValidationError(errors)


def _matters_arising_item(meeting: Meeting) -> AgendaItem:
    item = AgendaItem(meeting=meeting, position=1, kind=AgendaItem.Kind.MATTERS_ARISING,
                      expected_outcome=AgendaItem.Outcome.INFORMATION)
    titles = {}
    for code in LANGUAGES:
        with translation.override(code):
            titles[code] = _(MATTERS_ARISING)
    _set_texts(item, "title", titles)
    return item


def meeting_create(
    *,
    actor,
    body: Body,
    start: dt.datetime,
    end: dt.datetime,
    time_zone: str,
    number: int | None = None,
    title: Text = "",
    description: Text = "",
    venue: str = "",
    online_url: str = "",
    all_day: bool = False,
    sensitivity: str = Sensitivity.INTERNAL,
    invite_participants: bool = True,
    reason: str = "",
    actor_label: str = "",
) -> Meeting:
    """Schedule a meeting of ``body``; returns it (agenda: draft, status: scheduled, sequence 0).

    ``start`` / ``end``: aware datetimes (views make them with ``times.make_aware``), stored in UTC;
    ``time_zone``: the IANA zone it is held in (``ValidationError`` on ``time_zone`` for an unknown one).
    ``all_day``: only its dates count; start and end become midnight in its zone of its first day and of
    the day after its last. ``number``: its number within the body (next free one when None;
    ``ValidationError`` on ``number`` when taken). ``title`` / ``description``: a string (English) or
    ``{language: text}``. Its calendar UID is ``<uuid4>@compact``, never changed (RFC 5545 section 3.8.4.7).

    Writes, each with its change-log event: the meeting; its *matters arising* agenda item at position 1
    (titled in the six languages); with ``invite_participants``, an ``Attendance`` (invited) per entity
    taking part in the body on the meeting's date in its zone, in the capacity the registry gives it
    (``selectors.participants_on``).

    Who: the secretariat or an officer of the body (``PermissionDenied``); a strictly confidential
    meeting only the secretariat. ``ReasonRequired`` for a confidential meeting without a reason.
    """
    check_reason(reason)
    _require_manager(actor, body, _("Only the secretariat or the officers of the body schedule its meetings."))
    meeting = Meeting(body=body, start=start, end=end, time_zone=(time_zone or "").strip(), all_day=bool(all_day),
                      venue=(venue or "").strip(), online_url=(online_url or "").strip(), sensitivity=sensitivity,
                      uid=f"{uuid.uuid4()}@compact")
    _set_texts(meeting, "title", title)
    _set_texts(meeting, "description", description)
    _validate_meeting(meeting)
    if actor is not None and not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied(_("You may not schedule a meeting at this sensitivity."))
    _require_reason(reason, meeting.sensitivity)
    with transaction.atomic():
        Body.objects.select_for_update().filter(pk=body.pk).first()
        taken = set(Meeting.objects.filter(body=body).values_list("number", flat=True))
        if number is None:
            number = max(taken, default=0) + 1
            if number > SMALL_MAX:
                raise ValidationError({"number": _("%(body)s has a meeting numbered %(last)s: give the number of this "
                                                   "one (at most %(limit)s).")
                                       % {"body": body, "last": number - 1, "limit": SMALL_MAX}})
        elif not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= SMALL_MAX:
            raise ValidationError({"number": _("The number is a whole number from 1 to %(limit)s.") % {"limit": SMALL_MAX}})
        elif number in taken:
            raise ValidationError({"number": _("%(body)s already has a meeting numbered %(number)s.")
                                   % {"body": body, "number": number}})
        meeting.number = number
        _save(meeting)
        _created(meeting, actor=actor, reason=reason, actor_label=actor_label)
        item = _matters_arising_item(meeting)
        _save(item)
        _created(item, actor=actor, reason=reason, actor_label=actor_label)
        if invite_participants:
            entities = participants_on(body=body, day=times.meeting_date(meeting))
            for entity in Entity.objects.filter(pk__in=entities).order_by("acronym"):
                row = Attendance.objects.create(meeting=meeting, entity=entity, capacity=entities[entity.pk])
                _created(row, actor=actor, reason=reason, actor_label=actor_label)
            if actor is not None and meeting.end > timezone.now():
                _on_commit(_invite_everyone, meeting)
    return meeting


def _invite_everyone(meeting: Meeting) -> int:
    """E-mail the invitation of a new meeting to the people of the entities it invites (their focal
    points and representatives in the body: ``notifications.invited_people``), as their preferences
    allow. Not for the platform's own records (default data) nor for a meeting already over."""
    return notifications.notify_invitation(meeting, notifications.invited_people(meeting))


#: Fields ``meeting_update`` accepts; a change to one of ``SEQUENCED`` is one attendees should see.
MEETING_FIELDS = frozenset({"start", "end", "time_zone", "all_day", "title", "description", "venue", "online_url",
                            "sensitivity", "status"})
SEQUENCED = ("start", "end", "time_zone", "all_day", "venue", "online_url", "status", *(field_name("title", c) for c in LANGUAGES))


def _check_decision_days(meeting: Meeting) -> None:
    """``ValidationError`` on ``start`` naming the decisions of ``meeting`` whose date of adoption would
    fall outside its (new) dates (``times.meeting_days``)."""
    first, last = times.meeting_days(meeting)
    outside = [ref for ref, day in Decision.objects.filter(meeting=meeting).order_by("year", "number")
               .values_list("reference", "adopted_on") if not first <= day <= last]
    if outside:
        span = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        raise ValidationError({"start": _("The decisions %(references)s were adopted on days outside the new dates "
                                          "(%(span)s): change their dates of adoption first.")
                               % {"references": ", ".join(outside), "span": span}})


def meeting_update(*, actor, meeting: Meeting, reason: str = "", **fields) -> Meeting:
    """Change a meeting; only the ``fields`` given change: ``start``, ``end``, ``time_zone``, ``all_day``,
    ``title``, ``description``, ``venue``, ``online_url``, ``sensitivity``, ``status`` (names and values as
    ``meeting_create``; never its body or number: ``ValidationError`` naming the field).

    A change of time, zone, all-day, place, online link, title or status raises its calendar ``sequence``
    by 1 (RFC 5545 section 3.8.7.4) and tells its invited people after the commit
    (``notifications.notify_meeting_changed``). Who: those who manage it (``PermissionDenied``). One
    change-log event (none when nothing changes); ``ReasonRequired`` for confidential meetings.
    A change of times, zone or all-day that would leave a recorded decision's ``adopted_on`` outside the
    meeting's new days is refused (``ValidationError`` on ``start`` naming the references). After a
    change of sensitivity, every invited person whose account could no longer read the meeting gets a
    read ``Grant`` on it, as ``attendee_invite`` gives (one more change-log event each).
    """
    check_reason(reason)
    unknown = sorted(set(fields) - MEETING_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    _require_manager(actor, meeting, _("Only those who manage the meeting change it."))
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        before = snapshot(meeting)
        for name in ("title", "description"):
            if name in fields:
                _set_texts(meeting, name, fields[name])
        for name in ("start", "end", "all_day", "sensitivity"):
            if name in fields:
                setattr(meeting, name, fields[name])
        for name in ("time_zone", "venue", "online_url"):
            if name in fields:
                setattr(meeting, name, (fields[name] or "").strip())
        if "status" in fields:
            if fields["status"] not in Meeting.Status.values:
                raise ValidationError({"status": _("Unknown status %(value)r.") % {"value": fields["status"]}})
            meeting.status = fields["status"]
        _validate_meeting(meeting)
        if {"start", "end", "time_zone", "all_day"} & set(fields):
            _check_decision_days(meeting)
        if actor is not None and not can(actor, Action.CHANGE, meeting):
            raise PermissionDenied(_("You may not give the meeting this sensitivity."))
        _require_reason(reason, before["sensitivity"], meeting.sensitivity)
        after = snapshot(meeting)
        sequenced = any(before.get(name) != after.get(name) for name in SEQUENCED)
        if sequenced:
            meeting.sequence += 1
        if _saved(meeting, before, actor=actor, reason=reason) and sequenced:
            _on_commit(notifications.notify_meeting_changed, meeting,
                       cancelled=meeting.status == Meeting.Status.CANCELLED)
        if before["sensitivity"] != meeting.sensitivity:
            for attendee in Attendee.objects.filter(meeting=meeting).select_related("person__user"):
                _grant_if_unreadable(meeting, attendee.person, actor=actor, reason=reason)
    return meeting


def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting: status ``cancelled``, sequence + 1 (its calendar event stays, with
    ``STATUS:CANCELLED``, RFC 5545 section 3.8.1.11); its invited people are told after the commit. A
    reason is required (``ValidationError`` on ``reason``); ``ValidationError`` on ``status`` when already
    cancelled. Who: those who manage it. One change-log event."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting cancel it."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        if meeting.status == Meeting.Status.CANCELLED:
            raise ValidationError({"status": _("The meeting is already cancelled.")})
        before = snapshot(meeting)
        meeting.status = Meeting.Status.CANCELLED
        meeting.sequence += 1
        _saved(meeting, before, actor=actor, reason=reason)
        _on_commit(notifications.notify_meeting_changed, meeting, cancelled=True)
    return meeting


# --- agenda ------------------------------------------------------------------------------------------


def _require_draft_agenda(meeting: Meeting) -> None:
    if meeting.agenda_status != Meeting.AgendaStatus.DRAFT:
        raise ValidationError({"agenda": _("The agenda is final: it no longer changes.")})


def _check_documents(actor, documents: list[Document]) -> None:
    hidden = _unreadable(actor, Document, documents)
    if hidden:
        raise ValidationError({"documents": _("You may not read the documents numbered %(ids)s.")
                               % {"ids": ", ".join(map(str, hidden))}})


def _shift(items: Iterable[AgendaItem], by: int, *, actor, reason: str) -> None:
    """Move each of ``items`` by ``by`` positions, in an order that never puts two on one position, each
    move recorded."""
    for item in sorted(items, key=lambda i: i.position, reverse=by > 0):
        before = snapshot(item)
        item.position += by
        _saved(item, before, actor=actor, reason=reason)


def _validate_item(item: AgendaItem) -> None:
    errors: dict[str, list[str]] = {}
    _require_text(item, "title", errors)
    if item.expected_outcome not in AgendaItem.Outcome.values:
        errors["expected_outcome"] = [_("Unknown expected outcome %(value)r: expected one of %(known)s.")
                                      % {"value": item.expected_outcome, "known": ", ".join(AgendaItem.Outcome.values)}]
    if errors:
        raise ValidationError(errors)


def agenda_item_add(*, actor, meeting: Meeting, title: Text, expected_outcome: str = AgendaItem.Outcome.INFORMATION,
                    presenter: Entity | None = None, description: Text = "", documents: Iterable[Document] = (),
                    position: int | None = None, reason: str = "") -> AgendaItem:
    """Add an item to ``meeting``'s draft agenda; returns it. ``title`` / ``description``: a string
    (English) or ``{language: text}``; ``expected_outcome``: ``information``, ``discussion`` or
    ``decision``; ``presenter``: the entity presenting it; ``documents``: library documents the actor may
    read (``ValidationError`` on ``documents`` naming the others by number); ``position``: its number
    (1 = first; the items from there move down one), at the end when None.

    ``ValidationError`` on ``agenda`` once the agenda is final. Who: those who manage the meeting.
    One change-log event for the item (its document ids in it) and one per item moved."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting change its agenda."))
    documents = list(documents)
    item = AgendaItem(meeting=meeting, expected_outcome=expected_outcome, presenter=presenter)
    _set_texts(item, "title", title)
    _set_texts(item, "description", description)
    _validate_item(item)
    _check_documents(actor, documents)
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        _require_draft_agenda(meeting)
        _require_reason(reason, meeting.sensitivity)
        items = list(meeting.agenda_items.order_by("position"))
        last = len(items) + 1
        if position is None:
            position = last
        if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= last:
            raise ValidationError({"position": _("The position is a number from 1 to %(last)s.") % {"last": last}})
        _shift([i for i in items if i.position >= position], 1, actor=actor, reason=reason)
        item.meeting = meeting
        item.position = position
        _save(item)
        item.documents.set(documents)
        _created(item, actor=actor, reason=reason, extra={"documents": [None, _ids(documents)]})
    return item


#: Fields ``agenda_item_update`` accepts.
ITEM_FIELDS = frozenset({"title", "description", "expected_outcome", "presenter", "documents", "position"})


def agenda_item_update(*, actor, item: AgendaItem, reason: str = "", **fields) -> AgendaItem:
    """Change an agenda item; only the ``fields`` given change (names as ``agenda_item_add``). A new
    ``position`` moves the items between its old and new place by one. ``documents`` replaces its
    documents that the actor may read (those they may not read stay). The matters-arising item keeps its
    kind. ``ValidationError`` on ``agenda`` once the agenda is final. Who: those who manage the meeting.
    One change-log event for the item (none when nothing changes) and one per item moved."""
    check_reason(reason)
    unknown = sorted(set(fields) - ITEM_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    _require_manager(actor, item.meeting, _("Only those who manage the meeting change its agenda."))
    with transaction.atomic():
        meeting = _fresh_meeting(item.meeting, lock=True)
        _require_draft_agenda(meeting)
        _require_reason(reason, meeting.sensitivity)
        item = AgendaItem.objects.get(pk=item.pk)
        before = snapshot(item)
        for name in ("title", "description"):
            if name in fields:
                _set_texts(item, name, fields[name])
        for name in ("expected_outcome", "presenter"):
            if name in fields:
                setattr(item, name, fields[name])
        _validate_item(item)
        extra: dict[str, list[Any]] = {}
        if "documents" in fields:
            documents = list(fields["documents"] or ())
            _check_documents(actor, documents)
            current = list(item.documents.all())
            hidden = set(_unreadable(actor, Document, current))
            documents += [d for d in current if d.pk in hidden and d.pk not in {x.pk for x in documents}]
            if _ids(current) != _ids(documents):
                extra["documents"] = [_ids(current), _ids(documents)]
                item.documents.set(documents)
        if "position" in fields and fields["position"] != item.position:
            count = meeting.agenda_items.count()
            new = fields["position"]
            if not isinstance(new, int) or isinstance(new, bool) or not 1 <= new <= count:
                raise ValidationError({"position": _("The position is a number from 1 to %(last)s.") % {"last": count}})
            old = item.position
            AgendaItem.objects.filter(pk=item.pk).update(position=0)
            others = meeting.agenda_items.exclude(pk=item.pk)
            if new < old:
                _shift(others.filter(position__gte=new, position__lt=old), 1, actor=actor, reason=reason)
            else:
                _shift(others.filter(position__gt=old, position__lte=new), -1, actor=actor, reason=reason)
            item.position = new
        _saved(item, before, actor=actor, reason=reason, extra=extra)
    return item


def agenda_item_remove(*, actor, item: AgendaItem, reason: str = "") -> None:
    """Remove an item from a draft agenda; the items after it move up one. Not the matters-arising item
    (``ValidationError`` on ``kind``), nor an item a decision refers to (``ValidationError`` on
    ``decisions``). ``ValidationError`` on ``agenda`` once the agenda is final. Who: those who manage the
    meeting. One change-log event for the item (with its document ids) and one per item moved."""
    check_reason(reason)
    _require_manager(actor, item.meeting, _("Only those who manage the meeting change its agenda."))
    with transaction.atomic():
        meeting = _fresh_meeting(item.meeting, lock=True)
        _require_draft_agenda(meeting)
        _require_reason(reason, meeting.sensitivity)
        item = AgendaItem.objects.get(pk=item.pk)
        if item.kind == AgendaItem.Kind.MATTERS_ARISING:
            raise ValidationError({"kind": _("The matters-arising item stays on the agenda.")})
        if item.decisions.exists():
            raise ValidationError({"decisions": _("Decisions refer to this item: it stays on the agenda.")})
        position = item.position
        _deleted(item, actor=actor, reason=reason, extra={"documents": [_ids(item.documents.all()), None]})
        _shift(meeting.agenda_items.filter(position__gt=position), -1, actor=actor, reason=reason)


def agenda_finalise(*, actor, meeting: Meeting, reason: str = "") -> Meeting:
    """Make ``meeting``'s agenda final: the action items then arising (``selectors.matters_arising``, every
    one of them, whoever finalises) are frozen on its matters-arising item, which lists them from then on.
    ``ValidationError`` on ``agenda`` when already final. Who: those who manage the meeting. Two
    change-log events: the meeting and the matters-arising item (its action item ids)."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting make its agenda final."))
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        _require_draft_agenda(meeting)
        _require_reason(reason, meeting.sensitivity)
        arising = list(_arising_queryset(meeting))
        before = snapshot(meeting)
        meeting.agenda_status = Meeting.AgendaStatus.FINAL
        _saved(meeting, before, actor=actor, reason=reason)
        item = meeting.agenda_items.filter(kind=AgendaItem.Kind.MATTERS_ARISING).first()
        if item is not None:
            old = _ids(item.action_items.all())
            item.action_items.set(arising)
            record_change(action=ChangeEvent.Action.UPDATE, obj=item, changes={"action_items": [old, _ids(arising)]},
                          reason=reason, actor=actor)
    return meeting


# --- attendance --------------------------------------------------------------------------------------


def _status(value: str) -> None:
    if value not in Attendance.Status.values:
        raise ValidationError({"status": _("Unknown status %(value)r: expected one of %(known)s.")
                               % {"value": value, "known": ", ".join(Attendance.Status.values)}})


def attendance_set(*, actor, meeting: Meeting, entity: Entity, status: str, reason: str = "") -> Attendance:
    """Record ``entity``'s attendance at ``meeting`` (``invited``, ``present``, ``apologies``, ``absent``),
    creating its row if needed; returns it. Its capacity is the one the registry gives the entity in the
    meeting's body on the meeting's date (``selectors.capacity_on``), ``guest`` when it takes no part.
    Who: those who manage the meeting. One change-log event (none when nothing changes)."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting record its attendance."))
    _status(status)
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        _require_reason(reason, meeting.sensitivity)
        capacity = participants_on(body=meeting.body, day=times.meeting_date(meeting)).get(entity.pk) \
            or Attendance.Capacity.GUEST
        row = Attendance.objects.filter(meeting=meeting, entity=entity).first()
        if row is None:
            row = Attendance.objects.create(meeting=meeting, entity=entity, capacity=capacity, status=status)
            _created(row, actor=actor, reason=reason)
            return row
        before = snapshot(row)
        row.capacity = capacity
        row.status = status
        _saved(row, before, actor=actor, reason=reason)
    return row


def _grant_if_unreadable(meeting: Meeting, person, *, actor, reason: str) -> None:
    """Give ``person``'s active platform account, if any, a read ``Grant`` on ``meeting`` when it may not
    read it otherwise (``access.services.grant_create``: the grant and its event on the meeting)."""
    from compact.access.services import grant_create

    user = person.user
    if user is not None and user.is_active and not can(user, Action.VIEW, meeting):
        grant_create(obj=meeting, user=user, level=Grant.Level.READ, actor=actor,
                     reason=reason.strip() or f"Invited to {meeting}")


def attendee_invite(*, actor, meeting: Meeting, person, reason: str = "") -> Attendee:
    """Invite ``person`` (``registry.Person``) to ``meeting``; returns the attendee (status ``invited``).
    When the person has a platform account that may not read the meeting (e.g. a confidential meeting
    and an entity that takes no part in its body), they get a read ``Grant`` on it
    (``access.services.grant_create``, its event recorded on the meeting). The invitation is e-mailed
    after the commit (``notifications.notify_invitation``). ``ValidationError`` on ``person`` when
    already invited. Who: those who manage the meeting. One or two change-log events."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting invite people to it."))
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        _require_reason(reason, meeting.sensitivity)
        if Attendee.objects.filter(meeting=meeting, person=person).exists():
            raise ValidationError({"person": _("%(person)s is already invited.") % {"person": person}})
        row = Attendee.objects.create(meeting=meeting, person=person)
        _created(row, actor=actor, reason=reason)
        _grant_if_unreadable(meeting, person, actor=actor, reason=reason)
        _on_commit(notifications.notify_invitation, meeting, [person])
    return row


def attendee_set_status(*, actor, attendee: Attendee, status: str, reason: str = "") -> Attendee:
    """Record a person's attendance (``invited``, ``present``, ``apologies``, ``absent``). Who: those who
    manage the meeting, or the person themself (their own reply). One change-log event (none when nothing
    changes)."""
    check_reason(reason)
    attendee = Attendee.objects.select_related("meeting", "meeting__body", "person").get(pk=attendee.pk)
    own = actor is not None and attendee.person.user_id == actor.pk
    if not own:
        _require_manager(actor, attendee.meeting, _("Only those who manage the meeting record its attendance."))
    _status(status)
    _require_reason(reason, attendee.meeting.sensitivity)
    with transaction.atomic():
        before = snapshot(attendee)
        attendee.status = status
        _saved(attendee, before, actor=actor, reason=reason)
    return attendee


# --- minutes -----------------------------------------------------------------------------------------


def _check_minutes(actor, text: str, language: str, document: Document | None) -> None:
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = [_("The minutes need a text.")]
    if language not in LANGUAGES:
        errors["language"] = [_("Unknown language %(value)r: expected one of %(known)s.")
                              % {"value": language, "known": ", ".join(LANGUAGES)}]
    if document is not None and _unreadable(actor, Document, [document]):
        errors["document"] = [_("You may not read this document.")]
    if errors:
        raise ValidationError(errors)


def _check_version_number(number: int) -> None:
    if number > SMALL_MAX:
        raise ValidationError({"number": _("The minutes have %(count)s versions: no more can be added.")
                               % {"count": number - 1}})


def _final_locked() -> ValidationError:
    return ValidationError({"status": _("Final minutes are locked: record a correction.")})


def minutes_save(*, actor, meeting: Meeting, text: str, language: str = "en", document: Document | None = None,
                 reason: str = "") -> MinutesVersion:
    """Write ``meeting``'s minutes; returns the version written. With no version yet: version 1, a draft.
    When the latest is a draft: that draft is edited in place. When the latest is circulated for comments:
    a new draft version (the circulated one, with its comments, stays). When the latest is final:
    ``ValidationError`` (final minutes are locked: record a correction, ``minutes_correct``).
    ``language``: the language of the text (one of the six); ``document``: the minutes as a library
    document, if any. Who: those who manage the meeting. One change-log event."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting write its minutes."))
    _check_minutes(actor, text, language, document)
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        _require_reason(reason, meeting.sensitivity)
        latest = latest_minutes(meeting)
        if latest is not None and latest.status == MinutesVersion.Status.FINAL:
            raise _final_locked()
        if latest is not None and latest.status == MinutesVersion.Status.DRAFT:
            before = snapshot(latest)
            latest.text, latest.language, latest.document = text, language, document
            _saved(latest, before, actor=actor, reason=reason)
            return latest
        _check_version_number((latest.number + 1) if latest else 1)
        version = MinutesVersion.objects.create(
            meeting=meeting, number=(latest.number + 1) if latest else 1, text=text, language=language,
            document=document, created_by=actor if getattr(actor, "is_authenticated", False) else None)
        _created(version, actor=actor, reason=reason)
    return version


def minutes_circulate(*, actor, meeting: Meeting, reason: str = "") -> MinutesVersion:
    """Circulate the latest draft of ``meeting``'s minutes for comments (dated now); its invited people are
    told after the commit (``notifications.notify_minutes_circulated``). ``ValidationError`` on ``status``
    unless the latest version is a draft. Who: those who manage the meeting. One change-log event."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting circulate its minutes."))
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        _require_reason(reason, meeting.sensitivity)
        latest = latest_minutes(meeting)
        if latest is None or latest.status != MinutesVersion.Status.DRAFT:
            if latest is not None and latest.status == MinutesVersion.Status.FINAL:
                raise _final_locked()
            raise ValidationError({"status": _("There is no draft of the minutes to circulate.")})
        before = snapshot(latest)
        latest.status = MinutesVersion.Status.CIRCULATED
        latest.circulated = timezone.now()
        _saved(latest, before, actor=actor, reason=reason)
        _on_commit(notifications.notify_minutes_circulated, latest)
    return latest


def minutes_comment(*, actor, version: MinutesVersion, text: str, reason: str = "") -> MinutesComment:
    """Comment on minutes circulated for comments; returns the comment. Anyone signed in who may read the
    meeting (``PermissionDenied`` otherwise); ``ValidationError`` on ``version`` unless it is the latest
    version of the minutes (a superseded version takes no comments), on ``status`` unless it is
    circulated, on ``text`` when empty. One change-log event (its reason: ``reason``, else a note that
    it is a comment on the version)."""
    check_reason(reason)
    version = MinutesVersion.objects.select_related("meeting", "meeting__body").get(pk=version.pk)
    if not getattr(actor, "is_authenticated", False) or not can(actor, Action.VIEW, version.meeting):
        raise PermissionDenied(_("Only those who may read the meeting comment on its minutes."))
    latest = latest_minutes(version.meeting)
    if latest is not None and latest.pk != version.pk:
        raise ValidationError({"version": _("Version %(number)s of the minutes of %(meeting)s has been superseded by "
                                            "version %(latest)s: it takes no more comments.")
                               % {"number": version.number, "meeting": version.meeting, "latest": latest.number}})
    if version.status != MinutesVersion.Status.CIRCULATED:
        if version.status == MinutesVersion.Status.FINAL:
            raise ValidationError({"status": _("Final minutes are locked: they take no more comments.")})
        raise ValidationError({"status": _("Comments are taken on minutes circulated for comments only.")})
    if not (text or "").strip():
        raise ValidationError({"text": _("The comment is empty.")})
    with transaction.atomic():
        comment = MinutesComment.objects.create(version=version, author=actor, text=text.strip())
        _created(comment, actor=actor, reason=reason.strip() or f"Comment on minutes v{version.number} of {version.meeting}")
    return comment


def minutes_finalise(*, actor, meeting: Meeting, reason: str = "") -> MinutesVersion:
    """Make the latest version of ``meeting``'s minutes final (dated now): it is locked from then on. The
    latest version must be circulated for comments (the meetings issue: draft -> circulated -> final):
    ``ValidationError`` on ``status`` when there is none, when it is a draft ("circulate the minutes for
    comments first") or when it is final already.
    Who: those who manage the meeting. One change-log event."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting make its minutes final."))
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        _require_reason(reason, meeting.sensitivity)
        latest = latest_minutes(meeting)
        if latest is None:
            raise ValidationError({"status": _("There are no minutes to make final.")})
        if latest.status == MinutesVersion.Status.FINAL:
            raise _final_locked()
        if latest.status != MinutesVersion.Status.CIRCULATED:
            raise ValidationError({"status": _("Version %(number)s of the minutes is a draft: circulate the minutes "
                                               "for comments first.") % {"number": latest.number}})
        before = snapshot(latest)
        latest.status = MinutesVersion.Status.FINAL
        latest.finalised = timezone.now()
        _saved(latest, before, actor=actor, reason=reason)
    return latest


def minutes_correct(*, actor, meeting: Meeting, text: str, reason: str, language: str | None = None,
                    document: Document | None = None) -> MinutesVersion:
    """Correct final minutes: a new final version (next number) that ``corrects`` the latest and says why
    (``reason``, required: ``ValidationError`` on ``reason``); the corrected version is left as it was.
    ``language`` defaults to the corrected version's. ``ValidationError`` on ``status`` unless the latest
    version is final. Who: those who manage the meeting. One change-log event."""
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting correct its minutes."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what the correction corrects and why.")})
    with transaction.atomic():
        meeting = _fresh_meeting(meeting, lock=True)
        latest = latest_minutes(meeting)
        if latest is None or latest.status != MinutesVersion.Status.FINAL:
            raise ValidationError({"status": _("Only final minutes are corrected; edit the draft instead.")})
        language = language or latest.language
        _check_minutes(actor, text, language, document)
        _check_version_number(latest.number + 1)
        now = timezone.now()
        version = MinutesVersion.objects.create(
            meeting=meeting, number=latest.number + 1, status=MinutesVersion.Status.FINAL, text=text, language=language,
            document=document, corrects=latest, reason=reason.strip(), finalised=now,
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        _created(version, actor=actor, reason=reason)
    return version


# --- decisions ---------------------------------------------------------------------------------------


def _adoption_errors(body: Body, entities: list[Entity], day: dt.date) -> list[str]:
    """Why each of ``entities`` may not be recorded as adopting a decision of ``body`` on ``day``: only
    members adopt (the meetings issue: observers never adopt)."""
    capacities = participants_on(body=body, day=day)
    errors = []
    for entity in entities:
        capacity = capacities.get(entity.pk)
        if capacity == MEMBER:
            continue
        values = {"entity": entity.acronym, "body": body, "date": day.isoformat()}
        if capacity is None:
            errors.append(_("%(entity)s does not take part in %(body)s on %(date)s: only members adopt decisions.")
                          % values)
        else:
            errors.append(_("%(entity)s is an observer of %(body)s on %(date)s: observers do not adopt decisions.")
                          % values)
    return errors


def _adoption_day_error(meeting: Meeting, day: dt.date) -> str | None:
    """Why ``day`` cannot be a decision's date of adoption at ``meeting``: it falls outside the meeting's
    dates in its own zone (``times.meeting_days``), or None."""
    first, last = times.meeting_days(meeting)
    if first <= day <= last:
        return None
    span = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
    return _("%(date)s is not a day of the meeting (%(span)s, %(zone)s): a decision is adopted at its meeting.") \
        % {"date": day.isoformat(), "span": span, "zone": meeting.time_zone}


def _subject_rows(subjects: Iterable) -> list[DecisionSubject]:
    """Unsaved ``DecisionSubject`` rows for model instances (``Programme``, ``Workplan``, ``Document`` as
    terms of reference, ``Project``, ``Call``); ``ValidationError`` on ``subjects`` for anything else."""
    from compact.appeals.models import Call
    from compact.planning.models import Programme, Workplan
    from compact.projects.models import Project

    kinds = {Programme: DecisionSubject.Kind.PROGRAMME, Workplan: DecisionSubject.Kind.WORKPLAN,
             Document: DecisionSubject.Kind.TERMS_OF_REFERENCE, Project: DecisionSubject.Kind.PROJECT,
             Call: DecisionSubject.Kind.CALL}
    rows, seen = [], set()
    for target in subjects:
        kind = kinds.get(type(target))
        if kind is None or target.pk is None:
            raise ValidationError({"subjects": _("%(value)r is not a programme, workplan, terms of reference, project "
                                                 "or call.") % {"value": target}})
        if (kind, target.pk) in seen:
            continue
        seen.add((kind, target.pk))
        rows.append(DecisionSubject(kind=kind, **{DecisionSubject.FIELDS[kind]: target}))
    return rows


def _subject_keys(rows: Iterable[DecisionSubject]) -> list[str]:
    return sorted(f"{row.kind}:{getattr(row, DecisionSubject.FIELDS[row.kind] + '_id')}" for row in rows)


def _acronyms(entities: Iterable[Entity]) -> list[str]:
    return sorted(e.acronym for e in entities)


def _used_numbers(body: Body, year: int) -> set[int]:
    """Numbers of ``body``'s decisions of ``year`` ever given: those of its decisions, and those the change
    log recorded at their creation (so that a number is never given twice, even if a row was removed)."""
    prefix = f"{body_code(body)}/{year}/"
    used = set(Decision.objects.filter(body=body, year=year).values_list("number", flat=True))
    for text in ChangeEvent.objects.filter(object_type="meetings.decision", action=ChangeEvent.Action.CREATE,
                                           object_repr__startswith=prefix).values_list("object_repr", flat=True):
        number = text[len(prefix):].split(" ", 1)[0]
        if number.isdigit():
            used.add(int(number))
    return used


def decision_record(*, actor, meeting: Meeting, title: Text, text: Text, agenda_item: AgendaItem | None = None,
                    subjects: Iterable = (), adopted_by: Iterable[Entity] = (), adopted_on: dt.date | None = None,
                    sensitivity: str | None = None, reason: str = "", actor_label: str = "") -> Decision:
    """Record a decision taken at ``meeting``; returns it with its reference ``<code>/<year>/<number>``
    (``selectors.body_code``; the year of ``adopted_on``; the next number of the body in that year,
    taken under a lock on the body row so that two records never share one, and never one given
    before).

    ``title`` / ``text``: a string (English) or ``{language: text}`` in the six languages (required).
    ``agenda_item``: an item of this meeting (``ValidationError`` on ``agenda_item`` otherwise).
    ``subjects``: programmes, workplans, documents (terms of reference), projects, calls, each one the
    actor may read. ``adopted_by``: the entities recorded as adopting it, each a *member* of the body on
    ``adopted_on`` (default: the meeting's date in its zone); an observer, or an entity taking no part, is
    refused (``ValidationError`` on ``adopted_by``, one message per entity). ``sensitivity``: default the
    meeting's. Not at a cancelled meeting (``ValidationError`` on ``meeting``). ``adopted_on`` is one of
    the meeting's days in its own zone (``times.meeting_days``; ``ValidationError`` on ``adopted_on``).

    Who: those who manage the meeting (``PermissionDenied``). One change-log event for the decision
    (its adopting entities' acronyms in it) and one per subject.
    """
    check_reason(reason)
    _require_manager(actor, meeting, _("Only those who manage the meeting record its decisions."))
    meeting = _fresh_meeting(meeting)
    adopted_on = adopted_on or times.meeting_date(meeting)
    entities = list(adopted_by)
    decision = Decision(body=meeting.body, meeting=meeting, agenda_item=agenda_item, adopted_on=adopted_on,
                        year=adopted_on.year, sensitivity=sensitivity or meeting.sensitivity)
    _set_texts(decision, "title", title)
    _set_texts(decision, "text", text)
    errors: dict[str, list[str]] = {}
    _require_text(decision, "title", errors)
    _require_text(decision, "text", errors, max_length=None)
    _sensitivity(decision.sensitivity, errors)
    if meeting.status == Meeting.Status.CANCELLED:
        errors["meeting"] = [_("The meeting was cancelled: it took no decision.")]
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = [_("This agenda item is not one of the meeting's.")]
    if not isinstance(adopted_on, dt.date) or isinstance(adopted_on, dt.datetime):
        raise ValidationError({"adopted_on": _("Give the date of adoption (YYYY-MM-DD).")})
    day_error = _adoption_day_error(meeting, adopted_on)
    if day_error:
        errors["adopted_on"] = [day_error]
    adoption = _adoption_errors(meeting.body, entities, adopted_on)
    if adoption:
        errors["adopted_by"] = adoption
    try:
        rows = _subject_rows(subjects)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        rows = []
    hidden = [row for row in rows if _unreadable(actor, type(row.target), [row.target])]
    if hidden:
        errors.setdefault("subjects", []).append(_("You may not read: %(names)s.")
                                                 % {"names": "; ".join(str(r.target) for r in hidden)})
    if errors:
        raise ValidationError(errors)
    if actor is not None and not can(actor, Action.CHANGE, decision):
        raise PermissionDenied(_("You may not record a decision at this sensitivity."))
    _require_reason(reason, decision.sensitivity)
    with transaction.atomic():
        Body.objects.select_for_update().filter(pk=meeting.body_id).first()
        decision.number = max(_used_numbers(meeting.body, decision.year), default=0) + 1
        if decision.number > SMALL_MAX:
            raise ValidationError({"reference": _("%(body)s has used every decision number of %(year)s.")
                                   % {"body": meeting.body, "year": decision.year}})
        decision.reference = f"{body_code(meeting.body)}/{decision.year}/{decision.number}"
        try:
            with transaction.atomic():
                _save(decision)
        except IntegrityError:
            raise ValidationError({"reference": _("Another decision took the reference %(reference)s at the same "
                                                  "moment: record it again.") % {"reference": decision.reference}}) from None
        decision.adopted_by.set(entities)
        _created(decision, actor=actor, reason=reason, actor_label=actor_label,
                 extra={"adopted_by": [None, _acronyms(entities)]})
        for row in rows:
            row.decision = decision
            row.save()
            _created(row, actor=actor, reason=reason, actor_label=actor_label)
    return decision


#: Fields ``decision_update`` accepts.
DECISION_FIELDS = frozenset({"title", "text", "agenda_item", "subjects", "adopted_by", "adopted_on", "sensitivity"})


def decision_update(*, actor, decision: Decision, reason: str = "", **fields) -> Decision:
    """Change a decision; only the ``fields`` given change: ``title``, ``text``, ``agenda_item``,
    ``subjects`` (replace them), ``adopted_by`` (replace them, checked as in ``decision_record``),
    ``adopted_on`` (within the year of its reference and the meeting's days, ``times.meeting_days``),
    ``sensitivity``. Never its reference, body, year,
    number or meeting (``ValidationError`` naming the field). Who: whoever may change the decision
    (the secretariat, officers of its body, change grantees). One change-log event for the decision (none
    when nothing changes) and one per subject removed or added."""
    check_reason(reason)
    unknown = sorted(set(fields) - DECISION_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    if actor is not None and not can(actor, Action.CHANGE, decision):
        raise PermissionDenied(_("Only those who manage the body change its decisions."))
    with transaction.atomic():
        decision = Decision.objects.select_for_update(of=("self",)).select_related("body", "meeting").get(pk=decision.pk)
        before = snapshot(decision)
        errors: dict[str, list[str]] = {}
        for name in ("title", "text"):
            if name in fields:
                _set_texts(decision, name, fields[name])
        _require_text(decision, "title", errors)
        _require_text(decision, "text", errors, max_length=None)
        if "agenda_item" in fields:
            item = fields["agenda_item"]
            if item is not None and item.meeting_id != decision.meeting_id:
                errors["agenda_item"] = [_("This agenda item is not one of the meeting's.")]
            decision.agenda_item = item
        if "adopted_on" in fields:
            value = fields["adopted_on"]
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime) or value.year != decision.year:
                errors["adopted_on"] = [_("The date of adoption stays in %(year)s, the year of the reference %(reference)s.")
                                        % {"year": decision.year, "reference": decision.reference}]
            elif _adoption_day_error(decision.meeting, value):
                errors["adopted_on"] = [_adoption_day_error(decision.meeting, value)]
            else:
                decision.adopted_on = value
        if "sensitivity" in fields:
            decision.sensitivity = fields["sensitivity"]
            _sensitivity(decision.sensitivity, errors)
        current = list(decision.adopted_by.all())
        entities = list(fields["adopted_by"]) if "adopted_by" in fields else current
        if "adopted_by" in fields or "adopted_on" in fields:
            adoption = _adoption_errors(decision.body, entities, decision.adopted_on)
            if adoption:
                errors["adopted_by"] = adoption
        rows = None
        if "subjects" in fields:
            try:
                rows = _subject_rows(fields["subjects"])
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                existing = set(_subject_keys(decision.subjects.all()))
                hidden = [r for r in rows if _subject_keys([r])[0] not in existing
                          and _unreadable(actor, type(r.target), [r.target])]
                if hidden:
                    errors["subjects"] = [_("You may not read: %(names)s.") % {"names": "; ".join(str(r.target) for r in hidden)}]
        if errors:
            raise ValidationError(errors)
        if actor is not None and not can(actor, Action.CHANGE, decision):
            raise PermissionDenied(_("You may not give the decision this sensitivity."))
        _require_reason(reason, before["sensitivity"], decision.sensitivity)
        extra: dict[str, list[Any]] = {}
        if _acronyms(current) != _acronyms(entities):
            extra["adopted_by"] = [_acronyms(current), _acronyms(entities)]
            decision.adopted_by.set(entities)
        _saved(decision, before, actor=actor, reason=reason, extra=extra)
        if rows is not None:
            wanted = {_subject_keys([r])[0]: r for r in rows}
            for row in list(decision.subjects.all()):
                key = _subject_keys([row])[0]
                if key in wanted:
                    wanted.pop(key)
                else:
                    _deleted(row, actor=actor, reason=reason)
            for row in wanted.values():
                row.decision = decision
                row.save()
                _created(row, actor=actor, reason=reason)
    return decision


# --- action items ------------------------------------------------------------------------------------


def _validate_action_item(item: ActionItem, errors: dict[str, list[str]]) -> None:
    _require_text(item, "title", errors)
    if (item.owner_body_id is None) == (item.owner_entity_id is None):
        errors.setdefault("owner_entity", []).append(_("Give the action item to one body or one entity."))
    if not isinstance(item.due, dt.date) or isinstance(item.due, dt.datetime):
        errors.setdefault("due", []).append(_("Give the due date (YYYY-MM-DD)."))
    _sensitivity(item.sensitivity, errors)


def action_item_create(*, actor, decision: Decision, title: Text, due: dt.date, owner_body: Body | None = None,
                       owner_entity: Entity | None = None, description: Text = "", sensitivity: str | None = None,
                       reason: str = "") -> ActionItem:
    """Give a task of ``decision`` to one body (``owner_body``) or one entity (``owner_entity``); returns
    the action item (status ``open``). ``due``: a date; ``title`` / ``description``: a string (English) or
    ``{language: text}``; ``sensitivity``: default the decision's. ``ValidationError`` naming the field
    (``owner_entity`` unless exactly one owner). Its tasked people are told after the commit
    (``notifications.notify_action_item``). Who: whoever may change the decision (the secretariat,
    officers of its body). One change-log event."""
    check_reason(reason)
    if actor is not None and not can(actor, Action.CHANGE, decision):
        raise PermissionDenied(_("Only those who manage the body give tasks from its decisions."))
    item = ActionItem(decision=decision, body_id=decision.body_id, owner_body=owner_body, owner_entity=owner_entity,
                      due=due, sensitivity=sensitivity or decision.sensitivity)
    _set_texts(item, "title", title)
    _set_texts(item, "description", description)
    errors: dict[str, list[str]] = {}
    _validate_action_item(item, errors)
    if errors:
        raise ValidationError(errors)
    _require_reason(reason, item.sensitivity)
    with transaction.atomic():
        _save(item)
        _created(item, actor=actor, reason=reason)
        _on_commit(notifications.notify_action_item, item)
    return item


#: Fields ``action_item_update`` accepts; ``PROGRESS_FIELDS`` are those the tasked entity reports.
ACTION_FIELDS = frozenset({"title", "description", "due", "owner_body", "owner_entity", "sensitivity", "status",
                           "evidence_document", "evidence_url", "evidence_note"})
PROGRESS_FIELDS = frozenset({"status", "evidence_document", "evidence_url", "evidence_note"})


def action_item_update(*, actor, item: ActionItem, reason: str = "", **fields) -> ActionItem:
    """Change an action item; only the ``fields`` given change: ``status`` (open, in_progress, done,
    dropped), ``evidence_document`` / ``evidence_url`` / ``evidence_note``, and for those who manage the
    decision's body also ``title``, ``description``, ``due``, ``owner_body`` / ``owner_entity`` and
    ``sensitivity``.

    ``done`` needs some evidence, a document, a link or a note (``ValidationError`` on ``status``), and
    sets ``completed_on`` to today (site's zone); leaving ``done`` clears it. Who: the policy's *change*
    on the item (the secretariat, officers of the decision's body, focal points of the tasked entity,
    change grantees; ``PermissionDenied``). One change-log event (none when nothing changes)."""
    check_reason(reason)
    unknown = sorted(set(fields) - ACTION_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    item = ActionItem.objects.select_related("decision").get(pk=item.pk)
    if actor is not None:
        if not can(actor, Action.CHANGE, item):
            raise PermissionDenied(_("Only the tasked entity's focal points and those who manage the body update "
                                     "this action item."))
        if set(fields) - PROGRESS_FIELDS and not can(actor, Action.CHANGE, item.decision):
            raise PermissionDenied(_("The tasked entity reports progress (status and evidence); the rest is changed by "
                                     "those who manage the body."))
    with transaction.atomic():
        item = ActionItem.objects.select_for_update().get(pk=item.pk)
        before = snapshot(item)
        for name in ("title", "description"):
            if name in fields:
                _set_texts(item, name, fields[name])
        for name in ("due", "owner_body", "owner_entity", "sensitivity", "status", "evidence_document"):
            if name in fields:
                setattr(item, name, fields[name])
        for name in ("evidence_url", "evidence_note"):
            if name in fields:
                setattr(item, name, (fields[name] or "").strip())
        errors: dict[str, list[str]] = {}
        _validate_action_item(item, errors)
        if item.status not in ActionItem.Status.values:
            errors["status"] = [_("Unknown status %(value)r: expected one of %(known)s.")
                                % {"value": item.status, "known": ", ".join(ActionItem.Status.values)}]
        elif item.status == ActionItem.Status.DONE and not (item.evidence_document_id or item.evidence_url
                                                            or item.evidence_note):
            errors["status"] = [_("An action item is done with evidence: give a document, a link or a note.")]
        _check_url(item.evidence_url, "evidence_url", errors)
        if "evidence_document" in fields and item.evidence_document is not None \
                and _unreadable(actor, Document, [item.evidence_document]):
            errors["evidence_document"] = [_("You may not read this document.")]
        if errors:
            raise ValidationError(errors)
        if item.status == ActionItem.Status.DONE:
            if before["status"] != ActionItem.Status.DONE or item.completed_on is None:
                item.completed_on = timezone.localdate()
        else:
            item.completed_on = None
        if actor is not None and not can(actor, Action.CHANGE, item):
            raise PermissionDenied(_("You may not give the action item this sensitivity or owner."))
        _require_reason(reason, before["sensitivity"], item.sensitivity)
        _saved(item, before, actor=actor, reason=reason)
    return item


# --- default data ------------------------------------------------------------------------------------

#: The shipped meetings (``importlib.resources`` path inside the package).
DEFAULT_MEETINGS = ("data", "meetings.yaml")


def default_meetings_file():
    """The meetings shipped with the platform (a ``Traversable``; see ``importlib.resources``)."""
    from importlib import resources

    return resources.files("compact").joinpath(*DEFAULT_MEETINGS)


def read_meetings(text: str) -> list[dict[str, Any]]:
    """The meetings of a ``compact-meetings`` file (YAML, version 1): mappings with ``body`` (key),
    ``number``, ``date`` (``YYYY-MM-DD``; an all-day meeting), ``time_zone``, ``title`` / ``description``
    ({language: text}), ``online_url``, ``sensitivity`` and ``decisions`` ([{title, text, subjects:
    {programme: key, workplans: [body keys]}, adopted_by: members}]). Raises ``ValidationError`` naming
    the meeting (by position) and the field that is wrong."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(text) or {}
    if data.get("format") != "compact-meetings" or data.get("version") != 1:
        raise ValidationError({"format": _("Expected a compact-meetings file, version 1.")})
    meetings = data.get("meetings") or []
    for index, item in enumerate(meetings, start=1):
        for name in ("body", "number", "date", "title"):
            if not item.get(name):
                raise ValidationError({name: _("Meeting %(index)s: %(field)s is missing.") % {"index": index, "field": name}})
        if not isinstance(item["date"], dt.date):
            raise ValidationError({"date": _("Meeting %(index)s: the date is not a date (YYYY-MM-DD): %(value)r.")
                                   % {"index": index, "value": item["date"]}})
    return meetings


def _default_subjects(spec: Mapping[str, Any]) -> list:
    """The workplans named by a decision's ``subjects`` in the file, those that exist in planning (the
    programmes are loaded by ``planning.services.load_default_programmes``)."""
    from compact.planning.models import Workplan

    spec = spec or {}
    programme, keys = spec.get("programme"), spec.get("workplans") or []
    if not programme or not keys:
        return []
    found = {w.body.key: w for w in Workplan.objects.filter(programme__key=programme, body__key__in=keys).select_related("body")}
    return [found[key] for key in keys if key in found]


def load_default_meetings(*, actor=None, actor_label: str = "compact setup",
                          reason: str = "Default data: the known meetings of the Coordination Committee") -> list[Meeting]:
    """Load the shipped meetings (``src/compact/data/meetings.yaml``) through the services above, when no
    meeting exists; returns the meetings created (an empty list when some meeting exists already, so that
    running it again changes nothing).

    Each meeting is created all-day on its date in its zone, without invitations (who attended is not
    known), with its matters-arising item; each decision is then recorded (``decision_record``), adopted
    by the members of the body that day when the file says ``adopted_by: members``, with the workplans it
    names as subjects when planning holds them. Raises ``ValidationError`` for a malformed file or a body
    missing from the registry (load the default structure first)."""
    if Meeting.objects.exists():
        return []
    items = read_meetings(default_meetings_file().read_text(encoding="utf-8"))
    created: list[Meeting] = []
    with transaction.atomic():
        for item in items:
            body = Body.objects.filter(key=item["body"]).first()
            if body is None:
                raise ValidationError({"body": _("No body %(key)s in the registry.") % {"key": item["body"]}})
            zone = item.get("time_zone") or "UTC"
            start = times.make_aware(dt.datetime.combine(item["date"], dt.time(0)), zone)
            meeting = meeting_create(
                actor=actor, actor_label=actor_label, reason=reason, body=body, number=item["number"], start=start,
                end=start + dt.timedelta(days=1), time_zone=zone, all_day=True, title=item["title"],
                description=item.get("description") or "", online_url=item.get("online_url") or "",
                sensitivity=item.get("sensitivity", Sensitivity.PUBLIC), invite_participants=False)
            for spec in item.get("decisions") or []:
                day = times.meeting_date(meeting)
                members = []
                if spec.get("adopted_by") == "members":
                    capacities = participants_on(body=body, day=day)
                    members = list(Entity.objects.filter(pk__in=[k for k, v in capacities.items() if v == MEMBER]))
                decision_record(actor=actor, actor_label=actor_label, reason=reason, meeting=meeting, title=spec["title"],
                                text=spec["text"], subjects=_default_subjects(spec.get("subjects")), adopted_by=members)
            created.append(meeting)
    return created
