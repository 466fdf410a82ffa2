"""The reference data's REST API (read-only, public): the IATI codelists, one codelist's codes, the UN
M49 areas and the ISO 4217 currencies.

Views are thin: they check the query parameters with the filters of ``reference.filters`` and read
through ``reference.selectors``, like the pages. Names come in the language asked for with ``?lang=``
or ``Accept-Language`` (IATI gives English and French names only: other languages get the English
name, and ``name_language`` says which it is); ``names`` gives every language there is. Errors are the
JSON bodies of ``compact.core.api.exception_handler``: 400 with ``fields`` for an invalid parameter,
404 for an unknown codelist. Reference data needs no login and reads no database.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer
from compact.reference import codelists, geography, selectors
from compact.reference.filters import AreaFilter, CodeFilter, CurrencyFilter, ReferenceFilter

BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="Invalid parameter: `error.fields` names each bad one.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No IATI codelist has this name.")

Q_PARAMETER = OpenApiParameter(name="q", type=str, required=False,
                               description="Text in the code or a name (any language), case-insensitive; at most 100 characters.")
STATUS_PARAMETER = OpenApiParameter(name="status", type=str, required=False, enum=[selectors.STATUS_ACTIVE, selectors.STATUS_WITHDRAWN],
                                    description="Only active codes, or only withdrawn ones (refused for new data).")
KIND_PARAMETER = OpenApiParameter(name="kind", type=str, required=False, enum=[geography.COUNTRY, geography.REGION],
                                  description="Only countries and areas, or only regions.")
REGION_PARAMETER = OpenApiParameter(name="region", type=str, required=False,
                                    description="An M49 region code (e.g. 002 Africa): the countries and regions inside it, at any depth.")


def one_of(*values: str, **kwargs) -> serializers.CharField:
    """A string field documented as one of ``values`` by a pattern, not an enum: the schema's enum components
    are named after the field, and names such as ``kind`` and ``status`` are taken by other applications."""
    field_class = type("OneOfField", (serializers.CharField,), {})
    documented = extend_schema_field({"type": "string", "pattern": "^(" + "|".join(values) + ")$",
                                      "description": "One of: " + ", ".join(values) + "."})(field_class)
    return documented(**kwargs)


class PublicReferenceApi(APIView):
    """Base of the reference views: public reads of published standards, no login, no session lookup."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def valid_filter(self, form_class: type[ReferenceFilter]) -> dict[str, str]:
        """The selector's arguments from the query parameters; a 400 naming each invalid parameter."""
        form = form_class(self.request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.error_fields())
        return form.arguments()


# --- Codelists -------------------------------------------------------------------------------------


class CodelistSummarySerializer(serializers.Serializer):
    """A codelist: IATI ``name``, ``title`` in the language asked for (English or French), whether it is
    ``embedded`` in the IATI 2.03 schema, ``complete`` (IATI's flag), the number of codes (``count``) and
    of withdrawn codes (``withdrawn``), and the address of its codes (``url``)."""

    name = serializers.CharField()
    title = serializers.SerializerMethodField()
    embedded = serializers.BooleanField()
    complete = serializers.BooleanField()
    count = serializers.IntegerField(source="size")
    withdrawn = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_title(self, obj: codelists.CodelistInfo) -> str:
        """The title in the active language, English when IATI gives none in it."""
        return obj.title()

    def get_url(self, obj: codelists.CodelistInfo) -> str:
        """Where the codes are: ``/api/reference/codelists/{name}/``."""
        return f"/api/reference/codelists/{obj.name}/"


class CodeSerializer(serializers.Serializer):
    """A code: ``code`` as IATI writes it, ``name`` in the language asked for (or English,
    ``name_language`` says which), ``names`` (``{language: name}`` as IATI gives them, English and
    sometimes French; empty for lists without names, such as Version, whose ``name`` is the code),
    ``description`` (same language as ``name``, may be empty), ``status`` and ``withdrawn``."""

    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="name.text")
    name_language = serializers.CharField(source="name.language")
    names = serializers.DictField(child=serializers.CharField(), source="item.names")
    description = serializers.CharField(source="description.text", allow_blank=True)
    status = one_of(selectors.STATUS_ACTIVE, selectors.STATUS_WITHDRAWN, source="item.status")
    withdrawn = serializers.BooleanField(source="item.withdrawn")


class CodelistSerializer(CodelistSummarySerializer):
    """A codelist with its ``codes`` (those matching the filters, in IATI's order); ``count`` is the
    number of codes returned."""

    description = serializers.SerializerMethodField()
    source = serializers.CharField(source="url", allow_blank=True,
                                   help_text=gettext_lazy("Where the list's owner publishes it; may be empty."))
    count = serializers.SerializerMethodField()
    codes = serializers.SerializerMethodField()

    def get_description(self, obj: codelists.CodelistInfo) -> str:
        """The list's description in the active language, English when IATI gives none in it."""
        return obj.description()

    def get_count(self, obj: codelists.CodelistInfo) -> int:
        """The number of codes returned."""
        return len(self.context["rows"])

    @extend_schema_field(CodeSerializer(many=True))
    def get_codes(self, obj: codelists.CodelistInfo) -> list[dict]:
        """The codes matching the filters."""
        return CodeSerializer(self.context["rows"], many=True).data


class CodelistListApi(PublicReferenceApi):
    """``GET /api/reference/codelists/``: the shipped IATI codelists, by name."""

    @extend_schema(
        operation_id="reference_codelists_list",
        summary="List the IATI codelists",
        description="The IATI 2.03 codelists the platform checks codes against, by name, with the number of codes.",
        parameters=[LANG_PARAMETER],
        responses={200: CodelistSummarySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """Every codelist."""
        return Response(CodelistSummarySerializer(codelists.codelists(), many=True).data)


class CodelistDetailApi(PublicReferenceApi):
    """``GET /api/reference/codelists/{name}/``: one codelist with its codes (filters ``q``, ``status``)."""

    @extend_schema(
        operation_id="reference_codelists_retrieve",
        summary="Show an IATI codelist and its codes",
        description=(
            "The codes of one IATI codelist (name as IATI spells it, e.g. `OrganisationRole`, `UNSDG-Targets`), in "
            "IATI's order, with names in the language asked for. Withdrawn codes are included and marked: they are "
            "refused for new data. `q` and `status` narrow the codes."
        ),
        parameters=[Q_PARAMETER, STATUS_PARAMETER, LANG_PARAMETER],
        responses={200: CodelistSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, name: str) -> Response:
        """The codelist and its filtered codes."""
        try:
            info = codelists.codelist_info(name)
        except LookupError:
            raise exceptions.NotFound(_("No IATI codelist is named “%(name)s”.") % {"name": name}) from None
        rows = selectors.code_rows(name, **self.valid_filter(CodeFilter))
        return Response(CodelistSerializer(info, context={"rows": rows}).data)


# --- Areas -----------------------------------------------------------------------------------------


class AreaSerializer(serializers.Serializer):
    """A UN M49 country, area or region: ``code`` (three digits), ``kind``, ``name`` in the language
    asked for, ``names`` in the six languages, ISO 3166-1 ``iso2`` / ``iso3`` (null for regions) and
    ``parents``: the M49 codes of the regions containing it (region, sub-region, intermediate region,
    then 001 World)."""

    code = serializers.CharField()
    kind = one_of(geography.COUNTRY, geography.REGION)
    name = serializers.SerializerMethodField()
    names = serializers.DictField(child=serializers.CharField())
    iso2 = serializers.CharField(allow_null=True)
    iso3 = serializers.CharField(allow_null=True)
    parents = serializers.ListField(child=serializers.CharField())

    def get_name(self, obj: geography.Area) -> str:
        """The name in the active language."""
        return obj.name()


class AreaPageSerializer(serializers.Serializer):
    """The areas matching the filters: ``count`` and ``results`` (by M49 code, not paged)."""

    count = serializers.IntegerField()
    results = AreaSerializer(many=True)


class AreaListApi(PublicReferenceApi):
    """``GET /api/reference/areas/``: UN M49 countries, areas and regions (filters ``kind``, ``region``, ``q``)."""

    @extend_schema(
        operation_id="reference_areas_list",
        summary="List the UN M49 countries, areas and regions",
        description=(
            "UN M49 countries, areas and regions by code, with their names in the six UN languages and the regions "
            "containing each. `kind` keeps countries or regions; `region` (an M49 region code) keeps what lies "
            "inside it; `q` searches codes (M49, ISO alpha-2 and alpha-3) and names in every language."
        ),
        parameters=[KIND_PARAMETER, REGION_PARAMETER, Q_PARAMETER, LANG_PARAMETER],
        responses={200: AreaPageSerializer, 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        """The filtered areas."""
        found = selectors.area_list(**self.valid_filter(AreaFilter))
        return Response({"count": len(found), "results": AreaSerializer(found, many=True).data})


# --- Currencies ------------------------------------------------------------------------------------


class CurrencySerializer(serializers.Serializer):
    """An ISO 4217 currency: ``code``, ``name`` in the language asked for (Unicode CLDR), ``minor_unit``
    (decimal places an amount may have: JPY 0, USD 2, KWD 3) and ``withdrawn`` (refused for new data)."""

    code = serializers.CharField()
    name = serializers.SerializerMethodField()
    minor_unit = serializers.IntegerField()
    withdrawn = serializers.BooleanField()

    def get_name(self, obj) -> str:
        """The name in the active language."""
        return obj.name()


class CurrencyPageSerializer(serializers.Serializer):
    """The currencies matching the filters: ``count`` and ``results`` (by code, not paged)."""

    count = serializers.IntegerField()
    results = CurrencySerializer(many=True)


class CurrencyListApi(PublicReferenceApi):
    """``GET /api/reference/currencies/``: ISO 4217 currencies (filters ``q``, ``status``)."""

    @extend_schema(
        operation_id="reference_currencies_list",
        summary="List the ISO 4217 currencies",
        description=(
            "ISO 4217 currencies by code with their names in the language asked for and their minor units. "
            "`status` keeps active or withdrawn currencies; `q` searches codes and names."
        ),
        parameters=[Q_PARAMETER, STATUS_PARAMETER, LANG_PARAMETER],
        responses={200: CurrencyPageSerializer, 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        """The filtered currencies."""
        found = selectors.currency_list(**self.valid_filter(CurrencyFilter))
        return Response({"count": len(found), "results": CurrencySerializer(found, many=True).data})
