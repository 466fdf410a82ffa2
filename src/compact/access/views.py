"""Sign-in and account pages under ``/account/``.

Sign-in is a user name and password (django-axes locks a user name and address out after
``AXES_FAILURE_LIMIT`` failures), followed, when the user has a confirmed authenticator app or the
secretariat requires two-factor authentication for everyone, by a 6-digit TOTP code (RFC 6238).
A signed-in user who has not yet given the code is held on the two-factor pages by
``compact.access.middleware.TwoFactorRequiredMiddleware``. Writes go through
``compact.access.services`` and ``compact.access.account_services``; every page works without
JavaScript.
"""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from compact.access import account_services, forms, services
from compact.access.decorators import secretariat_required
from compact.access.middleware import two_factor_needed
from compact.access.models import SecurityPolicy
from compact.access.principal import principal_for
from compact.audit.services import ReasonRequired


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The ``next`` URL of the request (POST first, then GET) when it stays on this host (and on HTTPS
    when the request is secure); otherwise ``default`` (``LOGIN_REDIRECT_URL`` when None). Guards
    against open redirects (``url_has_allowed_host_and_scheme``)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _with_next(view_name: str, next_url: str) -> str:
    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"


def _oidc_url() -> str | None:
    """The single sign-on start URL when OpenID Connect is configured, else None."""
    if not getattr(settings, "OIDC_ENABLED", False):
        return None
    return reverse("oidc_authentication_init")


class SignInView(auth_views.LoginView):
    """``/account/login/``: user name and password, then the two-factor step when it applies.

    ``next`` is honoured only for URLs on this host (Django's ``LoginView.get_redirect_url``).
    """

    template_name = "access/login.html"
    authentication_form = forms.SignInForm
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs):
        oidc_url = _oidc_url()
        return {**super().get_context_data(**kwargs), "oidc_url": oidc_url,
                "sso_refused": bool(oidc_url) and self.request.GET.get("sso") == "refused"}

    def form_valid(self, form):
        response = super().form_valid(form)  # signs in (auth_login) and redirects to the safe next URL
        if two_factor_needed(self.request.user):
            return HttpResponseRedirect(_with_next("access:two_factor", self.get_success_url()))
        return response


@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """``/account/logout/``: GET asks for confirmation, POST (with its CSRF token) signs out."""
    if request.method == "POST":
        auth_logout(request)
        messages.info(request, _("You are signed out."))
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "access/logout.html")


def _confirmed_devices(user) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """``/account/two-factor/``: the second sign-in step, a 6-digit code from the user's authenticator
    app. A user without a confirmed device is sent to set one up; a wrong code is refused, and
    django-otp slows down repeated wrong codes."""
    next_url = safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    devices = _confirmed_devices(request.user)
    if not devices:
        return redirect(_with_next("access:two_factor_setup", next_url))
    form = forms.TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = False
        for device in devices:
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                return redirect(next_url)
        form.add_error("code", _("Too many wrong codes in a row: wait a minute, then enter the newest code.") if throttled
                       else _("This code is not correct or has expired: enter the code shown now in your app."))
    return render(request, "access/two_factor.html", {"form": form, "next": next_url}, status=400 if form.errors else 200)


def _qr_svg(uri: str) -> str:
    """The ``otpauth://`` URI as an inline SVG QR code (segno), with an accessible title."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title=_("QR code for your authenticator app"))


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """``/account/two-factor/setup/``: create a key (POST ``action=start``), scan it as a QR code or type
    its base32 text into an authenticator app, then confirm with a code (POST ``action=confirm``), which
    also confirms this sign-in."""
    user = request.user
    next_url = safe_next(request, default=reverse("access:account"))
    devices = list(TOTPDevice.objects.filter(user=user).order_by("-pk"))
    if any(d.confirmed for d in devices):
        if not user.is_verified():
            return redirect(_with_next("access:two_factor", next_url))
        messages.info(request, _("Two-factor authentication is already set up for your account."))
        return redirect("access:account")
    pending = devices[0] if devices else None
    if pending is not None:
        pending.user = user  # for the QR code's label, without another query
    form = forms.TwoFactorCodeForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            account_services.two_factor_device_create(user=user, actor=user)
            return redirect(_with_next("access:two_factor_setup", next_url))
        if action != "confirm":
            return render(request, "400.html", {"message": _("Unknown action: choose “start” or “confirm”.")}, status=400)
        form = forms.TwoFactorCodeForm(request.POST)
        if pending is None:
            form.add_error(None, _("There is no key to confirm yet: create one first."))
        elif form.is_valid():
            try:
                account_services.two_factor_device_confirm(device=pending, token=form.cleaned_data["code"], actor=user)
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                otp_login(request, pending)
                messages.success(request, _("Two-factor authentication is set up: from now on, sign-in asks for a code."))
                return redirect(next_url)
        status = 400
    context = {"form": form, "device": pending, "next": next_url,
               "required": SecurityPolicy.current().require_two_factor}
    if pending is not None:
        context["qr_svg"] = mark_safe(_qr_svg(pending.config_url))  # noqa: S308 -- SVG generated by segno, no user text
        secret = b32encode(pending.bin_key).decode()
        context["secret"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "access/two_factor_setup.html", context, status=status)


@never_cache
@sensitive_post_parameters("password")
@login_required
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """``/account/two-factor/remove/``: remove one's authenticator app after confirming with one's
    password; refused (403) while the secretariat requires two-factor authentication for everyone."""
    user = request.user
    devices = list(TOTPDevice.objects.filter(user=user).order_by("pk"))
    if not devices:
        messages.info(request, _("Two-factor authentication is not set up for your account."))
        return redirect("access:account")
    if any(d.confirmed for d in devices) and not user.is_verified():
        return redirect(_with_next("access:two_factor", request.get_full_path()))
    required = SecurityPolicy.current().require_two_factor and not principal_for(user).is_secretariat
    form = forms.TwoFactorRemoveForm(user, request.POST or None)
    if request.method == "POST" and not required and form.is_valid():
        try:
            for device in devices:
                account_services.two_factor_device_remove(device=device, actor=user)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Two-factor authentication is removed from your account."))
            return redirect("access:account")
    status = 403 if required else (400 if form.errors else 200)
    return render(request, "access/two_factor_remove.html", {"form": form, "required": required}, status=status)


class PasswordChangeView(auth_views.PasswordChangeView):
    """``/account/password/change/``: old password, new password twice, through ``services.password_set``;
    the session stays signed in (``update_session_auth_hash``)."""

    template_name = "access/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("access:account")

    def form_valid(self, form):
        try:
            form.save()
        except ValidationError as exc:
            form.add_error("new_password2", exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password is changed."))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetView(auth_views.PasswordResetView):
    """``/account/password/reset/``: sends a reset link to the account's e-mail address (the answer is
    the same whether or not an account has it)."""

    template_name = "access/password_reset_form.html"
    form_class = forms.PasswordResetRequestForm
    email_template_name = "access/password_reset_email.txt"
    subject_template_name = "access/password_reset_subject.txt"
    success_url = reverse_lazy("access:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "access/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """``/account/password/reset/<uidb64>/<token>/``: the new password, set through
    ``services.password_set`` by the platform ("password reset")."""

    template_name = "access/password_reset_confirm.html"
    form_class = forms.PasswordResetSetForm
    success_url = reverse_lazy("access:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "access/password_reset_complete.html"


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """``/account/``: who I am, my entity and function, my standing today as derived from the registry
    (``principal_for``), and my two-factor status. A fixed number of queries."""
    from compact.registry.models import Body, Entity

    user = request.user
    principal = principal_for(user)
    entity = Entity.objects.filter(pk=principal.entity_id).first() if principal.entity_id else None
    body_ids = principal.member_body_ids | principal.observer_body_ids | principal.officer_body_ids
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=body_ids)} if body_ids else {}

    def ordered(ids):
        rank = {Body.Kind.COMPACT: 0, Body.Kind.COMMITTEE: 1}
        return sorted((bodies[i] for i in ids if i in bodies), key=lambda b: (rank.get(b.kind, 2), b.number or 0, b.key))

    device_states = list(TOTPDevice.objects.filter(user=user).values_list("confirmed", flat=True))
    context = {
        "principal": principal,
        "entity": entity,
        "member_bodies": ordered(principal.member_body_ids),
        "observer_bodies": ordered(principal.observer_body_ids),
        "officer_bodies": ordered(principal.officer_body_ids),
        "two_factor_on": any(device_states),
        "two_factor_required": SecurityPolicy.current().require_two_factor,
    }
    return render(request, "access/account.html", context)


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """``/account/security/``: the secretariat's sign-in settings (404 for anyone else)."""
    if not principal_for(request.user).is_secretariat:
        raise Http404(_("No such page."))
    policy = SecurityPolicy.current()
    form = forms.SecurityPolicyForm(request.POST or None, initial={"require_two_factor": policy.require_two_factor})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.security_policy_set(require_two_factor=form.cleaned_data["require_two_factor"],
                                                 actor=request.user, reason=form.cleaned_data["reason"])
        except (PermissionDenied, ReasonRequired) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The security settings are saved.") if event
                             else _("Nothing changed: the setting already had this value."))
            return redirect("access:security")
    return render(request, "access/security.html", {"form": form, "policy": policy}, status=400 if form.errors else 200)


# --- The secretariat's pages for people and accounts (``/account/users/``) ----------------------

USERS_PAGE_SIZE = 50

#: Subject and body of the password link the secretariat sends to an account.
PASSWORD_LINK_SUBJECT = "access/password_link_subject.txt"
PASSWORD_LINK_EMAIL = "access/password_link_email.txt"


def _record_people_read(user, people, action) -> None:
    """Write the confidential and strictly confidential registry people shown to the access log."""
    from compact.audit.models import AccessEvent
    from compact.audit.services import record_access
    from compact.registry.models import Person

    record_access(user=user, action=getattr(AccessEvent.Action, action), model=Person,
                  rows=[p for p in people if p is not None], detail="accounts")


@never_cache
@secretariat_required
def user_list(request: HttpRequest) -> HttpResponse:
    """``/account/users/``: every account, by user name, 50 a page, filtered by
    ``compact.access.filters.UserFilter`` (entity, secretariat, active, text in user name or e-mail).
    A malformed filter or page number gives the page back with a 400 status and the message beside the
    field. A fixed number of queries whatever the number of accounts."""
    from django.core.paginator import EmptyPage, Paginator

    from compact.access import selectors
    from compact.access.filters import UserFilter
    from compact.audit.selectors import InvalidFilters

    filterset = UserFilter(request.GET)
    context = {"filter": filterset, "form": filterset.form, "page": None, "rows": [], "errors": {}}
    raw = request.GET.get("page", "").strip() or "1"
    try:
        queryset = selectors.user_list(user=request.user, filters=filterset)
    except InvalidFilters as exc:
        context["errors"] = exc.errors
        return render(request, "access/user_list.html", context, status=400)
    if not raw.isdigit() or int(raw) < 1:
        context["errors"] = {"page": [_("“%(value)s” is not a page number; use a whole number from 1.") % {"value": raw}]}
        return render(request, "access/user_list.html", context, status=400)
    paginator = Paginator(queryset, USERS_PAGE_SIZE)
    try:
        page = paginator.page(int(raw))
    except EmptyPage as exc:
        raise Http404(_("There is no page %(number)s of this list.") % {"number": raw}) from exc
    rows = list(page.object_list)
    _record_people_read(request.user, [getattr(u, "person", None) for u in rows], "LIST")
    context.update(page=page, rows=rows, count=paginator.count)
    return render(request, "access/user_list.html", context)


@never_cache
@sensitive_post_parameters("password")
@secretariat_required
def user_create(request: HttpRequest) -> HttpResponse:
    """``/account/users/new/``: create an account (``forms.AccountCreateForm``) in one transaction
    through ``services.user_create``, ``account_services.person_create``, ``services.person_link_user``
    and ``services.secretariat_set``; then show the new account. Errors are given beside their field,
    with a 400 status, and nothing is written."""
    form = forms.AccountCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        account = form.save(actor=request.user)
        if account is not None:
            messages.success(request, _("The account %(username)s is created.") % {"username": account.get_username()})
            return redirect("access:user", pk=account.pk)
    if request.method != "POST":
        _record_people_read(request.user, list(form.fields["existing_person"].queryset), "LIST")
    return render(request, "access/user_create.html", {"form": form}, status=400 if form.errors else 200)


#: The actions of the account page: POST ``action`` -> form class (each form's fields are prefixed by
#: the action's name).
USER_ACTIONS = {
    "active": forms.AccountActiveForm,
    "secretariat": forms.AccountSecretariatForm,
    "person": forms.AccountPersonForm,
    "two_factor": forms.ReasonForm,
    "password_link": None,
}


def _action_forms(request: HttpRequest, account, bound: str | None = None) -> dict:
    """The action forms of the account page, the one named ``bound`` bound to the POST data."""
    made = {}
    for name, form_class in USER_ACTIONS.items():
        if form_class is None:
            continue
        kwargs = {"prefix": name}
        if name == "active":
            kwargs.update(actor=request.user, account=account,
                          initial={"active": "no" if account.is_active else "yes"})
        elif name == "secretariat":
            kwargs["initial"] = {"member": "no" if account.in_secretariat else "yes"}
        elif name == "person":
            kwargs["actor"] = request.user
        made[name] = form_class(request.POST if name == bound else None, **kwargs)
    return made


