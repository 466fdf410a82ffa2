"""The meetings' REST API (read-only): meetings with their agenda, attendance, minutes and decisions; the
decisions register (filterable as on its page); action items.

Views are thin: they read through ``meetings.selectors`` (so through the access policy), filter with the
FilterSets the pages use (``meetings.filters``) and serialize. Lists come 50 a page with ``count`` (what
the user may list that matches). Times are ISO 8601: ``start`` / ``end`` in UTC, ``local_start`` /
``local_end`` with the offset of the meeting's own zone (``time_zone``, IANA). Errors are the JSON bodies
of ``compact.core.api.exception_handler``: 400 with ``fields`` for an invalid filter, 404 for an item that
does not exist or that you may not read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.access.models import Sensitivity
from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer
from compact.core.i18n import all_translations, translated
from compact.library.selectors import MAX_PAGE
from compact.meetings import selectors, times
from compact.meetings.filters import FOLLOW_UP_CHOICES, ActionItemFilter, DecisionFilter, MeetingFilter
from compact.meetings.models import ActionItem, AgendaItem, Attendance, Decision, DecisionSubject, Meeting, MinutesVersion
from compact.meetings.visibility import mark_decisions, mark_meetings

#: Items per page of the lists.
PAGE_SIZE = 50

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such item, or you may not read it.")
BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="Invalid filter: `error.fields` names it.")
PAGE = OpenApiParameter("page", int, description="Page number, from 1 (50 items a page).")
MEETING_FILTERS = [
    OpenApiParameter("body", str, description="A body's key, e.g. committee or wg-3."),
    OpenApiParameter("when", str, enum=["upcoming", "past"], description="Not yet ended, or ended."),
    OpenApiParameter("q", str, description="Text in the title, description or venue, or the meeting's number."),
]
DECISION_FILTERS = [
    OpenApiParameter("body", str, description="A body's key, e.g. committee or wg-3."),
    OpenApiParameter("year", int, description="The year of the reference (CC/2019/3: 2019)."),
    OpenApiParameter("q", str, description="Text in the reference, title or text (any language)."),
    OpenApiParameter("follow_up", str, enum=[value for value, _label in FOLLOW_UP_CHOICES],
                     description="Follow-up status of the decision's action items you may read."),
    OpenApiParameter("subject", str, enum=list(DecisionSubject.Kind.values), description="A kind of subject."),
    OpenApiParameter("meeting", int, description="A meeting's id."),
]
ACTION_FILTERS = [
    OpenApiParameter("show", str, enum=["mine", "entity", "overdue"],
                     description="Tasked to your entity or a body it takes part in; to your entity; or overdue."),
    OpenApiParameter("body", str, description="Key of the body whose decision the item carries out."),
    OpenApiParameter("owner", str, description="Acronym of the tasked entity."),
    OpenApiParameter("status", str, enum=list(ActionItem.Status.values)),
]


def _page(request: Request) -> int:
    text = (request.query_params.get("page") or "1").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE:
        raise exceptions.ValidationError({"page": [_("The page must be a whole number from 1 to %(max)s.")
                                                   % {"max": f"{MAX_PAGE:,}"}]})
    return int(text)


def _valid(filterset) -> None:
    """Raise a 400 naming each invalid filter parameter."""
    if not filterset.is_valid():
        raise exceptions.ValidationError({k: [str(m) for m in v] for k, v in filterset.errors.items()})


def _filtered(filterset):
    """The filtered queryset of a valid ``filterset`` (400 otherwise)."""
    _valid(filterset)
    return filterset.qs


def _paged(request: Request, qs, serializer_class, model, mark=None) -> Response:
    page = _page(request)
    count = qs.count()
    rows = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    if mark is not None:
        mark(rows, request.user)
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=model, rows=rows,
                  detail=f"api {request.query_params.urlencode()}"[:300])
    return Response({"count": count, "page": page, "page_size": PAGE_SIZE,
                     "results": serializer_class(rows, many=True).data})


# --- serializers -----------------------------------------------------------------------------------


class MeetingSerializer(serializers.Serializer):
    """A meeting: ``id``, ``body`` (key), ``number`` within the body, ``title`` (active language) and
    ``titles`` (every language given), ``start`` / ``end`` (UTC), ``local_start`` / ``local_end`` (in its
    ``time_zone``), ``all_day``, ``venue``, ``online_url``, ``status``, ``agenda_status``, ``sensitivity``,
    and its calendar identity ``uid`` / ``sequence`` (RFC 5545)."""

    id = serializers.IntegerField()
    body = serializers.CharField(source="body.key")
    number = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    titles = serializers.SerializerMethodField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    time_zone = serializers.CharField(help_text="IANA time zone the meeting is held in, e.g. Asia/Tokyo.")
    local_start = serializers.SerializerMethodField(help_text="ISO 8601 with the offset of the meeting's zone.")
    local_end = serializers.SerializerMethodField(help_text="ISO 8601 with the offset of the meeting's zone.")
    all_day = serializers.BooleanField()
    venue = serializers.CharField()
    online_url = serializers.CharField()
    status = serializers.CharField(help_text="One of: " + ", ".join(Meeting.Status.values) + ".")
    agenda_status = serializers.ChoiceField(choices=Meeting.AgendaStatus.choices)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)
    uid = serializers.CharField()
    sequence = serializers.IntegerField()

    def get_title(self, obj) -> str:
        return translated(obj, "title").text

    def get_titles(self, obj) -> dict[str, str]:
        return all_translations(obj, "title")

    def get_local_start(self, obj) -> str:
        return times.span_in(obj, obj.time_zone).start.isoformat()

    def get_local_end(self, obj) -> str:
        return times.span_in(obj, obj.time_zone).end.isoformat()


class MeetingPageSerializer(serializers.Serializer):
    """A page of meetings: ``count`` (all you may list that match), ``page``, ``page_size``, ``results``."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = MeetingSerializer(many=True)


def _decision_reference(obj) -> str | None:
    """The reference of an action item's decision, or None when the reader may not read it (the item is
    marked by ``visibility.mark_decisions``; unmarked counts as unreadable)."""
    return obj.decision.reference if getattr(obj, "decision_shown", False) else None


class ArisingSerializer(serializers.Serializer):
    """An action item under matters arising: ``overdue`` as of the meeting's date; ``decision`` is the
    reference of its decision, null when you may not read that decision."""

    id = serializers.IntegerField()
    decision = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    due = serializers.DateField()
    status = serializers.CharField(help_text="One of: " + ", ".join(ActionItem.Status.values) + ".")
    overdue = serializers.BooleanField()

    def get_decision(self, obj) -> str | None:
        return _decision_reference(obj)

    def get_title(self, obj) -> str:
        return translated(obj, "title").text


class AgendaDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.SerializerMethodField()

    def get_title(self, obj) -> str:
        return translated(obj, "title").text


class AgendaItemSerializer(serializers.Serializer):
    """An agenda item: ``position``, ``kind`` (item, matters_arising), title, expected outcome, presenting
    entity (acronym), the documents you may read and, for matters arising, its action items."""

    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AgendaItem.Kind.choices)
    title = serializers.SerializerMethodField()
    expected_outcome = serializers.ChoiceField(choices=AgendaItem.Outcome.choices)
    presenter = serializers.CharField(source="presenter.acronym", allow_null=True, default=None)
    documents = serializers.SerializerMethodField()
    action_items = serializers.SerializerMethodField()

    def get_title(self, obj) -> str:
        return translated(obj, "title").text

    def get_documents(self, obj) -> list[dict]:
        return AgendaDocumentSerializer(obj.documents.all(), many=True).data

    def get_action_items(self, obj) -> list[dict]:
        return ArisingSerializer(getattr(obj, "arising", []), many=True).data


class AttendanceSerializer(serializers.Serializer):
    """An entity at the meeting: acronym, capacity (from the registry on the meeting's date), status."""

    entity = serializers.CharField(source="entity.acronym")
    capacity = serializers.CharField(help_text="One of: " + ", ".join(Attendance.Capacity.values) + ".")
    status = serializers.CharField(help_text="One of: " + ", ".join(Attendance.Status.values) + ".")


class AttendeeSerializer(serializers.Serializer):
    """A person invited (among those whose contact you may see)."""

    name = serializers.SerializerMethodField()
    entity = serializers.CharField(source="person.entity.acronym")
    status = serializers.CharField(help_text="One of: " + ", ".join(Attendance.Status.values) + ".")

    def get_name(self, obj) -> str:
        return str(obj.person)


class MinutesSerializer(serializers.Serializer):
    """A version of the minutes: ``number``, ``status``, ``language``, ``text``, and the ``reason`` of a
    correction (``corrects``: the number of the version it corrects, or null)."""

    number = serializers.IntegerField()
    status = serializers.CharField(help_text="One of: " + ", ".join(MinutesVersion.Status.values) + ".")
    language = serializers.CharField()
    text = serializers.CharField()
    reason = serializers.CharField()
    corrects = serializers.IntegerField(source="corrects.number", allow_null=True, default=None)


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its ``agenda``, ``attendance``, ``attendees``, the versions of its ``minutes`` you may
    see (newest first: the first is the current text; drafts only for those who manage the meeting) and the
    references of its ``decisions``."""

    agenda = AgendaItemSerializer(many=True)
    attendance = AttendanceSerializer(many=True)
    attendees = AttendeeSerializer(many=True)
    minutes = MinutesSerializer(many=True)
    decisions = serializers.ListField(child=serializers.CharField())


class SubjectSerializer(serializers.Serializer):
    """A subject of a decision: its ``kind``, the ``id`` of the item it names and that item's name."""

    kind = serializers.ChoiceField(choices=DecisionSubject.Kind.choices)
    id = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()

    def get_id(self, obj) -> int:
        return getattr(obj, f"{obj.FIELDS[obj.kind]}_id")

    def get_name(self, obj) -> str:
        target = obj.target
        return translated(target, "title").text if hasattr(target, "title_en") else str(target)


class DecisionSerializer(serializers.Serializer):
    """A decision: its stable ``reference`` (``CC/2019/3``), body key, year and number, the meeting's id
    and number and the agenda item's position (all three null when you may not read the meeting), title
    and text (active language; ``titles`` every language),
    ``adopted_on``, ``adopted_by`` (acronyms), ``subjects``, ``follow_up`` (none, pending, overdue, done:
    of the action items you may read) and ``sensitivity``."""

    reference = serializers.CharField()
    body = serializers.CharField(source="body.key")
    year = serializers.IntegerField()
    number = serializers.IntegerField()
    meeting = serializers.SerializerMethodField()
    meeting_number = serializers.SerializerMethodField()
    agenda_item = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    titles = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    adopted_on = serializers.DateField()
    adopted_by = serializers.SerializerMethodField()
    subjects = SubjectSerializer(many=True, source="subjects.all")
    follow_up = serializers.ChoiceField(choices=FOLLOW_UP_CHOICES)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)

    def get_meeting(self, obj) -> int | None:
        return obj.meeting_id if getattr(obj, "meeting_shown", False) else None

    def get_meeting_number(self, obj) -> int | None:
        return obj.meeting.number if getattr(obj, "meeting_shown", False) else None

    def get_agenda_item(self, obj) -> int | None:
        shown = getattr(obj, "meeting_shown", False) and obj.agenda_item is not None
        return obj.agenda_item.position if shown else None

    def get_title(self, obj) -> str:
        return translated(obj, "title").text

    def get_titles(self, obj) -> dict[str, str]:
        return all_translations(obj, "title")

    def get_text(self, obj) -> str:
        return translated(obj, "text").text

    def get_adopted_by(self, obj) -> list[str]:
        return sorted((e.acronym for e in obj.adopted_by.all()), key=str.lower)


class DecisionPageSerializer(serializers.Serializer):
    """A page of the decisions register."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = DecisionSerializer(many=True)


class ActionItemSerializer(serializers.Serializer):
    """An action item: ``id``, its decision's reference (null when you may not read the decision), the
    body whose decision it carries out, the
    tasked body (key) or entity (acronym), title, ``due``, ``status``, ``overdue`` (pending after its due
    date, today), ``completed_on`` and its evidence."""

    id = serializers.IntegerField()
    decision = serializers.SerializerMethodField()
    body = serializers.CharField(source="body.key")
    owner_body = serializers.CharField(source="owner_body.key", allow_null=True, default=None)
    owner_entity = serializers.CharField(source="owner_entity.acronym", allow_null=True, default=None)
    title = serializers.SerializerMethodField()
    due = serializers.DateField()
    status = serializers.CharField(help_text="One of: " + ", ".join(ActionItem.Status.values) + ".")
    overdue = serializers.BooleanField()
    completed_on = serializers.DateField(allow_null=True)
    evidence_document = serializers.IntegerField(source="evidence_document_id", allow_null=True)
    evidence_url = serializers.CharField()
    evidence_note = serializers.CharField()
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)

    def get_decision(self, obj) -> str | None:
        return _decision_reference(obj)

    def get_title(self, obj) -> str:
        return translated(obj, "title").text


class ActionItemPageSerializer(serializers.Serializer):
    """A page of action items."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = ActionItemSerializer(many=True)


class DecisionDetailSerializer(DecisionSerializer):
    """A decision with the ``action_items`` you may read."""

    action_items = ActionItemSerializer(many=True)


# --- views -----------------------------------------------------------------------------------------


def _decisions(qs):
    return qs.select_related("agenda_item").prefetch_related(
        "subjects", "subjects__programme", "subjects__workplan", "subjects__workplan__body", "subjects__workplan__programme",
        "subjects__document", "subjects__project", "subjects__call", "adopted_by")


