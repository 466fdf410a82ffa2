"""Forms of the library pages: a document (create and edit) and a share (grant) on a document.

Forms validate input and say what is wrong on which field; the writes themselves are the services'
(``compact.library.services``), which check permissions again.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from compact.access.models import PROTECTED_LEVELS, Grant, Sensitivity
from compact.core.i18n import field_name
from compact.library.models import Document
from compact.library.selectors import RestrictedDocument, annex_parent, creatable_owners
from compact.library.services import MAX_FILE_SIZE
from compact.registry.models import Body, Entity

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


class DocumentForm(forms.Form):
    """A document's fields: a title and summary per language (at least one title), kind, owners (limited
    to ``creatable_owners``, plus the current ones when editing), sensitivity, date, language of the
    file, annex-of (a document id), an optional file, and the reason for the change (required for
    confidential and strictly confidential).

    When editing an annex of a document the user may not read, the parent's number is not shown
    (``annex_of_restricted`` is True and the field says that the document is an annex of a restricted
    document); an empty ``annex_of`` then keeps the link as it is (see ``annex_of_kept``)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices, initial=Document.Kind.REPORT)
    owner_body = forms.ModelChoiceField(label=_("Owning body"), queryset=Body.objects.none(), required=False,
                                        empty_label=_("(none)"))
    owner_entity = forms.ModelChoiceField(label=_("Owning entity"), queryset=Entity.objects.none(), required=False,
                                          empty_label=_("(none)"))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.INTERNAL)
    document_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                    help_text=_("YYYY-MM-DD"))
    language = forms.ChoiceField(label=_("Language of the file"), choices=[("", "—"), *settings.LANGUAGES], required=False)
    annex_of = forms.IntegerField(label=_("Annex of document no."), required=False, min_value=1,
                                  help_text=_("The number of the document this one is an annex of, if any."))
    upload = forms.FileField(label=_("File"), required=False, help_text=_("At most 50 MB."))
    reason = forms.CharField(label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required for confidential and strictly confidential documents; recorded with your name."))

    def __init__(self, *args, user, document: Document | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        for code in LANGUAGE_CODES:
            name = get_language_info(code)["name_translated"]
            self.fields[field_name("title", code)] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name}, required=False, max_length=300)
            self.fields[field_name("summary", code)] = forms.CharField(
                label=_("Summary (%(language)s)") % {"language": name}, required=False,
                widget=forms.Textarea(attrs={"rows": 3}))
        for name in self.DETAIL_FIELDS:
            widget = self.fields[name].widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            widget.attrs["aria-describedby"] = f"{name}-help"
        bodies, entities = creatable_owners(user=user)
        body_ids = {b.pk for b in bodies} | ({document.owner_body_id} if document and document.owner_body_id else set())
        entity_ids = {e.pk for e in entities} | ({document.owner_entity_id} if document and document.owner_entity_id else set())
        self.fields["owner_body"].queryset = Body.objects.filter(pk__in=body_ids).order_by("kind", "number", "key")
        self.fields["owner_entity"].queryset = Entity.objects.filter(pk__in=entity_ids).order_by("acronym")
        self.annex_of_restricted = False
        if document is not None:
            self.annex_of_restricted = isinstance(annex_parent(user=user, document=document), RestrictedDocument)
            self.initial.update({
                "kind": document.kind, "owner_body": document.owner_body_id, "owner_entity": document.owner_entity_id,
                "sensitivity": document.sensitivity, "document_date": document.document_date,
                "language": document.language, "annex_of": None if self.annex_of_restricted else document.annex_of_id,
            })
            if self.annex_of_restricted:
                self.fields["annex_of"].help_text = _(
                    "This document is an annex of a restricted document. Leave this empty to keep it so, or give "
                    "the number of another document to attach it to that one instead.")
            for code in LANGUAGE_CODES:
                for field in ("title", "summary"):
                    self.initial[field_name(field, code)] = getattr(document, field_name(field, code)) or ""

    DETAIL_FIELDS = ("kind", "owner_body", "owner_entity", "sensitivity", "document_date", "language", "annex_of",
                     "upload", "reason")

    def detail_fields(self) -> list[forms.BoundField]:
        """The fields other than titles and summaries, in display order."""
        return [self[name] for name in self.DETAIL_FIELDS]

    def language_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """``(language code, title field, summary field)`` for each language, for the template."""
        return [(code, self[field_name("title", code)], self[field_name("summary", code)]) for code in LANGUAGE_CODES]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            if upload.size == 0:
                raise forms.ValidationError(_("The file is empty."))
            if upload.size > MAX_FILE_SIZE:
                raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload

    def clean(self):
        data = super().clean()
        if not any((data.get(field_name("title", code)) or "").strip() for code in LANGUAGE_CODES):
            self.add_error(field_name("title", "en"), _("A title is required, in at least one language."))
        if not data.get("owner_body") and not data.get("owner_entity"):
            self.add_error("owner_body", _("Choose an owning body, an owning entity or both."))
        levels = {data.get("sensitivity")} | ({self.document.sensitivity} if self.document else set())
        if levels & PROTECTED_LEVELS and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A reason is required for a confidential or strictly confidential document."))
        return data

    def annex_of_kept(self) -> bool:
        """Whether the saved document keeps its current ``annex_of`` untouched: an annex of a restricted
        document whose form left the number empty."""
        return self.annex_of_restricted and not self.cleaned_data.get("annex_of")

    def titles(self) -> dict[str, str]:
        """``{language: title}`` as entered (empty ones included, so that clearing a language works)."""
        return {code: self.cleaned_data.get(field_name("title", code)) or "" for code in LANGUAGE_CODES}

    def summaries(self) -> dict[str, str]:
        """``{language: summary}`` as entered."""
        return {code: self.cleaned_data.get(field_name("summary", code)) or "" for code in LANGUAGE_CODES}


class ShareForm(forms.Form):
    """Name a user as reader or editor of a document (or remove them): user name, level and reason."""

    username = forms.CharField(label=_("User name"), max_length=150)
    level = forms.ChoiceField(label=_("Access"), choices=Grant.Level.choices, initial=Grant.Level.READ)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has the user name “%(username)s”.") % {"username": username})
        self.cleaned_data["user"] = user
        return username


class RevokeForm(forms.Form):
    """Remove a user's grant on a document: the user's id and a reason."""

    user = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
