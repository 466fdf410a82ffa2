"""Forms of data exchange: uploading a projects or funding flows file to import, and IATI activity files
to import as a job."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compact.interop.iati.selection import Selection
from compact.interop.tabular.reader import MAX_FILE_SIZE
from compact.registry.models import Body, Entity

KIND_CHOICES = [("projects", _("Joint projects")), ("flows", _("Funding flows"))]


class ImportForm(forms.Form):
    """What to import (``kind``), the ``file`` (CSV or XLSX, at most ``MAX_FILE_SIZE`` bytes) and the
    ``reason`` recorded on every change the import makes."""

    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("File (CSV or XLSX)"),
                           help_text=_("A header row of column names, then a row of HXL hashtags, then the data."))
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             help_text=_("Why these changes are made: recorded in the change log."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(_("The file is larger than %(size)d MB.") % {"size": MAX_FILE_SIZE // (1024 * 1024)})
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files: a list (empty when none was chosen), each checked as ``FileField`` does."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,application/xml,text/xml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [cleaned for cleaned in (super(MultipleFileField, self).clean(item, initial) for item in items if item) if cleaned]


#: The fields of the criteria of counter-terrorism relevance (``Selection.parse``'s arguments).
SELECTION_FIELDS = ("sectors", "sdg_targets", "policy_markers", "keywords")


class IatiImportForm(forms.Form):
    """An import of IATI activity files: the ``files``, ``dry_run`` (checked by default), the lead working
    group (``lead_body``, required: the projects the import creates need one) and, for the secretariat
    only, the ``lead_entity`` of the projects it creates, ``only_relevant`` with the criteria of
    counter-terrorism relevance (prefilled with ``Selection.counter_terrorism()``), and the ``reason``. ``cleaned_data["selection"]`` is the
    ``Selection`` (None when every activity is imported). The files and the options are checked by
    ``compact.interop.job_services.import_job_start``; its errors are shown on these fields."""

    files = MultipleFileField(
        label=_("IATI activity files (XML)"), required=False,
        help_text=_("One or more files of IATI 2.01, 2.02 or 2.03 activities, as published to the IATI registry."))
    dry_run = forms.BooleanField(
        label=_("Dry run: check the files and show what would change, without writing anything"), required=False,
        initial=True)
    lead_body = forms.ModelChoiceField(
        label=_("Lead working group of new projects"), queryset=Body.objects.none(),
        error_messages={"required": _("Choose the working group that leads the projects the import creates.")},
        help_text=_("The working group that leads the projects the import creates: every new project needs one. "
                    "Projects already on the platform keep theirs."))
    lead_entity = forms.ModelChoiceField(
        label=_("Lead entity"), queryset=Entity.objects.none(), required=False,
        help_text=_("Leads the projects whose reporting organisation is not a registry entity."))
    only_relevant = forms.BooleanField(
        label=_("Only counter-terrorism-relevant activities"), required=False, initial=True,
        help_text=_("An activity is kept when it matches any of the criteria below; the report says which."))
    sectors = forms.CharField(
        label=_("Sectors"), required=False,
        help_text=_("OECD DAC CRS codes: 5-digit purpose codes or 3-digit categories, separated by commas."))
    sdg_targets = forms.CharField(
        label=_("SDG targets"), required=False, help_text=_("Such as 16.a, separated by commas."))
    policy_markers = forms.CharField(
        label=_("Policy markers"), required=False,
        help_text=_("vocabulary:code, e.g. 1:3 (OECD DAC good governance) or 99:CT (a publisher's own marker), "
                    "separated by commas."))
    keywords = forms.CharField(
        label=_("Keywords"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Separated by commas or one a line, in any language; matched in titles and descriptions."))
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False,
        help_text=_("Why these changes are made: recorded in the change log. Required unless it is a dry run."))

    def __init__(self, *args, user, **kwargs):
        from compact.access.principal import principal_for

        kwargs.setdefault("initial", Selection.counter_terrorism().as_texts())
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["lead_body"].queryset = Body.objects.filter(
            Q(dissolved__isnull=True) | Q(dissolved__gte=today), kind=Body.Kind.WORKING_GROUP).order_by("number")
        if principal_for(user).is_secretariat:
            self.fields["lead_entity"].queryset = Entity.objects.order_by("acronym")
        else:
            del self.fields["lead_entity"]

    def clean(self):
        cleaned = super().clean()
        cleaned["selection"] = None
        if cleaned.get("only_relevant"):
            try:
                cleaned["selection"] = Selection.parse(**{name: cleaned.get(name) or "" for name in SELECTION_FIELDS})
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class ConfirmImportForm(forms.Form):
    """"Import for real": the ``reason`` recorded on every change the import makes."""

    reason = forms.CharField(label=_("Reason"), max_length=500,
                             help_text=_("Why these changes are made: recorded in the change log."))
