"""The library's REST API: documents (list, read, create, change, delete, download) and search.

Views are thin: they parse input with a serializer, call ``library.selectors`` (reads, through the access
policy) or ``library.services`` (writes) and serialize the result. JSON only; files are uploaded through
the HTML form, downloaded here. Errors are the JSON bodies of ``compact.core.api.exception_handler``:
400 with ``fields`` for invalid input (a missing ``reason`` included), 403 when the user may read the
document but not change it (or may not add one for these owners), 404 when the document does not exist
or the user may not read it. Reads of confidential and strictly confidential documents and downloads
are written to the access log, like the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compact.access.models import Sensitivity
from compact.audit.models import AccessEvent
from compact.audit.services import ReasonRequired, record_access
from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer
from compact.core.i18n import all_translations, translated
from compact.library import selectors, services
from compact.library.filters import DocumentFilter
from compact.library.models import Document
from compact.registry.models import Body, Entity

PAGE_SIZE = 50

BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="Invalid input: `error.fields` names each bad field.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="You may read the document but not do this.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such document, or you may not read it.")
LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh-hans")


@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(Document.Kind.values) + ")$",
                      "description": "One of: " + ", ".join(Document.Kind.values) + "."})
class DocumentKindField(serializers.ChoiceField):
    """A document's kind (``Document.Kind``). Documented by a pattern rather than an enum: the schema's
    enum components are named after the field, and the entities' ``kind`` already takes that name."""

    def __init__(self, **kwargs):
        super().__init__(choices=Document.Kind.choices, **kwargs)


# --- Output ----------------------------------------------------------------------------------------


class DocumentOutputSerializer(serializers.Serializer):
    """A document: translated ``title`` / ``summary`` (active language, with the fallback order) and
    ``titles`` in every language that has one; owners by body key and entity acronym; the document it is
    an annex of (``annex_of`` and its title, or only ``annex_of_restricted: true`` when you may not read
    it); the file's facts and download address."""

    id = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    titles = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    kind = DocumentKindField()
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)
    owner_body = serializers.CharField(source="owner_body.key", allow_null=True, default=None)
    owner_entity = serializers.CharField(source="owner_entity.acronym", allow_null=True, default=None)
    document_date = serializers.DateField(allow_null=True)
    language = serializers.CharField(allow_blank=True)
    annex_of = serializers.SerializerMethodField()
    annex_of_title = serializers.SerializerMethodField()
    annex_of_restricted = serializers.SerializerMethodField()
    file_name = serializers.CharField(allow_blank=True, help_text=gettext_lazy("The file's original name; empty without a file."))
    media_type = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("In bytes; null without a file."))
    sha256 = serializers.CharField(allow_blank=True, help_text=gettext_lazy("Hexadecimal; empty without a file."))
    file_url = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    def get_title(self, obj: Document) -> str:
        """The title in the active language (or its fallback)."""
        return translated(obj, "title").text

    def get_titles(self, obj: Document) -> dict[str, str]:
        """``{language code: title}`` for each language that has one."""
        return all_translations(obj, "title")

    def get_summary(self, obj: Document) -> str:
        """The summary in the active language (or its fallback); empty when there is none."""
        return translated(obj, "summary").text

    def _parent(self, obj: Document) -> Document | None:
        return self.context.get("parents", {}).get(obj.annex_of_id) if obj.annex_of_id else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_annex_of(self, obj: Document) -> int | None:
        """The id of the document this one is an annex of; null when it is none, or one you may not read."""
        parent = self._parent(obj)
        return parent.pk if parent is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_annex_of_title(self, obj: Document) -> str | None:
        """That document's title in the active language; null as ``annex_of``."""
        parent = self._parent(obj)
        return translated(parent, "title").text if parent is not None else None

    def get_annex_of_restricted(self, obj: Document) -> bool:
        """True when this is an annex of a document you may not read (then ``annex_of`` is null)."""
        return obj.annex_of_id is not None and self._parent(obj) is None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, obj: Document) -> str | None:
        """Where to download the file; null without one."""
        return f"/api/documents/{obj.pk}/file" if obj.file else None


def _parents(documents: list[Document], user) -> dict[int, Document]:
    """The parents of ``documents`` that ``user`` may read, ``{id: document}`` (their titles are shown)."""
    return selectors.readable_by_id(user=user, ids={d.annex_of_id for d in documents})


def _out(documents: list[Document], user, parents: dict[int, Document] | None = None) -> list[dict]:
    if parents is None:
        parents = _parents(documents, user)
    return DocumentOutputSerializer(documents, many=True, context={"parents": parents}).data


