"""Forms of the appeal pages: a call for proposals (with a formset of its criteria) and an appeal, both
with titles and descriptions in the six UN languages; and on the call page, submitting a project,
scoring a proposal, deciding the call, and the reason for a step (opening, closing, publishing). They
only parse input; the services decide (their ``ValidationError`` keys are shown on the matching field)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from compact.appeals.models import Appeal, Call, Proposal
from compact.core.i18n import field_name
from compact.reference.geography import regions
from compact.registry.models import Body

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


@functools.cache
def time_zones() -> tuple[str, ...]:
    """IANA time zone names (tz database, through ``zoneinfo``): ``UTC`` and the ``Area/Location`` zones."""
    names = {n for n in zoneinfo.available_timezones() if "/" in n and not n.startswith(("Etc/", "posix/", "right/"))}
    return ("UTC", *sorted(names))


def _language_fields(form: forms.Form, fields: dict[str, tuple[str, bool]]) -> None:
    """Add a text field per language for each of ``fields`` (``{name: (label with %(language)s, textarea)}``)."""
    for code in LANGUAGE_CODES:
        language = get_language_info(code)["name_translated"]
        for name, (label, textarea) in fields.items():
            widget = forms.Textarea(attrs={"rows": 2, "class": "form-control"}) if textarea else forms.TextInput(
                attrs={"class": "form-control"})
            widget.attrs.update({"lang": code, "dir": "rtl" if code == "ar" else "ltr"})
            form.fields[field_name(name, code)] = forms.CharField(
                label=label % {"language": language}, required=False, widget=widget,
                max_length=None if textarea else 300)


def _initial_texts(obj, names: tuple[str, ...]) -> dict[str, str]:
    return {field_name(name, code): getattr(obj, field_name(name, code)) or "" for name in names for code in LANGUAGE_CODES}


class _TextsMixin:
    """``language_rows`` for the template and ``texts`` for the services, over ``TEXT_FIELDS``."""

    TEXT_FIELDS: tuple[str, ...] = ("title", "description")

    def language_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """``(language code, [bound field of each text])`` per language."""
        return [(code, [self[field_name(name, code)] for name in self.TEXT_FIELDS]) for code in LANGUAGE_CODES]

    def texts(self, name: str) -> dict[str, str]:
        """``{language: text}`` of ``name`` in the six languages (empty ones included, so a cleared text goes)."""
        return {code: self.cleaned_data.get(field_name(name, code)) or "" for code in LANGUAGE_CODES}

    def other_fields(self) -> list[forms.BoundField]:
        """The fields that are not per-language texts, in order."""
        texts = {field_name(name, code) for name in self.TEXT_FIELDS for code in LANGUAGE_CODES}
        return [bound for bound in self if bound.name not in texts]


def _style(form: forms.Form) -> None:
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.MultiWidget):
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class CallForm(_TextsMixin, forms.Form):
    """A call for proposals: title and description per language, body, planned opening date, deadline
    (date and time in a chosen IANA time zone, stored as an aware datetime), highest score, reviewers
    (active users) and the reason. Once the call is open the body, opening date and highest score are
    shown but locked (``services.CALL_LOCKED_FIELDS``)."""

    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    opens = forms.DateField(label=_("Opens (planned)"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("YYYY-MM-DD. The call really opens when the secretariat opens it."))
    deadline = forms.SplitDateTimeField(
        label=_("Deadline"), widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date", "class": "form-control"}, time_attrs={"type": "time", "class": "form-control"},
            date_format="%Y-%m-%d", time_format="%H:%M"),
        help_text=_("Date (YYYY-MM-DD) and time (HH:MM) in the time zone chosen below; pages show it in UTC."))
    time_zone = forms.ChoiceField(label=_("Time zone of the deadline"), initial="UTC",
                                  help_text=_("An IANA time zone, e.g. America/New_York for the UN Headquarters."))
    max_score = forms.IntegerField(label=_("Highest score"), min_value=1, max_value=100, initial=5,
                                   help_text=_("Reviewers score each criterion from 0 to this number."))
    reviewers = forms.ModelMultipleChoiceField(label=_("Reviewers"), required=False, queryset=None,
                                               widget=forms.SelectMultiple(attrs={"size": 8}),
                                               help_text=_("Active accounts only; at least one before the call opens."))
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, call: Call | None = None, **kwargs):
        from compact.appeals import selectors

        if call is not None:
            kwargs.setdefault("initial", {}).update({
                "body": call.body_id, "opens": call.opens, "max_score": call.max_score, "time_zone": "UTC",
                "deadline": timezone.make_naive(call.deadline, dt.UTC),
                "reviewers": [u.pk for u in call.reviewers.all()],
                **_initial_texts(call, self.TEXT_FIELDS),
            })
        super().__init__(*args, **kwargs)
        self.call = call
        _language_fields(self, {"title": (_("Title (%(language)s)"), False),
                                "description": (_("Description (%(language)s)"), True)})
        self.fields["body"].queryset = selectors.call_bodies(user=user)
        self.fields["reviewers"].queryset = selectors.reviewer_choices(user=user)
        self.fields["reviewers"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.get_username()})" if u.get_full_name() else u.get_username())
        self.fields["time_zone"].choices = [(name, name) for name in time_zones()]
        self.locked = call is not None and call.status != Call.Status.DRAFT
        for name in ("body", "opens", "max_score"):
            self.fields[name].disabled = self.locked
        _style(self)

    def clean(self):
        data = super().clean()
        value, zone = data.get("deadline"), data.get("time_zone")
        if value is not None and zone:
            naive = timezone.make_naive(value) if timezone.is_aware(value) else value
            aware = timezone.make_aware(naive, zoneinfo.ZoneInfo(zone))
            if aware.astimezone(dt.UTC).astimezone(aware.tzinfo).replace(tzinfo=None) != naive:
                self.add_error("deadline", _("%(time)s does not exist in %(zone)s (the clocks change that day).")
                               % {"time": naive.strftime("%Y-%m-%d %H:%M"), "zone": zone})
            else:
                data["deadline"] = aware
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of ``call_create`` / ``call_update`` (without the criteria and reason);
        the locked fields are left out once the call is open."""
        d = self.cleaned_data
        values = {"title": self.texts("title"), "description": self.texts("description"), "deadline": d["deadline"],
                  "reviewers": list(d["reviewers"])}
        if not self.locked:
            values |= {"body": d["body"], "opens": d["opens"], "max_score": d["max_score"]}
        return values


