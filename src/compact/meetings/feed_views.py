"""Calendar feeds (iCalendar, RFC 5545) and the pages where a user manages them and their meeting
preferences.

- ``/meetings/calendar/<body>.ics``: a body's public feed, the meetings a visitor who is not signed in
  may read (public ones), whoever asks;
- ``/meetings/calendar/<secret>/<body>.ics`` and ``/meetings/calendar/<secret>/mine.ics``: private
  feeds, read with the standing of the user whose secret it is (``account_services.feed_token_create``);
  an unknown or revoked secret answers 404 in plain text, the same answer for both (and for an unknown
  body); ``mine`` holds the meetings the user is invited to (``feed_selectors.invited_q``);
- ``/meetings/<id>.ics``: one meeting, for the signed-in user (or a visitor, for a public meeting).

Feeds answer ``text/calendar; charset=utf-8`` in the language asked with ``?lang=`` (else the active
one). Private feeds and single meetings are never cached by intermediaries (``private, no-store``).
Reads of confidential meetings are written to the access log as the feed's user, with the secret left
out of the recorded path. A token's last use is noted at most once a minute.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from compact.audit.context import audit_context
from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.core.i18n import translated
from compact.meetings import account_services, calendar, feed_selectors, selectors, times
from compact.meetings.account_forms import PreferenceForm
from compact.meetings.models import FeedToken, Meeting
from compact.registry.models import Body

#: How long a shared cache may keep a public feed (seconds).
PUBLIC_MAX_AGE = 15 * 60

#: What stands for the secret in the paths the access log records.
SECRET_MARK = "<secret>"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ics(request: HttpRequest, meetings: list[Meeting], *, name: str, file_stem: str, private: bool) -> HttpResponse:
    content = calendar.calendar_for(meetings, name=name, base_url=_base_url(request))
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{calendar.filename(file_stem)}"'
    if private:
        patch_cache_control(response, private=True, no_store=True)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _not_found() -> HttpResponse:
    """The one answer to an unknown body, an unknown secret and a revoked one: plain text, the same words."""
    response = HttpResponseNotFound(_("No such calendar."), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, private=True, no_store=True)
    return response


def _body_name(body: Body) -> str:
    return _("Meetings of %(body)s") % {"body": translated(body, "title").text}


def _record_read(request: HttpRequest, token: FeedToken, secret: str, meetings: list[Meeting], detail: str) -> None:
    """Write the access-log event of a private feed (when it holds confidential meetings), as the token's
    user, with the secret masked in the path; note the token's use."""
    with audit_context(path=request.path.replace(secret, SECRET_MARK)[:300]):
        record_access(user=token.user, action=AccessEvent.Action.LIST, model=Meeting, rows=meetings, detail=detail)
    account_services.feed_token_used(token=token)


@require_http_methods(["GET", "HEAD"])
def public_body_feed(request: HttpRequest, body_key: str) -> HttpResponse:
    """``/meetings/calendar/<body>.ics``: the body's meetings that anyone may read."""
    body = Body.objects.filter(key=body_key).first()
    if body is None:
        return _not_found()
    meetings = list(feed_selectors.body_feed_meetings(user=AnonymousUser(), body=body))
    return _ics(request, meetings, name=_body_name(body), file_stem=body.key, private=False)


@require_http_methods(["GET", "HEAD"])
def private_body_feed(request: HttpRequest, secret: str, body_key: str) -> HttpResponse:
    """``/meetings/calendar/<secret>/<body>.ics``: the body's meetings that the secret's user may read."""
    token = feed_selectors.token_for_secret(secret)
    body = Body.objects.filter(key=body_key).first()
    if token is None or body is None:
        return _not_found()
    meetings = list(feed_selectors.body_feed_meetings(user=token.user, body=body))
    _record_read(request, token, secret, meetings, detail=f"calendar feed of {body.key}")
    return _ics(request, meetings, name=_body_name(body), file_stem=body.key, private=True)


@require_http_methods(["GET", "HEAD"])
def my_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """``/meetings/calendar/<secret>/mine.ics``: the meetings the secret's user is invited to and may read."""
    token = feed_selectors.token_for_secret(secret)
    if token is None:
        return _not_found()
    meetings = list(feed_selectors.my_feed_meetings(user=token.user))
    _record_read(request, token, secret, meetings, detail="calendar feed of my meetings")
    return _ics(request, meetings, name=_("My Compact meetings"), file_stem="my-meetings", private=True)


@require_http_methods(["GET", "HEAD"])
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """``/meetings/<id>.ics``: one meeting the user may read (404 otherwise), as a calendar file."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    record_access(user=request.user, action=AccessEvent.Action.DOWNLOAD, model=Meeting, rows=[meeting],
                  detail="calendar file")
    return _ics(request, [meeting], name=calendar.meeting_summary(meeting), file_stem=f"meeting-{meeting.pk}",
                private=True)


def _feed_urls(request: HttpRequest, secret: str | None, bodies: list[Body]) -> dict:
    """``{"mine": url, "bodies": [(body, url), ...]}`` of the private feeds (``secret``) or of the public
    ones (None, no ``mine``): absolute ``https``/``http`` addresses."""
    def url(name: str, **kwargs) -> str:
        return request.build_absolute_uri(reverse(f"meetings:{name}", kwargs=kwargs))

    if secret is None:
        return {"mine": None, "bodies": [(b, url("feed-public", body_key=b.key)) for b in bodies]}
    return {"mine": url("feed-mine", secret=secret),
            "bodies": [(b, url("feed-private", secret=secret, body_key=b.key)) for b in bodies]}


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """``/meetings/calendar/``: the user's private feed address (make a new one, which revokes the old,
    or revoke it) and the public feeds. A new address is shown once, in the answer to the request that
    made it; it is never stored, so never shown again."""
    user = request.user
    secret = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "make":
                _token, secret = account_services.feed_token_create(actor=user)
            elif action == "revoke":
                token = feed_selectors.live_token(user=user)
                if token is not None:
                    account_services.feed_token_revoke(actor=user, token=token)
                messages.success(request, _("Your private calendar address is revoked: calendars using it no longer "
                                            "receive your meetings."))
                return redirect("meetings:calendar-settings")
            else:
                return render(request, "400.html",
                              {"message": _("Unknown action: choose to make or to revoke an address.")}, status=400)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("meetings:calendar-settings")
    bodies = feed_selectors.feed_bodies()
    context = {
        "token": feed_selectors.live_token(user=user),
        "secret": secret,
        "private": _feed_urls(request, secret, bodies) if secret else None,
        "public": _feed_urls(request, None, bodies),
        "zone": times.viewer_zone(user).key,
    }
    return render(request, "meetings/calendar_settings.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """``/meetings/preferences/``: the user's time zone and the e-mails they receive about meetings."""
    user = request.user
    current = feed_selectors.preference_for(user)
    form = PreferenceForm(request.POST or None, instance_values=current)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.preference_set(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your meeting preferences are saved."))
            return redirect("meetings:preferences")
    return render(request, "meetings/preferences.html", {"form": form, "site_zone": settings.TIME_ZONE},
                  status=400 if form.errors else 200)
