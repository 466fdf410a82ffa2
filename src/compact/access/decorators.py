"""View decorators for pages of the secretariat."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from compact.access.principal import is_secretariat


def secretariat_required(view):
    """Let the secretariat through; send visitors to sign in; answer 404 to every other user, so that the
    page's existence means nothing to them (``docs/access.md``)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_secretariat(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper
