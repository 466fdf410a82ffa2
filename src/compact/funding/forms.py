"""Forms of the funding pages: a flow, deleting a flow, and uploading exchange rates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from compact.funding.models import Flow
from compact.registry.models import Entity

#: Largest rates file accepted, in bytes (1 MB: a year of rates for every currency is about 60 KB).
MAX_RATES_FILE = 1024 * 1024


class FlowForm(forms.Form):
    """A flow's fields as typed (the amount kept as text so that it reaches the service as a Decimal)
    and the reason for the change."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Flow.Kind.choices)
    amount = forms.CharField(label=_("Amount"), max_length=30,
                             help_text=_("Digits with a point for decimals; negative for a refund or de-obligation."))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD", help_text=_("ISO 4217 code, e.g. USD, EUR, JPY."))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    provider_entity = forms.ModelChoiceField(label=_("Provider entity"), queryset=Entity.objects.order_by("acronym"),
                                             required=False, to_field_name="acronym")
    provider_name = forms.CharField(label=_("Provider (donor)"), max_length=300, required=False)
    provider_ref = forms.CharField(label=_("Provider IATI identifier"), max_length=150, required=False)
    receiver_entity = forms.ModelChoiceField(label=_("Receiver entity"), queryset=Entity.objects.order_by("acronym"),
                                             required=False, to_field_name="acronym")
    receiver_name = forms.CharField(label=_("Receiver (recipient)"), max_length=300, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=500, required=False)

    FIELDS = ("kind", "amount", "currency", "date", "provider_entity", "provider_name", "provider_ref",
              "receiver_entity", "receiver_name", "reference", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")

    @classmethod
    def initial_for(cls, flow: Flow) -> dict:
        return {name: getattr(flow, name) for name in cls.FIELDS} | {
            "provider_entity": flow.provider_entity.acronym if flow.provider_entity else None,
            "receiver_entity": flow.receiver_entity.acronym if flow.receiver_entity else None,
        }


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason for deleting"), max_length=500)


class RatesUploadForm(forms.Form):
    """A CSV file of rates (or, after a dry run, its text carried over), the reason, and whether to load
    it or only check it."""

    file = forms.FileField(label=_("CSV file"), required=False,
                           help_text=_("Columns currency, month (YYYY-MM) and rate (units per US dollar); as saved by Excel."))
    csv_text = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_RATES_FILE:
                raise forms.ValidationError({"file": _("The file is larger than 1 MB.")})
            data["content"] = upload.read()
        elif data.get("csv_text"):
            data["content"] = data["csv_text"]
        else:
            raise forms.ValidationError({"file": _("Choose a CSV file.")})
        return data
