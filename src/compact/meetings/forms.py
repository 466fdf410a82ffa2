"""Forms of the meeting pages: a meeting (dates and times in a chosen IANA zone), an agenda item, the
attendance of an entity and of a person, minutes (a version, a correction, a comment), a decision (text in
the six UN languages, subjects, adopting entities) and an action item (creation, then its status and
evidence). They only parse input; the services decide, and their ``ValidationError`` keys are put on the
matching fields (``views._apply_errors``).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from compact.access.models import Sensitivity
from compact.core.i18n import field_name
from compact.meetings import times
from compact.meetings.models import ActionItem, AgendaItem, Attendance, Meeting
from compact.registry.models import Body, Entity

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

REASON_HELP = _("Kept in the change log with the change.")


def _language_fields(form: forms.Form, fields: dict[str, tuple[str, bool]], *, max_length: int = 300) -> None:
    """Add a text field per language for each of ``fields`` (``{name: (label with %(language)s, textarea)}``)."""
    for code in LANGUAGE_CODES:
        language = get_language_info(code)["name_translated"]
        for name, (label, textarea) in fields.items():
            widget = forms.Textarea(attrs={"rows": 3, "class": "form-control"}) if textarea else forms.TextInput(
                attrs={"class": "form-control"})
            widget.attrs.update({"lang": code, "dir": "rtl" if code == "ar" else "ltr"})
            form.fields[field_name(name, code)] = forms.CharField(
                label=label % {"language": language}, required=False, widget=widget,
                max_length=None if textarea else max_length)


def _initial_texts(obj, names: tuple[str, ...]) -> dict[str, str]:
    return {field_name(name, code): getattr(obj, field_name(name, code)) or "" for name in names for code in LANGUAGE_CODES}


def _style(form: forms.Form) -> None:
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def _reason(required: bool = False, help_text=REASON_HELP) -> forms.CharField:
    return forms.CharField(label=_("Reason for the change"), required=required, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text)


class TextsMixin:
    """Per-language texts over ``TEXT_FIELDS``: ``language_rows`` for the template, ``texts`` for the services."""

    TEXT_FIELDS: tuple[str, ...] = ("title", "description")

    def language_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """``(language code, [bound field of each text])`` per language."""
        return [(code, [self[field_name(name, code)] for name in self.TEXT_FIELDS]) for code in LANGUAGE_CODES]

    def texts(self, name: str) -> dict[str, str]:
        """``{language: text}`` of ``name`` in the six languages (empty ones included, so a cleared text goes)."""
        return {code: self.cleaned_data.get(field_name(name, code)) or "" for code in LANGUAGE_CODES}

    def other_fields(self) -> list[forms.BoundField]:
        """The fields that are not per-language texts nor the reason, in order."""
        texts = {field_name(name, code) for name in self.TEXT_FIELDS for code in LANGUAGE_CODES}
        return [bound for bound in self if bound.name not in texts and bound.name != "reason"]

    def require_one_text(self, name: str, message) -> None:
        """Add ``message`` to the English field of ``name`` when no language has a text."""
        if not any(self.texts(name).values()):
            self.add_error(field_name(name, "en"), message)


class MeetingForm(TextsMixin, forms.Form):
    """A meeting: body (those the user manages; fixed once made), number (empty: the next free one),
    title and description per language, start and end as date and time in the meeting's IANA zone
    (``times.make_aware``: a time the clocks skip or repeat is refused on its field), all day, venue,
    online link, sensitivity, whether to invite the body's participants (on creation) and the reason.

    An all-day meeting gives dates only: it runs from midnight of its first day to midnight after its last
    day, in its zone (``models.Meeting``). Those midnights are not checked with ``times.make_aware``: a
    day may begin at 01:00 where the clocks jump at midnight (America/Santiago on 2024-09-08). The form
    hands the service noon of the first and of the last day, which the service
    (``services._normalise_times``) turns into the start of the first day and the start of the day after
    the last, as it does for every all-day meeting."""

    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    number = forms.IntegerField(label=_("Number"), required=False, min_value=1, max_value=32767,
                                help_text=_("Its number within the body: 7 for the 7th meeting. Empty: the next number."))
    time_zone = forms.ChoiceField(label=_("Time zone"), initial="UTC",
                                  help_text=_("The IANA time zone the meeting is held in, e.g. America/New_York."))
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("YYYY-MM-DD, in the meeting's time zone."))
    start_time = forms.TimeField(label=_("Start time"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 help_text=_("HH:MM, 24-hour clock, in the meeting's time zone."))
    end_date = forms.DateField(label=_("End date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text=_("Empty: the start date."))
    end_time = forms.TimeField(label=_("End time"), required=False,
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    all_day = forms.BooleanField(label=_("All day (dates only)"), required=False)
    venue = forms.CharField(label=_("Venue"), required=False, max_length=300)
    online_url = forms.URLField(label=_("Online link"), required=False, max_length=500, assume_scheme="https")
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.INTERNAL,
                                    help_text=_("A confidential meeting is seen only by the secretariat, the "
                                                "body's participants and the people invited."))
    invite_participants = forms.BooleanField(
        label=_("Invite the entities taking part in the body"), required=False, initial=True,
        help_text=_("Each member and observer on the meeting's date, in its capacity."))
    reason = _reason()

    def __init__(self, *args, user, meeting: Meeting | None = None, bodies=None, **kwargs):
        if meeting is not None:
            zone = times.zone(meeting.time_zone)
            start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
            last = (end - dt.timedelta(days=1)) if meeting.all_day else end
            kwargs.setdefault("initial", {}).update({
                "body": meeting.body_id, "number": meeting.number, "time_zone": meeting.time_zone,
                "start_date": start.date(), "start_time": None if meeting.all_day else start.time(),
                "end_date": last.date(), "end_time": None if meeting.all_day else end.time(),
                "all_day": meeting.all_day, "venue": meeting.venue, "online_url": meeting.online_url,
                "sensitivity": meeting.sensitivity, **_initial_texts(meeting, self.TEXT_FIELDS),
            })
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        _language_fields(self, {"title": (_("Title (%(language)s)"), False),
                                "description": (_("Description (%(language)s)"), True)})
        self.fields["body"].queryset = bodies if bodies is not None else Body.objects.none()
        self.fields["time_zone"].choices = [(name, name) for name in times.time_zones()]
        if meeting is not None:
            for name in ("body", "number"):
                self.fields[name].disabled = True
            del self.fields["invite_participants"]
        _style(self)

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        start_date, end_date = data.get("start_date"), data.get("end_date") or data.get("start_date")
        if not zone_name or start_date is None:
            return data
        if data.get("all_day"):
            if end_date < start_date:
                self.add_error("end_date", _("The last day is before the first."))
                return data
            try:
                zone = times.zone(zone_name)
            except ValidationError as exc:
                self.add_error("time_zone", exc.messages)
                return data
            # Noon of each day: its date in the zone, whatever the clocks do at midnight.
            data["start"] = dt.datetime.combine(start_date, dt.time(12), zone)
            data["end"] = dt.datetime.combine(end_date, dt.time(12), zone)
            return data
        else:
            for name in ("start_time", "end_time"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give the time (HH:MM), or tick “All day”."))
            if data.get("start_time") is None or data.get("end_time") is None:
                return data
            points = {"start_time": dt.datetime.combine(start_date, data["start_time"]),
                      "end_time": dt.datetime.combine(end_date, data["end_time"])}
        aware = {}
        for name, local in points.items():
            try:
                aware[name] = times.make_aware(local, zone_name)
            except ValidationError as exc:
                self.add_error(name, exc.messages)
        if len(aware) == 2:
            start, end = aware.values()
            if end <= start:
                self.add_error(list(points)[1], _("The meeting ends after it starts."))
            else:
                data["start"], data["end"] = start, end
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of ``services.meeting_create`` / ``meeting_update`` (without the reason);
        body, number and the invitation only on creation."""
        d = self.cleaned_data
        values = {"title": self.texts("title"), "description": self.texts("description"), "start": d["start"],
                  "end": d["end"], "time_zone": d["time_zone"], "all_day": d["all_day"], "venue": d["venue"],
                  "online_url": d["online_url"], "sensitivity": d["sensitivity"]}
        if self.meeting is None:
            values |= {"body": d["body"], "number": d["number"], "invite_participants": d["invite_participants"]}
        return values