def _run_action(request: HttpRequest, name: str, form, account) -> str | None:
    """Carry out the valid action ``form``; returns the message to show, or None when the service
    refused (its message is then on the form)."""
    actor, reason = request.user, form.cleaned_data.get("reason", "")
    try:
        if name == "active":
            active = form.cleaned_data["active"] == "yes"
            event = services.user_set_active(user=account, active=active, actor=actor, reason=reason)
            if event is None:
                return _("Nothing changed: the account was already in this state.")
            return _("The account is reactivated.") if active else _("The account is deactivated: it can no longer sign in.")
        if name == "secretariat":
            member = form.cleaned_data["member"] == "yes"
            event = services.secretariat_set(user=account, member=member, actor=actor, reason=reason)
            if event is None:
                return _("Nothing changed: the account already had this role.")
            return _("The account now has the secretariat role.") if member else _("The secretariat role is taken away.")
        if name == "person":
            person = form.cleaned_data["person"]
            services.person_link_user(person=person, user=account, actor=actor, reason=reason)
            return _("The account is now linked to %(person)s.") % {"person": f"{person.given_name} {person.family_name}"}
        if name == "two_factor":
            from django.db import transaction

            devices = list(TOTPDevice.objects.filter(user=account).select_related("user").order_by("pk"))
            if not devices:
                return _("Nothing changed: this account has no two-factor device.")
            with transaction.atomic():
                for device in devices:
                    account_services.two_factor_device_remove(device=device, actor=actor, reason=reason)
            return _("The two-factor device is removed: the user signs in with the password and may set up a new one.")
    except (ValueError, PermissionDenied) as exc:  # ReasonRequired is a ValueError
        form.add_error(None, str(exc))
        return None
    raise Http404(_("Unknown action."))


def _send_password_link(request: HttpRequest, account) -> forms.AccountPasswordLinkForm:
    form = forms.AccountPasswordLinkForm(account=account)
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure(), subject_template_name=PASSWORD_LINK_SUBJECT,
                  email_template_name=PASSWORD_LINK_EMAIL, extra_email_context={"sender": request.user.get_username()})
    return form


@never_cache
@secretariat_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/account/users/<id>/``: one account: its facts, its standing today (``principal_for``), its
    explicit grants, its newest change events, and the secretariat's actions, each a POST form with
    ``action`` (active, secretariat, person, two_factor, password_link) and a required reason (none for
    the password link, which writes nothing). A valid action redirects back with a message; a refused
    one gives the page back with a 400 status and the message on its form. Unknown id: 404."""
    from compact.access import selectors

    account = selectors.user_get(user=request.user, pk=pk)
    bound = None
    link_form = None
    if request.method == "POST":
        bound = request.POST.get("action", "")
        if bound not in USER_ACTIONS:
            return render(request, "400.html", {"message": _("Unknown action: choose one of %(actions)s.")
                                                % {"actions": ", ".join(USER_ACTIONS)}}, status=400)
        if bound == "password_link":
            link_form = _send_password_link(request, account)
            if not link_form.errors:
                messages.success(request, _("A link to set a password is sent to %(email)s.") % {"email": account.email})
                return redirect("access:user", pk=account.pk)
    action_forms = _action_forms(request, account, bound)
    if bound in action_forms and action_forms[bound].is_valid():
        message = _run_action(request, bound, action_forms[bound], account)
        if message is not None:
            messages.success(request, message)
            return redirect("access:user", pk=account.pk)
    person = getattr(account, "person", None)
    grants = selectors.user_grants(user=request.user, account=account)
    events, more_events = selectors.user_events(user=request.user, account=account)
    _record_people_read(request.user, [person], "VIEW")
    _record_grant_items(request.user, grants)
    failed = bool(bound) and bool((link_form is not None and link_form.errors)
                                  or (bound in action_forms and action_forms[bound].errors))
    context = {
        "account": account,
        "person": person,
        "standing": selectors.standing(principal_for(account)),
        "grants": grants,
        "events": events,
        "more_events": more_events,
        "forms": action_forms,
        "link_form": link_form,
        "devices": TOTPDevice.objects.filter(user=account).count(),
    }
    return render(request, "access/user_detail.html", context, status=400 if failed else 200)


def _record_grant_items(user, grants) -> None:
    """Write the confidential and strictly confidential items named on the page to the access log, one
    event per item type."""
    from compact.audit.models import AccessEvent
    from compact.audit.services import record_access

    by_model: dict = {}
    for row in grants:
        if row.item is not None:
            by_model.setdefault(type(row.item), []).append(row.item)
    for model, items in by_model.items():
        record_access(user=user, action=AccessEvent.Action.LIST, model=model, rows=items, detail="account grants")
