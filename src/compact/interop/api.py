"""REST API of data exchange: importing a projects or funding flows file (CSV or XLSX with HXL hashtags).

``POST /api/import/projects/`` and ``POST /api/import/flows/`` take a multipart upload (``file``, and the
``reason`` recorded on every change; ``?dry_run=1`` checks every row and writes nothing, without needing a
reason) and answer with the import report: 200 when every row passed (written unless a dry run), 400
with the same report when any row has a problem or the file cannot be read at all (nothing written), or
with an error body naming a missing or bad parameter. Signed-in users only; each row is checked as the user, through the same
services as the pages. Exports are files: see ``/exchange/export/``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.core.api import ErrorSerializer, InvalidParametersSerializer
from compact.interop.services import IMPORTERS, ImportReport
from compact.interop.tabular.columns import Problem
from compact.interop.tabular.reader import MAX_FILE_SIZE, TableError, read_table


class ImportInputSerializer(serializers.Serializer):
    """The upload: ``file`` (CSV or XLSX) and ``reason`` (required unless ``dry_run``)."""

    file = serializers.FileField(help_text=gettext_lazy("A header row, a row of HXL hashtags, then the data."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ProblemSerializer(serializers.Serializer):
    """A problem: ``row`` as in the file (null for the whole file), ``column`` (letter and name), its
    ``hashtag``, the ``value`` found and the ``message``."""

    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    hashtag = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class RowResultSerializer(serializers.Serializer):
    """What a row did or would do: ``action`` (create, update, unchanged), ``label``, ``id`` (null for a
    row that would create its item) and the ``fields`` an update changes."""

    row = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])
    label = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    fields = serializers.ListField(child=serializers.CharField())


class CountsSerializer(serializers.Serializer):
    """Rows by action."""

    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    """The import report (``compact.interop.services.ImportReport.as_dict``)."""

    kind = serializers.CharField(help_text=gettext_lazy("projects or flows"))
    source = serializers.CharField()
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField(help_text=gettext_lazy("Every row passed."))
    written = serializers.BooleanField(help_text=gettext_lazy("The import was written (ok and not a dry run)."))
    counts = CountsSerializer()
    rows = RowResultSerializer(many=True)
    problems = ProblemSerializer(many=True)
    notes = ProblemSerializer(many=True, help_text=gettext_lazy("Values read in a normalised form (004 for 4)."))
    read_notes = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("Encoding and separator."))


DRY_RUN = OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Check every row and write nothing (1 or true).")


def _dry_run(request: Request) -> bool:
    value = request.query_params.get("dry_run", "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise exceptions.ValidationError({"dry_run": [_("Expected 1 or 0.")]})


class ImportApi(APIView):
    """``POST /api/import/{kind}/`` for ``kind`` projects or flows."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    kind = ""

    def post(self, request: Request) -> Response:
        """The report (see the module docstring)."""
        dry_run = _dry_run(request)
        params = ImportInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        upload = params.validated_data["file"]
        reason = params.validated_data["reason"].strip()
        if not dry_run and not reason:
            raise exceptions.ValidationError({"reason": [_("A reason is required for an import.")]})
        if upload.size > MAX_FILE_SIZE:
            raise exceptions.ValidationError({"file": [_("The file is larger than %(size)d MB.")
                                                       % {"size": MAX_FILE_SIZE // (1024 * 1024)}]})
        try:
            table = read_table(upload.read(), upload.name or "")
        except TableError as exc:
            report = ImportReport(self.kind, upload.name or "", dry_run,
                                  problems=[Problem(None, "", "", "", message) for message in exc.messages])
        else:
            report = IMPORTERS[self.kind](actor=request.user, table=table, dry_run=dry_run, reason=reason)
        return Response(report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)


PROBLEMS = PolymorphicProxySerializer(component_name="ImportProblems", resource_type_field_name=None,
                                     serializers=[ImportReportSerializer, InvalidParametersSerializer])


def _schema(kind: str, summary: str):
    return extend_schema(
        operation_id=f"import_{kind}",
        summary=summary,
        description=__doc__.split("\n\n")[1],
        parameters=[DRY_RUN],
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: ImportReportSerializer,
                   400: OpenApiResponse(PROBLEMS, description="The report of a file with problems (nothing "
                                        "written), or an error body naming a bad parameter (`file`, `reason`, `dry_run`)."),
                   401: ErrorSerializer, 403: ErrorSerializer},
    )


class ProjectsImportApi(ImportApi):
    """``POST /api/import/projects/``."""

    kind = "projects"

    @_schema("projects", "Import joint projects from a CSV or XLSX file")
    def post(self, request: Request) -> Response:
        """The report."""
        return super().post(request)


class FlowsImportApi(ImportApi):
    """``POST /api/import/flows/``."""

    kind = "flows"

    @_schema("flows", "Import funding flows from a CSV or XLSX file")
    def post(self, request: Request) -> Response:
        """The report."""
        return super().post(request)
