"""Language choice through the ``lang`` query parameter (``?lang=fr``).

The parameter wins over the cookie and ``Accept-Language``; on pages (not the API, which stays
stateless) a valid choice is remembered in the language cookie so that the following pages stay in
that language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy


class LanguageParameterMiddleware:
    """Activate the language named by ``?lang=`` (one of ``settings.LANGUAGES``), before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.GET.get("lang")
        chosen = None
        if code:
            try:
                chosen = translation.get_supported_language_variant(code.strip().lower())
            except LookupError:
                chosen = None
        if chosen:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = chosen
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        response = self.get_response(request)
        if chosen and not request.path.startswith("/api/"):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, max_age=365 * 24 * 3600, samesite="Lax"
            )
        return response


class RequestIdMiddleware:
    """Give each request an id (``request.id``), taken from ``X-Request-ID`` when the proxy sets a sane one,
    and echo it in the response; the audit trail records it with every change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import re
        import uuid

        given = request.headers.get("X-Request-ID", "")
        request.id = given if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", given) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class NulCharacterMiddleware:
    """Refuse, with 400 and a clear message, an address or form field holding a NUL character (``%00``).

    No text of the platform holds one, and PostgreSQL refuses them in text values, so such a request
    could only end in an error deeper down."""

    MESSAGE = gettext_lazy("The request holds a NUL character (character code 0), which no address or field of the platform accepts.")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest, JsonResponse

        def has_nul(values) -> bool:
            return any("\x00" in key or any("\x00" in v for v in vs) for key, vs in values.lists())

        if "\x00" in request.path or has_nul(request.GET) or (
            request.method == "POST" and request.content_type != "application/json" and has_nul(request.POST)
        ):
            # Before LocaleMiddleware: answer in the language the request asks for.
            with translation.override(translation.get_language_from_request(request)):
                message = str(self.MESSAGE)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "nul_character"}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
