"""REST API of data exchange: importing a projects or funding flows file (CSV or XLSX with HXL hashtags),
and IATI activity files as import jobs.

``POST /api/import/projects/`` and ``POST /api/import/flows/`` take a multipart upload (``file``, and the
``reason`` recorded on every change; ``?dry_run=1`` checks every row and writes nothing, without needing a
reason) and answer with the import report: 200 when every row passed (written unless a dry run), 400
with the same report when any row has a problem or the file cannot be read at all (nothing written), or
with an error body naming a missing or bad parameter. Signed-in users only; each row is checked as the user, through the same
services as the pages. Exports are files: see ``/exchange/export/``.

``POST /api/import/iati/`` starts an import of IATI activity files as a job (``compact.interop.job_services``)
and answers 202 with the job; ``GET /api/import/jobs/{job_id}/`` shows its status, progress and, once done,
its report (``compact.interop.job_selectors``: your own jobs; the secretariat's: all).

``GET /api/export/iati/`` answers the IATI 2.03 file of the published projects the user may export.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.core.api import ErrorSerializer, InvalidParametersSerializer
from compact.interop import job_selectors
from compact.interop.forms import SELECTION_FIELDS
from compact.interop.iati.selection import Selection
from compact.interop.job_services import ImportOptions, import_job_start
from compact.interop.models import ImportJob
from compact.interop.services import IMPORTERS, ImportReport
from compact.interop.tabular.columns import Problem
from compact.interop.tabular.reader import MAX_FILE_SIZE, TableError, read_table
from compact.registry.models import Body, Entity


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


# --- IATI imports as jobs ----------------------------------------------------------------------------


class FlagField(serializers.BooleanField):
    """A yes/no field of a multipart form whose absence means its default (DRF reads an absent form
    field as false, as for an unticked check box)."""

    default_empty_html = serializers.empty


class IatiImportInputSerializer(serializers.Serializer):
    """The upload of ``POST /api/import/iati/``: ``files`` (one or more), ``dry_run`` (default true),
    ``lead_body`` (a working group's key) and ``lead_entity`` (an acronym), ``select`` (only
    counter-terrorism-relevant activities, default true) with its criteria (each absent one takes its
    default, ``Selection.counter_terrorism()``), and ``reason`` (required unless a dry run)."""

    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  help_text=gettext_lazy("IATI 2.01, 2.02 or 2.03 activity files (XML)."))
    dry_run = FlagField(required=False, default=True,
                        help_text=gettext_lazy("Check the files and report, without writing anything (default true)."))
    lead_body = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text=gettext_lazy("Key of the working group that leads new projects, e.g. wg-2."))
    lead_entity = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=gettext_lazy("Acronym of the entity that leads new projects whose reporting organisation is not a "
                               "registry entity (the secretariat; a focal point's is their own entity)."))
    select = FlagField(required=False, default=True,
                       help_text=gettext_lazy("Import only counter-terrorism-relevant activities (default true)."))
    sectors = serializers.CharField(required=False, allow_blank=True,
                                    help_text=gettext_lazy("OECD DAC CRS codes: 5-digit purpose codes or 3-digit "
                                                           "categories, separated by commas."))
    sdg_targets = serializers.CharField(required=False, allow_blank=True,
                                        help_text=gettext_lazy("SDG targets such as 16.a, separated by commas."))
    policy_markers = serializers.CharField(required=False, allow_blank=True,
                                           help_text=gettext_lazy(
                                               "vocabulary:code, e.g. 1:3 (OECD DAC good governance) or 99:CT (a "
                                               "publisher's own marker), separated by commas."))
    keywords = serializers.CharField(required=False, allow_blank=True,
                                     help_text=gettext_lazy("Keywords in any language, separated by commas or lines."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    def validate_lead_body(self, value: str):
        if not value.strip():
            return None
        found = Body.objects.filter(key=value.strip()).first()
        if found is None:
            raise serializers.ValidationError(_("No body has the key “%(value)s”.") % {"value": value})
        return found

    def validate_lead_entity(self, value: str):
        if not value.strip():
            return None
        found = Entity.objects.filter(acronym__iexact=value.strip()).first()
        if found is None:
            raise serializers.ValidationError(_("No entity has the acronym “%(value)s”.") % {"value": value})
        return found

    def validate(self, attrs):
        attrs["selection"] = None
        if attrs.get("select"):
            texts = Selection.counter_terrorism().as_texts() | {k: attrs[k] for k in SELECTION_FIELDS if k in attrs}
            try:
                attrs["selection"] = Selection.parse(**texts)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class NullableSerializer(serializers.Serializer):
    """A serializer whose value may be null where a field uses it (``allow_null``); its component says so
    (``NullableComponentExtension``)."""


class NullableComponentExtension(OpenApiSerializerExtension):
    """The component of a ``NullableSerializer`` is marked ``nullable`` itself. OpenAPI 3.0 writes a nullable
    reference as ``allOf: [$ref]`` beside ``nullable: true``, and validators (openapi-core) then check a null
    against the referenced schema alone, which refuses it."""

    target_class = "compact.interop.api.NullableSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        return {**auto_schema._map_serializer(self.target, direction, bypass_extensions=True), "nullable": True}


class SourceFileSerializer(serializers.Serializer):
    """A file read: its ``name``, IATI ``version``, ``size`` in bytes and number of ``activities``."""

    name = serializers.CharField()
    version = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField()
    activities = serializers.IntegerField()


class SelectionSerializer(NullableSerializer):
    """The criteria of counter-terrorism relevance, as comma-separated texts (null: every activity)."""

    sectors = serializers.CharField(allow_blank=True)
    sdg_targets = serializers.CharField(allow_blank=True)
    policy_markers = serializers.CharField(allow_blank=True)
    keywords = serializers.CharField(allow_blank=True)


class ActivityResultSerializer(serializers.Serializer):
    """What an activity did or would do: ``action`` (create, update, unchanged, or skipped when it is not
    relevant), the ``project`` id (null for one that would be created), ``kept_because`` (the criteria it
    met), the ``fields`` an update changes and its number of ``transactions``."""

    file = serializers.CharField()
    line = serializers.IntegerField()
    identifier = serializers.CharField(allow_blank=True)
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "skipped"])
    title = serializers.CharField(allow_blank=True)
    project = serializers.IntegerField(allow_null=True)
    kept_because = serializers.ListField(child=serializers.CharField())
    fields = serializers.ListField(child=serializers.CharField())
    transactions = serializers.IntegerField()


class FindingSerializer(serializers.Serializer):
    """A problem or a note: ``file``, ``line`` (null for the whole file), ``element`` (its path in the file),
    the ``activity``'s IATI identifier when known, and the ``message``."""

    file = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    element = serializers.CharField(allow_blank=True)
    activity = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class UnknownOrganisationSerializer(serializers.Serializer):
    """An organisation that matches no registry entity: IATI identifier ``ref``, ``name``, the
    ``roles`` it has (IATI OrganisationRole codes, or ``reporting``) and in how many ``activities``."""

    ref = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField())
    activities = serializers.IntegerField()


