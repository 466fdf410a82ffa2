"""Two-factor authentication where it is required.

A signed-in user whose sign-in was not confirmed with a one-time code (django-otp's
``user.is_verified()``) is sent to the two-factor page when the secretariat requires two-factor for
everyone (``SecurityPolicy.require_two_factor``) or when the user has set up a device. The API answers
403 instead of redirecting.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

#: Paths open to a signed-in user who has not yet given a code.
OPEN_PREFIXES = (
    "/account/login/", "/account/logout/", "/account/two-factor/", "/account/password/reset/",
    "/static/", "/healthz", "/readyz", "/i18n/",
)


def two_factor_needed(user) -> bool:
    """Whether ``user`` (signed in) must still give a one-time code in this session."""
    from django_otp import user_has_device

    from compact.access.models import SecurityPolicy

    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    return user_has_device(user) or SecurityPolicy.current().require_two_factor


class TwoFactorRequiredMiddleware:
    """Sends unverified users to ``access:two_factor`` (after ``OTPMiddleware``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES) and two_factor_needed(request.user):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Two-factor authentication is required: confirm your sign-in first.", "code": "two_factor_required"},
                    status=403,
                )
            return redirect(f"{reverse('access:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
