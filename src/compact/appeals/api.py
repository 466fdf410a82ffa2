"""The appeals' REST API: appeals with their projects and totals, and calls for proposals with their
criteria and weights; drafting and changing both (``POST`` / ``PATCH``) through ``appeals.services``.

Views are thin: they call ``appeals.selectors`` (through the access policy) or ``appeals.services`` and
serialize. Money is given in US dollars as decimal strings with ``complete`` false and the
``not_converted`` (currency, month) pairs when a rate was missing. Errors are the JSON bodies of
``compact.core.api.exception_handler``: 400 with ``fields`` for an invalid filter or invalid input
(``{field: [message]}``, keyed as the services' arguments), 403 when you may read an item but not change
it (or may not draft one), 404 for an appeal or call that does not exist or you may not read.
"""

from __future__ import annotations

import contextlib

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.access.policy import Action
from compact.appeals import selectors, services
from compact.appeals.models import Appeal, Call
from compact.audit.models import AccessEvent
from compact.audit.services import ReasonRequired, record_access
from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer
from compact.core.i18n import all_translations, translated
from compact.library.api import TranslationsField
from compact.projects.models import Project
from compact.registry.models import Body

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such item, or you may not read it.")
BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="Invalid filter: `error.fields` names it.")
INVALID_INPUT = OpenApiResponse(InvalidParametersSerializer,
                                description="Invalid input: `error.fields` names each bad field with its messages.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="You may not draft or change this item.")
FILTERS = [
    OpenApiParameter("country", str, description="UN M49 country code, e.g. 566."),
    OpenApiParameter("region", str, description="UN M49 region code, e.g. 002 (includes its countries)."),
    OpenApiParameter("pillar", int, description="Pillar number of the Strategy."),
    OpenApiParameter("working_group", str, description="Working group key, e.g. wg-5."),
    OpenApiParameter("sdg", str, description="SDG target, e.g. 16.a."),
    OpenApiParameter("implementing", str, description="Acronym of an implementing entity (IATI role 4)."),
]


class AppealMoneySerializer(serializers.Serializer):
    """A US-dollar figure: ``usd`` (decimal string, cents), ``complete`` and ``not_converted``
    (``"EUR 2026-03"`` labels of the amounts left out for want of a rate)."""

    usd = serializers.DecimalField(max_digits=24, decimal_places=2)
    complete = serializers.BooleanField()
    not_converted = serializers.ListField(child=serializers.CharField(), source="not_converted_labels")


class AppealTotalsSerializer(serializers.Serializer):
    """Requirement, pledged, funded, disbursed, spent and the funding gap (requirement - funded)."""

    requirement = AppealMoneySerializer()
    pledged = AppealMoneySerializer()
    funded = AppealMoneySerializer()
    disbursed = AppealMoneySerializer()
    spent = AppealMoneySerializer()
    gap = AppealMoneySerializer()


class AppealProjectSerializer(serializers.Serializer):
    """A project of an appeal with its money."""

    id = serializers.IntegerField(source="project.pk")
    iati_identifier = serializers.CharField(source="project.iati_identifier", allow_null=True)
    title = serializers.SerializerMethodField()
    lead_entity = serializers.CharField(source="project.lead_entity.acronym")
    implementing_entities = serializers.ListField(child=serializers.CharField(), source="implementing")
    areas = serializers.ListField(child=serializers.CharField(), help_text="UN M49 codes.")
    sectors = serializers.ListField(child=serializers.CharField())
    requirement = AppealMoneySerializer()
    funded = AppealMoneySerializer()
    gap = AppealMoneySerializer()

    def get_title(self, row) -> str:
        return translated(row.project, "title").text


class AppealSerializer(serializers.Serializer):
    """An appeal: ``key``, translated ``title`` (``titles`` in every language), status, period, body key,
    optional UN M49 ``region``."""

    key = serializers.CharField()
    title = serializers.SerializerMethodField()
    titles = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="One of: " + ", ".join(Appeal.Status.values) + ".")
    sensitivity = serializers.CharField()
    body = serializers.CharField(source="body.key")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    region = serializers.CharField(allow_blank=True)
    published_on = serializers.DateField(allow_null=True)

    def get_title(self, obj) -> str:
        return translated(obj, "title").text

    def get_titles(self, obj) -> dict[str, str]:
        return all_translations(obj, "title")

    def get_description(self, obj) -> str:
        return translated(obj, "description").text


