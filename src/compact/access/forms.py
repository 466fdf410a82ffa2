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


# --- The secretariat's account pages ------------------------------------------------------------

def _reason_field(help_text=None) -> forms.CharField:
    return forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text=help_text or _("Why; recorded in the change log with the change."),
        error_messages={"required": _("Give a reason: it is recorded in the change log.")},
    )


class ReasonForm(StyledForm, forms.Form):
    """A required reason (blank after trimming spaces is refused), recorded with the change."""

    reason = _reason_field()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason: it is recorded in the change log."))
        return reason


class _RadioStyled:
    """Radio buttons with Bootstrap's ``form-check-input`` class rather than ``form-control``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"


class PersonChoiceField(forms.ModelChoiceField):
    """A registry person, shown as "ACRONYM — Given Family (function)"."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.entity.acronym} — {obj.given_name} {obj.family_name} ({obj.get_function_display()})"


class AccountCreateForm(_RadioStyled, ReasonForm):
    """A new account (``/account/users/new/``): user name, e-mail, a password or none, the registry person
    behind it (an existing person without an account, a new person, or none), the secretariat role and
    the reason. ``save(actor=)`` writes it all in one transaction through the services, so that a
    refusal at any step writes nothing."""

    PERSON_EXISTING = "existing"
    PERSON_NEW = "new"
    PERSON_NONE = "none"

    username = forms.CharField(
        label=_("User name"), max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; 150 characters at most. Used to sign in."),
        error_messages={"required": _("Enter a user name.")},
    )
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254,
        help_text=_("Where password-reset links are sent."),
        error_messages={"required": _("Enter the e-mail address of the account."),
                        "invalid": _("Enter an e-mail address such as name@example.org.")},
    )
    password = forms.CharField(
        label=_("Password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not a common password, not only digits, not like the user name or "
                    "e-mail address."),
    )
    no_password = forms.BooleanField(
        label=_("No password (single sign-on, or the user sets one from a reset e-mail)"), required=False,
    )
    person_choice = forms.ChoiceField(
        label=_("Person in the registry"), widget=forms.RadioSelect, initial=PERSON_NEW,
        choices=[(PERSON_EXISTING, _("An existing person without an account")),
                 (PERSON_NEW, _("A new person")),
                 (PERSON_NONE, _("None: the account is not linked to an entity (for example secretariat staff)"))],
        error_messages={"required": _("Choose the person behind the account.")},
    )
    existing_person = PersonChoiceField(
        label=_("Existing person"), queryset=None, required=False, empty_label=_("Choose a person"),
        error_messages={"invalid_choice": _("This person does not exist or already has an account: choose another.")},
    )
    entity = forms.ModelChoiceField(
        label=_("Entity of the new person"), queryset=None, required=False, to_field_name="acronym",
        empty_label=_("Choose an entity"),
        error_messages={"invalid_choice": _("Choose an entity of the list.")},
    )
    given_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    function = forms.ChoiceField(label=_("Function"), required=False, choices=[])
    body = forms.ModelChoiceField(
        label=_("Body (optional)"), queryset=None, required=False, to_field_name="key", empty_label=_("None"),
        help_text=_("The body the person represents the entity in, if any."),
        error_messages={"invalid_choice": _("Choose a body of the list.")},
    )
    secretariat = forms.BooleanField(label=_("Secretariat: administers the platform"), required=False)
    reason = _reason_field()

    field_order = ["username", "email", "password", "no_password", "person_choice", "existing_person", "entity",
                   "given_name", "family_name", "function", "body", "secretariat", "reason"]

    def __init__(self, *args, actor, **kwargs):
        from compact.access.selectors import unlinked_people
        from compact.registry.models import Body, Entity, Person

        self.actor = actor
        super().__init__(*args, **kwargs)
        self.fields["existing_person"].queryset = unlinked_people(user=actor)
        self.fields["entity"].queryset = Entity.objects.order_by("acronym")
        self.fields["body"].queryset = Body.objects.order_by("kind", "number", "key")
        self.fields["function"].choices = Person.Function.choices
        self.fields["function"].initial = Person.Function.FOCAL_POINT

    def clean(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        data = super().clean()
        password, no_password = data.get("password") or "", data.get("no_password")
        if password and no_password:
            self.add_error("password", _("Either give a password or tick “No password”, not both."))
        elif not password and not no_password:
            self.add_error("password", _("Give a password, or tick “No password”."))
        elif password:
            probe = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(password, probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        choice = data.get("person_choice")
        if choice == self.PERSON_EXISTING and not data.get("existing_person") and "existing_person" not in self.errors:
            self.add_error("existing_person", _("Choose the existing person, or choose “A new person”."))
        if choice == self.PERSON_NEW:
            for name, message in (("entity", _("Choose the entity of the new person.")),
                                  ("given_name", _("Enter the given name of the new person.")),
                                  ("family_name", _("Enter the family name of the new person.")),
                                  ("function", _("Choose the function of the new person."))):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    def _add_service_error(self, exc: forms.ValidationError, fields: dict[str, str] | None = None) -> None:
        """Put a service's ``ValidationError`` beside the fields it names (``fields`` maps the service's
        field names to this form's), or above the form."""
        fields = fields or {}
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = fields.get(name, name if name in self.fields else None)
                self.add_error(target, errors)
        else:
            self.add_error(fields.get("__all__"), exc)

    def save(self, *, actor):
        """Create the account, its person and role through the services in one transaction; returns the
        user, or None when a service refused (its message is then beside the field, nothing written)."""
        from django.db import transaction

        from compact.access import account_services
        from compact.audit.services import ReasonRequired

        data = self.cleaned_data
        reason = data["reason"]
        try:
            with transaction.atomic():
                try:
                    user = services.user_create(username=data["username"], email=data["email"],
                                                password=None if data["no_password"] else data["password"],
                                                actor=actor, reason=reason)
                except forms.ValidationError as exc:
                    self._add_service_error(exc, {"__all__": "password"})
                    raise
                person = None
                if data["person_choice"] == self.PERSON_EXISTING:
                    person = data["existing_person"]
                elif data["person_choice"] == self.PERSON_NEW:
                    try:
                        person = account_services.person_create(
                            entity=data["entity"], given_name=data["given_name"], family_name=data["family_name"],
                            email=data["email"], function=data["function"], body=data["body"], actor=actor, reason=reason,
                        )
                    except forms.ValidationError as exc:
                        self._add_service_error(exc)
                        raise
                if person is not None:
                    services.person_link_user(person=person, user=user, actor=actor, reason=reason)
                if data["secretariat"]:
                    services.secretariat_set(user=user, member=True, actor=actor, reason=reason)
        except forms.ValidationError:
            return None
        except ReasonRequired as exc:
            self.add_error("reason", str(exc))
            return None
        return user


class AccountActiveForm(ReasonForm):
    """Deactivate (``active`` "no") or reactivate (``active`` "yes") an account, with the reason."""

    active = forms.ChoiceField(choices=[("yes", _("yes")), ("no", _("no"))], widget=forms.HiddenInput)

    def __init__(self, *args, actor=None, account=None, **kwargs):
        self.actor, self.account = actor, account
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("active") == "no" and self.actor is not None and self.account is not None \
                and self.actor.pk == self.account.pk:
            raise forms.ValidationError(_("You cannot deactivate your own account; ask another member of the secretariat."))
        return data


class AccountSecretariatForm(ReasonForm):
    """Give (``member`` "yes") or take away (``member`` "no") the secretariat role, with the reason."""

    member = forms.ChoiceField(choices=[("yes", _("yes")), ("no", _("no"))], widget=forms.HiddenInput)


class AccountPersonForm(ReasonForm):
    """Link the account to another registry person (one without an account), with the reason."""

    person = PersonChoiceField(
        label=_("Registry person"), queryset=None, empty_label=_("Choose a person"),
        help_text=_("People of the registry without an account. The account leaves its current person."),
        error_messages={"required": _("Choose a person."),
                        "invalid_choice": _("This person does not exist or already has an account: choose another.")},
    )
    field_order = ["person", "reason"]

    def __init__(self, *args, actor, **kwargs):
        from compact.access.selectors import unlinked_people

        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = unlinked_people(user=actor)


class AccountPasswordLinkForm(auth_forms.PasswordResetForm):
    """Sends a password-reset link to one account (``account``), whether or not it has a usable
    password: an account created without one sets its first password this way. Django's
    ``PasswordResetForm`` otherwise mails every active account with a usable password at the address."""

    def __init__(self, *args, account, **kwargs):
        self.account = account
        super().__init__({"email": account.email}, *args, **kwargs)

    def clean(self):
        data = super().clean()
        if not self.account.email:
            raise forms.ValidationError(_("This account has no e-mail address: the link cannot be sent."))
        if not self.account.is_active:
            raise forms.ValidationError(_("This account is deactivated: reactivate it before sending a link."))
        return data

    def get_users(self, email):
        return [self.account] if self.account.is_active and self.account.email else []
