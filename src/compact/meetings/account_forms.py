"""The form of a user's meeting preferences: their time zone and the e-mails they receive.

It validates input and names the field at fault; the write goes through
``compact.meetings.account_services.preference_set``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from compact.access.forms import StyledForm
from compact.meetings import times
from compact.meetings.models import Preference

#: The e-mail choices, in the order the page shows them.
NOTIFY_FIELDS = ("notify_invitations", "notify_minutes", "notify_action_items", "notify_overdue")


def _notify_field(name: str) -> forms.BooleanField:
    return forms.BooleanField(label=Preference._meta.get_field(name).verbose_name, required=False)


class PreferenceForm(StyledForm, forms.Form):
    """``time_zone`` (an IANA name from ``times.time_zones()``, or empty for the platform's zone),
    ``language`` of the e-mails (one of ``settings.LANGUAGES``, each named in its own language, or empty
    for the site's default language) and one check box per kind of e-mail (``NOTIFY_FIELDS``).
    ``instance_values``: the current ``Preference`` (saved, or the defaults), which gives the initial
    values."""

    time_zone = forms.ChoiceField(
        label=_("My time zone"), required=False,
        help_text=_("Meeting times are shown in this zone as well as in the meeting's own. Leave it empty for the "
                    "platform's zone."),
        error_messages={"invalid_choice": _("Unknown time zone %(value)s: choose an IANA name from the list, such as "
                                            "America/New_York.")},
    )
    language = forms.ChoiceField(
        label=_("Language of my e-mails"), required=False,
        error_messages={"invalid_choice": _("Unknown language %(value)s: choose one from the list.")},
    )
    notify_invitations = _notify_field("notify_invitations")
    notify_minutes = _notify_field("notify_minutes")
    notify_action_items = _notify_field("notify_action_items")
    notify_overdue = _notify_field("notify_overdue")

    def __init__(self, *args, instance_values: Preference, **kwargs):
        initial = {"time_zone": instance_values.time_zone, "language": instance_values.language,
                   **{name: getattr(instance_values, name) for name in NOTIFY_FIELDS}}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["time_zone"].choices = [("", _("The platform's zone")), *((n, n) for n in times.time_zones())]
        default = get_language_info(settings.LANGUAGE_CODE)["name_local"]
        self.fields["language"].choices = [
            ("", _("The site's default language (%(language)s)") % {"language": default}),
            *((code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES)]