class DisappearedSerializer(serializers.Serializer):
    """A project imported before whose activity the files no longer have (reported, never deleted)."""

    identifier = serializers.CharField()
    project = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)


class IatiCountsSerializer(serializers.Serializer):
    """Activities by action."""

    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()


class IatiReportSerializer(NullableSerializer):
    """The report of an IATI import (``compact.interop.iati_services.IatiReport.as_dict``); null until the job
    is done."""

    files = SourceFileSerializer(many=True)
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField(help_text=gettext_lazy("Every activity passed."))
    written = serializers.BooleanField(help_text=gettext_lazy("The import was written (ok and not a dry run)."))
    counts = IatiCountsSerializer()
    selection = SelectionSerializer(allow_null=True)
    activities = ActivityResultSerializer(many=True)
    problems = FindingSerializer(many=True)
    notes = FindingSerializer(many=True, help_text=gettext_lazy("What was normalised or left aside."))
    unknown_organisations = UnknownOrganisationSerializer(many=True)
    disappeared = DisappearedSerializer(many=True)


class ImportJobSerializer(serializers.Serializer):
    """An import job: its ``status`` (queued, running, done, failed), progress in bytes read, the ``report``
    once done (null before), the ``error`` of a failed job, the dry run it ``confirms`` (an id or null),
    its address in the API (``url``) and its page (``page``)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices)
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    dry_run = serializers.BooleanField()
    files = serializers.ListField(child=serializers.CharField(), source="file_names")
    bytes_done = serializers.IntegerField()
    bytes_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    created = serializers.DateTimeField()
    started = serializers.DateTimeField(allow_null=True)
    finished = serializers.DateTimeField(allow_null=True)
    confirms = serializers.IntegerField(source="confirms_id", allow_null=True)
    error = serializers.CharField(allow_blank=True)
    report = IatiReportSerializer(allow_null=True)
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportJob) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-import-job", args=[job.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, job: ImportJob) -> str:
        return self.context["request"].build_absolute_uri(reverse("interop:import-job", args=[job.pk]))


BAD_IMPORT = OpenApiResponse(InvalidParametersSerializer, description=(
    "Invalid input, nothing started: `error.fields` names each bad field (`files`: none, empty, too large or not "
    "XML; `lead_body`, `lead_entity`, `reason`, a criterion)."))
FORBIDDEN_IMPORT = OpenApiResponse(ErrorSerializer, description="Only the secretariat and focal points import files.")
JOB_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such import job, or it is not yours.")


class IatiImportApi(APIView):
    """``POST /api/import/iati/``: start an import of IATI activity files as a job."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="import_iati",
        summary="Import IATI activity files",
        description=("Start an import of IATI 2.01-2.03 activity files as a job that runs in the background; 202 "
                     "with the job (queued, or already finished when tasks run at once). Follow it at `url`. A dry "
                     "run (the default) checks and reports without writing. Files and options are checked before "
                     "anything starts: 400 names each bad field."),
        request={"multipart/form-data": IatiImportInputSerializer},
        responses={202: ImportJobSerializer, 400: BAD_IMPORT, 401: ErrorSerializer, 403: FORBIDDEN_IMPORT},
    )
    def post(self, request: Request) -> Response:
        """The job, with ``Location`` its address."""
        if not job_selectors.may_import(user=request.user):
            raise exceptions.PermissionDenied(_("Only the secretariat and the focal points of entities import files."))
        params = IatiImportInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        options = ImportOptions(dry_run=data["dry_run"], lead_body=data["lead_body"], lead_entity=data["lead_entity"],
                                selection=data["selection"])
        try:
            job = import_job_start(actor=request.user, files=[(f.name, f) for f in data["files"]], options=options,
                                   reason=data["reason"])
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        job.refresh_from_db()
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ImportJobApi(APIView):
    """``GET /api/import/jobs/{job_id}/``: an import job's status, progress and report."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="import_job_retrieve",
        summary="Show an import job",
        description=("An import job you started (the secretariat: any): its status, progress in bytes read and, "
                     "once done, its report; 404 for a job that does not exist or that you did not start."),
        responses={200: ImportJobSerializer, 401: ErrorSerializer, 404: JOB_NOT_FOUND},
    )
    def get(self, request: Request, job_id: int) -> Response:
        """The job."""
        try:
            job = job_selectors.import_job_get(user=request.user, pk=job_id)
        except ImportJob.DoesNotExist as exc:
            raise exceptions.NotFound(_("No such import job.")) from exc
        return Response(ImportJobSerializer(job, context={"request": request}).data)


class IatiXmlRenderer(BaseRenderer):
    """Lets ``Accept: application/xml`` reach ``IatiExportApi``, which answers the file with its own
    response; an error asked for as XML is ``<error>detail</error>``."""

    media_type = "application/xml"
    format = "xml"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from lxml import etree

        element = etree.Element("error")
        error = data.get("error", data) if isinstance(data, dict) else {"detail": data}
        element.text = str(error.get("detail", "")) if isinstance(error, dict) else str(error)
        return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


class IatiExportApi(APIView):
    """``GET /api/export/iati/[?project=...]``: the published joint projects the user may export, as one
    IATI 2.03 activity file (``compact.interop.iati.writer``)."""

    renderer_classes = [JSONRenderer, IatiXmlRenderer]

    @extend_schema(
        operation_id="export_iati",
        summary="Export joint projects as IATI 2.03",
        description=("The published joint projects you may export, as one IATI 2.03 activity file valid against the "
                     "official schema, streamed. `project` (repeatable) names projects by number or IATI activity "
                     "identifier; 404 when one is not a published project you may export."),
        parameters=[OpenApiParameter("project", str, many=True, required=False,
                                     description="A project number or IATI activity identifier (repeatable).")],
        responses={(200, "application/xml"): OpenApiTypes.BINARY, 404: ErrorSerializer},
    )
    def get(self, request: Request):
        """The file."""
        from compact.interop.views import iati_response

        refs = request.query_params.getlist("project")
        response = iati_response(user=request.user, refs=refs, detail="api " + "&".join(refs))
        if response is None:
            raise exceptions.NotFound(_("No published joint project you may export has this number or identifier."))
        return response
