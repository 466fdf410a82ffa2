"""The filters of the reference lists, shared by the HTML pages, their CSV downloads and the API.

Reference data lives in memory, not in database tables, so these are plain Django forms rather than
django-filter FilterSets; each turns the query parameters into the keyword arguments of a
``reference.selectors`` function, or reports each invalid parameter by name.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from compact.reference import geography
from compact.reference.selectors import STATUS_ACTIVE, STATUS_WITHDRAWN

STATUS_CHOICES = [("", _("Active and withdrawn")), (STATUS_ACTIVE, _("Active")), (STATUS_WITHDRAWN, _("Withdrawn"))]
KIND_CHOICES = [("", _("Countries and regions")), (geography.COUNTRY, _("Countries and areas")), (geography.REGION, _("Regions"))]


class ReferenceFilter(forms.Form):
    """``q``: text to look for (case-insensitive, at most 100 characters)."""

    q = forms.CharField(label=_("Text"), required=False, max_length=100, strip=True)

    def arguments(self) -> dict[str, str]:
        """The selector's keyword arguments, ``{name: value}`` (empty values included). Call after ``is_valid()``."""
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}

    def applied(self) -> dict[str, str]:
        """The filters in use, ``{parameter: value}``, for the page and the download link."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.arguments().items() if value}

    def error_fields(self) -> dict[str, list[str]]:
        """``{parameter: [message, ...]}`` of an invalid filter."""
        return {name: [str(m) for m in messages] for name, messages in self.errors.items()}


class CodeFilter(ReferenceFilter):
    """Filters of a codelist: ``q`` (in the code or any name) and ``status`` (``active`` | ``withdrawn``)."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)


class CurrencyFilter(CodeFilter):
    """Filters of the currencies: ``q`` (in the code or name) and ``status`` (``active`` | ``withdrawn``)."""


class AreaFilter(ReferenceFilter):
    """Filters of the M49 areas: ``kind`` (``country`` | ``region``), ``region`` (an M49 region code:
    the areas inside it) and ``q`` (in the M49 or ISO codes or any name)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    region = forms.CharField(label=_("Inside the region"), required=False, max_length=10, strip=True,
                             help_text=_("An M49 region code, such as 002 for Africa."))

    def clean_region(self) -> str:
        """The region's three-digit M49 code, or ``""``; an unknown code or a country's is refused."""
        value = self.cleaned_data.get("region") or ""
        if not value:
            return ""
        found = geography.area(value)
        if found.kind != geography.REGION:
            raise ValidationError(
                _("'%(value)s' is a UN M49 country or area code, not a region code."), code="not_a_region",
                params={"value": found.code})
        return found.code