class AppealDetailSerializer(AppealSerializer):
    """An appeal with the projects you may read (filtered) and their ``totals``."""

    projects = AppealProjectSerializer(many=True)
    totals = AppealTotalsSerializer()


class CriterionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)

    def get_name(self, obj) -> str:
        return translated(obj, "name").text


class CallSerializer(serializers.Serializer):
    """A call for proposals: title, status, body key, deadline, highest score, criteria with weights."""

    id = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="One of: " + ", ".join(Call.Status.values) + ".")
    body = serializers.CharField(source="body.key")
    deadline = serializers.DateTimeField()
    max_score = serializers.IntegerField()
    criteria = CriterionSerializer(many=True)
    appeal = serializers.CharField(source="appeal.key", allow_null=True, default=None)

    def get_title(self, obj) -> str:
        return translated(obj, "title").text


# --- input -----------------------------------------------------------------------------------------


class _KeyedBody(serializers.CharField):
    """A body named by its key (``wg-5``, ``committee``)."""

    def to_internal_value(self, data):
        key = super().to_internal_value(data).strip()
        body = Body.objects.filter(key__iexact=key).first()
        if body is None:
            raise serializers.ValidationError(_("No body has the key “%(value)s”.") % {"value": key})
        return body


class _AwareDateTime(serializers.DateTimeField):
    """An ISO 8601 date and time with its offset from UTC (``2026-03-31T17:00:00-04:00``); refused without."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            raise serializers.ValidationError(_("Give the time zone: an offset from UTC, e.g. 2026-03-31T17:00:00-04:00 "
                                                "or 2026-03-31T21:00:00Z."))
        return super().enforce_timezone(value)


class CallCriterionInputSerializer(serializers.Serializer):
    """A criterion of a call: ``name`` and ``description`` as ``{language: text}``, ``weight`` as a decimal
    string (e.g. ``"40"``; positive, at most two decimals). Criteria are numbered in the order given."""

    name = TranslationsField()
    description = TranslationsField(required=False)
    weight = serializers.CharField(help_text='Decimal string, e.g. "40" or "12.5".')


class CallWriteSerializer(serializers.Serializer):
    """A call's fields as written (every key optional on PATCH; ``criteria`` replace the call's) and the
    ``reason``: ``body`` by key, ``reviewers`` by username, ``deadline`` with its offset from UTC. The rules
    are the services' (``compact.appeals.services.call_create`` / ``call_update``)."""

    title = TranslationsField()
    description = TranslationsField(required=False)
    body = _KeyedBody(required=False, help_text="A body's key, e.g. wg-5 (the default on creation).")
    opens = serializers.DateField(required=False, allow_null=True, help_text="Planned opening date.")
    deadline = _AwareDateTime()
    max_score = serializers.IntegerField(required=False, help_text="Highest score of a criterion, 1-100 (default 5).")
    reviewers = serializers.ListField(child=serializers.CharField(), required=False, help_text="Usernames.")
    criteria = CallCriterionInputSerializer(many=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_reviewers(self, value):
        users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=value)}
        unknown = [name for name in value if name not in users]
        if unknown:
            raise serializers.ValidationError(_("No user has the username %(names)s.") % {"names": ", ".join(unknown)})
        return [users[name] for name in value]


