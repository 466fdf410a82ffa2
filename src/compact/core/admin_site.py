"""The admin site, open to the secretariat only (``docs/access.md``).

Signing in happens on the platform's own sign-in page (password, two-factor, lock-out), never on a
separate admin form; a signed-in user who is not in the secretariat is refused.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse


class CompactAdminSite(admin.AdminSite):
    """``AdminSite`` whose permission is the secretariat role rather than ``is_staff``."""

    site_header = "Compact"
    site_title = "Compact"

    def has_permission(self, request) -> bool:
        from compact.access.principal import is_secretariat

        return is_secretariat(request.user)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404("No such page.")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
