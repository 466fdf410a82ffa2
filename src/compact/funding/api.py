"""The funding REST API: flows (list, read, create, change, delete), totals and funding gaps by
dimension, and exchange rates (list; loading for the secretariat).

Views are thin: they parse input with a serializer, call ``funding.selectors`` (reads, through the access
policy) or ``funding.services`` (writes) and serialize the result. Amounts are strings (exact decimals),
never JSON numbers. Errors are the JSON bodies of ``compact.core.api.exception_handler``: 400 with
``fields`` for invalid input, 403 when the user may read the project but not change it, 404 when the flow
or project does not exist or the user may not read it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.access.policy import Action, get_for
from compact.audit.models import AccessEvent
from compact.audit.services import ReasonRequired, record_access
from compact.core.api import ErrorSerializer, InvalidParametersSerializer
from compact.funding import selectors, services
from compact.funding.filters import MAX_ID
from compact.funding.models import Flow
from compact.funding.views import labelled_rows
from compact.projects.models import Project
from compact.registry.models import Entity

PAGE_SIZE = 100
BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="Invalid input: `error.fields` names each bad field.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="You may read the project but not change its funding.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such flow or project, or you may not read it.")


def _invalid(error: DjangoValidationError | ReasonRequired) -> exceptions.ValidationError:
    if isinstance(error, ReasonRequired):
        return exceptions.ValidationError({"reason": [str(error)]})
    if hasattr(error, "message_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


class FlowOutputSerializer(serializers.Serializer):
    """A flow: its project id, kind, ``amount`` (string) in ``currency`` on ``date``, ``usd`` (string, cents)
    or null when not converted (no rate for the month), provider and receiver (entity acronym or name)."""

    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    kind = serializers.ChoiceField(choices=Flow.Kind.choices)
    amount = serializers.DecimalField(max_digits=20, decimal_places=3, coerce_to_string=True)
    currency = serializers.CharField()
    date = serializers.DateField()
    usd = serializers.SerializerMethodField()
    provider_entity = serializers.CharField(source="provider_entity.acronym", allow_null=True, default=None)
    provider_name = serializers.CharField()
    provider_ref = serializers.CharField()
    receiver_entity = serializers.CharField(source="receiver_entity.acronym", allow_null=True, default=None)
    receiver_name = serializers.CharField()
    reference = serializers.CharField()
    description = serializers.CharField()

    def get_usd(self, obj: Flow) -> str | None:
        """US dollars at the UN operational rate of the flow's month, or null when there is no rate."""
        value = self.context.get("usd", {}).get(obj.pk)
        return None if value is None else str(value)


class FlowPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = FlowOutputSerializer(many=True)


class EntityField(serializers.CharField):
    """A Compact entity by acronym (case-insensitive)."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return None
        entity = Entity.objects.filter(acronym__iexact=text.strip()).first()
        if entity is None:
            raise serializers.ValidationError(_("No entity has the acronym “%(acronym)s”.") % {"acronym": text})
        return entity


class FlowWriteSerializer(serializers.Serializer):
    """A flow as written: ``project`` (id), ``kind``, ``amount`` as a string (exact; a JSON number is refused
    as it may be a float), ``currency`` (ISO 4217), ``date``, provider and receiver (entity acronym or
    name), ``reference``, ``description`` and the ``reason`` (required to change or delete, and for
    confidential projects)."""

    project = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=Flow.Kind.choices)
    amount = serializers.CharField(help_text=gettext_lazy("A decimal as a string, e.g. \"1234.50\"; negative for a de-obligation."))
    currency = serializers.CharField(max_length=3)
    date = serializers.DateField()
    provider_entity = EntityField(required=False, allow_null=True, allow_blank=True, default=None)
    provider_name = serializers.CharField(required=False, allow_blank=True, default="")
    provider_ref = serializers.CharField(required=False, allow_blank=True, default="")
    receiver_entity = EntityField(required=False, allow_null=True, allow_blank=True, default=None)
    receiver_name = serializers.CharField(required=False, allow_blank=True, default="")
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("amount"), (int, float)) and not isinstance(data.get("amount"), bool):
            raise exceptions.ValidationError({"amount": [_("Give the amount as a string, e.g. \"1234.50\".")]})
        return super().to_internal_value(data)


class FlowUpdateSerializer(FlowWriteSerializer):
    """Any subset of the flow's fields, and the ``reason`` (required)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
            if hasattr(field, "default"):
                field.default = serializers.empty
        return fields