class MeetingListApi(APIView):
    """``GET /api/meetings/``."""

    @extend_schema(operation_id="meetings_list", summary="List the meetings you may see",
                   description=("Meetings you may list, latest first (soonest first with `when=upcoming`), 50 a page; "
                                "`count` is the number you may list that match the filters."),
                   parameters=[*MEETING_FILTERS, PAGE, LANG_PARAMETER],
                   responses={200: MeetingPageSerializer, 400: BAD_REQUEST})
    def get(self, request: Request) -> Response:
        qs = _filtered(MeetingFilter(request.query_params, queryset=selectors.meeting_list(user=request.user)))
        upcoming = request.query_params.get("when") == "upcoming"
        qs = qs.order_by("start", "pk") if upcoming else qs.order_by("-start", "-pk")
        return _paged(request, qs, MeetingSerializer, Meeting)


class MeetingDetailApi(APIView):
    """``GET /api/meetings/{id}/``."""

    @extend_schema(operation_id="meetings_retrieve", summary="A meeting with its agenda, attendance and minutes",
                   parameters=[LANG_PARAMETER], responses={200: MeetingDetailSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get(user=request.user, pk=pk)
        entities, people = selectors.attendance(user=request.user, meeting=meeting)
        history = selectors.minutes_history(user=request.user, meeting=meeting)
        decisions = selectors.decision_list(user=request.user).filter(meeting=meeting).order_by("number")
        agenda = selectors.agenda(user=request.user, meeting=meeting)
        mark_decisions([a for item in agenda for a in getattr(item, "arising", ())], request.user)
        record_access(user=request.user, action=AccessEvent.Action.VIEW, model=Meeting, rows=[meeting], detail="api")
        data = MeetingSerializer(meeting).data | {
            "agenda": AgendaItemSerializer(agenda, many=True).data,
            "attendance": AttendanceSerializer(entities, many=True).data,
            "attendees": AttendeeSerializer(people, many=True).data,
            "minutes": MinutesSerializer(history, many=True).data,
            "decisions": list(decisions.values_list("reference", flat=True)),
        }
        return Response(data)


class DecisionListApi(APIView):
    """``GET /api/meetings/decisions/``."""

    @extend_schema(operation_id="meetings_decisions_list", summary="The decisions register",
                   description=("Decisions you may list, latest year first, 50 a page, filtered as on the register's "
                                "page; `count` is the number you may list that match."),
                   parameters=[*DECISION_FILTERS, PAGE, LANG_PARAMETER],
                   responses={200: DecisionPageSerializer, 400: BAD_REQUEST})
    def get(self, request: Request) -> Response:
        _valid(DecisionFilter(request.query_params))
        qs = selectors.decision_list(user=request.user, filters=request.query_params)
        qs = _decisions(qs).order_by("-year", "body__kind", "body__number", "-number")
        return _paged(request, qs, DecisionSerializer, Decision, mark=mark_meetings)


class DecisionDetailApi(APIView):
    """``GET /api/meetings/decisions/{reference}/``."""

    @extend_schema(operation_id="meetings_decisions_retrieve", summary="A decision with its action items",
                   description="The reference is written as it is, slashes included: `/api/meetings/decisions/CC/2019/3/`.",
                   parameters=[OpenApiParameter("reference", str, OpenApiParameter.PATH,
                                                description="e.g. CC/2019/3"), LANG_PARAMETER],
                   responses={200: DecisionDetailSerializer, 404: NOT_FOUND})
    def get(self, request: Request, reference: str) -> Response:
        decision = selectors.decision_get(user=request.user, reference=reference)
        items = mark_decisions(selectors.action_item_list(user=request.user).filter(decision=decision), request.user)
        mark_meetings([decision], request.user)
        record_access(user=request.user, action=AccessEvent.Action.VIEW, model=Decision, rows=[decision], detail="api")
        return Response(DecisionSerializer(decision).data | {"action_items": ActionItemSerializer(items, many=True).data})


class ActionItemListApi(APIView):
    """``GET /api/meetings/action-items/``."""

    @extend_schema(operation_id="meetings_action_items_list", summary="Action items you may see",
                   description="Action items you may list, by due date, 50 a page.",
                   parameters=[*ACTION_FILTERS, PAGE, LANG_PARAMETER],
                   responses={200: ActionItemPageSerializer, 400: BAD_REQUEST})
    def get(self, request: Request) -> Response:
        qs = _filtered(ActionItemFilter(request.query_params, queryset=selectors.action_item_list(user=request.user),
                                        request=request))
        return _paged(request, qs, ActionItemSerializer, ActionItem, mark=mark_decisions)
