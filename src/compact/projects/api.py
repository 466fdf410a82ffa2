"""The joint projects' REST API: list (with the ``ProjectFilter`` filters), read, create and change.

Views are thin: they parse input with a serializer, call ``projects.selectors`` (reads, through the
access policy) or ``projects.services`` (writes) and serialize the result. Errors are the JSON bodies of
``compact.core.api.exception_handler``: 400 with ``fields`` (keyed as the services' ``data``, a missing
``reason`` included), 403 when the user may read the project but not change it, 404 when it does not
exist or the user may not read it. Amounts and percentages travel as decimal strings, never floats.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.access.models import Sensitivity
from compact.audit.models import AccessEvent
from compact.audit.services import ReasonRequired, record_access
from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer
from compact.core.i18n import all_translations, translated
from compact.library.api import TranslationsField
from compact.library.models import Document
from compact.library.selectors import MAX_PAGE
from compact.projects import selectors, services
from compact.projects.filters import ProjectFilter
from compact.projects.models import Project
from compact.projects.presentation import area_name, code_name, describe
from compact.registry.models import Body, Entity, Pillar, StrategyReview

PAGE_SIZE = 50

#: Largest row id (the ids are 64-bit: ``DEFAULT_AUTO_FIELD`` is ``BigAutoField``) and pillar number (a
#: small integer column): a larger number is refused on its field instead of reaching the database.
MAX_ID = 2**63 - 1
MAX_PILLAR = 32767

BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="Invalid input: `error.fields` names each bad field.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="You may read the joint project but not change it.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such joint project, or you may not read it.")


# --- Output ----------------------------------------------------------------------------------------


class CodeOutputSerializer(serializers.Serializer):
    """A code and its name in the active language."""

    code = serializers.CharField()
    name = serializers.CharField()


class ParticipantOutputSerializer(serializers.Serializer):
    """A participating organisation: IATI OrganisationRole ``role`` and its name, the entity's acronym
    (null for an organisation outside the registry), ``name`` and IATI ``ref``."""

    role = serializers.CharField()
    role_name = serializers.CharField()
    entity = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    ref = serializers.CharField(allow_blank=True)


class SectorOutputSerializer(serializers.Serializer):
    """A sector: IATI ``vocabulary``, ``code``, its ``name`` and ``percentage`` (null: 100 of a lone sector)."""

    vocabulary = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    percentage = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)


class AreaOutputSerializer(serializers.Serializer):
    """A beneficiary country or region: UN M49 ``code``, ``name`` and ``percentage``."""

    code = serializers.CharField()
    name = serializers.CharField()
    percentage = serializers.DecimalField(max_digits=7, decimal_places=4)


class ParagraphOutputSerializer(serializers.Serializer):
    """A paragraph of a Strategy review resolution."""

    review = serializers.IntegerField(help_text="The review's number (7: resolution 75/291).")
    resolution = serializers.CharField()
    paragraph = serializers.CharField()


class BudgetOutputSerializer(serializers.Serializer):
    """An IATI budget line; ``amount`` as a decimal string in ``currency`` (ISO 4217)."""

    period_start = serializers.DateField()
    period_end = serializers.DateField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=3)
    currency = serializers.CharField()
    value_date = serializers.DateField()
    type = serializers.CharField()
    status = serializers.CharField()


class ProjectOutputSerializer(serializers.Serializer):
    """A joint project with all its IATI fields; translated ``title`` / ``description`` in the active
    language and ``titles`` in every language that has one; codes with their names."""

    id = serializers.IntegerField()
    iati_identifier = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    titles = serializers.DictField(child=serializers.CharField())
    description = serializers.CharField(allow_blank=True)
    lead_entity = serializers.CharField()
    lead_body = serializers.CharField()
    working_groups = serializers.ListField(child=serializers.CharField())
    pillars = serializers.ListField(child=serializers.IntegerField())
    stage = serializers.ChoiceField(choices=Project.Stage.choices)
    activity_status = CodeOutputSerializer()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    gender_marker = serializers.IntegerField(allow_null=True)
    human_rights_marker = serializers.IntegerField(allow_null=True)
    default_currency = serializers.CharField()
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)
    participants = ParticipantOutputSerializer(many=True)
    sectors = SectorOutputSerializer(many=True)
    areas = AreaOutputSerializer(many=True)
    sdg_targets = CodeOutputSerializer(many=True)
    resolution_paragraphs = ParagraphOutputSerializer(many=True)
    budgets = BudgetOutputSerializer(many=True)
    documents = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of the documents you may read.")
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()


def _out(project: Project, document_ids: list[int]) -> dict:
    """The output of ``project`` (its rows prefetched by ``selectors``), listing ``document_ids``."""
    view = describe(project)
    data = {
        "id": project.pk, "iati_identifier": project.iati_identifier, "title": translated(project, "title").text,
        "titles": all_translations(project, "title"), "description": translated(project, "description").text,
        "lead_entity": project.lead_entity.acronym, "lead_body": project.lead_body.key,
        "working_groups": [b.key for b in project.working_groups.all()],
        "pillars": [p.number for p in project.pillars.all()], "stage": project.stage,
        "activity_status": {"code": project.activity_status, "name": view.activity_status},
        "start": project.start, "end": project.end, "gender_marker": project.gender_marker,
        "human_rights_marker": project.human_rights_marker, "default_currency": project.default_currency,
        "sensitivity": project.sensitivity,
        "participants": [{"role": p.role, "role_name": code_name("OrganisationRole", p.role),
                          "entity": p.entity.acronym if p.entity else None, "name": p.name, "ref": p.ref}
                         for p in project.participants.all()],
        "sectors": [{"vocabulary": s["row"].vocabulary, "code": s["row"].code, "name": s["name"],
                     "percentage": s["row"].percentage} for s in view.sectors],
        "areas": [{"code": a.code, "name": area_name(a.code), "percentage": a.percentage} for a in project.areas.all()],
        "sdg_targets": view.sdg_targets,
        "resolution_paragraphs": [{"review": r.review.number, "resolution": r.review.resolution, "paragraph": r.paragraph}
                                  for r in project.resolution_paragraphs.all()],
        "budgets": [{f: getattr(b["row"], f) for f in ("period_start", "period_end", "amount", "currency", "value_date",
                                                        "type", "status")} for b in view.budgets],
        "documents": sorted(document_ids),
        "created": project.created, "updated": project.updated,
    }
    return ProjectOutputSerializer(data).data


def _document_ids(user, projects: list[Project]) -> dict[int, list[int]]:
    """``{project id: ids of its documents that user may read}`` (two queries, whatever the number of
    projects)."""
    from compact.access.policy import Action, restrict

    links = list(Project.documents.through.objects.filter(project__in=projects).values_list("project_id", "document_id"))
    if not links:
        return {}
    readable = set(restrict(Document.objects.filter(pk__in={d for _p, d in links}), user, Action.LIST)
                   .values_list("pk", flat=True))
    out: dict[int, list[int]] = {}
    for project_id, document_id in links:
        if document_id in readable:
            out.setdefault(project_id, []).append(document_id)
    return out


def _out_many(projects: list[Project], user) -> list[dict]:
    documents = _document_ids(user, projects)
    return [_out(project, documents.get(project.pk, [])) for project in projects]


class ProjectPageSerializer(serializers.Serializer):
    """A page of joint projects: ``count`` (all you may list that match), ``page``, ``page_size``, ``results``."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = ProjectOutputSerializer(many=True)


