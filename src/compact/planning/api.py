"""The planning REST API (read-only): the joint programmes of work, one programme with its priorities and
workplans (outputs and activities), and the comparison of two versions.

Views are thin: they read through ``planning.selectors`` (so through the access policy) and serialize.
Translated fields come out in the language asked for (``?lang=`` or ``Accept-Language``). Errors are the
JSON bodies of ``compact.core.api.exception_handler``: 400 for a malformed parameter, 404 for a programme
that does not exist or that you may not read. Reads of confidential and strictly confidential programmes
and workplans are written to the access log, like the pages.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.access.models import Sensitivity
from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer
from compact.planning import selectors
from compact.planning.models import Activity, Programme, Workplan
from compact.registry.api import TranslatedField

BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="A parameter is missing or not a whole number.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such programme, or you may not read it.")


def _status_field(choices, description: str):
    """A status as a documented string pattern (not an enum: the schema's enum components are named after
    the field, and two different ``status`` enums would collide)."""
    values = [value for value, _label in choices]

    @extend_schema_field({"type": "string", "pattern": "^(" + "|".join(values) + ")$",
                          "description": f"{description} One of: {', '.join(values)}."})
    class StatusField(serializers.CharField):
        pass

    return StatusField()


# --- Output ----------------------------------------------------------------------------------------------


class PlanningActivitySerializer(serializers.Serializer):
    """An activity: number within its output, translated title and description, lead entity and
    participating entities (acronyms), start and end (dates or null), status, and ``carried_from`` (the id
    of the activity of an earlier programme it continues, or null)."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = TranslatedField("title")
    description = TranslatedField("description")
    lead_entity = serializers.CharField(source="lead_entity.acronym")
    participating_entities = serializers.SerializerMethodField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    status = _status_field(Activity.Status.choices, "The activity's status.")
    carried_from = serializers.IntegerField(source="carried_from_id", allow_null=True)

    def get_participating_entities(self, obj: Activity) -> list[str]:
        """The acronyms of the participating entities, in alphabetical order."""
        return sorted(e.acronym for e in obj.participating_entities.all())


class PlanningOutputSerializer(serializers.Serializer):
    """An output: number, translated title, the number of the priority it serves (or null), activities."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = TranslatedField("title")
    priority = serializers.SerializerMethodField()
    activities = PlanningActivitySerializer(many=True, source="activities.all")

    def get_priority(self, obj) -> int | None:
        """The number of the programme priority the output serves, or null."""
        return obj.priority.number if obj.priority_id else None


class WorkplanSerializer(serializers.Serializer):
    """A working group's workplan: the group (``working_group`` number and ``body`` key), translated
    summary, sensitivity and outputs."""

    id = serializers.IntegerField()
    working_group = serializers.IntegerField(source="body.number")
    body = serializers.CharField(source="body.key")
    summary = TranslatedField("summary")
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)
    outputs = PlanningOutputSerializer(many=True, source="outputs.all")


class PrioritySerializer(serializers.Serializer):
    """A priority of a programme: number, translated title and description."""

    number = serializers.IntegerField()
    title = TranslatedField("title")
    description = TranslatedField("description")


class ProgrammeSerializer(serializers.Serializer):
    """A version of a joint programme of work: ``key`` (shared by its versions), ``version``, translated
    title and summary, period, status, adoption (date and Committee decision, empty when unknown),
    sensitivity, owning body (key) and the ids of the versions it supersedes and is superseded by."""

    id = serializers.IntegerField()
    key = serializers.CharField()
    version = serializers.IntegerField()
    title = TranslatedField("title")
    summary = TranslatedField("summary")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = _status_field(Programme.Status.choices, "draft, then adopted, then superseded by a later version.")
    adopted_on = serializers.DateField(allow_null=True)
    decision = serializers.CharField(allow_blank=True)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)
    owner_body = serializers.CharField(source="owner_body.key")
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    superseded_by = serializers.SerializerMethodField()

    def get_superseded_by(self, obj: Programme) -> int | None:
        """The id of the version that revises this one, or null."""
        later = getattr(obj, "superseded_by", None)
        return later.pk if later is not None else None


class ProgrammeDetailSerializer(ProgrammeSerializer):
    """A programme version with its ``priorities`` and the ``workplans`` you may read."""

    priorities = PrioritySerializer(many=True)
    workplans = WorkplanSerializer(many=True)


class PlanningFieldChangeSerializer(serializers.Serializer):
    """One field that differs: its name (a column such as ``title_fr``, or ``lead_entity``, ``start``...)
    and its values before and after (text, number, ISO date, list of acronyms, or null)."""

    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class PlanningItemSerializer(serializers.Serializer):
    """An item compared: a priority, an output or an activity (``output``: the output number of an
    activity, null otherwise), by number and translated title."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    output = serializers.SerializerMethodField()
    title = TranslatedField("title")

    def get_output(self, obj) -> int | None:
        """The number of the activity's output; null for priorities and outputs."""
        return obj.output.number if isinstance(obj, Activity) else None