class FlowListInputSerializer(serializers.Serializer):
    """Filters (``compact.funding.filters.FlowFilter``) and the ``page``."""

    project = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=Flow.Kind.choices, required=False)
    currency = serializers.CharField(required=False)
    working_group = serializers.CharField(required=False)
    entity = serializers.CharField(required=False)
    provider = serializers.CharField(required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, default=1)


def _project_for_change(user, pk: int) -> Project:
    return get_for(Project.objects.all(), user, Action.CHANGE, pk=pk)


def _flow_out(flows: list[Flow]) -> list[dict]:
    return FlowOutputSerializer(flows, many=True, context={"usd": selectors.usd_amounts(flows)}).data


class FlowListApi(APIView):
    @extend_schema(operation_id="flows_list", parameters=[FlowListInputSerializer],
                   responses={200: FlowPageSerializer, 400: BAD_REQUEST}, tags=["funding"])
    def get(self, request: Request) -> Response:
        """The funding flows of the projects you may list, newest first, 100 a page."""
        params = FlowListInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = {k: v for k, v in request.query_params.items() if k != "page"}
        try:
            qs = selectors.flow_list(request.user, filters)
        except DjangoValidationError as error:
            raise _invalid(error) from None
        page = params.validated_data["page"]
        count = qs.count()
        flows = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
        return Response({"count": count, "page": page, "page_size": PAGE_SIZE, "results": _flow_out(flows)})

    @extend_schema(operation_id="flows_create", request=FlowWriteSerializer,
                   responses={201: FlowOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND}, tags=["funding"])
    def post(self, request: Request) -> Response:
        """Add a flow to a project you may change."""
        data = FlowWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = _project_for_change(request.user, values.pop("project"))
        try:
            flow = services.flow_create(actor=request.user, project=project, **values)
        except (DjangoValidationError, ReasonRequired) as error:
            raise _invalid(error) from None
        return Response(_flow_out([flow])[0], status=status.HTTP_201_CREATED)