# --- Input -----------------------------------------------------------------------------------------


class ProjectListInputSerializer(serializers.Serializer):
    """Filters of the list (``compact.projects.filters.ProjectFilter``) and the ``page``."""

    stage = serializers.ChoiceField(choices=Project.Stage.choices, required=False)
    activity_status = serializers.CharField(required=False, help_text="IATI ActivityStatus code.")
    working_group = serializers.CharField(required=False, help_text="A working group's key, e.g. wg-2.")
    pillar = serializers.IntegerField(required=False, min_value=1)
    lead_entity = serializers.CharField(required=False, help_text="The lead entity's acronym.")
    implementing_entity = serializers.CharField(required=False, help_text="Acronym of an implementing entity (IATI role 4).")
    country = serializers.CharField(required=False, help_text="UN M49 code; a region matches its countries too.")
    sdg_target = serializers.CharField(required=False, help_text="IATI UNSDG-Targets code, e.g. 16.a.")
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False)
    q = serializers.CharField(required=False, help_text="Text in the title, description or IATI identifier.")
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)


class _Lookup(serializers.CharField):
    """A registry object named by a natural key (``model.<field>__iexact``)."""

    def __init__(self, model, field: str, message: str, **kwargs):
        self.model, self.lookup, self.message = model, f"{field}__iexact", message
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        found = self.model.objects.filter(**{self.lookup: text.strip()}).first()
        if found is None:
            raise serializers.ValidationError(self.message % {"value": text})
        return found


class ParticipantInputSerializer(serializers.Serializer):
    """``role`` (IATI OrganisationRole), ``entity`` (acronym) or ``name``, and ``ref``."""

    role = serializers.CharField()
    entity = _Lookup(Entity, "acronym", "No entity has the acronym “%(value)s”.", required=False, allow_null=True, default=None)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    ref = serializers.CharField(required=False, allow_blank=True, default="")


class SectorInputSerializer(serializers.Serializer):
    """``vocabulary`` (IATI SectorVocabulary, default 1), ``code`` and ``percentage`` (decimal string)."""

    vocabulary = serializers.CharField(required=False, default="1")
    code = serializers.CharField()
    percentage = serializers.CharField(required=False, allow_null=True, default=None, help_text="Decimal string, e.g. \"33.33\".")


class AreaInputSerializer(serializers.Serializer):
    """``code`` (UN M49) and ``percentage`` (decimal string; may be left out for a lone area)."""

    code = serializers.CharField()
    percentage = serializers.CharField(required=False, allow_null=True, default=None, help_text="Decimal string, e.g. \"33.33\".")


class ParagraphInputSerializer(serializers.Serializer):
    """``review`` (the Strategy review's number) and ``paragraph``."""

    review = serializers.IntegerField(min_value=1)
    paragraph = serializers.CharField()

    def validate_review(self, value):
        found = StrategyReview.objects.filter(number=value).first()
        if found is None:
            raise serializers.ValidationError(_("No Strategy review has the number %(number)s.") % {"number": value})
        return found


class BudgetInputSerializer(serializers.Serializer):
    """An IATI budget line; ``amount`` as a decimal string."""

    period_start = serializers.DateField()
    period_end = serializers.DateField()
    amount = serializers.CharField(help_text='Decimal string, e.g. "1200000.00".')
    currency = serializers.CharField()
    value_date = serializers.DateField(required=False, allow_null=True, default=None)
    type = serializers.CharField(required=False, default="1")
    status = serializers.CharField(required=False, default="1")


class ProjectWriteSerializer(serializers.Serializer):
    """A joint project's fields as written (every key optional on PATCH; lists replace the project's
    rows) and the ``reason``. Registry objects are named by their keys: ``lead_entity`` and participants'
    ``entity`` by acronym, ``lead_body`` and ``working_groups`` by body key, ``pillars`` by number,
    ``documents`` by id. The rules are the services' (``compact.projects.services``)."""

    title = TranslationsField(required=False)
    description = TranslationsField(required=False)
    lead_entity = _Lookup(Entity, "acronym", "No entity has the acronym “%(value)s”.", required=False)
    lead_body = _Lookup(Body, "key", "No body has the key “%(value)s”.", required=False)
    working_groups = serializers.ListField(child=_Lookup(Body, "key", "No body has the key “%(value)s”."), required=False)
    pillars = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_PILLAR), required=False)
    iati_identifier = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    activity_status = serializers.CharField(required=False)
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    gender_marker = serializers.IntegerField(required=False, allow_null=True)
    human_rights_marker = serializers.IntegerField(required=False, allow_null=True)
    default_currency = serializers.CharField(required=False)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False)
    participants = ParticipantInputSerializer(many=True, required=False)
    sectors = SectorInputSerializer(many=True, required=False)
    areas = AreaInputSerializer(many=True, required=False)
    sdg_targets = serializers.ListField(child=serializers.CharField(), required=False)
    resolution_paragraphs = ParagraphInputSerializer(many=True, required=False)
    budgets = BudgetInputSerializer(many=True, required=False)
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
        help_text=("Ids of documents you may read; they replace the links among the documents you may read, and links "
                   "to documents you may not read are kept."))
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_pillars(self, value):
        found = {p.number: p for p in Pillar.objects.filter(number__in=value)}
        missing = sorted(set(value) - set(found))
        if missing:
            raise serializers.ValidationError(_("No pillar has the number %(numbers)s.") % {
                "numbers": ", ".join(str(n) for n in missing)})
        return [found[n] for n in value]

    def validate_documents(self, value):
        """The documents by id; one that does not exist and one the user (``context["user"]``) may not read
        get the same message, so that the answer does not tell whether a hidden document exists."""
        from compact.access.policy import Action, restrict

        found = {d.pk: d for d in restrict(Document.objects.filter(pk__in=value), self.context.get("user"), Action.VIEW)}
        if set(value) - set(found):
            raise serializers.ValidationError(_("No such document."))
        return [found[n] for n in value]


# --- Views -----------------------------------------------------------------------------------------


def _service_errors(exc: Exception):
    """A service's ``ValidationError`` / ``ReasonRequired`` as a DRF 400 naming the fields."""
    if isinstance(exc, ReasonRequired):
        return exceptions.ValidationError({"reason": [str(exc)]})
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    raise exc


def _write_data(data, user) -> tuple[dict, str]:
    serializer = ProjectWriteSerializer(data=data, context={"user": user})
    serializer.is_valid(raise_exception=True)
    values = dict(serializer.validated_data)
    reason = values.pop("reason", "")
    for key in ("participants", "sectors", "areas", "resolution_paragraphs", "budgets"):
        if key in values:
            values[key] = [dict(item) for item in values[key]]
    return values, reason


