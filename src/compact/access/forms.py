"""Forms of the sign-in and account pages.

Forms validate input and say what is wrong with which field; the writes they lead to go through
``compact.access.services`` (passwords, security policy) and ``compact.access.account_services``
(two-factor devices).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from compact.access import services

#: Reasons recorded in the change log for a user's own password changes.
PASSWORD_CHANGED_REASON = "Password changed by the user"
PASSWORD_RESET_REASON = "Password reset by e-mail"
PASSWORD_RESET_LABEL = "password reset"


class StyledForm:
    """Gives every widget Bootstrap's classes and points it at its help text and errors
    (``aria-describedby``), so that templates render fields with ``{{ field }}``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = "form-check-input" if getattr(widget, "input_type", "") == "checkbox" else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self.auto_id % self.add_prefix(name)}-help"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                described = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{described} {self.auto_id % self.add_prefix(name)}-errors".strip()


class SignInForm(StyledForm, auth_forms.AuthenticationForm):
    """User name and password, checked by the authentication backends (django-axes first, which
    refuses a locked-out user name and address before the password is checked)."""

    error_messages = {
        "invalid_login": _(
            "The user name or the password is not correct. Both are case-sensitive. After several failed attempts, "
            "sign-in is locked for a while."
        ),
        "inactive": _("This account has been deactivated. Ask the secretariat to reactivate it."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("6-digit code"),
        min_length=6,
        max_length=7,
        strip=True,
        help_text=_("The code shown now in your authenticator app, e.g. 123456."),
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]{6,7}", "autofocus": True,
        }),
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app."),
            "min_length": _("The code has 6 digits."),
            "max_length": _("The code has 6 digits."),
        },
    )


class TwoFactorCodeForm(StyledForm, forms.Form):
    """The one-time code of the second sign-in step, or of a device being confirmed: 6 digits
    (a space in the middle, as some apps show it, is ignored)."""

    code = _code_field()

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code has 6 digits, e.g. 123456; “%(code)s” is not one."), params={"code": code})
        return code


class TwoFactorRemoveForm(StyledForm, forms.Form):
    """Confirms the removal of one's two-factor device with the account's password."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to confirm.")},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class PasswordChangeForm(StyledForm, auth_forms.PasswordChangeForm):
    """Old password, then the new one twice; saved through ``services.password_set`` with the user as
    actor, so that the change log records it (never the value)."""

    def save(self, commit: bool = True):
        """Set the new password; returns the user. ``commit`` is accepted for compatibility and ignored:
        the service always saves."""
        services.password_set(user=self.user, password=self.cleaned_data["new_password1"], actor=self.user,
                              reason=PASSWORD_CHANGED_REASON)
        return self.user


class PasswordResetSetForm(StyledForm, auth_forms.SetPasswordForm):
    """The new password after following the link of a reset e-mail; saved through
    ``services.password_set`` by the platform (actor None, labelled "password reset")."""

    def save(self, commit: bool = True):
        """Set the new password; returns the user (``commit`` is ignored: the service always saves)."""
        services.password_set(user=self.user, password=self.cleaned_data["new_password1"], actor=None,
                              actor_label=PASSWORD_RESET_LABEL, reason=PASSWORD_RESET_REASON)
        return self.user


class PasswordResetRequestForm(StyledForm, auth_forms.PasswordResetForm):
    """The e-mail address to send a reset link to. The page answers the same whether or not an account
    has this address, so that it cannot be used to find out who has one."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"required": _("Enter the e-mail address of your account."),
                        "invalid": _("Enter an e-mail address such as name@example.org.")},
    )


class SecurityPolicyForm(StyledForm, forms.Form):
    """The secretariat's sign-in settings, with the reason recorded in the change log."""

    require_two_factor = forms.BooleanField(
        label=_("Require two-factor authentication for everyone"), required=False,
        help_text=_("Every user must then confirm each sign-in with a code from an authenticator app; users without "
                    "one are asked to set it up at their next sign-in."),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text=_("Why the setting changes; recorded in the change log."),
        error_messages={"required": _("Give a reason: it is recorded in the change log.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason: it is recorded in the change log."))
        return reason
