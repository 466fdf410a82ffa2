"""The registry's read-only REST API: pillars, entities, working groups and the Committee, as of a date.

One view per operation, each with its own output serializer (and input serializer where it takes
filters). Views are thin: they read the ``as_of`` date (``compact.core.api.request_as_of``), call a
selector from ``compact.registry.selectors`` and serialize the result. Translated fields come out in
the active language (``?lang=`` or ``Accept-Language``, see ``compact.core.middleware``), through
``compact.core.i18n.translated``. Errors are JSON bodies shaped by ``compact.core.api.exception_handler``:
400 for a malformed parameter, 404 for an unknown acronym or number, or a body that did not exist on
``as_of``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.core.api import AS_OF_PARAMETER, LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer, request_as_of
from compact.core.i18n import all_translations, translated
from compact.registry import selectors
from compact.registry.filters import EntityFilter
from compact.registry.models import Body, Entity, LeadershipRole, Participation, Person

BAD_REQUEST = OpenApiResponse(
    InvalidParametersSerializer, description="A parameter is invalid (e.g. as_of not a real date in the form YYYY-MM-DD)."
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object, or the body did not exist on as_of.")


# --- Shared fields ---------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class TranslatedField(serializers.Field):
    """A translated content field, read-only, in the active language (with the i18n fallback order)."""

    def __init__(self, field: str, **kwargs):
        self.translated_field = field
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        """The text of ``value``'s field in the active language, or ``""`` when no language has one."""
        return translated(value, self.translated_field).text


class PublicReadApi(APIView):
    """Base of the registry's views: public reads of the published structure, with no login
    (so no session lookup: the query count is the same for every caller)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


# --- Pillars ---------------------------------------------------------------------------------------


class PillarOutputSerializer(serializers.Serializer):
    """A pillar of the Strategy: ``number`` (1-4), ``roman`` ("I"-"IV") and translated ``title``."""

    number = serializers.IntegerField()
    roman = serializers.CharField()
    title = TranslatedField("title")


class PillarListApi(PublicReadApi):
    """``GET /api/pillars/``: the Strategy's pillars, by number. Pillars are not dated."""

    @extend_schema(
        operation_id="pillars_list",
        summary="List the pillars of the Strategy",
        description="The four pillars of the UN Global Counter-Terrorism Strategy, by number. Pillars are not dated.",
        parameters=[LANG_PARAMETER],
        responses={200: PillarOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """Every pillar, by number."""
        return Response(PillarOutputSerializer(selectors.pillar_list(), many=True).data)


# --- Entities --------------------------------------------------------------------------------------


class EntityRowSerializer(serializers.Serializer):
    """Base of an entity's leadership and participation rows: the ``working_group`` number of the
    row's body and whether the row is ``current`` on the ``as_of`` date of the serializer context."""

    def get_working_group(self, obj: LeadershipRole | Participation) -> int | None:
        """The working group's number, or null when the body is not a working group."""
        return obj.body.number if obj.body.kind == Body.Kind.WORKING_GROUP else None

    def get_current(self, obj: LeadershipRole | Participation) -> bool:
        """True when the row's period contains the as_of date (today when absent)."""
        return obj.is_valid_on(self.context["as_of"])


class EntityLeadershipSerializer(EntityRowSerializer):
    """A leadership role held by an entity: the ``body`` (key) and its title, its ``working_group``
    number (null for other bodies), ``role``, ``start``, ``end`` (null while open) and ``current``."""

    body = serializers.CharField(source="body.key")
    body_title = TranslatedField("title", source="body")
    working_group = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=LeadershipRole.Role.choices)
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    current = serializers.SerializerMethodField()


class EntityParticipationSerializer(EntityRowSerializer):
    """An entity's participation in a body: ``body`` (key) and its title, ``working_group`` number (or
    null), ``capacity`` (member | observer), ``start``, ``end`` (null while open) and ``current``."""

    body = serializers.CharField(source="body.key")
    body_title = TranslatedField("title", source="body")
    working_group = serializers.SerializerMethodField()
    capacity = serializers.ChoiceField(choices=Participation.Capacity.choices)
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    current = serializers.SerializerMethodField()


class EntityOutputSerializer(serializers.Serializer):
    """An entity with the roles and participations valid on ``as_of`` (the list's shape)."""

    acronym = serializers.CharField()
    name = TranslatedField("name")
    names = serializers.SerializerMethodField()
    aliases = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=Entity.Kind.choices)
    is_un = serializers.BooleanField()
    iati_identifier = serializers.CharField(allow_blank=True)
    leadership = EntityLeadershipSerializer(source="leadership_as_of", many=True)
    participation = EntityParticipationSerializer(source="participants_as_of", many=True)

    def get_names(self, obj: Entity) -> dict[str, str]:
        """The entity's name in every language that has one: ``{language code: name}``."""
        return all_translations(obj, "name")

    def get_aliases(self, obj: Entity) -> list[str]:
        """Other spellings of the entity's name found in documents, alphabetically."""
        return [alias.name for alias in obj.aliases.all()]


