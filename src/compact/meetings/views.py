"""Meeting pages (HTML): the meetings list, a meeting with its agenda, attendance, minutes and decisions,
the managers' forms (meeting, agenda, attendance, invitations, minutes, decisions, action items), the
decisions register with its downloads (CSV and XLSX with HXL hashtags), a decision, the action items, and
the meeting pack (PDF).

Every read goes through ``meetings.selectors`` (so through the access policy); every write through
``meetings.services``. Times are shown in the meeting's own zone and, when they differ, in the viewer's
(``times.viewer_zone``). Views of confidential content and every download are written to the access log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.access.policy import Action, can
from compact.access.principal import principal_for
from compact.audit.models import AccessEvent
from compact.audit.services import ReasonRequired, record_access
from compact.core.i18n import field_name
from compact.library.models import Document
from compact.meetings import exports, selectors, services, times
from compact.meetings.filters import FOLLOW_UP_CHOICES, ActionItemFilter, DecisionFilter, MeetingFilter
from compact.meetings.forms import (
    ActionItemForm,
    ActionItemUpdateForm,
    AgendaItemForm,
    AttendanceForm,
    AttendeeStatusForm,
    CancelForm,
    CommentForm,
    DecisionForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    ReasonForm,
)
from compact.meetings.models import ActionItem, AgendaItem, Attendance, Decision, DecisionSubject, Meeting, MinutesVersion
from compact.meetings.visibility import mark_decisions, mark_meetings
from compact.registry.models import Body, Entity

#: Meetings per page of the list; decisions per page of the register; action items per page.
MEETINGS_PER_PAGE = 20
DECISIONS_PER_PAGE = 50
ACTION_ITEMS_PER_PAGE = 50


# --- helpers ---------------------------------------------------------------------------------------


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def _reason_form(request: HttpRequest) -> ReasonForm | None:
    """The ``op`` and ``reason`` of a step's POST, or None (with the errors as a message, to show on the page
    redirected to) when they break the form's limits (a reason of more than 500 characters)."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        return form
    messages.error(request, " ".join(str(m) for msgs in form.errors.values() for m in msgs))
    return None


def _errors(exc: ValidationError | ReasonRequired) -> str:
    if isinstance(exc, ReasonRequired):
        return str(exc)
    if hasattr(exc, "error_dict"):
        return " ".join(" ".join(str(m) for m in msgs) for msgs in exc.message_dict.values())
    return " ".join(exc.messages)


#: Keys of the services' errors that a form shows on another field: ``{key: field}``.
ERROR_FIELDS = {"title": field_name("title", "en"), "text": field_name("text", "en"),
                "description": field_name("description", "en"), "start": "start_time", "end": "end_time",
                "owner_body": "owner", "owner_entity": "owner"}


