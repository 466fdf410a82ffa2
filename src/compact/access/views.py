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
