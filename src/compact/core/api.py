"""Shared REST API pieces: JSON error bodies and the ``as_of`` / ``lang`` parameters."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.views import exception_handler as drf_exception_handler

from compact.core.dates import InvalidDate, parse_as_of

AS_OF_PARAMETER = OpenApiParameter(
    name="as_of",
    type=OpenApiTypes.DATE,
    location=OpenApiParameter.QUERY,
    required=False,
    description="Answer as of this date (YYYY-MM-DD); today when absent.",
)
LANG_PARAMETER = OpenApiParameter(
    name="lang",
    type=str,
    location=OpenApiParameter.QUERY,
    required=False,
    enum=["ar", "en", "es", "fr", "ru", "zh-hans"],
    description="Language of translated fields; otherwise taken from Accept-Language.",
)


def request_as_of(request):
    """The ``as_of`` date of an API request; raises a 400 ``ValidationError`` when malformed."""
    try:
        return parse_as_of(request.query_params.get("as_of"))
    except InvalidDate as exc:
        raise exceptions.ValidationError({"as_of": [str(exc)]}) from exc


def exception_handler(exc, context):
    """DRF's handler, with every error body shaped ``{"error": {"status", "detail", ...}}``."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    body: dict = {"status": response.status_code}
    if isinstance(data, dict) and set(data) == {"detail"}:
        body["detail"] = str(data["detail"])
    else:
        body["detail"] = _("Invalid request.")
        body["fields"] = data
    response.data = {"error": body}
    return response


class ErrorDetailSerializer(serializers.Serializer):
    """What went wrong: the HTTP ``status`` and a readable ``detail``."""

    status = serializers.IntegerField()
    detail = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """An error response (404 and others): ``{"error": {"status": ..., "detail": ...}}``."""

    error = ErrorDetailSerializer()


class InvalidParametersDetailSerializer(ErrorDetailSerializer):
    """An invalid request: ``status`` 400, ``detail`` and ``fields`` (``{parameter: [message, ...]}``)."""

    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("The messages for each invalid parameter."),
    )


class InvalidParametersSerializer(serializers.Serializer):
    """A 400 response: ``{"error": {"status": 400, "detail": ..., "fields": {parameter: [message, ...]}}}``."""

    error = InvalidParametersDetailSerializer()




@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    """Any path under ``/api/`` that names no endpoint: a 404 with the JSON error body."""
    raise exceptions.NotFound(_("No API endpoint at %(path)s.") % {"path": request.path})
