"""The joint-project form: the project's fields, with Django formsets for its participants, sectors,
beneficiary areas and budgets; choices come from ``compact.reference`` (IATI 2.03 codelists, UN M49,
ISO 4217) in the active language; the documents offered are those of the library the editor may read
(``compact.library.selectors``). The forms check types only: every rule is the services' (their
``ValidationError`` keys are shown on the matching field or formset)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from compact.access.models import Sensitivity
from compact.core.i18n import field_name, translated
from compact.library.models import Document
from compact.library.selectors import document_list
from compact.projects.models import MARKER_CHOICES, Project
from compact.reference import codelists, currencies, geography
from compact.registry.models import Body, Entity, Pillar, StrategyReview

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def _codes(list_name: str, stored: set[str] | None = None):
    """Codelist choices with an empty one; withdrawn codes only when ``stored`` holds them (old data)."""
    def choices():
        keep = stored or set()
        found = codelists.choices(list_name, include_withdrawn=bool(keep))
        return [("", "—"), *[(c, label) for c, label in found if c in keep or not codelists.codelist(list_name)[c].withdrawn]]
    return choices


def _area_choices():
    return [("", "—"), *sorted(((a.code, f"{a.code} - {a.name()}") for a in geography.areas()), key=lambda c: c[1][6:])]


def _currency_choices():
    return [(c.code, f"{c.code} - {c.name()}") for c in currencies.currencies(include_withdrawn=False)]


MARKERS = [("", "—"), *[(str(v), label) for v, label in MARKER_CHOICES]]


def _marker(value):
    return None if value in ("", None) else int(value)


def bootstrap(form: forms.Form, *, small: bool = False) -> None:
    """Give every widget of ``form`` its Bootstrap class (``form-select`` for choices, ``form-control`` for
    the rest, the ``-sm`` sizes in the formsets' table cells; check boxes keep the browser's), so that no
    field is wider than the page (a multiple choice of long SDG targets included)."""
    size = "-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
            continue
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", f"form-select{' form-select' + size if size else ''}")
        else:
            widget.attrs.setdefault("class", f"form-control{' form-control' + size if size else ''}")


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    """Documents of the library named by title (in the active language), date and owners:
    "Terms of reference (March 12, 2026, WG 5 / UNOCT)" in English."""

    def label_from_instance(self, obj: Document) -> str:
        owners = []
        if obj.owner_body is not None:
            body = obj.owner_body
            owners.append(_("WG %(number)s") % {"number": body.number} if body.number else translated(body, "title").text)
        if obj.owner_entity is not None:
            owners.append(obj.owner_entity.acronym)
        details = [date_format(obj.document_date) if obj.document_date else str(_("no date")), " / ".join(owners)]
        return _("%(title)s (%(details)s)") % {"title": translated(obj, "title").text,
                                               "details": ", ".join(d for d in details if d)}


class ProjectForm(forms.Form):
    """A project's own fields (titles and descriptions in the six languages) and the ``reason``."""

    lead_entity = forms.ModelChoiceField(label=_("Lead entity"), queryset=Entity.objects.none())
    lead_body = forms.ModelChoiceField(label=_("Lead working group"), queryset=Body.objects.none())
    working_groups = forms.ModelMultipleChoiceField(
        label=_("Working groups"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Body.objects.filter(kind=Body.Kind.WORKING_GROUP).order_by("number"))
    pillars = forms.ModelMultipleChoiceField(label=_("Pillars"), required=False, widget=forms.CheckboxSelectMultiple,
                                             queryset=Pillar.objects.order_by("number"))
    iati_identifier = forms.CharField(label=_("IATI activity identifier"), required=False, max_length=150)
    activity_status = forms.ChoiceField(label=_("Activity status"))
    start = forms.DateField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    gender_marker = forms.TypedChoiceField(label=_("Gender equality marker"), choices=MARKERS, coerce=_marker,
                                           required=False, empty_value=None)
    human_rights_marker = forms.TypedChoiceField(label=_("Human rights marker"), choices=MARKERS, coerce=_marker,
                                                 required=False, empty_value=None)
    default_currency = forms.ChoiceField(label=_("Default currency"))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.INTERNAL)
    sdg_targets = forms.MultipleChoiceField(label=_("SDG targets"), required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 8}))
    documents = DocumentChoiceField(
        label=_("Documents"), required=False, queryset=Document.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Documents of the library you may read. Links to documents you may not read stay as they are."))
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=1000,
                             help_text=_("Required for confidential projects and for published ones."))

    def __init__(self, *args, user, project: Project | None = None, **kwargs):
        from compact.projects.selectors import creatable_leads, project_documents

        if project is not None and kwargs.get("data") is None:
            kwargs["initial"] = self.initial_from(project)
        super().__init__(*args, **kwargs)
        # The titles and descriptions come first and the reason last, as on the other forms.
        fields = dict(self.fields)
        self.fields.clear()
        for code, name in settings.LANGUAGES:
            direction = {"dir": "rtl"} if code == "ar" else {}
            self.fields[field_name("title", code)] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name}, required=False, max_length=300,
                widget=forms.TextInput(attrs={"lang": code, **direction}))
            self.fields[field_name("description", code)] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name}, required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code, **direction}))
        reason = fields.pop("reason")
        self.fields.update(fields)
        self.fields["reason"] = reason
        bootstrap(self)
        groups, entities = creatable_leads(user=user)
        group_ids = {g.pk for g in groups} | ({project.lead_body_id} if project else set())
        entity_ids = {e.pk for e in entities} | ({project.lead_entity_id} if project else set())
        self.fields["lead_body"].queryset = Body.objects.filter(pk__in=group_ids).order_by("number")
        self.fields["lead_entity"].queryset = Entity.objects.filter(pk__in=entity_ids).order_by("acronym")
        self.fields["activity_status"].choices = _codes("ActivityStatus", {project.activity_status} if project else None)()
        self.fields["default_currency"].choices = _currency_choices()
        self.fields["default_currency"].initial = "USD"
        stored_targets = set(project.sdg_targets.values_list("code", flat=True)) if project else set()
        self.fields["sdg_targets"].choices = _codes("UNSDG-Targets", stored_targets)()[1:]
        self.fields["documents"].queryset = document_list(user=user)
        if project is not None and kwargs.get("data") is None:
            self.initial["documents"] = project_documents(user=user, project=project)

    @staticmethod
    def initial_from(project: Project) -> dict:
        values = {name: getattr(project, name) for name in (
            "lead_entity", "lead_body", "iati_identifier", "activity_status", "start", "end", "default_currency",
            "sensitivity")}
        values["gender_marker"] = "" if project.gender_marker is None else str(project.gender_marker)
        values["human_rights_marker"] = "" if project.human_rights_marker is None else str(project.human_rights_marker)
        values["working_groups"] = list(project.working_groups.all())
        values["pillars"] = list(project.pillars.all())
        values["sdg_targets"] = [t.code for t in project.sdg_targets.all()]
        for code in LANGUAGES:
            for field in ("title", "description"):
                values[field_name(field, code)] = getattr(project, field_name(field, code)) or ""
        return values

    def texts(self, field: str) -> dict[str, str]:
        """``{language: text}`` of ``title`` or ``description`` for the six languages (empty ones included,
        so that a cleared text is removed)."""
        return {code: self.cleaned_data.get(field_name(field, code)) or "" for code in LANGUAGES}

    def data_for_services(self) -> dict:
        """The ``data`` mapping of ``project_create`` / ``project_update``, without the nested rows."""
        d = self.cleaned_data
        return {
            "title": self.texts("title"), "description": self.texts("description"),
            "lead_entity": d["lead_entity"], "lead_body": d["lead_body"], "working_groups": list(d["working_groups"]),
            "pillars": list(d["pillars"]), "iati_identifier": d["iati_identifier"], "activity_status": d["activity_status"],
            "start": d["start"], "end": d["end"], "gender_marker": d["gender_marker"],
            "human_rights_marker": d["human_rights_marker"], "default_currency": d["default_currency"],
            "sensitivity": d["sensitivity"], "sdg_targets": list(d["sdg_targets"]), "documents": list(d["documents"]),
        }