class CriterionForm(forms.Form):
    """A criterion: its number (the order), name and description per language, and weight."""

    number = forms.IntegerField(label=_("Number"), required=False, min_value=1, max_value=99,
                                widget=forms.NumberInput(attrs={"class": "form-control", "size": 3}))
    weight = forms.DecimalField(label=_("Weight"), required=False, max_digits=6, decimal_places=2,
                                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _language_fields(self, {"name": (_("Name (%(language)s)"), False),
                                "description": (_("Description (%(language)s)"), True)})

    def language_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(code, self[field_name("name", code)], self[field_name("description", code)]) for code in LANGUAGE_CODES]

    def is_empty(self) -> bool:
        """No name, description or weight given (an unused extra row)."""
        data = getattr(self, "cleaned_data", {}) or {}
        return data.get("weight") is None and not any(
            data.get(field_name(name, code)) for name in ("name", "description") for code in LANGUAGE_CODES)


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        numbers = [f.cleaned_data.get("number") for f in self.forms
                   if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_empty()]
        twice = sorted({n for n in numbers if n is not None and numbers.count(n) > 1})
        if twice:
            raise forms.ValidationError(_("Each criterion has its own number; given twice: %(numbers)s.")
                                        % {"numbers": ", ".join(map(str, twice))})

    def criteria(self) -> list[dict]:
        """The kept rows, ordered by number (rows without one last, in their order), as the services'
        ``criteria`` items: ``{"name": {lang: text}, "description": {lang: text}, "weight": Decimal | None}``."""
        kept = [(f.cleaned_data.get("number"), i, f) for i, f in enumerate(self.forms)
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_empty()]
        kept.sort(key=lambda row: (row[0] is None, row[0] or 0, row[1]))
        return [{"name": {c: f.cleaned_data.get(field_name("name", c)) or "" for c in LANGUAGE_CODES},
                 "description": {c: f.cleaned_data.get(field_name("description", c)) or "" for c in LANGUAGE_CODES},
                 "weight": f.cleaned_data.get("weight")} for _n, _i, f in kept]


def criterion_formset(data=None, *, call: Call | None = None):
    """The criteria formset (prefix ``criteria``): the call's criteria, then one empty row (three for a
    new call)."""
    initial = None
    if call is not None:
        initial = [{"number": c.number, "weight": c.weight, **_initial_texts(c, ("name", "description"))}
                   for c in call.criteria.all()]
    cls = forms.formset_factory(CriterionForm, formset=BaseCriterionFormSet, extra=1 if initial else 3, can_delete=True)
    return cls(data=data, initial=initial, prefix="criteria")


def _region_choices():
    return [("", "—"), *[(r.code, f"{r.code} - {r.name()}") for r in sorted(regions(), key=lambda r: r.code)]]


class AppealForm(_TextsMixin, forms.Form):
    """An appeal: key, title and description per language, body (those the user may draft appeals for),
    period, optional UN M49 region, the projects (among those the user may read) and the reason."""

    key = forms.SlugField(label=_("Key"), max_length=60,
                          help_text=_("Lower-case letters, digits and hyphens; the appeal's address: /appeals/<key>/."))
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ChoiceField(label=_("Region (UN M49)"), required=False,
                               help_text=_("For an appeal for one region, e.g. 002 Africa."))
    projects = forms.ModelMultipleChoiceField(label=_("Joint projects"), required=False, queryset=None,
                                              widget=forms.SelectMultiple(attrs={"size": 10}),
                                              help_text=_("The joint projects you may read. A published appeal "
                                                          "presents published projects only."))
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required once the appeal is published."))

    def __init__(self, *args, user, appeal: Appeal | None = None, **kwargs):
        from compact.appeals import selectors

        choices = selectors.appeal_project_choices(user=user)
        if appeal is not None:
            kwargs.setdefault("initial", {}).update({
                "key": appeal.key, "body": appeal.body_id, "period_start": appeal.period_start,
                "period_end": appeal.period_end, "region": appeal.region,
                "projects": list(choices.filter(appeals=appeal).values_list("pk", flat=True)),
                **_initial_texts(appeal, self.TEXT_FIELDS),
            })
        super().__init__(*args, **kwargs)
        _language_fields(self, {"title": (_("Title (%(language)s)"), False),
                                "description": (_("Description (%(language)s)"), True)})
        bodies = selectors.appeal_bodies(user=user)
        if appeal is not None:
            bodies = bodies | Body.objects.filter(pk=appeal.body_id)
        self.fields["body"].queryset = bodies.distinct().order_by("kind", "number", "key")
        self.fields["region"].choices = _region_choices()
        self.fields["projects"].queryset = choices
        self.fields["projects"].label_from_instance = lambda p: (
            f"{p.title} ({p.lead_entity.acronym}, {p.get_stage_display()})")
        _style(self)

    def service_fields(self) -> dict:
        """The keyword arguments of ``appeal_create`` / ``appeal_update`` (without the reason)."""
        d = self.cleaned_data
        return {"key": d["key"], "title": self.texts("title"), "description": self.texts("description"),
                "body": d["body"], "period_start": d["period_start"], "period_end": d["period_end"],
                "region": d["region"], "projects": list(d["projects"])}


class DeleteForm(forms.Form):
    """The reason for deleting."""

    reason = forms.CharField(label=_("Reason for deleting"), max_length=1000)


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