class ReasonForm(forms.Form):
    """A step's ``reason`` (and ``op`` naming the step where a page has several)."""

    op = forms.CharField(required=False, max_length=40)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class CancelForm(forms.Form):
    """The reason a meeting is cancelled (required: the invited are told)."""

    reason = forms.CharField(label=_("Reason for cancelling"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class AgendaItemForm(TextsMixin, forms.Form):
    """An agenda item: title and description per language, expected outcome, presenting entity, documents
    (among those the user may read), its number (empty: at the end) and the reason."""

    expected_outcome = forms.ChoiceField(label=_("Expected outcome"), choices=AgendaItem.Outcome.choices,
                                         initial=AgendaItem.Outcome.INFORMATION)
    presenter = forms.ModelChoiceField(label=_("Presented by"), queryset=Entity.objects.order_by("acronym"),
                                       required=False, empty_label="—")
    documents = forms.ModelMultipleChoiceField(label=_("Documents"), required=False, queryset=None,
                                               widget=forms.SelectMultiple(attrs={"size": 6}),
                                               help_text=_("The documents you may read; hold Ctrl to choose several."))
    position = forms.IntegerField(label=_("Number on the agenda"), required=False, min_value=1, max_value=999,
                                  help_text=_("Empty: at the end."))
    reason = _reason()

    def __init__(self, *args, documents, item: AgendaItem | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("initial", {}).update({
                "expected_outcome": item.expected_outcome, "presenter": item.presenter_id, "position": item.position,
                "documents": [d.pk for d in item.documents.all()], **_initial_texts(item, self.TEXT_FIELDS)})
        super().__init__(*args, **kwargs)
        self.item = item
        _language_fields(self, {"title": (_("Title (%(language)s)"), False),
                                "description": (_("Description (%(language)s)"), True)})
        self.fields["documents"].queryset = documents
        self.fields["documents"].label_from_instance = lambda d: d.title
        _style(self)

    def clean(self):
        data = super().clean()
        self.require_one_text("title", _("Give the item's title in at least one language."))
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of ``services.agenda_item_add`` / ``agenda_item_update`` (without the reason)."""
        d = self.cleaned_data
        values = {"title": self.texts("title"), "description": self.texts("description"),
                  "expected_outcome": d["expected_outcome"], "presenter": d["presenter"],
                  "documents": list(d["documents"])}
        if d["position"] is not None or self.item is None:
            values["position"] = d["position"]
        return values


class AttendanceForm(forms.Form):
    """An entity's attendance status (its capacity comes from the registry)."""

    entity = forms.ModelChoiceField(label=_("Entity"), queryset=Entity.objects.order_by("acronym"))
    status = forms.ChoiceField(label=_("Status"), choices=Attendance.Status.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class InviteForm(forms.Form):
    """A person to invite (among the people whose contact the user may see)."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: f"{p} ({p.entity.acronym})"
        _style(self)


class AttendeeStatusForm(forms.Form):
    """A person's attendance status."""

    status = forms.ChoiceField(label=_("Status"), choices=Attendance.Status.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class MinutesForm(forms.Form):
    """The text of the minutes (plain text; paragraphs separated by blank lines), its language, an optional
    document (among those the user may read) and the reason. For a correction the reason is required."""

    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}))
    language = forms.ChoiceField(label=_("Language of the text"), choices=settings.LANGUAGES, initial="en")
    document = forms.ModelChoiceField(label=_("Document"), required=False, queryset=None, empty_label="—",
                                      help_text=_("The signed minutes in the library, if any."))
    reason = _reason()

    def __init__(self, *args, documents, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents
        self.fields["document"].label_from_instance = lambda d: d.title
        if correction:
            self.fields["reason"] = _reason(required=True, help_text=_(
                "Required: final minutes change only by a correction that says why."))
            self.fields["reason"].label = _("Reason for the correction")
        _style(self)


class CommentForm(forms.Form):
    """A comment on circulated minutes."""

    text = forms.CharField(label=_("Your comment"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


def _subject_fields() -> dict[str, tuple]:
    return {
        "programmes": (_("Joint programmes of work"), "programme"),
        "workplans": (_("Workplans"), "workplan"),
        "terms_of_reference": (_("Terms of reference (documents)"), "terms_of_reference"),
        "projects": (_("Joint projects"), "project"),
        "calls": (_("Calls for proposals"), "call"),
    }


class DecisionForm(TextsMixin, forms.Form):
    """A decision: title and text per language, the agenda item that took it, its subjects (programmes,
    workplans, terms of reference, projects, calls, among those the user may read), the entities recorded
    as adopting it, the date of adoption (empty: the meeting's date), sensitivity (empty: the meeting's)
    and the reason.

    Only the body's members on the meeting's date are offered for ``adopted_by``; any entity posted is
    passed on, so that the service's rule (observers never adopt) gives its own message on the field."""

    TEXT_FIELDS = ("title", "text")

    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False, empty_label="—")
    adopted_on = forms.DateField(label=_("Adopted on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("Empty: the meeting's date."))
    adopted_by = forms.ModelMultipleChoiceField(label=_("Adopted by"), required=False,
                                                queryset=Entity.objects.order_by("acronym"),
                                                widget=forms.CheckboxSelectMultiple,
                                                help_text=_("Members of the body only: observers do not adopt decisions."))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), required=False,
                                    choices=[("", _("as the meeting")), *Sensitivity.choices])
    reason = _reason()

    def __init__(self, *args, meeting: Meeting, members, subjects: dict, decision=None, **kwargs):
        if decision is not None:
            kwargs.setdefault("initial", {}).update({
                "agenda_item": decision.agenda_item_id, "adopted_on": decision.adopted_on,
                "adopted_by": [e.pk for e in decision.adopted_by.all()], "sensitivity": decision.sensitivity,
                **_initial_texts(decision, self.TEXT_FIELDS),
                **{name: [getattr(s, f"{s.FIELDS[s.kind]}_id") for s in decision.subjects.all() if s.kind == kind]
                   for name, (_label, kind) in _subject_fields().items()},
            })
        super().__init__(*args, **kwargs)
        self.decision = decision
        _language_fields(self, {"title": (_("Title (%(language)s)"), False),
                                "text": (_("Text (%(language)s)"), True)})
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("position")
        self.fields["adopted_by"].widget.choices = [(e.pk, f"{e.acronym}") for e in members]
        for name, (label, kind) in _subject_fields().items():
            self.fields[name] = forms.ModelMultipleChoiceField(
                label=label, required=False, queryset=subjects[kind], widget=forms.SelectMultiple(attrs={"size": 4}))
            self.fields[name].label_from_instance = str
        _style(self)

    def clean(self):
        data = super().clean()
        self.require_one_text("title", _("Give the decision's title in at least one language."))
        self.require_one_text("text", _("Give the decision's text in at least one language."))
        return data

    def subjects(self) -> list:
        """The chosen subjects, as model instances (``services.decision_record``'s ``subjects``)."""
        return [obj for name in _subject_fields() for obj in self.cleaned_data.get(name) or ()]

    def service_fields(self) -> dict:
        """The keyword arguments of ``services.decision_record`` / ``decision_update`` (without the reason)."""
        d = self.cleaned_data
        return {"title": self.texts("title"), "text": self.texts("text"), "agenda_item": d["agenda_item"],
                "subjects": self.subjects(), "adopted_by": list(d["adopted_by"]), "adopted_on": d["adopted_on"],
                "sensitivity": d["sensitivity"] or None}


class ActionItemForm(TextsMixin, forms.Form):
    """A new action item: title and description per language, the one body or entity tasked
    (``owner``: ``body:<id>`` or ``entity:<id>``), the due date, sensitivity (empty: the decision's) and
    the reason."""

    owner = forms.ChoiceField(label=_("Tasked"), help_text=_("One body or one entity."))
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), required=False,
                                    choices=[("", _("as the decision")), *Sensitivity.choices])
    reason = _reason()

    def __init__(self, *args, bodies, entities, **kwargs):
        super().__init__(*args, **kwargs)
        _language_fields(self, {"title": (_("Title (%(language)s)"), False),
                                "description": (_("Description (%(language)s)"), True)})
        self.bodies = {str(b.pk): b for b in bodies}
        self.entities = {str(e.pk): e for e in entities}
        self.fields["owner"].choices = [
            ("", "—"),
            (_("Bodies"), [(f"body:{b.pk}", str(b)) for b in bodies]),
            (_("Entities"), [(f"entity:{e.pk}", e.acronym) for e in entities]),
        ]
        _style(self)

    def clean_owner(self):
        kind, _sep, pk = self.cleaned_data["owner"].partition(":")
        found = (self.bodies if kind == "body" else self.entities if kind == "entity" else {}).get(pk)
        if found is None:
            raise ValidationError(_("Choose one body or one entity."))
        return found

    def clean(self):
        data = super().clean()
        self.require_one_text("title", _("Give the action item's title in at least one language."))
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of ``services.action_item_create`` (without the decision and reason)."""
        d = self.cleaned_data
        owner = d["owner"]
        return {"title": self.texts("title"), "description": self.texts("description"), "due": d["due"],
                "owner_body": owner if isinstance(owner, Body) else None,
                "owner_entity": owner if isinstance(owner, Entity) else None,
                "sensitivity": d["sensitivity"] or None}


class ActionItemUpdateForm(forms.Form):
    """An action item's progress: status, due date and evidence (a document the user may read, a link, a
    note). Done needs some evidence (the service's rule, shown on the status field).

    An evidence document the user may not read (``documents`` does not hold it) is neither shown nor
    offered, and it stays: leaving the field empty keeps it (as ``services.agenda_item_update`` keeps a
    meeting's unreadable documents); choosing a document the user may read replaces it."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    evidence_document = forms.ModelChoiceField(label=_("Evidence: document"), required=False, queryset=None,
                                               empty_label="—")
    evidence_url = forms.URLField(label=_("Evidence: link"), required=False, max_length=500, assume_scheme="https")
    evidence_note = forms.CharField(label=_("Evidence: note"), required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    reason = _reason()

    def __init__(self, *args, item: ActionItem, documents, manages: bool, **kwargs):
        kwargs.setdefault("initial", {}).update({
            "status": item.status, "due": item.due, "evidence_document": item.evidence_document_id,
            "evidence_url": item.evidence_url, "evidence_note": item.evidence_note})
        super().__init__(*args, **kwargs)
        self.fields["evidence_document"].queryset = documents
        self.fields["evidence_document"].label_from_instance = lambda d: d.title
        self.keeps_hidden_document = (item.evidence_document_id is not None
                                      and not documents.filter(pk=item.evidence_document_id).exists())
        if self.keeps_hidden_document:
            self.fields["evidence_document"].help_text = _(
                "A document you may not read is attached as evidence: it stays unless you choose another.")
        if not manages:  # the tasked entity reports progress; the due date is the body's (services.PROGRESS_FIELDS)
            del self.fields["due"]
        _style(self)

    def service_fields(self) -> dict:
        """The keyword arguments of ``services.action_item_update`` (without the reason)."""
        d = self.cleaned_data
        names = ("status", "due", "evidence_document", "evidence_url", "evidence_note")
        fields = {name: d[name] for name in names if name in self.fields}
        if self.keeps_hidden_document and fields.get("evidence_document") is None:
            fields.pop("evidence_document", None)
        return fields