class ParticipantForm(forms.Form):
    """A participating organisation: IATI OrganisationRole, and a registry entity or a name."""

    role = forms.ChoiceField(label=_("Role"))
    entity = forms.ModelChoiceField(label=_("Entity"), required=False, queryset=Entity.objects.order_by("acronym"))
    name = forms.CharField(label=_("Organisation name"), required=False, max_length=300)
    ref = forms.CharField(label=_("IATI organisation identifier"), required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _codes("OrganisationRole")()
        bootstrap(self, small=True)


class SectorForm(forms.Form):
    """A sector: IATI SectorVocabulary, code and percentage."""

    vocabulary = forms.ChoiceField(label=_("Vocabulary"), initial="1")
    code = forms.CharField(label=_("Sector code"), max_length=20, required=False)
    percentage = forms.DecimalField(label=_("Percentage"), required=False, max_digits=7, decimal_places=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vocabulary"].choices = _codes("SectorVocabulary")()
        bootstrap(self, small=True)


class AreaForm(forms.Form):
    """A beneficiary country or region (UN M49) and its share in percent."""

    code = forms.ChoiceField(label=_("Country or region"), required=False)
    percentage = forms.DecimalField(label=_("Percentage"), required=False, max_digits=7, decimal_places=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = _area_choices()
        bootstrap(self, small=True)


class ReviewChoiceField(forms.ModelChoiceField):
    """A Strategy review named by its resolution: "7th review: resolution 75/291"."""

    def label_from_instance(self, obj: StrategyReview) -> str:
        return _("Review %(number)s: resolution %(resolution)s") % {"number": obj.number, "resolution": obj.resolution}


class ParagraphForm(forms.Form):
    """A paragraph of a Strategy review resolution the project answers (e.g. 75/291 para. 118); only
    reviews with a resolution are offered."""

    review = ReviewChoiceField(label=_("Strategy review"), required=False,
                               queryset=StrategyReview.objects.exclude(resolution="").order_by("-number"))
    paragraph = forms.CharField(label=_("Paragraph"), max_length=12, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)


class BudgetForm(forms.Form):
    """An IATI budget line."""

    period_start = forms.DateField(label=_("Period start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=20, decimal_places=3)
    currency = forms.ChoiceField(label=_("Currency"), initial="USD")
    value_date = forms.DateField(label=_("Value date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    type = forms.ChoiceField(label=_("Budget type"), initial="1")
    status = forms.ChoiceField(label=_("Budget status"), initial="1")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currency_choices()
        self.fields["type"].choices = _codes("BudgetType")()[1:]
        self.fields["status"].choices = _codes("BudgetStatus")()[1:]
        bootstrap(self, small=True)


ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=2, can_delete=True)
SectorFormSet = forms.formset_factory(SectorForm, extra=2, can_delete=True)
AreaFormSet = forms.formset_factory(AreaForm, extra=3, can_delete=True)
BudgetFormSet = forms.formset_factory(BudgetForm, extra=2, can_delete=True)
ParagraphFormSet = forms.formset_factory(ParagraphForm, extra=2, can_delete=True)

#: The nested parts: data key -> (formset class, prefix, fields that make a row non-empty).
FORMSETS = {
    "participants": (ParticipantFormSet, "participants", ("entity", "name")),
    "sectors": (SectorFormSet, "sectors", ("code",)),
    "areas": (AreaFormSet, "areas", ("code",)),
    "budgets": (BudgetFormSet, "budgets", ("amount",)),
    "resolution_paragraphs": (ParagraphFormSet, "paragraphs", ("paragraph",)),
}


def _plain(value):
    """A stored Decimal as typed: ``Decimal("33.330")`` -> ``"33.33"``, ``Decimal("100.000")`` -> ``"100"``."""
    return None if value is None else format(value.normalize(), "f")


def formset_initial(project: Project | None) -> dict[str, list[dict]]:
    """The initial rows of each formset for ``project`` (none for a new project); percentages and amounts
    without the trailing zeros of their stored scale."""
    if project is None:
        return {key: [] for key in FORMSETS}
    return {
        "participants": [{"role": p.role, "entity": p.entity, "name": p.name, "ref": p.ref} for p in project.participants.all()],
        "sectors": [{"vocabulary": s.vocabulary, "code": s.code, "percentage": _plain(s.percentage)} for s in project.sectors.all()],
        "areas": [{"code": a.code, "percentage": _plain(a.percentage)} for a in project.areas.all()],
        "budgets": [{"period_start": b.period_start, "period_end": b.period_end, "amount": _plain(b.amount), "currency": b.currency,
                     "value_date": b.value_date, "type": b.type, "status": b.status} for b in project.budgets.all()],
        "resolution_paragraphs": [{"review": r.review, "paragraph": r.paragraph} for r in project.resolution_paragraphs.all()],
    }


def formset_rows(key: str, formset) -> list[dict]:
    """The non-empty, non-deleted rows of a valid formset as the services' items."""
    _cls, _prefix, needed = FORMSETS[key]
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not any(data.get(f) not in (None, "") for f in needed):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows
