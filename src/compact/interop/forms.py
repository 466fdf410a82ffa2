"""Forms of data exchange: uploading a projects or funding flows file to import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from compact.interop.tabular.reader import MAX_FILE_SIZE

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
