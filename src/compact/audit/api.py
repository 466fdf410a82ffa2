"""The audit trail's read-only REST API, for the secretariat: ``GET /api/audit/changes/`` and
``GET /api/audit/access/``.

Both answer 404 (JSON error body) to anyone but the secretariat, take the filters of
``compact.audit.filters`` as query parameters (400 with ``fields`` when one is malformed) and are
paginated: ``page`` (from 1) and ``page_size`` (default 50, at most 500); the body is
``{"count", "next", "previous", "results"}``, newest event first. ``lang`` chooses the language of
error messages. Reads go through ``compact.audit.selectors``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from compact.audit import selectors
from compact.audit.filters import AccessEventFilter, ChangeEventFilter
from compact.audit.models import AccessEvent, ChangeEvent
from compact.core.api import LANG_PARAMETER, ErrorSerializer, InvalidParametersSerializer

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found: the audit trail is the secretariat's only.")
BAD_REQUEST = OpenApiResponse(InvalidParametersSerializer, description="A filter is malformed (e.g. a date not YYYY-MM-DD).")


class AuditPagination(PageNumberPagination):
    """``page`` (from 1) and ``page_size`` (default 50, at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ChangeEventOutputSerializer(serializers.Serializer):
    """A change event: ``id``, ``time`` (ISO 8601 in the site's time zone), ``actor`` (user name or
    command), ``actor_entity`` (acronym or null), ``action`` (create | update | delete), ``object_type``
    ("app.model"), ``object_id``, ``object`` (its name then), ``changes`` ({field: [before, after]}),
    ``reason`` and ``request_id``."""

    id = serializers.IntegerField()
    time = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    actor_entity = serializers.CharField(source="actor_entity.acronym", allow_null=True, default=None)
    action = serializers.ChoiceField(choices=ChangeEvent.Action.choices)
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object = serializers.CharField(source="object_repr")
    changes = serializers.DictField(child=serializers.ListField(allow_null=True))
    reason = serializers.CharField()
    request_id = serializers.CharField()


class AccessEventOutputSerializer(serializers.Serializer):
    """An access event: ``id``, ``time``, ``user`` (user name or command), ``user_entity`` (acronym or
    null), ``action`` (view | list | search | download | export), ``object_type``, ``object_ids`` (the
    protected rows seen, or every row exported), ``row_count``, ``highest_sensitivity`` ("" when
    none), ``path``, ``detail`` and ``request_id``."""

    id = serializers.IntegerField()
    time = serializers.DateTimeField()
    user = serializers.CharField(source="user_label")
    user_entity = serializers.CharField(source="user_entity.acronym", allow_null=True, default=None)
    action = serializers.ChoiceField(choices=AccessEvent.Action.choices)
    object_type = serializers.CharField()
    object_ids = serializers.ListField(child=serializers.IntegerField())
    row_count = serializers.IntegerField()
    highest_sensitivity = serializers.CharField()
    path = serializers.CharField()
    detail = serializers.CharField()
    request_id = serializers.CharField()


class _AuditLogApi(ListAPIView):
    """Base of both logs: secretariat only (404 otherwise), filtered through the selector."""

    pagination_class = AuditPagination
    list_selector = None

    def initial(self, request: Request, *args, **kwargs) -> None:
        """Answer 404 before anything else unless the user is of the secretariat."""
        super().initial(request, *args, **kwargs)
        if not selectors.may_read_logs(request.user):
            raise exceptions.NotFound(_("No API endpoint at %(path)s.") % {"path": request.path})

    def get_queryset(self):
        """The selector's events for the query's filters; 400 when one is malformed."""
        try:
            return type(self).list_selector(user=self.request.user, filters=self.request.query_params)
        except selectors.InvalidFilters as exc:
            raise exceptions.ValidationError(exc.errors) from exc

    def filter_queryset(self, queryset):
        """The selector has already applied the filters (``filterset_class`` documents them)."""
        return queryset


class ChangeEventListApi(_AuditLogApi):
    """``GET /api/audit/changes/``: the change log, newest first, filtered and paginated."""

    serializer_class = ChangeEventOutputSerializer
    filterset_class = ChangeEventFilter
    list_selector = staticmethod(selectors.change_event_list)

    @extend_schema(
        operation_id="audit_changes_list",
        summary="List the change log (secretariat)",
        description=(
            "Every recorded change, newest first: who (and for which entity), when, in which request, what "
            "(each field before and after) and why. Filters: actor, entity, object_type, object_id, action, "
            "date_from, date_to (YYYY-MM-DD, inclusive, site's time zone), request_id, reason (contains). "
            "404 for anyone but the secretariat."
        ),
        parameters=[LANG_PARAMETER],
        responses={200: ChangeEventOutputSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        """One page of the filtered change log; confidential items whose changes it shows are logged."""
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        selectors.record_protected_reads(user=self.request.user, events=page or [], detail="change log API")
        return page


class AccessEventListApi(_AuditLogApi):
    """``GET /api/audit/access/``: the access log, newest first, filtered and paginated."""

    serializer_class = AccessEventOutputSerializer
    filterset_class = AccessEventFilter
    list_selector = staticmethod(selectors.access_event_list)

    @extend_schema(
        operation_id="audit_access_list",
        summary="List the access log (secretariat)",
        description=(
            "Every read of confidential or strictly confidential content and every export, newest first. "
            "Filters: user, entity, object_type, object_id, action, date_from, date_to, request_id, "
            "sensitivity, path, detail. 404 for anyone but the secretariat."
        ),
        parameters=[LANG_PARAMETER],
        responses={200: AccessEventOutputSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        """One page of the filtered access log."""
        return super().get(request, *args, **kwargs)