class FlowDetailApi(APIView):
    @extend_schema(operation_id="flows_read", responses={200: FlowOutputSerializer, 404: NOT_FOUND}, tags=["funding"])
    def get(self, request: Request, flow_id: int) -> Response:
        """One flow, if you may read its project."""
        return Response(_flow_out([selectors.flow_get(user=request.user, pk=flow_id)])[0])

    @extend_schema(operation_id="flows_update", request=FlowUpdateSerializer,
                   responses={200: FlowOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND}, tags=["funding"])
    def patch(self, request: Request, flow_id: int) -> Response:
        """Change the fields given, with a ``reason``."""
        flow = selectors.flow_get(user=request.user, pk=flow_id)
        data = FlowUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        if "project" in values:
            values["project"] = _project_for_change(request.user, values["project"])
        try:
            flow = services.flow_update(actor=request.user, flow=flow, reason=reason, **values)
        except (DjangoValidationError, ReasonRequired) as error:
            raise _invalid(error) from None
        return Response(_flow_out([flow])[0])

    @extend_schema(operation_id="flows_delete",
                   parameters=[OpenApiParameter("reason", str, description="Why the flow is deleted (required).")],
                   responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND}, tags=["funding"])
    def delete(self, request: Request, flow_id: int) -> Response:
        """Delete the flow, with a ``reason`` (query parameter or JSON body)."""
        flow = selectors.flow_get(user=request.user, pk=flow_id)
        reason = request.query_params.get("reason") or (request.data.get("reason", "") if isinstance(request.data, dict) else "")
        try:
            services.flow_delete(actor=request.user, flow=flow, reason=reason)
        except ReasonRequired as error:
            raise _invalid(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class UsdMoneySerializer(serializers.Serializer):
    """US dollars (string, cents); ``complete`` false when some amounts had no rate, named in
    ``not_converted`` as "EUR 2026-03" (left out of ``usd``)."""

    usd = serializers.DecimalField(max_digits=22, decimal_places=2, coerce_to_string=True)
    complete = serializers.BooleanField()
    not_converted = serializers.ListField(child=serializers.CharField(), source="not_converted_labels")


class TotalsRowSerializer(serializers.Serializer):
    """One row of totals: ``key`` (id or M49 code; null for the overall row), ``label``, and the figures."""

    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    requirement = UsdMoneySerializer()
    pledged = UsdMoneySerializer()
    funded = UsdMoneySerializer()
    disbursed = UsdMoneySerializer()
    spent = UsdMoneySerializer()
    gap = UsdMoneySerializer()


class TotalsOutputSerializer(serializers.Serializer):
    by = serializers.CharField(allow_null=True)
    results = TotalsRowSerializer(many=True)


def _row(key, label, t: selectors.Totals) -> dict:
    return {"key": None if key is None else str(key), "label": label, "requirement": t.requirement, "pledged": t.pledged,
            "funded": t.funded, "disbursed": t.disbursed, "spent": t.spent, "gap": t.gap}


class TotalsApi(APIView):
    @extend_schema(operation_id="funding_totals",
                   parameters=[OpenApiParameter("by", str, enum=list(selectors.DIMENSIONS),
                                                description="Group by this dimension; overall totals without it.")],
                   responses={200: TotalsOutputSerializer, 400: BAD_REQUEST}, tags=["funding"])
    def get(self, request: Request) -> Response:
        """Totals and funding gaps in US dollars of the projects you may count, overall or by a dimension."""
        by = request.query_params.get("by") or None
        try:
            if by is None:
                rows = [_row(None, _("All joint projects"), selectors.totals(user=request.user))]
            else:
                rows = [_row(k, label, t) for k, label, t in labelled_rows(by, selectors.totals_by(user=request.user, dimension=by))]
        except DjangoValidationError as error:
            raise _invalid(error) from None
        if by == "project":  # the titles and money of confidential projects: a read of them
            shown = list(Project.objects.filter(pk__in=[int(r["key"]) for r in rows]).only("pk", "sensitivity"))
            record_access(user=request.user, action=AccessEvent.Action.LIST, model=Project, rows=shown,
                          detail="funding totals by joint project")
        return Response(TotalsOutputSerializer({"by": by, "results": rows}).data)


class RateSerializer(serializers.Serializer):
    currency = serializers.CharField()
    month = serializers.SerializerMethodField()
    rate = serializers.DecimalField(max_digits=24, decimal_places=8, coerce_to_string=True)
    source = serializers.CharField()

    def get_month(self, obj) -> str:
        """``YYYY-MM``."""
        return f"{obj.month:%Y-%m}"


class RatesLoadSerializer(serializers.Serializer):
    """Rows ``{currency, month, rate}`` (rate as a string), the ``reason`` and ``dry_run``."""

    rows = serializers.ListField(child=serializers.DictField(child=serializers.CharField(allow_blank=True)))
    reason = serializers.CharField()
    dry_run = serializers.BooleanField(default=False)


class RatesApi(APIView):
    @extend_schema(operation_id="rates_list",
                   parameters=[OpenApiParameter("currency", str), OpenApiParameter("year", str)],
                   responses={200: RateSerializer(many=True), 400: BAD_REQUEST}, tags=["funding"])
    def get(self, request: Request) -> Response:
        """The UN operational rates of exchange loaded (units per US dollar), newest month first."""
        try:
            qs = selectors.rate_list(filters=request.query_params)
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(RateSerializer(qs[:1000], many=True).data)

    @extend_schema(operation_id="rates_load", request=RatesLoadSerializer,
                   responses={200: OpenApiResponse(description="The report: changes and errors."), 400: BAD_REQUEST,
                              403: FORBIDDEN}, tags=["funding"])
    def post(self, request: Request) -> Response:
        """Load rates, all or nothing (the secretariat). 400 with every row's error when any is wrong."""
        data = RatesLoadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.rates_load(actor=request.user, **data.validated_data)
        except PermissionDenied:
            raise exceptions.PermissionDenied(_("Only the secretariat loads exchange rates.")) from None
        body = {
            "dry_run": report.dry_run, "written": report.written,
            "changes": [{"currency": c.currency, "month": f"{c.month:%Y-%m}", "rate": str(c.rate),
                         "before": None if c.before is None else str(c.before), "action": c.action} for c in report.changes],
            "errors": [{"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in report.errors],
        }
        return Response(body, status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)