def _apply_errors(form, exc: ValidationError | ReasonRequired) -> None:
    """Put a service's errors on ``form``'s fields (``ERROR_FIELDS`` maps keys to other fields; keys with no
    field go to the top of the form)."""
    if isinstance(exc, ReasonRequired):
        form.add_error("reason" if "reason" in form.fields else None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for key, found in errors.items():
        target = key if key in form.fields else ERROR_FIELDS.get(key, key)
        if target == "start_time" and "start_time" in form.fields and form.data.get("all_day"):
            target = "start_date"
        if target == "end_time" and "end_time" in form.fields and form.data.get("all_day"):
            target = "end_date"
        if target in form.fields and not form.fields[target].disabled:
            form.add_error(target, found)
        else:
            form.add_error(None, found)


def _managed_bodies(user):
    """The bodies ``user`` may hold meetings of: all existing ones for the secretariat, else those they
    are an officer of today (``selectors.may_manage``)."""
    principal = principal_for(user)
    bodies = Body.objects.order_by("kind", "number", "key")
    if principal.is_secretariat:
        return bodies
    return bodies.filter(pk__in=principal.officer_body_ids)


def _require_manage(request: HttpRequest, meeting: Meeting) -> None:
    if not selectors.may_manage(request.user, meeting):
        raise PermissionDenied(_("Only the secretariat and the officers of the meeting's body manage it."))


def _readable_documents(user):
    from compact.library.selectors import document_list

    return document_list(user=user).order_by("title", "pk")


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("meetings:meeting", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


def _offset(moment: dt.datetime) -> str:
    """``UTC+09:00`` / ``UTC-04:00`` / ``UTC+05:45`` / ``UTC+00:00``: the offset of an aware datetime."""
    delta = moment.utcoffset() or dt.timedelta()
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@dataclasses.dataclass(frozen=True)
class ShownSpan:
    """A meeting's start and end as shown in one zone: local dates and times, the zone's name, its
    abbreviation and offset at the start, and ``days`` (how many days later it ends than it starts)."""

    start: dt.datetime
    end: dt.datetime
    zone_name: str
    abbreviation: str
    offset: str
    days: int
    all_day: bool

    @property
    def last_day(self) -> dt.date:
        """The last day of an all-day meeting (its end is midnight after it)."""
        return (self.end - dt.timedelta(days=1)).date()

    @property
    def start_day(self) -> dt.date:
        return self.start.date()

    @property
    def end_day(self) -> dt.date:
        return self.end.date()

    @property
    def start_clock(self) -> str:
        """``HH:MM`` (24-hour clock) of the start, in the zone."""
        return self.start.strftime("%H:%M")

    @property
    def end_clock(self) -> str:
        return self.end.strftime("%H:%M")

    @property
    def start_iso(self) -> str:
        """The start as ISO 8601 with its offset (``2025-03-10T09:00+09:00``), for ``<time datetime>``."""
        return self.start.isoformat(timespec="minutes")

    @property
    def end_iso(self) -> str:
        return self.end.isoformat(timespec="minutes")


def shown_span(meeting: Meeting, zone) -> ShownSpan:
    """``meeting``'s span in ``zone`` (``ZoneInfo`` or IANA name), ready to show (``times.span_in``)."""
    span = times.span_in(meeting, zone)
    last = span.end - dt.timedelta(microseconds=1)
    abbreviation = span.start.tzname() or ""
    if abbreviation.startswith(("+", "-")) or abbreviation == span.zone_name:
        abbreviation = ""  # the tz database writes "+03" where a zone has no abbreviation; "UTC" is its own name
    return ShownSpan(start=span.start, end=span.end, zone_name=span.zone_name, abbreviation=abbreviation,
                     offset=_offset(span.start), days=(last.date() - span.start.date()).days if span.crosses_midnight else 0,
                     all_day=meeting.all_day)


def meeting_times(meeting: Meeting, user) -> dict:
    """``own``: the span in the meeting's zone; ``viewer``: the span in the user's zone when its wall-clock
    times differ (else None), with ``viewer_shift`` the days between the two start dates (-1: the day
    before)."""
    own = shown_span(meeting, meeting.time_zone)
    viewer_zone = times.viewer_zone(user)
    viewer = None
    shift = 0
    if not meeting.all_day:
        other = shown_span(meeting, viewer_zone)
        if (other.start.replace(tzinfo=None), other.end.replace(tzinfo=None)) != (
                own.start.replace(tzinfo=None), own.end.replace(tzinfo=None)):
            viewer = other
            shift = (other.start.date() - own.start.date()).days
    return {"own": own, "viewer": viewer, "viewer_shift": shift}


# --- the meetings list -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    """``/meetings/``: the meetings the user may see, filtered by body (``?body=committee``), upcoming or
    past and a search text (``MeetingFilter``), 20 a page: upcoming ones soonest first, others latest
    first. The count is that of the meetings the user may see. An invalid filter answers 400."""
    meeting_filter = MeetingFilter(request.GET, queryset=selectors.meeting_list(user=request.user))
    bodies = selectors.body_choices()
    context = {"filter": meeting_filter, "bodies": bodies, "can_add": _managed_bodies(request.user).exists()
               if request.user.is_authenticated else False}
    if not meeting_filter.is_valid():
        context["error"] = " ".join(str(m) for msgs in meeting_filter.errors.values() for m in msgs)
        return render(request, "meetings/meeting_list.html", context, status=400)
    qs = meeting_filter.qs
    qs = qs.order_by("start", "pk") if request.GET.get("when") == "upcoming" else qs.order_by("-start", "-pk")
    paginator = Paginator(qs, MEETINGS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    zone = times.viewer_zone(request.user)
    rows = [(m, shown_span(m, zone)) for m in page.object_list]
    body = next((b for b in bodies if b.key == (request.GET.get("body") or "").strip().lower()), None)
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=Meeting, rows=[m for m, _s in rows],
                  detail=urlencode(sorted((k, v) for k, v in request.GET.items() if k != "page")))
    context |= {"page": page, "rows": rows, "count": paginator.count, "body": body, "zone_name": zone.key}
    return render(request, "meetings/meeting_list.html", context)


# --- a meeting -------------------------------------------------------------------------------------


def _minutes_context(request: HttpRequest, meeting: Meeting) -> dict:
    history = selectors.minutes_history(user=request.user, meeting=meeting)
    current = history[0] if history else None
    return {
        "minutes_history": history,
        "minutes": current,
        "comment_form": CommentForm() if current is not None and current.status == MinutesVersion.Status.CIRCULATED
        and request.user.is_authenticated else None,
    }


@require_http_methods(["GET", "HEAD"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/<id>/``: the meeting (number, title, body, status), its times in its own zone and the
    viewer's, venue and link, agenda (presenters, documents the user may read, expected outcomes, matters
    arising with their action items), attendance by entity and by person, minutes (current version and
    history, comments while circulated), the decisions taken, and links to its calendar file and pack.
    The managers' forms are shown to those who manage it. 404 when the user may not read it."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    manages = selectors.may_manage(request.user, meeting)
    items = selectors.agenda(user=request.user, meeting=meeting)
    mark_decisions([a for item in items for a in getattr(item, "arising", ())], request.user)
    entities, people = selectors.attendance(user=request.user, meeting=meeting)
    decisions = list(selectors.decision_list(user=request.user).filter(meeting=meeting)
                     .prefetch_related("adopted_by").order_by("number"))
    record_access(user=request.user, action=AccessEvent.Action.VIEW, model=Meeting, rows=[meeting])
    context = {
        "meeting": meeting,
        "times": meeting_times(meeting, request.user),
        "agenda": items,
        "attendances": entities,
        "attendees": people,
        "decisions": decisions,
        "manages": manages,
        "ics_url": reverse("meetings:meeting-ics", args=[meeting.pk]),
        "pack_url": reverse("meetings:pack", args=[meeting.pk]),
        **_minutes_context(request, meeting),
    }
    if manages:
        listed = {a.entity_id for a in entities}
        context |= {
            "statuses": Attendance.Status.choices,
            "other_entities": [e for e in selectors.entity_choices() if e.pk not in listed],
            "invite_form": InviteForm(people=_invitable(request.user, meeting)),
        }
    return render(request, "meetings/meeting_detail.html", context)


def _meeting_form(request: HttpRequest, meeting: Meeting | None) -> HttpResponse:
    bodies = _managed_bodies(request.user)
    initial = {}
    if meeting is None and request.GET.get("body"):
        found = bodies.filter(key=request.GET["body"]).first()
        initial = {"body": found.pk} if found else {}
    form = MeetingForm(request.POST if request.method == "POST" else None, user=request.user, meeting=meeting,
                       bodies=bodies, initial=initial)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if meeting is None:
                meeting = services.meeting_create(actor=request.user, reason=reason, **form.service_fields())
                messages.success(request, _("The meeting was added."))
            else:
                meeting = services.meeting_update(actor=request.user, meeting=meeting, reason=reason,
                                                  **form.service_fields())
                messages.success(request, _("The meeting was saved."))
        except (ValidationError, ReasonRequired) as exc:
            _apply_errors(form, exc)
        else:
            return redirect("meetings:meeting", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/meeting_form.html",
                  {"form": form, "meeting": meeting, "cancel_form": CancelForm() if meeting else None}, status=status)


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    """``/meetings/new/`` (``?body=<key>`` preselects the body): add a meeting (``services.meeting_create``).
    Visitors get the sign-in page; users who manage no body get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _managed_bodies(request.user).exists():
        raise PermissionDenied(_("Only the secretariat and the officers of a body add its meetings."))
    return _meeting_form(request, None)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/<id>/edit/``: change a meeting (``services.meeting_update``). 404 when the user may not
    read it, 403 when they may read but not manage it."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    return _meeting_form(request, meeting)


@require_http_methods(["POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /meetings/<id>/cancel/`` with a ``reason``: cancel the meeting (``services.meeting_cancel``);
    a refusal is shown on the edit page (400)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except (ValidationError, ReasonRequired) as exc:
            form.add_error("reason", _errors(exc))
        else:
            messages.success(request, _("The meeting was cancelled."))
            return redirect("meetings:meeting", pk=meeting.pk)
    edit = MeetingForm(user=request.user, meeting=meeting, bodies=_managed_bodies(request.user))
    return render(request, "meetings/meeting_form.html", {"form": edit, "meeting": meeting, "cancel_form": form},
                  status=400)


# --- the agenda ------------------------------------------------------------------------------------


def _agenda_item(request: HttpRequest, pk: int, item_pk: int) -> tuple[Meeting, AgendaItem]:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    item = meeting.agenda_items.filter(pk=item_pk).first()
    if item is None:
        raise Http404(_("No such agenda item."))
    return meeting, item


def _agenda_form(request: HttpRequest, meeting: Meeting, item: AgendaItem | None) -> HttpResponse:
    form = AgendaItemForm(request.POST if request.method == "POST" else None,
                          documents=_readable_documents(request.user), item=item)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if item is None:
                item = services.agenda_item_add(actor=request.user, meeting=meeting, reason=reason, **form.service_fields())
                messages.success(request, _("The agenda item was added."))
            else:
                services.agenda_item_update(actor=request.user, item=item, reason=reason, **form.service_fields())
                messages.success(request, _("The agenda item was saved."))
        except (ValidationError, ReasonRequired) as exc:
            _apply_errors(form, exc)
        else:
            return redirect(_meeting_url(meeting, "agenda"))
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/agenda_item_form.html", {"form": form, "meeting": meeting, "item": item},
                  status=status)


@require_http_methods(["GET", "POST"])
def agenda_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/<id>/agenda/new/``: add an agenda item (``services.agenda_item_add``)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    return _agenda_form(request, meeting, None)


@require_http_methods(["GET", "POST"])
def agenda_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """``/meetings/<id>/agenda/<item id>/edit/``: change an agenda item (``services.agenda_item_update``)."""
    meeting, item = _agenda_item(request, pk, item_pk)
    return _agenda_form(request, meeting, item)


@require_http_methods(["POST"])
def agenda_item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """``POST /meetings/<id>/agenda/<item id>/remove/``: remove an item (``services.agenda_item_remove``;
    never the matters-arising item). The outcome is shown on the meeting's page."""
    meeting, item = _agenda_item(request, pk, item_pk)
    form = _reason_form(request)
    if form is None:
        return redirect(_meeting_url(meeting, "agenda"))
    try:
        services.agenda_item_remove(actor=request.user, item=item, reason=form.cleaned_data.get("reason", ""))
    except (ValidationError, ReasonRequired) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The agenda item was removed."))
    return redirect(_meeting_url(meeting, "agenda"))


@require_http_methods(["POST"])
def agenda_item_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """``POST /meetings/<id>/agenda/<item id>/move/`` with ``op`` ``up`` or ``down``: move the item one
    place (``services.agenda_item_update`` with its new ``position``)."""
    meeting, item = _agenda_item(request, pk, item_pk)
    form = _reason_form(request)
    if form is None:
        return redirect(_meeting_url(meeting, "agenda"))
    op = form.cleaned_data.get("op")
    if op not in ("up", "down"):
        return _bad_request(request, _("Move an item up or down."))
    position = item.position - 1 if op == "up" else item.position + 1
    last = meeting.agenda_items.count()
    if 1 <= position <= last:
        try:
            services.agenda_item_update(actor=request.user, item=item, position=position,
                                        reason=form.cleaned_data.get("reason", ""))
        except (ValidationError, ReasonRequired) as exc:
            messages.error(request, _errors(exc))
    return redirect(_meeting_url(meeting, "agenda"))


@require_http_methods(["POST"])
def agenda_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /meetings/<id>/agenda/finalise/``: make the agenda final (``services.agenda_finalise``),
    which keeps the matters arising as they stand."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    form = _reason_form(request)
    if form is None:
        return redirect(_meeting_url(meeting, "agenda"))
    try:
        services.agenda_finalise(actor=request.user, meeting=meeting, reason=form.cleaned_data.get("reason", ""))
    except (ValidationError, ReasonRequired) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The agenda is final."))
    return redirect(_meeting_url(meeting, "agenda"))


# --- attendance ------------------------------------------------------------------------------------


def _invitable(user, meeting: Meeting):
    """The people ``user`` may list (contacts are content), by entity and name, for invitations."""
    return selectors.invitable_people(user=user, meeting=meeting)


@require_http_methods(["POST"])
def attendance_set(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /meetings/<id>/attendance/`` with ``entity`` (id) and ``status``: an entity's attendance
    (``services.attendance_set``; its capacity comes from the registry on the meeting's date)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(form.errors)))
    else:
        try:
            services.attendance_set(actor=request.user, meeting=meeting, entity=form.cleaned_data["entity"],
                                    status=form.cleaned_data["status"], reason=form.cleaned_data["reason"])
        except (ValidationError, ReasonRequired) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("The attendance of %(entity)s was saved.") % {"entity": form.cleaned_data["entity"]})
    return redirect(_meeting_url(meeting, "attendance"))


@require_http_methods(["POST"])
def attendee_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /meetings/<id>/attendees/`` with ``person`` (id): invite a person (``services.attendee_invite``;
    one whose entity does not take part in the body is given read access to the meeting)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    form = InviteForm(request.POST, people=_invitable(request.user, meeting))
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(form.errors)))
    else:
        try:
            services.attendee_invite(actor=request.user, meeting=meeting, person=form.cleaned_data["person"],
                                     reason=form.cleaned_data["reason"])
        except (ValidationError, ReasonRequired) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("%(person)s was invited.") % {"person": form.cleaned_data["person"]})
    return redirect(_meeting_url(meeting, "attendance"))


@require_http_methods(["POST"])
def attendee_status(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    """``POST /meetings/<id>/attendees/<attendee id>/`` with ``status``: a person's attendance
    (``services.attendee_set_status``)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    attendee = meeting.attendees.filter(pk=attendee_pk).first()
    if attendee is None:
        raise Http404(_("No such attendee."))
    form = AttendeeStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(form.errors)))
    else:
        try:
            services.attendee_set_status(actor=request.user, attendee=attendee, status=form.cleaned_data["status"],
                                         reason=form.cleaned_data["reason"])
        except (ValidationError, ReasonRequired) as exc:
            messages.error(request, _errors(exc))
    return redirect(_meeting_url(meeting, "attendance"))


# --- minutes ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/<id>/minutes/``: write the minutes (``services.minutes_save``: the first version, the
    draft edited in place, or a new draft after circulation), or, once final, record a correction
    (``services.minutes_correct``, reason required). Managers only (403)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    history = selectors.minutes_history(user=request.user, meeting=meeting)
    latest = history[0] if history else None
    correction = latest is not None and latest.status == MinutesVersion.Status.FINAL
    initial = {"text": latest.text, "language": latest.language, "document": latest.document_id} if latest else {}
    form = MinutesForm(request.POST if request.method == "POST" else None, documents=_readable_documents(request.user),
                       correction=correction, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if correction:
                services.minutes_correct(actor=request.user, meeting=meeting, text=d["text"], language=d["language"],
                                         document=d["document"], reason=d["reason"])
                messages.success(request, _("The correction was recorded as a new final version."))
            else:
                services.minutes_save(actor=request.user, meeting=meeting, text=d["text"], language=d["language"],
                                      document=d["document"], reason=d["reason"])
                messages.success(request, _("The minutes were saved."))
        except (ValidationError, ReasonRequired) as exc:
            _apply_errors(form, exc)
        else:
            return redirect(_meeting_url(meeting, "minutes"))
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/minutes_form.html",
                  {"form": form, "meeting": meeting, "latest": latest, "correction": correction}, status=status)


@require_http_methods(["POST"])
def minutes_step(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /meetings/<id>/minutes/step/`` with ``op`` ``circulate`` or ``finalise``: circulate the
    latest draft for comments, or make the latest version final (``services.minutes_circulate`` /
    ``minutes_finalise``)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    form = _reason_form(request)
    if form is None:
        return redirect(_meeting_url(meeting, "minutes"))
    op = form.cleaned_data.get("op")
    steps = {"circulate": (services.minutes_circulate, _("The minutes were circulated for comments.")),
             "finalise": (services.minutes_finalise, _("The minutes are final."))}
    if op not in steps:
        return _bad_request(request, _("Unknown step."))
    step, done = steps[op]
    try:
        step(actor=request.user, meeting=meeting, reason=form.cleaned_data.get("reason", ""))
    except (ValidationError, ReasonRequired) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return redirect(_meeting_url(meeting, "minutes"))


@require_http_methods(["POST"])
def minutes_comment(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """``POST /meetings/<id>/minutes/<version>/comment/`` with ``text``: comment on circulated minutes
    (``services.minutes_comment``: anyone who may read the meeting)."""
    if not request.user.is_authenticated:
        return redirect_to_login(_meeting_url(selectors.meeting_get(user=request.user, pk=pk)))
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    version = next((v for v in selectors.minutes_history(user=request.user, meeting=meeting) if v.number == number), None)
    if version is None:
        raise Http404(_("No such version of the minutes."))
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(form.errors)))
    else:
        try:
            services.minutes_comment(actor=request.user, version=version, text=form.cleaned_data["text"])
        except (ValidationError, ReasonRequired) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Your comment was added."))
    return redirect(_meeting_url(meeting, "minutes"))


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The line-by-line changes from ``before`` to ``after``: ``[(kind, line)]`` with kind ``"same"``,
    ``"added"`` or ``"removed"`` (``difflib.ndiff``, hints left out)."""
    kinds = {"  ": "same", "+ ": "added", "- ": "removed"}
    return [(kinds[line[:2]], line[2:]) for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:2] in kinds]


@require_http_methods(["GET", "HEAD"])
def minutes_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """``/meetings/<id>/minutes/<version>/``: one version of the minutes, with its changes from the
    version before it that the user may see. Drafts only for managers (404 otherwise)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    history = selectors.minutes_history(user=request.user, meeting=meeting)
    index = next((i for i, v in enumerate(history) if v.number == number), None)
    if index is None:
        raise Http404(_("No such version of the minutes."))
    version = history[index]
    previous = history[index + 1] if index + 1 < len(history) else None
    return render(request, "meetings/minutes_version.html", {
        "meeting": meeting, "version": version, "previous": previous,
        "diff": text_diff(previous.text, version.text) if previous else None})


# --- decisions -------------------------------------------------------------------------------------


def _members_on(meeting: Meeting) -> list[Entity]:
    capacities = selectors.participants_on(body=meeting.body, day=times.meeting_date(meeting))
    ids = [pk for pk, capacity in capacities.items() if capacity == Attendance.Capacity.MEMBER]
    return list(Entity.objects.filter(pk__in=ids).order_by("acronym"))


def _subject_querysets(user) -> dict:
    from compact.appeals.selectors import call_list
    from compact.planning.selectors import programme_list
    from compact.projects.selectors import project_list

    return {
        DecisionSubject.Kind.PROGRAMME: programme_list(user=user),
        DecisionSubject.Kind.WORKPLAN: selectors.readable_workplans(user=user),
        DecisionSubject.Kind.TERMS_OF_REFERENCE: _readable_documents(user).filter(kind=Document.Kind.TERMS_OF_REFERENCE),
        DecisionSubject.Kind.PROJECT: project_list(user=user),
        DecisionSubject.Kind.CALL: call_list(user=user),
    }


def _decision_form(request: HttpRequest, meeting: Meeting, decision: Decision | None) -> HttpResponse:
    form = DecisionForm(request.POST if request.method == "POST" else None, meeting=meeting,
                        members=_members_on(meeting), subjects=_subject_querysets(request.user), decision=decision)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if decision is None:
                decision = services.decision_record(actor=request.user, meeting=meeting, reason=reason,
                                                    **form.service_fields())
                messages.success(request, _("Decision %(reference)s was recorded.") % {"reference": decision.reference})
            else:
                fields = form.service_fields()
                for name in ("sensitivity", "adopted_on"):  # empty: unchanged
                    if fields[name] is None:
                        fields.pop(name)
                decision = services.decision_update(actor=request.user, decision=decision, reason=reason, **fields)
                messages.success(request, _("The decision was saved."))
        except (ValidationError, ReasonRequired) as exc:
            _apply_errors(form, exc)
        else:
            return redirect("meetings:decision", reference=decision.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/decision_form.html", {"form": form, "meeting": meeting, "decision": decision},
                  status=status)


@require_http_methods(["GET", "POST"])
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/<id>/decisions/new/``: record a decision taken at the meeting (``services.decision_record``).
    Only the body's members on the meeting's date are offered as adopting it."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _require_manage(request, meeting)
    return _decision_form(request, meeting, None)


def _decision(request: HttpRequest, reference: str, action: Action = Action.VIEW) -> Decision:
    return selectors.decision_get(user=request.user, reference=reference, action=action)


@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """``/meetings/decisions/<reference>/edit/``: change a decision (``services.decision_update``; its
    reference never changes). Managers of its meeting only."""
    decision = _decision(request, reference)
    meeting = selectors.meeting_get(user=request.user, pk=decision.meeting_id)
    _require_manage(request, meeting)
    return _decision_form(request, meeting, decision)


@require_http_methods(["GET", "HEAD", "POST"])
def decision_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """``/meetings/decisions/<reference>/`` (e.g. ``/meetings/decisions/CC/2019/3/``): a decision with its
    text, meeting, agenda item, subjects, adopting entities and action items; managers of its meeting add
    action items here (``POST``: ``services.action_item_create``)."""
    decision = _decision(request, reference)
    meeting = decision.meeting
    manages = selectors.may_manage(request.user, meeting)
    form = None
    if manages:
        form = ActionItemForm(request.POST if request.method == "POST" else None,
                              bodies=selectors.body_choices(),
                              entities=selectors.entity_choices())
        if request.method == "POST" and form.is_valid():
            fields = form.service_fields()
            try:
                services.action_item_create(actor=request.user, decision=decision, reason=form.cleaned_data["reason"],
                                            **fields)
            except (ValidationError, ReasonRequired) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The action item was added."))
                return redirect(reverse("meetings:decision", kwargs={"reference": decision.reference}) + "#actions")
    elif request.method == "POST":
        raise PermissionDenied(_("Only the secretariat and the officers of the body add action items."))
    items = list(selectors.action_item_list(user=request.user).filter(decision=decision))
    mark_meetings([decision], request.user)
    record_access(user=request.user, action=AccessEvent.Action.VIEW, model=Decision, rows=[decision])
    context = {"decision": decision, "meeting": meeting, "manages": manages, "form": form, "action_items": items}
    return render(request, "meetings/decision_detail.html", context, status=400 if form is not None and form.errors else 200)


def _register(request: HttpRequest, action: Action):
    decision_filter = DecisionFilter(request.GET)
    if not decision_filter.is_valid():
        return decision_filter, None
    qs = selectors.decision_list(user=request.user, filters=request.GET, action=action)
    return decision_filter, qs.prefetch_related("subjects", "subjects__programme", "subjects__workplan",
                                                "subjects__workplan__body", "subjects__document", "subjects__project",
                                                "subjects__call", "adopted_by").order_by("-year", "body__kind", "body__number", "-number")


@require_http_methods(["GET", "HEAD"])
def decision_list(request: HttpRequest) -> HttpResponse:
    """``/meetings/decisions/``: the decisions register: the decisions the user may see, filterable by
    body, year, follow-up status, subject kind, meeting and text (``DecisionFilter``), 50 a page, with links
    to download exactly the filtered rows (CSV or XLSX). An invalid filter answers 400."""
    decision_filter, qs = _register(request, Action.LIST)
    context = {"filter": decision_filter, "bodies": selectors.body_choices(),
               "follow_up_choices": FOLLOW_UP_CHOICES, "subject_choices": DecisionSubject.Kind.choices}
    if qs is None:
        context["error"] = " ".join(str(m) for msgs in decision_filter.errors.values() for m in msgs)
        return render(request, "meetings/decision_list.html", context, status=400)
    paginator = Paginator(qs, DECISIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = mark_meetings(page.object_list, request.user)
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=Decision, rows=list(page.object_list),
                  detail=urlencode(sorted(decision_filter.applied().items())))
    query = urlencode(sorted(decision_filter.applied().items()))
    context |= {"page": page, "count": paginator.count,
                "csv_url": reverse("meetings:decision-export", args=["csv"]) + (f"?{query}" if query else ""),
                "xlsx_url": reverse("meetings:decision-export", args=["xlsx"]) + (f"?{query}" if query else "")}
    return render(request, "meetings/decision_list.html", context)


@require_http_methods(["GET", "HEAD"])
def decision_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """``/meetings/decisions/register.csv`` / ``.xlsx``: the register's rows with the page's filters, holding
    only the decisions the user may export (``Action.EXPORT``): a header row, the HXL hashtag row, then one
    row per decision (``exports.register_rows``). Written to the access log; an invalid filter answers 400."""
    decision_filter, qs = _register(request, Action.EXPORT)
    if qs is None:
        return _bad_request(request, " ".join(str(m) for msgs in decision_filter.errors.values() for m in msgs))
    decisions = mark_meetings(qs, request.user)
    record_access(user=request.user, action=AccessEvent.Action.EXPORT, model=Decision, rows=decisions, always=True,
                  detail=f"{fmt} {urlencode(sorted(decision_filter.applied().items()))}".strip())
    content, content_type = exports.register_file(decisions, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="decisions-register.{fmt}"'
    return response


# --- action items ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def action_item_list(request: HttpRequest) -> HttpResponse:
    """``/meetings/actions/``: the action items the user may see, by due date, narrowed by ``show``
    (``mine``, ``entity``, ``overdue``), body, tasked entity and status (``ActionItemFilter``), 50 a page."""
    item_filter = ActionItemFilter(request.GET, queryset=selectors.action_item_list(user=request.user), request=request)
    context = {"filter": item_filter, "bodies": selectors.body_choices(),
               "statuses": ActionItem.Status.choices, "has_entity": principal_for(request.user).entity_id is not None}
    if not item_filter.is_valid():
        context["error"] = " ".join(str(m) for msgs in item_filter.errors.values() for m in msgs)
        return render(request, "meetings/action_item_list.html", context, status=400)
    paginator = Paginator(item_filter.qs, ACTION_ITEMS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = mark_decisions(page.object_list, request.user)
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=ActionItem, rows=list(page.object_list))
    context |= {"page": page, "count": paginator.count}
    return render(request, "meetings/action_item_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/actions/<id>/``: an action item with its decision and evidence; those who may change it
    (the secretariat, officers of the decision's body, focal points of the tasked entity) update its
    status, due date and evidence here (``services.action_item_update``). 404 when the user may not read
    it, 403 for a change by anyone else."""
    item = selectors.action_item_list(user=request.user).filter(pk=pk).select_related("evidence_document").first()
    if item is None:
        raise Http404(_("No such action item."))
    may_change = can(request.user, Action.CHANGE, item)
    if request.method == "POST" and not may_change:
        raise PermissionDenied(_("You may not change this action item."))
    form = None
    if may_change:
        form = ActionItemUpdateForm(request.POST if request.method == "POST" else None, item=item,
                                    documents=_readable_documents(request.user),
                                    manages=can(request.user, Action.CHANGE, item.decision))
        if request.method == "POST" and form.is_valid():
            try:
                services.action_item_update(actor=request.user, item=item, reason=form.cleaned_data["reason"],
                                            **form.service_fields())
            except (ValidationError, ReasonRequired) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The action item was saved."))
                return redirect("meetings:action-item", pk=item.pk)
    evidence_readable = item.evidence_document is not None and can(request.user, Action.VIEW, item.evidence_document)
    mark_decisions([item], request.user)
    record_access(user=request.user, action=AccessEvent.Action.VIEW, model=ActionItem, rows=[item])
    return render(request, "meetings/action_item_detail.html",
                  {"item": item, "form": form, "evidence_readable": evidence_readable},
                  status=400 if form is not None and form.errors else 200)


# --- the pack --------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/<id>/pack.pdf``: the meeting pack (``pack.meeting_pack``) in the request's language:
    title, date and time in the meeting's zone, venue, agenda, attendance, documents and decisions, all as
    the user may read them. Written to the access log."""
    from compact.meetings.pack import meeting_pack as make_pack

    meeting = selectors.meeting_get(user=request.user, pk=pk)
    content = make_pack(user=request.user, meeting=meeting)
    record_access(user=request.user, action=AccessEvent.Action.DOWNLOAD, model=Meeting, rows=[meeting],
                  detail="pack.pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="meeting-{meeting.body.key}-{meeting.number}.pdf"'
    return response

