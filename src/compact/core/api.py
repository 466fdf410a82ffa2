"""Shared REST API pieces: JSON error bodies and the ``as_of`` / ``lang`` parameters."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
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
        body["detail"] = "Invalid request."
        body["fields"] = data
    response.data = {"error": body}
    return response
