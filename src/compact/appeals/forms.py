"""Forms of the call page: submitting a project, scoring a proposal, deciding the call, and the reason
for a step (opening, closing, publishing). They only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from compact.appeals.models import Call, Proposal


class ReasonForm(forms.Form):
    """A step's reason (``op`` names the step on the call page: open, close)."""

    op = forms.ChoiceField(choices=[("open", _("open")), ("close", _("close")), ("publish", _("publish")),
                                    ("close_appeal", _("close"))], required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class SubmitForm(forms.Form):
    """A project to submit: the choices are the projects the user may submit (``selectors.submittable_projects``)."""

    project = forms.TypedChoiceField(label=_("Joint project"), coerce=int)
    reason = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, str(p)) for p in projects]


class ScoreForm(forms.Form):
    """A reviewer's scores of one proposal: one whole number per criterion (``score_<criterion id>``)."""

    proposal = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(call.criteria.all())
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=str(criterion), min_value=0, max_value=call.max_score, required=False)


class SelectForm(forms.Form):
    """The selection: the ids of the proposals selected, and the reason (e.g. the meeting that decided)."""

    selected = forms.TypedMultipleChoiceField(label=_("Selected proposals"), coerce=int, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args, proposals: list[Proposal] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = [(p.pk, str(p.project)) for p in proposals]


class FromCallForm(forms.Form):
    """The draft appeal a decided call forms: its key and period."""

    key = forms.SlugField(label=_("Key"), max_length=60)
    period_start = forms.DateField(label=_("Period start"))
    period_end = forms.DateField(label=_("Period end"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