class EntityDetailOutputSerializer(EntityOutputSerializer):
    """An entity with every role and participation it has held, past and present (oldest first)."""

    leadership = EntityLeadershipSerializer(source="all_leadership", many=True)
    participation = EntityParticipationSerializer(source="all_participations", many=True)


class EntityListApi(ListAPIView, PublicReadApi):
    """``GET /api/entities/``: entities by acronym, filtered by ``EntityFilter`` (``kind``, ``q``), each
    with the leadership roles and participations valid on ``as_of``."""

    serializer_class = EntityOutputSerializer
    filterset_class = EntityFilter
    pagination_class = None

    def get_queryset(self):
        """The selector's entities as of the request's date (400 when ``as_of`` is malformed)."""
        return selectors.entity_list(as_of=request_as_of(self.request))

    def get_serializer_context(self) -> dict:
        """Adds ``as_of`` for the ``current`` flags."""
        return {**super().get_serializer_context(), "as_of": request_as_of(self.request)}

    @extend_schema(
        operation_id="entities_list",
        summary="List the entities",
        description=(
            "Entities by acronym, each with the leadership roles and participations valid on `as_of`. "
            "`kind` narrows to UN or non-UN entities; `q` searches acronyms, names in every language and aliases."
        ),
        parameters=[AS_OF_PARAMETER, LANG_PARAMETER],
        responses={200: EntityOutputSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        """The filtered entity list."""
        return super().get(request, *args, **kwargs)


class EntityDetailApi(PublicReadApi):
    """``GET /api/entities/{acronym}/``: one entity (acronym case-insensitive) with all its roles and
    participations; ``current`` says which hold on ``as_of``."""

    @extend_schema(
        operation_id="entities_retrieve",
        summary="Show an entity",
        description=(
            "One entity (acronym matched case-insensitively) with every leadership role and participation it has "
            "held, past and present, oldest first; `current` is true for those in force on `as_of`."
        ),
        parameters=[AS_OF_PARAMETER, LANG_PARAMETER],
        responses={200: EntityDetailOutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, acronym: str) -> Response:
        """The entity, or 404 when no entity has that acronym."""
        as_of = request_as_of(request)
        try:
            entity = selectors.entity_get(acronym=acronym)
        except Entity.DoesNotExist as exc:
            raise exceptions.NotFound(_("No entity with the acronym “%(acronym)s”.") % {"acronym": acronym}) from exc
        return Response(EntityDetailOutputSerializer(entity, context={"as_of": as_of}).data)


class ContactOutputSerializer(serializers.Serializer):
    """A contact of an entity: names, ``function`` (focal_point or representative), ``job_title``, ``email``,
    ``body`` (key of the body the person represents the entity in, or null) and ``sensitivity``."""

    given_name = serializers.CharField()
    family_name = serializers.CharField()
    function = serializers.CharField()
    job_title = serializers.CharField()
    email = serializers.CharField()
    body = serializers.CharField(source="body.key", allow_null=True, default=None)
    sensitivity = serializers.CharField()


class ContactListOutputSerializer(serializers.Serializer):
    """``count`` (the contacts the caller may see) and ``results``."""

    count = serializers.IntegerField()
    results = ContactOutputSerializer(many=True)


class EntityContactsApi(APIView):
    """``GET /api/entities/{acronym}/contacts/``: the entity's contacts the caller may see (contact details are
    internal by default: a visitor sees only those made public; see docs/access.md)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="entities_contacts_list",
        summary="List an entity's contacts",
        description=(
            "The entity's focal points and representatives whose contact details the caller may see, under the "
            "access rules of docs/access.md; `count` is computed on the same restricted list."
        ),
        responses={200: ContactListOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, acronym: str) -> Response:
        """The restricted contacts, or 404 when no entity has that acronym."""
        entity = Entity.objects.filter(acronym__iexact=acronym.strip()).first()
        if entity is None:
            raise exceptions.NotFound(_("No entity with the acronym “%(acronym)s”.") % {"acronym": acronym})
        contacts = list(selectors.entity_contacts(user=request.user, entity=entity))
        record_access(user=request.user, action=AccessEvent.Action.LIST, model=Person, rows=contacts)
        return Response(ContactListOutputSerializer({"count": len(contacts), "results": contacts}).data)


# --- Working groups --------------------------------------------------------------------------------


class BodyLeadershipSerializer(serializers.Serializer):
    """A leadership role in a body: ``entity`` (acronym), ``role``, ``start``, ``end`` (null while open)."""

    entity = serializers.CharField(source="entity.acronym")
    role = serializers.ChoiceField(choices=LeadershipRole.Role.choices)
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)


class BodyParticipantSerializer(serializers.Serializer):
    """A participant in a body: ``entity`` (acronym), ``capacity``, ``start``, ``end`` (null while open)."""

    entity = serializers.CharField(source="entity.acronym")
    capacity = serializers.ChoiceField(choices=Participation.Capacity.choices)
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)


class WorkingGroupOutputSerializer(serializers.Serializer):
    """A working group as it stood on ``as_of``: leadership ordered chair, co-chair, vice-chair."""

    number = serializers.IntegerField()
    pillar = serializers.IntegerField(source="pillar.number", allow_null=True, help_text=gettext_lazy("Pillar number (1-4)."))
    title = TranslatedField("title")
    mandate = TranslatedField("mandate")
    established = serializers.DateField()
    dissolved = serializers.DateField(allow_null=True)
    leadership = serializers.SerializerMethodField()
    participants = BodyParticipantSerializer(source="participants_as_of", many=True)

    @extend_schema_field(BodyLeadershipSerializer(many=True))
    def get_leadership(self, obj: Body) -> list[dict]:
        """The roles valid on ``as_of``, chair first, then co-chairs, then vice-chairs."""
        return BodyLeadershipSerializer(selectors.sort_leadership(obj.leadership_as_of), many=True).data


class WorkingGroupListInputSerializer(serializers.Serializer):
    """Filters of the working-group list: ``pillar`` (a pillar number)."""

    pillar = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy("Only the groups of this pillar (1-4)."))


class WorkingGroupListApi(PublicReadApi):
    """``GET /api/working-groups/``: the working groups existing on ``as_of``, by number."""

    @extend_schema(
        operation_id="working_groups_list",
        summary="List the working groups",
        description=(
            "The working groups existing on `as_of`, by number, with their leadership (chair, co-chairs, "
            "vice-chairs) and participants on that date."
        ),
        parameters=[WorkingGroupListInputSerializer, AS_OF_PARAMETER, LANG_PARAMETER],
        responses={200: WorkingGroupOutputSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        """The working groups of that day (optionally of one pillar)."""
        as_of = request_as_of(request)
        filters = WorkingGroupListInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        groups = selectors.working_group_list(as_of=as_of, **filters.validated_data)
        return Response(WorkingGroupOutputSerializer(groups, many=True).data)


class WorkingGroupDetailApi(PublicReadApi):
    """``GET /api/working-groups/{number}/``: one working group as it stood on ``as_of``."""

    @extend_schema(
        operation_id="working_groups_retrieve",
        summary="Show a working group",
        description="One working group as it stood on `as_of`; 404 when it did not exist that day.",
        parameters=[AS_OF_PARAMETER, LANG_PARAMETER],
        responses={200: WorkingGroupOutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, number: int) -> Response:
        """The group, or 404 when no group with that number existed on ``as_of``."""
        as_of = request_as_of(request)
        try:
            group = selectors.working_group_get(number=number, as_of=as_of)
        except Body.DoesNotExist as exc:
            raise exceptions.NotFound(
                _("No working group %(number)s on %(date)s.") % {"number": number, "date": as_of.isoformat()}
            ) from exc
        return Response(WorkingGroupOutputSerializer(group).data)


# --- Coordination Committee ------------------------------------------------------------------------


class CommitteeChairSerializer(serializers.Serializer):
    """The Committee's chair: ``entity`` (acronym) and the ``position`` that exercises the role."""

    entity = serializers.CharField(source="entity.acronym")
    position = TranslatedField("position")
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)


class CompositionSeatSerializer(serializers.Serializer):
    """A seat on the Committee: ``entity`` (acronym), ``basis`` (why it sits, in the order
    compact_entity, chair, co_chair, vice_chair) and ``working_groups`` (numbers of the groups it leads)."""

    entity = serializers.CharField(source="entity.acronym")
    basis = serializers.ListField(child=serializers.ChoiceField(choices=selectors.BASIS_ORDER))
    working_groups = serializers.ListField(child=serializers.IntegerField())


class MilestoneSerializer(serializers.Serializer):
    """A dated event in a body's life: ``date`` and translated ``title``."""

    date = serializers.DateField()
    title = TranslatedField("title")


class CommitteeOutputSerializer(serializers.Serializer):
    """The Coordination Committee on ``as_of``: chair (the first; all in ``chairs``), secretariat,
    establishment date, milestones up to ``as_of`` (oldest first) and composition derived from the
    registry."""

    title = TranslatedField("title", source="body")
    as_of = serializers.DateField()
    chair = serializers.SerializerMethodField()
    chairs = CommitteeChairSerializer(source="chair", many=True)
    secretariat = serializers.CharField(source="secretariat.acronym", allow_null=True)
    established = serializers.DateField(source="body.established")
    milestones = MilestoneSerializer(many=True, help_text=gettext_lazy(
        "The Committee's milestones dated on or before as_of, oldest first."))
    composition = CompositionSeatSerializer(many=True)

    @extend_schema_field(CommitteeChairSerializer(allow_null=True))
    def get_chair(self, obj: selectors.Committee) -> dict | None:
        """The first chair on ``as_of``, or null when the chair is vacant."""
        return CommitteeChairSerializer(obj.chair[0]).data if obj.chair else None


class CommitteeApi(PublicReadApi):
    """``GET /api/committee/``: the Coordination Committee as it stood on ``as_of``."""

    @extend_schema(
        operation_id="committee_retrieve",
        summary="Show the Coordination Committee",
        description=(
            "The Coordination Committee on `as_of`: its chair, secretariat, milestones up to that date (its "
            "inauguration, the adoption of a joint programme of work, ...) and composition, derived from the "
            "registry (every Compact entity, plus the chairs, co-chairs and vice-chairs of the working groups). "
            "404 before the Committee was established."
        ),
        parameters=[AS_OF_PARAMETER, LANG_PARAMETER],
        responses={200: CommitteeOutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        """The Committee, or 404 when it did not exist on ``as_of``."""
        as_of = request_as_of(request)
        try:
            committee = selectors.committee_get(as_of=as_of, with_milestones=True)
        except Body.DoesNotExist as exc:
            raise exceptions.NotFound(
                _("The Coordination Committee did not exist on %(date)s.") % {"date": as_of.isoformat()}
            ) from exc
        return Response(CommitteeOutputSerializer(committee).data)