class DocumentPageSerializer(serializers.Serializer):
    """A page of documents: ``count`` (all the documents you may list that match, on every page),
    ``page`` (from 1), ``page_size`` and ``results``."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = DocumentOutputSerializer(many=True)


# --- Input -----------------------------------------------------------------------------------------


class DocumentListInputSerializer(serializers.Serializer):
    """Filters of the list (``compact.library.filters.DocumentFilter``) and the ``page``."""

    kind = DocumentKindField(required=False)
    body = serializers.CharField(required=False, help_text=gettext_lazy("The owning body's key, e.g. wg-3."))
    entity = serializers.CharField(required=False, help_text=gettext_lazy("The owning entity's acronym."))
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    q = serializers.CharField(required=False, help_text=gettext_lazy("Text in the title or summary, any language."))
    page = serializers.IntegerField(required=False, min_value=1, max_value=selectors.MAX_PAGE, default=1)


class TranslationsField(serializers.DictField):
    """``{language code: text}`` in the six UN languages."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(allow_blank=True), **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown language %(codes)s: expected one of %(known)s.") % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGES)})
        return value


class DocumentWriteSerializer(serializers.Serializer):
    """A document's fields as written: ``title`` / ``summary`` as ``{language: text}``, ``owner_body``
    (body key), ``owner_entity`` (entity acronym), ``annex_of`` (a document id), and the ``reason`` for
    the change (required for confidential and strictly confidential documents). Whether the user may
    give the document these owners is the services' rule (``services.document_create`` /
    ``document_update``), as on the web form."""

    title = TranslationsField()
    summary = TranslationsField(required=False)
    kind = DocumentKindField(required=False)
    owner_body = serializers.CharField(required=False, allow_null=True)
    owner_entity = serializers.CharField(required=False, allow_null=True)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False)
    document_date = serializers.DateField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=[("", ""), *[(c, c) for c in LANGUAGES]], required=False, allow_blank=True)
    annex_of = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_owner_body(self, value):
        if not value:
            return None
        body = Body.objects.filter(key__iexact=value.strip()).first()
        if body is None:
            raise serializers.ValidationError(_("No body has the key “%(key)s”.") % {"key": value})
        return body

    def validate_owner_entity(self, value):
        if not value:
            return None
        entity = Entity.objects.filter(acronym__iexact=value.strip()).first()
        if entity is None:
            raise serializers.ValidationError(_("No entity has the acronym “%(acronym)s”.") % {"acronym": value})
        return entity

    def validate_annex_of(self, value):
        if value is None:
            return None
        parent = Document.objects.filter(pk=value).first()
        if parent is None:
            raise serializers.ValidationError(_("No such document."))
        return parent


class DocumentUpdateSerializer(DocumentWriteSerializer):
    """The fields to change (any subset) and the ``reason``."""

    title = TranslationsField(required=False)


class DocumentDeleteSerializer(serializers.Serializer):
    """Why the document is deleted (required for confidential and strictly confidential documents)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SearchTextField(serializers.CharField):
    """The search text, left to ``selectors.clean_query`` for NUL characters, so that the API and the
    search page refuse it with the same words."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class SearchInputSerializer(serializers.Serializer):
    """``q``: at least two characters (after stripping spaces), without NUL characters."""

    q = SearchTextField(trim_whitespace=True, min_length=2, help_text=gettext_lazy("At least two characters."))


class WorkingGroupHitSerializer(serializers.Serializer):
    """A working group found: ``number`` and translated ``title``."""

    number = serializers.IntegerField()
    title = serializers.SerializerMethodField()

    def get_title(self, obj: Body) -> str:
        """The group's title in the active language."""
        return translated(obj, "title").text


class EntityHitSerializer(serializers.Serializer):
    """An entity found: ``acronym`` and translated ``name``."""

    acronym = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj: Entity) -> str:
        """The entity's name in the active language."""
        return translated(obj, "name").text


class SearchOutputSerializer(serializers.Serializer):
    """Search results: the stripped ``query``, then the hits of each kind (at most 20 each)."""

    query = serializers.CharField()
    documents = DocumentOutputSerializer(many=True)
    working_groups = WorkingGroupHitSerializer(many=True)
    entities = EntityHitSerializer(many=True)


# --- Views -----------------------------------------------------------------------------------------


def _service_errors(exc: Exception):
    """A service's ``ValidationError`` / ``ReasonRequired`` as a DRF 400 naming the fields."""
    if isinstance(exc, ReasonRequired):
        return exceptions.ValidationError({"reason": [str(exc)]})
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    raise exc


def _log_read(user, document: Document, parents: dict[int, Document]) -> None:
    """Log a read of ``document`` and of its parent shown (title and id) when one is confidential or
    strictly confidential."""
    record_access(user=user, action=AccessEvent.Action.VIEW, model=Document,
                  rows=selectors.with_parents([document], parents))


class DocumentListApi(APIView):
    """``GET /api/documents/`` (list) and ``POST /api/documents/`` (create)."""

    @extend_schema(
        operation_id="documents_list",
        summary="List the documents you may read",
        description=(
            "Documents you may list, newest first, 50 a page. `count` is the number of documents you may list that "
            "match the filters. Confidential and strictly confidential rows are written to the access log."
        ),
        parameters=[DocumentListInputSerializer, LANG_PARAMETER],
        responses={200: DocumentPageSerializer, 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        """One page of the filtered, restricted list."""
        params = DocumentListInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        document_filter = DocumentFilter(request.query_params, queryset=selectors.document_list(user=request.user))
        if not document_filter.is_valid():
            raise exceptions.ValidationError(document_filter.errors)
        page = params.validated_data["page"]
        qs = document_filter.qs
        count = qs.count()
        documents = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
        parents = _parents(documents, request.user)
        record_access(user=request.user, action=AccessEvent.Action.LIST, model=Document,
                      rows=selectors.with_parents(documents, parents), row_count=len(documents),
                      detail=request.query_params.urlencode()[:300])
        return Response({"count": count, "page": page, "page_size": PAGE_SIZE,
                         "results": _out(documents, request.user, parents)})

    @extend_schema(
        operation_id="documents_create",
        summary="Add a document",
        description=(
            "Create a document (without a file: upload files through the web form). You must be able to change "
            "the result: the secretariat, an officer of the owning body or a focal point of the owning entity. "
            "`reason` is required for confidential and strictly confidential documents."
        ),
        request=DocumentWriteSerializer,
        responses={201: DocumentOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        """The created document (201)."""
        data = _valid(DocumentWriteSerializer, request.data)
        reason = data.pop("reason", "")
        try:
            document = services.document_create(actor=request.user, reason=reason, **data)
        except (DjangoValidationError, ReasonRequired) as exc:
            raise _service_errors(exc) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(_out([document], request.user)[0], status=status.HTTP_201_CREATED)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class DocumentDetailApi(APIView):
    """``GET``, ``PATCH`` and ``DELETE /api/documents/{id}/``."""

    @extend_schema(
        operation_id="documents_retrieve",
        summary="Show a document",
        description="One document you may read; 404 when it does not exist or you may not read it.",
        parameters=[LANG_PARAMETER],
        responses={200: DocumentOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, document_id: int) -> Response:
        """The document."""
        document = selectors.document_get(user=request.user, pk=document_id)
        parents = _parents([document], request.user)
        _log_read(request.user, document, parents)
        return Response(_out([document], request.user, parents)[0])

    @extend_schema(
        operation_id="documents_partial_update",
        summary="Change a document",
        description=(
            "Change some fields. `title` and `summary` replace the languages given and keep the others. 404 when "
            "you may not read the document, 403 when you may read but not change it (or may not give it these "
            "owners or this sensitivity)."
        ),
        request=DocumentUpdateSerializer,
        responses={200: DocumentOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, document_id: int) -> Response:
        """The changed document."""
        document = selectors.document_get(user=request.user, pk=document_id, action="change")
        data = _valid(DocumentUpdateSerializer, request.data)
        reason = data.pop("reason", "")
        try:
            services.document_update(document=document, actor=request.user, reason=reason, **data)
        except (DjangoValidationError, ReasonRequired) as exc:
            raise _service_errors(exc) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(_out([document], request.user)[0])

    @extend_schema(
        operation_id="documents_destroy",
        summary="Delete a document",
        description="Delete a document and its file (refused with 400 while it has annexes).",
        request=DocumentDeleteSerializer,
        responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, document_id: int) -> Response:
        """Nothing (204)."""
        document = selectors.document_get(user=request.user, pk=document_id, action="change")
        data = _valid(DocumentDeleteSerializer, request.data or {})
        try:
            services.document_delete(document=document, actor=request.user, reason=data["reason"])
        except (DjangoValidationError, ReasonRequired) as exc:
            raise _service_errors(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentFileApi(APIView):
    """``GET /api/documents/{id}/file``: the file, as an attachment under its original name."""

    @extend_schema(
        operation_id="documents_file",
        summary="Download a document's file",
        description="The file, with its media type; 404 when you may not read the document or it has no file.",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
                   404: NOT_FOUND},
    )
    def get(self, request: Request, document_id: int) -> FileResponse:
        """The file's bytes."""
        document = selectors.document_get(user=request.user, pk=document_id)
        if not document.file:
            raise Http404(_("This document has no file."))
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("The file of this document is missing.")) from exc
        record_access(user=request.user, action=AccessEvent.Action.DOWNLOAD, model=Document, rows=[document])
        return FileResponse(handle, as_attachment=True, filename=document.file_name or "document",
                            content_type=document.media_type or "application/octet-stream")


class SearchApi(APIView):
    """``GET /api/search/?q=``: documents you may find, working groups and entities."""

    @extend_schema(
        operation_id="search",
        summary="Search documents, working groups and entities",
        description=(
            "Case-insensitive text search: documents you may find (title and summary in every language), working "
            "groups (number, title) and entities (acronym, names, aliases); at most 20 of each."
        ),
        parameters=[SearchInputSerializer, LANG_PARAMETER],
        responses={200: SearchOutputSerializer, 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        """The results."""
        params = SearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            results = selectors.search(user=request.user, q=params.validated_data["q"])
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        parents = _parents(results.documents, request.user)
        record_access(user=request.user, action=AccessEvent.Action.SEARCH, model=Document,
                      rows=selectors.with_parents(results.documents, parents), row_count=len(results.documents),
                      detail=f"q={results.query}")
        return Response({
            "query": results.query,
            "documents": _out(results.documents, request.user, parents),
            "working_groups": WorkingGroupHitSerializer(results.working_groups, many=True).data,
            "entities": EntityHitSerializer(results.entities, many=True).data,
        })
