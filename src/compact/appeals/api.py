"""The appeals' REST API (read-only): appeals with their projects and totals, and calls for proposals
with their criteria and weights.

Views are thin: they call ``appeals.selectors`` (through the access policy) and serialize. Money is
given in US dollars as decimal strings with ``complete`` false and the ``not_converted`` (currency,
month) pairs when a rate was missing. Errors are the JSON bodies of ``compact.core.api.exception_handler``:
400 with ``fields`` for an invalid filter, 404 for an appeal or call that does not exist or you may not read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.access.policy import Action
from compact.appeals import selectors
from compact.appeals.models import Appeal, Call
from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer
from compact.core.i18n import all_translations, translated
from compact.projects.models import Project

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such item, or you may not read it.")
BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="Invalid filter: `error.fields` names it.")
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


class AppealListApi(APIView):
    """The appeals you may read."""

    @extend_schema(operation_id="appeals_list", parameters=[LANG_PARAMETER], responses={200: AppealSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(AppealSerializer(selectors.appeal_list(user=request.user), many=True).data)


class AppealDetailApi(APIView):
    """One appeal, with the projects you may read (filtered) and their totals."""

    @extend_schema(operation_id="appeals_retrieve", parameters=[LANG_PARAMETER, *FILTERS],
                   responses={200: AppealDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND})
    def get(self, request: Request, key: str) -> Response:
        appeal = selectors.appeal_get(user=request.user, key=key)
        try:
            result = selectors.appeal_projects(user=request.user, appeal=appeal, filters=request.query_params,
                                               action=Action.LIST)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        record_access(user=request.user, action=AccessEvent.Action.LIST, model=Project,
                      rows=[r.project for r in result.rows], detail=f"api appeal={appeal.key}")
        data = AppealSerializer(appeal).data | {
            "projects": AppealProjectSerializer(result.rows, many=True).data,
            "totals": AppealTotalsSerializer(result.totals).data,
        }
        return Response(data)


class CallListApi(APIView):
    """The calls for proposals you may read."""

    @extend_schema(operation_id="calls_list", parameters=[LANG_PARAMETER], responses={200: CallSerializer(many=True)})
    def get(self, request: Request) -> Response:
        calls = selectors.call_list(user=request.user).select_related("appeal").prefetch_related("criteria")
        return Response(CallSerializer(calls, many=True).data)


class CallDetailApi(APIView):
    """One call for proposals with its criteria and weights."""

    @extend_schema(operation_id="calls_retrieve", parameters=[LANG_PARAMETER], responses={200: CallSerializer, 404: NOT_FOUND})
    def get(self, request: Request, call_id: int) -> Response:
        return Response(CallSerializer(selectors.call_get(user=request.user, pk=call_id)).data)