class AppealWriteSerializer(serializers.Serializer):
    """An appeal's fields as written (every key optional on PATCH) and the ``reason``: ``body`` by key,
    ``region`` a UN M49 region code, ``projects`` the ids of joint projects you may read. The rules are the
    services' (``compact.appeals.services.appeal_create`` / ``appeal_update``)."""

    key = serializers.CharField(max_length=60)
    title = TranslationsField()
    description = TranslationsField(required=False)
    body = _KeyedBody(required=False, help_text="A body's key, e.g. wg-5 (the default on creation).")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    region = serializers.CharField(required=False, allow_blank=True, help_text="UN M49 region code, e.g. 002.")
    projects = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                     help_text="Ids of joint projects you may read.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_projects(self, value):
        user = self.context["request"].user
        found = {p.pk: p for p in selectors.appeal_project_choices(user=user).filter(pk__in=value)}
        unknown = sorted(set(value) - set(found))
        if unknown:
            raise serializers.ValidationError(_("No joint project you may read has the number %(ids)s.")
                                              % {"ids": ", ".join(map(str, unknown))})
        return [found[pk] for pk in dict.fromkeys(value)]


def _flat(errors) -> dict[str, list[str]]:
    """A serializer's errors as ``{field: [message]}``, nested items named (``Item 2, weight: ...``)."""
    out: dict[str, list[str]] = {}
    for field, value in errors.items():
        messages: list[str] = []
        if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
            value = [value.get(i, {}) for i in range(max(value) + 1)]  # a list's errors, by index
        if isinstance(value, dict):
            messages = [f"{key}: {m}" for key, ms in _flat(value).items() for m in ms]
        else:
            for i, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    messages += [_("Item %(number)s, %(field)s: %(message)s") % {"number": i, "field": key, "message": m}
                                 for key, ms in _flat(item).items() for m in ms]
                elif isinstance(item, list):
                    messages += [str(m) for m in item]
                else:
                    messages.append(str(item))
        out[field] = messages
    return out


def _input(serializer_class, request: Request, *, partial: bool) -> tuple[dict, str]:
    """The validated fields (criteria as plain dicts) and the reason; 400 naming each bad field."""
    serializer = serializer_class(data=request.data, partial=partial, context={"request": request})
    if not serializer.is_valid():
        raise exceptions.ValidationError(_flat(serializer.errors))
    values = dict(serializer.validated_data)
    reason = values.pop("reason", "")
    if "criteria" in values:
        values["criteria"] = [dict(item) for item in values["criteria"]]
    return values, reason


@contextlib.contextmanager
def _service_errors():
    """Turn a service's refusals into API errors: ``ValidationError`` / ``ReasonRequired`` -> 400 with
    ``fields``, ``PermissionDenied`` -> 403."""
    try:
        yield
    except ReasonRequired as exc:
        raise exceptions.ValidationError({"reason": [str(exc)]}) from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}) from exc
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


def _appeal_detail(request: Request, appeal: Appeal, filters) -> dict:
    """An appeal with the projects ``request.user`` may list (``filters`` applied) and their totals,
    written to the access log; 400 for an invalid filter."""
    try:
        result = selectors.appeal_projects(user=request.user, appeal=appeal, filters=filters, action=Action.LIST)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(exc.message_dict) from exc
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=Project,
                  rows=[r.project for r in result.rows], detail=f"api appeal={appeal.key}")
    return AppealSerializer(appeal).data | {
        "projects": AppealProjectSerializer(result.rows, many=True).data,
        "totals": AppealTotalsSerializer(result.totals).data,
    }


# --- views -----------------------------------------------------------------------------------------


