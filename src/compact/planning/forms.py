"""Forms of the planning pages: a programme, its adoption, a priority, a workplan, an output, an activity,
the carry-over and a plain reason (new version, deletions).

Forms check input and say what is wrong on which field; the writes are the services'
(``compact.planning.services``), which check permissions and the rules again.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from compact.access.models import Sensitivity
from compact.core.i18n import field_name
from compact.planning.models import Activity, Programme
from compact.registry.models import Body, Entity

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


class PlanningForm(forms.Form):
    """Base: translated text fields (``translated = {"title": (label, textarea?)}``) added for the six
    languages, Bootstrap classes on every widget, and ``reason`` last."""

    translated: dict[str, tuple[str, bool]] = {}
    reason_required = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        self.fields.clear()
        for field, (label, long) in self.translated.items():
            for code in LANGUAGE_CODES:
                language = get_language_info(code)["name_translated"]
                self.fields[field_name(field, code)] = forms.CharField(
                    label=_("%(field)s (%(language)s)") % {"field": label, "language": language}, required=False,
                    max_length=None if long else 300,
                    widget=forms.Textarea(attrs={"rows": 2, "lang": code}) if long else forms.TextInput(attrs={"lang": code}))
        self.fields.update(fields)
        self.fields["reason"] = forms.CharField(
            label=_("Reason for the change"), required=self.reason_required, widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Recorded with your name in the history. Required for adoption, new versions, carry-over, "
                        "deletions and confidential content."))
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{name}-help"

    def texts(self, field: str) -> dict[str, str]:
        """``{language: text}`` as entered for a translated field (empty ones included)."""
        return {code: self.cleaned_data.get(field_name(field, code)) or "" for code in LANGUAGE_CODES}

    def initial_texts(self, obj, *fields: str) -> None:
        for field in fields:
            for code in LANGUAGE_CODES:
                self.initial[field_name(field, code)] = getattr(obj, field_name(field, code)) or ""

    def clean(self):
        data = super().clean()
        if "title" in self.translated and not any(
                (data.get(field_name("title", code)) or "").strip() for code in LANGUAGE_CODES):
            self.add_error(field_name("title", "en"), _("A title is required, in at least one language."))
        return data


def _date_widget():
    return forms.DateInput(attrs={"type": "date"})


class ProgrammeForm(PlanningForm):
    """A programme version: key, period, sensitivity, title and summary per language."""

    translated = {"title": (_("Title"), False), "summary": (_("Summary"), True)}

    key = forms.SlugField(label=_("Key"), max_length=60, help_text=_("The same for every version, e.g. jpow-2024-2026."))
    period_start = forms.DateField(label=_("Period start"), widget=_date_widget(), help_text=_("YYYY-MM-DD"))
    period_end = forms.DateField(label=_("Period end"), widget=_date_widget(), help_text=_("YYYY-MM-DD"))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.INTERNAL)

    def __init__(self, *args, programme: Programme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:
            self.initial.update(key=programme.key, period_start=programme.period_start,
                                period_end=programme.period_end, sensitivity=programme.sensitivity)
            self.initial_texts(programme, "title", "summary")
            if programme.version > 1:
                self.fields["key"].disabled = True


class AdoptForm(PlanningForm):
    """The Committee's adoption: date, decision reference and the reason (required)."""

    reason_required = True
    adopted_on = forms.DateField(label=_("Adopted on"), widget=_date_widget(), help_text=_("YYYY-MM-DD"))
    decision = forms.CharField(label=_("Decision"), max_length=60, required=False,
                               help_text=_("Reference of the Coordination Committee decision, e.g. CC/2019/3."))


class ReasonForm(PlanningForm):
    """A step that only needs its reason (a new version, a deletion)."""

    reason_required = True


class CarryOverForm(PlanningForm):
    """The programme whose unfinished activities are carried, and the reason."""

    reason_required = True
    source = forms.ModelChoiceField(label=_("Carry the unfinished activities of"), queryset=Programme.objects.none())

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources


class PriorityForm(PlanningForm):
    """A priority: number, title and description per language."""

    translated = {"title": (_("Title"), False), "description": (_("Description"), True)}
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=32767)

    def __init__(self, *args, priority=None, **kwargs):
        super().__init__(*args, **kwargs)
        if priority is not None:
            self.initial["number"] = priority.number
            self.initial_texts(priority, "title", "description")


class WorkplanForm(PlanningForm):
    """A workplan: the working group (when adding), sensitivity and summary per language."""

    translated = {"summary": (_("Summary"), True)}
    body = forms.ModelChoiceField(label=_("Working group"), queryset=Body.objects.none())
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices)

    def __init__(self, *args, groups=None, workplan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workplan is not None:
            del self.fields["body"]
            self.initial["sensitivity"] = workplan.sensitivity
            self.initial_texts(workplan, "summary")
        else:
            self.fields["body"].queryset = groups


class OutputForm(PlanningForm):
    """An output: number, title per language and the priority it serves."""

    translated = {"title": (_("Title"), False)}
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=32767)
    priority = forms.ModelChoiceField(label=_("Priority"), queryset=None, required=False, empty_label=_("(none)"))

    def __init__(self, *args, priorities, output=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        if output is not None:
            self.initial.update(number=output.number, priority=output.priority_id)
            self.initial_texts(output, "title")


class ActivityForm(PlanningForm):
    """An activity: number, title and description per language, lead and participating entities, dates
    and status."""

    translated = {"title": (_("Title"), False), "description": (_("Description"), True)}
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=32767)
    lead_entity = forms.ModelChoiceField(label=_("Lead entity"), queryset=Entity.objects.order_by("acronym"))
    participating_entities = forms.ModelMultipleChoiceField(
        label=_("Participating entities"), queryset=Entity.objects.order_by("acronym"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}))
    start = forms.DateField(label=_("Start"), required=False, widget=_date_widget(), help_text=_("YYYY-MM-DD"))
    end = forms.DateField(label=_("End"), required=False, widget=_date_widget(), help_text=_("YYYY-MM-DD"))
    status = forms.ChoiceField(label=_("Status"), choices=Activity.Status.choices, initial=Activity.Status.PLANNED)

    def __init__(self, *args, activity=None, status_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        if activity is not None:
            self.initial.update(number=activity.number, lead_entity=activity.lead_entity_id, start=activity.start,
                                end=activity.end, status=activity.status,
                                participating_entities=[e.pk for e in activity.participating_entities.all()])
            self.initial_texts(activity, "title", "description")
        if status_only:
            for name in list(self.fields):
                if name not in ("status", "reason"):
                    del self.fields[name]
            self.fields["reason"].required = True

    def clean(self):
        data = forms.Form.clean(self) if "number" not in self.fields else super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end is before the start."))
        return data