def _detail(project_id: int, user) -> dict:
    project = selectors.project_get(user=user, pk=project_id)
    return _out_many([project], user)[0]


class ProjectListApi(APIView):
    """``GET /api/projects/`` (list) and ``POST /api/projects/`` (create)."""

    @extend_schema(
        operation_id="projects_list",
        summary="List the joint projects you may read",
        description=("Joint projects you may list, newest first, 50 a page; `count` is the number you may list "
                     "that match the filters."),
        parameters=[ProjectListInputSerializer, LANG_PARAMETER],
        responses={200: ProjectPageSerializer, 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        """One page of the filtered, restricted list."""
        params = ProjectListInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        project_filter = ProjectFilter(request.query_params, queryset=selectors.project_list(user=request.user))
        if not project_filter.is_valid():
            raise exceptions.ValidationError(project_filter.errors)
        page = params.validated_data["page"]
        qs = project_filter.qs
        count = qs.count()
        projects = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
        record_access(user=request.user, action=AccessEvent.Action.LIST, model=Project, rows=projects,
                      row_count=len(projects), detail=request.query_params.urlencode()[:300])
        return Response({"count": count, "page": page, "page_size": PAGE_SIZE, "results": _out_many(projects, request.user)})

    @extend_schema(
        operation_id="projects_create",
        summary="Add a joint project",
        description=("Create a joint project in the draft stage. You must be able to change the result: the "
                     "secretariat, an officer of the lead working group or a focal point of the lead entity."),
        request=ProjectWriteSerializer,
        responses={201: ProjectOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        """The created project (201)."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        data, reason = _write_data(request.data, request.user)
        try:
            project = services.project_create(actor=request.user, data=data, reason=reason)
        except (DjangoValidationError, ReasonRequired) as exc:
            raise _service_errors(exc) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(_detail(project.pk, request.user), status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    """``GET`` and ``PATCH /api/projects/{id}/``."""

    @extend_schema(
        operation_id="projects_retrieve",
        summary="Show a joint project",
        description="One joint project you may read, with all its IATI fields; 404 when it does not exist or you may not read it.",
        parameters=[LANG_PARAMETER],
        responses={200: ProjectOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, project_id: int) -> Response:
        """The project."""
        project = selectors.project_get(user=request.user, pk=project_id)
        record_access(user=request.user, action=AccessEvent.Action.VIEW, model=Project, rows=[project])
        return Response(_out_many([project], request.user)[0])

    @extend_schema(
        operation_id="projects_partial_update",
        summary="Change a joint project",
        description=("Change the fields given; a list given replaces the project's rows. A published project's "
                     "changes need a `reason`. 404 when you may not read the project, 403 when you may not change it."),
        request=ProjectWriteSerializer,
        responses={200: ProjectOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, project_id: int) -> Response:
        """The changed project."""
        project = selectors.project_get(user=request.user, pk=project_id, action="change")
        data, reason = _write_data(request.data, request.user)
        try:
            services.project_update(actor=request.user, project=project, data=data, reason=reason)
        except (DjangoValidationError, ReasonRequired) as exc:
            raise _service_errors(exc) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(_detail(project.pk, request.user))


class StepInputSerializer(serializers.Serializer):
    """A workflow step's input: the ``reason`` recorded with it (required)."""

    reason = serializers.CharField(allow_blank=True, required=False, default="")


#: The workflow steps of ``POST /api/projects/{id}/{step}/`` and their services.
STEP_SERVICES = {
    "submit": services.project_submit,
    "endorse": services.project_endorse,
    "publish": services.project_publish,
    "return": services.project_return,
}


class ProjectStepApi(APIView):
    """``POST /api/projects/{id}/{step}/``: submit, endorse, publish or return to draft."""

    @extend_schema(
        operation_id="projects_step",
        summary="Take a workflow step",
        description=("Move the joint project along its workflow with a `reason`: `submit` (draft to submitted: whoever may "
                     "change it), `endorse` (submitted to endorsed: officers of the lead working group), `publish` "
                     "(endorsed to published: the secretariat), `return` (back to draft: those officers or the "
                     "secretariat). 400 when the stage does not allow the step or the reason is missing, 403 when you may "
                     "read the project but not take the step, 404 when you may not read it."),
        request=StepInputSerializer,
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=list(STEP_SERVICES))],
        responses={200: ProjectOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, project_id: int, step: str) -> Response:
        """The project after the step."""
        project = selectors.project_get(user=request.user, pk=project_id)
        service = STEP_SERVICES.get(step)
        if service is None:
            raise exceptions.NotFound(_("Unknown workflow step."))
        payload = StepInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            service(actor=request.user, project=project, reason=payload.validated_data["reason"])
        except (DjangoValidationError, ReasonRequired) as exc:
            raise _service_errors(exc) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(_detail(project.pk, request.user))