class AppealListApi(APIView):
    """The appeals you may read; drafting one."""

    @extend_schema(operation_id="appeals_list", parameters=[LANG_PARAMETER], responses={200: AppealSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(AppealSerializer(selectors.appeal_list(user=request.user), many=True).data)

    @extend_schema(
        operation_id="appeals_create", request=AppealWriteSerializer,
        summary="Draft an appeal",
        description=("Draft an appeal of joint projects you may read (`services.appeal_create`): the secretariat, "
                     "or an officer of the appeal's body. The answer is the appeal as `GET /api/appeals/{key}/` "
                     "gives it."),
        responses={201: AppealDetailSerializer, 400: INVALID_INPUT, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not selectors.appeal_bodies(user=request.user).exists():
            raise exceptions.PermissionDenied(_("Only the secretariat and the officers of a body draft appeals."))
        fields, reason = _input(AppealWriteSerializer, request, partial=False)
        with _service_errors():
            appeal = services.appeal_create(actor=request.user, reason=reason, **fields)
        return Response(_appeal_detail(request, appeal, {}), status=status.HTTP_201_CREATED)


class AppealDetailApi(APIView):
    """One appeal, with the projects you may read (filtered) and their totals."""

    @extend_schema(operation_id="appeals_retrieve", parameters=[LANG_PARAMETER, *FILTERS],
                   responses={200: AppealDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND})
    def get(self, request: Request, key: str) -> Response:
        appeal = selectors.appeal_get(user=request.user, key=key)
        return Response(_appeal_detail(request, appeal, request.query_params))

    @extend_schema(
        operation_id="appeals_partial_update", request=AppealWriteSerializer,
        summary="Change an appeal",
        description=("Change the fields given (`services.appeal_update`). Given `projects` replace the appeal's "
                     "projects you may read; those you may not read stay. A published appeal's changes need a "
                     "`reason`, and its projects must be published. 404 when you may not read the appeal, 403 "
                     "when you may not change it."),
        responses={200: AppealDetailSerializer, 400: INVALID_INPUT, 403: FORBIDDEN, 404: NOT_FOUND})
    def patch(self, request: Request, key: str) -> Response:
        appeal = selectors.appeal_get(user=request.user, key=key, action=Action.CHANGE)
        fields, reason = _input(AppealWriteSerializer, request, partial=True)
        with _service_errors():
            appeal = services.appeal_update(actor=request.user, appeal=appeal, reason=reason, **fields)
        return Response(_appeal_detail(request, appeal, {}))


def _may_draft_calls(request: Request) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if not selectors.may_draft_calls(request.user):
        raise exceptions.PermissionDenied(_("Only the secretariat drafts and changes calls for proposals."))


class CallListApi(APIView):
    """The calls for proposals you may read; drafting one."""

    @extend_schema(operation_id="calls_list", parameters=[LANG_PARAMETER], responses={200: CallSerializer(many=True)})
    def get(self, request: Request) -> Response:
        calls = selectors.call_list(user=request.user).select_related("appeal").prefetch_related("criteria")
        return Response(CallSerializer(calls, many=True).data)

    @extend_schema(
        operation_id="calls_create", request=CallWriteSerializer,
        summary="Draft a call for proposals",
        description="Draft a call with its criteria and weights (`services.call_create`): the secretariat only.",
        responses={201: CallSerializer, 400: INVALID_INPUT, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        _may_draft_calls(request)
        fields, reason = _input(CallWriteSerializer, request, partial=False)
        with _service_errors():
            call = services.call_create(actor=request.user, reason=reason, **fields)
        return Response(CallSerializer(selectors.call_get(user=request.user, pk=call.pk)).data,
                        status=status.HTTP_201_CREATED)


class CallDetailApi(APIView):
    """One call for proposals with its criteria and weights; changing it."""

    @extend_schema(operation_id="calls_retrieve", parameters=[LANG_PARAMETER], responses={200: CallSerializer, 404: NOT_FOUND})
    def get(self, request: Request, call_id: int) -> Response:
        return Response(CallSerializer(selectors.call_get(user=request.user, pk=call_id)).data)

    @extend_schema(
        operation_id="calls_partial_update", request=CallWriteSerializer,
        summary="Change a call for proposals",
        description=("Change the fields given (`services.call_update`): the secretariat only. Once the call is open "
                     "its criteria, highest score, body and opening date are locked; a decided call no longer "
                     "changes. 404 when you may not read the call, 403 when you may not change it."),
        responses={200: CallSerializer, 400: INVALID_INPUT, 403: FORBIDDEN, 404: NOT_FOUND})
    def patch(self, request: Request, call_id: int) -> Response:
        call = selectors.call_get(user=request.user, pk=call_id)
        _may_draft_calls(request)
        fields, reason = _input(CallWriteSerializer, request, partial=True)
        with _service_errors():
            services.call_update(actor=request.user, call=call, reason=reason, **fields)
        return Response(CallSerializer(selectors.call_get(user=request.user, pk=call.pk)).data)