class PlanningChangedSerializer(serializers.Serializer):
    """An item in both programmes that differs: ``before``, ``after`` and the ``fields`` that changed."""

    before = PlanningItemSerializer()
    after = PlanningItemSerializer()
    fields = PlanningFieldChangeSerializer(many=True)


class PlanningChangesSerializer(serializers.Serializer):
    """Items ``added`` (only in b), ``removed`` (only in a) and ``changed``."""

    added = PlanningItemSerializer(many=True)
    removed = PlanningItemSerializer(many=True)
    changed = PlanningChangedSerializer(many=True)


class PlanningGroupChangesSerializer(serializers.Serializer):
    """What changed in one working group's workplan: the group, its workplan ids in a and b (null where it
    has none), and the changes of its outputs and activities."""

    working_group = serializers.IntegerField(source="body.number")
    body = serializers.CharField(source="body.key")
    before = serializers.IntegerField(source="before.pk", allow_null=True, default=None)
    after = serializers.IntegerField(source="after.pk", allow_null=True, default=None)
    outputs = PlanningChangesSerializer()
    activities = PlanningChangesSerializer()


class ComparisonSerializer(serializers.Serializer):
    """What changed from programme ``a`` to ``b``: the programme's own fields, its priorities, and each
    working group whose workplan changed."""

    a = serializers.IntegerField(source="a.pk")
    b = serializers.IntegerField(source="b.pk")
    unchanged = serializers.BooleanField()
    fields = PlanningFieldChangeSerializer(many=True)
    priorities = PlanningChangesSerializer()
    groups = PlanningGroupChangesSerializer(many=True)


class CompareInputSerializer(serializers.Serializer):
    """The two programme ids to compare."""

    a = serializers.IntegerField(min_value=1, max_value=2**53, help_text=gettext_lazy("The id of the earlier programme."))
    b = serializers.IntegerField(min_value=1, max_value=2**53, help_text=gettext_lazy("The id of the later programme."))


# --- Views -----------------------------------------------------------------------------------------------


def _log(user, action: str, model, rows) -> None:
    record_access(user=user, action=action, model=model, rows=list(rows))


class ProgrammeListApi(APIView):
    """``GET /api/programmes/``: the programme versions you may read."""

    @extend_schema(
        operation_id="programmes_list",
        summary="List the joint programmes of work",
        description="Every version of every joint programme of work you may read, latest period first.",
        parameters=[LANG_PARAMETER],
        responses={200: ProgrammeSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """Every readable version."""
        programmes = list(selectors.programme_list(user=request.user))
        _log(request.user, AccessEvent.Action.LIST, Programme, programmes)
        return Response(ProgrammeSerializer(programmes, many=True).data)


class ProgrammeDetailApi(APIView):
    """``GET /api/programmes/{id}/``: one version with priorities and workplans."""

    @extend_schema(
        operation_id="programmes_retrieve",
        summary="Show a joint programme of work",
        description=("One version with its priorities and the workplans you may read, each with its outputs and "
                     "activities; 404 when it does not exist or you may not read it."),
        parameters=[LANG_PARAMETER],
        responses={200: ProgrammeDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, programme_id: int) -> Response:
        """The programme."""
        programme = selectors.programme_get(user=request.user, pk=programme_id)
        programme.workplans_shown = selectors.workplan_list(user=request.user, programme=programme)
        _log(request.user, AccessEvent.Action.VIEW, Programme, [programme])
        _log(request.user, AccessEvent.Action.LIST, Workplan, programme.workplans_shown)
        data = ProgrammeSerializer(programme).data
        data["priorities"] = PrioritySerializer(selectors.priority_list(programme=programme), many=True).data
        data["workplans"] = WorkplanSerializer(programme.workplans_shown, many=True).data
        return Response(data)


class ProgrammeCompareApi(APIView):
    """``GET /api/programmes/compare/?a=&b=``: what changed from one programme to another."""

    @extend_schema(
        operation_id="programmes_compare",
        summary="Compare two joint programmes of work",
        description=("What changed from programme `a` to programme `b` (two versions, or two programmes): "
                     "priorities, and per working group outputs and activities added, removed and changed, field by "
                     "field. Only the workplans you may read are compared."),
        parameters=[CompareInputSerializer, LANG_PARAMETER],
        responses={200: ComparisonSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        """The comparison."""
        params = CompareInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        a = selectors.programme_get(user=request.user, pk=params.validated_data["a"])
        b = selectors.programme_get(user=request.user, pk=params.validated_data["b"])
        comparison = selectors.compare(user=request.user, a=a, b=b)
        _log(request.user, AccessEvent.Action.VIEW, Programme, [a, b])
        _log(request.user, AccessEvent.Action.VIEW, Workplan,
             [w for g in comparison.groups for w in (g.before, g.after) if w is not None])
        return Response(ComparisonSerializer(comparison).data)

