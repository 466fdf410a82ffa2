"""Every write to the library: creating, changing and deleting documents, with their files.

Each service runs in one ``transaction.atomic()``, checks that the actor may change the resulting
document (``compact.access.policy.can(actor, Action.CHANGE, document)``: the secretariat, officers of
the owning body, focal points of the owning entity, or a named editor), validates, writes, and records
exactly one change-log event per row written (``compact.audit.services.record_change``). A change to a
confidential or strictly confidential document (before or after) needs a reason (``ReasonRequired``).
``actor=None`` is the platform itself (command line), named by ``actor_label``.

Validation errors are ``django.core.exceptions.ValidationError`` with a message per field, raised
before anything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from compact.access.models import PROTECTED_LEVELS, Grant, Sensitivity
from compact.access.policy import Action, can, restrict
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired, diff, record_change, snapshot
from compact.library.models import Document
from compact.library.selectors import owner_rights

#: Largest file accepted, in bytes (50 MB).
MAX_FILE_SIZE = 50 * 1024 * 1024

#: The languages a title or summary may be given in (the six UN languages).
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

#: Fields ``document_update`` accepts.
UPDATABLE_FIELDS = frozenset({
    "title", "summary", "kind", "owner_body", "owner_entity", "sensitivity", "document_date", "language",
    "annex_of", "upload",
})


def _snapshot(document: Document) -> dict[str, Any]:
    """``compact.audit.services.snapshot`` with the file recorded by its stored name."""
    values = snapshot(document)
    values["file"] = document.file.name or ""
    return values


def _localized(field: str, text: Mapping[str, str] | str | None) -> dict[str, str | None]:
    """``{"title_en": ..., ...}`` for the six languages from ``{language: text}`` or a plain string
    (English). Raises ``ValidationError`` for a language that is not one of the six."""
    if text is None:
        text = {}
    if isinstance(text, str):
        text = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: text}
    unknown = sorted(set(text) - set(LANGUAGES))
    if unknown:
        raise ValidationError({field: _("Unknown language %(codes)s: expected one of %(known)s.")
                               % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGES)}})
    return {build_localized_fieldname(field, code): ((text.get(code) or "").strip() or None) for code in LANGUAGES}


def sanitise_file_name(name: str) -> str:
    """The last path component of ``name``, in NFC, with control characters and characters unsafe in
    file names (``/ \\ : * ? " < > |``) replaced by ``_``, leading dots removed, at most 200 characters
    (the extension kept). ``"document"`` when nothing is left."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if (unicodedata.category(c).startswith("C") or c in '/\\:*?"<>|') else c for c in name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else name[:200]
    return name or "document"


def _file_facts(upload) -> dict[str, Any]:
    """Size, SHA-256, media type (guessed from the name) and sanitised name of an uploaded file.
    Raises ``ValidationError`` on ``upload`` for an empty file or one larger than ``MAX_FILE_SIZE``."""
    size = upload.size if getattr(upload, "size", None) is not None else None
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size == 0:
        raise ValidationError({"upload": _("The file is empty.")})
    if size > MAX_FILE_SIZE:
        raise ValidationError({"upload": _("The file is %(size)s MB; the largest file accepted is 50 MB.")
                               % {"size": f"{size / 1024 / 1024:.1f}"}})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in (upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1024 * 1024), b"")):
        digest.update(chunk)
    upload.seek(0)
    name = sanitise_file_name(getattr(upload, "name", "") or "document")
    media_type = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
    return {"file_name": name, "size": size, "sha256": digest.hexdigest(), "media_type": media_type}


def _annex_loop_error(annex_of: Document, document: Document, actor) -> str | None:
    """The message refusing ``annex_of`` as the parent of ``document`` when ``document`` is ``annex_of``
    itself or one of its ancestors through ``annex_of`` (a loop); None when there is no loop.

    When the chain from ``annex_of`` up to ``document`` passes through a document ``actor`` may not
    read, the refusal is the one for an unknown document ("No such document."), so that it says
    nothing about documents the actor may not read (``docs/access.md``, no leaks through relations).
    """
    if document.pk is None:
        return None
    seen: set[int] = set()
    hidden = False
    current: Document | None = annex_of
    while current is not None and current.pk not in seen:
        if current.pk == document.pk:
            return _("No such document.") if hidden else _(
                "A document cannot be an annex of itself or of one of its annexes.")
        if actor is not None and current is not annex_of and not can(actor, Action.VIEW, current):
            hidden = True
        seen.add(current.pk)
        current = Document.objects.filter(pk=current.annex_of_id).first() if current.annex_of_id else None
    return None


def _owner_errors(actor, *, owner_body, owner_entity) -> dict[str, list[str]]:
    """``{field: messages}`` for new owners ``actor`` may not give a document (``selectors.owner_rights``;
    ``actor=None`` is the platform itself). ``owner_body`` / ``owner_entity`` are the new owners (None for
    those not being set)."""
    if actor is None:
        return {}
    rights = owner_rights(user=actor)
    if rights.any_owner:
        return {}
    errors: dict[str, list[str]] = {}
    if owner_body is not None and owner_body.pk not in rights.body_ids:
        errors["owner_body"] = [_("You may not give documents to this body: only its officers and the secretariat may.")]
    if owner_entity is not None and owner_entity.pk not in rights.entity_ids:
        errors["owner_entity"] = [_(
            "You may not give documents to this entity: only its focal points and the secretariat may.")]
    return errors


def _validate(document: Document, actor, *, annex_of_given: bool, annex_of_changed: bool,
              owner_errors: Mapping[str, list[str]] | None = None) -> None:
    """Field checks shared by create and update; raises ``ValidationError`` naming each bad field.

    ``annex_of`` is checked only when it is given (``annex_of_given``): the actor must be able to read
    the document named, else it is refused as if it did not exist; when it changes
    (``annex_of_changed``), it must not make a loop. An annex whose parent the actor may not read thus
    stays changeable as long as the link is left alone. ``owner_errors`` (see ``_owner_errors``) are
    reported with the others."""
    errors: dict[str, list[str]] = {field: list(messages) for field, messages in (owner_errors or {}).items()}
    if not any(getattr(document, build_localized_fieldname("title", code)) for code in LANGUAGES):
        errors.setdefault("title", []).append(_("A title is required, in at least one language."))
    for code in LANGUAGES:
        value = getattr(document, build_localized_fieldname("title", code)) or ""
        if len(value) > 300:
            errors.setdefault("title", []).append(
                _("The title in %(language)s is longer than 300 characters.") % {"language": code})
    if document.owner_body_id is None and document.owner_entity_id is None:
        errors.setdefault("owner_body", []).append(_("A document belongs to a body, an entity or both."))
    if document.kind not in Document.Kind.values:
        errors.setdefault("kind", []).append(_("Unknown kind %(value)r.") % {"value": document.kind})
    if document.sensitivity not in Sensitivity.values:
        errors.setdefault("sensitivity", []).append(_("Unknown sensitivity %(value)r.") % {"value": document.sensitivity})
    if document.language and document.language not in LANGUAGES:
        errors.setdefault("language", []).append(_("Unknown language %(value)r.") % {"value": document.language})
    if annex_of_given and document.annex_of_id is not None:
        parent = document.annex_of
        if actor is not None and not can(actor, Action.VIEW, parent):
            errors.setdefault("annex_of", []).append(_("No such document."))
        elif annex_of_changed and (message := _annex_loop_error(parent, document, actor)):
            errors.setdefault("annex_of", []).append(message)
    if errors:
        raise ValidationError(errors)


def _require_reason(document_levels: set[str], reason: str) -> None:
    if document_levels & PROTECTED_LEVELS and not (reason or "").strip():
        raise ReasonRequired(_("A reason is required for a change to a confidential or strictly confidential document."))


def _owner_test_copy(document: Document) -> Document:
    """The document as the ownership rule sees it when it is strictly confidential: the same owners at
    the confidential level (the creator keeps access through a change grant, see ``document_create``)."""
    copy = Document(owner_body_id=document.owner_body_id, owner_entity_id=document.owner_entity_id,
                    sensitivity=Sensitivity.CONFIDENTIAL)
    return copy


def document_create(
    *,
    actor,
    reason: str = "",
    title: Mapping[str, str] | str,
    summary: Mapping[str, str] | str | None = None,
    kind: str = Document.Kind.OTHER,
    owner_body=None,
    owner_entity=None,
    sensitivity: str = Sensitivity.INTERNAL,
    document_date=None,
    language: str = "",
    annex_of: Document | None = None,
    upload=None,
    actor_label: str = "",
) -> Document:
    """Create a document; returns it.

    ``title`` and ``summary`` are ``{language code: text}`` (or a plain string, taken as English);
    ``owner_body`` / ``owner_entity`` are ``registry.Body`` / ``registry.Entity`` (at least one);
    ``upload`` is a Django ``File`` (its name, size, SHA-256 and media type are stored).

    The actor must be able to change the resulting document (``docs/access.md``). Unless they are the
    secretariat, the owning body must be one they are an officer of and the owning entity their own, as
    its focal point (a ``ValidationError`` on ``owner_body`` / ``owner_entity`` otherwise); someone who
    may add documents for no owner at all gets ``PermissionDenied``. A strictly confidential document
    may be created by whoever could change it at the confidential level (the secretariat, officers of
    the owning body, focal points of the owning entity): its creator is then named as an editor through
    ``compact.access.services.grant_create`` (its own change-log event), so that they keep access. An
    ``annex_of`` the actor cannot read is refused as if it did not exist.

    Raises ``PermissionDenied``, ``ValidationError`` ({field: messages}) and ``ReasonRequired``
    (confidential and above without a reason); nothing is written then.
    """
    if actor is not None and not owner_rights(user=actor).adds_documents:
        raise PermissionDenied(_("You may not add documents."))
    document = Document(
        kind=kind, owner_body=owner_body, owner_entity=owner_entity, sensitivity=sensitivity,
        document_date=document_date, language=language or "", annex_of=annex_of,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for name, value in {**_localized("title", title), **_localized("summary", summary)}.items():
        setattr(document, name, value)
    _validate(document, actor, annex_of_given=annex_of is not None, annex_of_changed=annex_of is not None,
              owner_errors=_owner_errors(actor, owner_body=owner_body, owner_entity=owner_entity))
    strictly = document.sensitivity == Sensitivity.STRICTLY_CONFIDENTIAL
    if actor is not None and not can(actor, Action.CHANGE, _owner_test_copy(document) if strictly else document):
        raise PermissionDenied(_("You may not add a document for these owners at this sensitivity."))
    _require_reason({document.sensitivity}, reason)
    facts = _file_facts(upload) if upload is not None else {}
    with _file_removed_on_error(document), transaction.atomic(), translation.override(_base_language(document)):
        for name, value in facts.items():
            setattr(document, name, value)
        if upload is not None:
            document.file.save(facts["file_name"], _as_file(upload), save=False)
        document.save()
        record_change(action=ChangeEvent.Action.CREATE, obj=document, changes=diff({}, _snapshot(document)),
                      reason=reason, actor=actor, actor_label=actor_label)
        if strictly and getattr(actor, "is_authenticated", False):
            # The creator is named as an editor of what they just made strictly confidential, as part of
            # this creation (its own change-log event, by the creator): they keep access whatever their role.
            Grant.objects.create(user=actor, content_type=ContentType.objects.get_for_model(Document), object_id=document.pk,
                                 level=Grant.Level.CHANGE, granted_by=actor)
            record_change(action=ChangeEvent.Action.UPDATE, obj=document,
                          changes={f"grant:{actor.get_username()}": [None, Grant.Level.CHANGE]},
                          reason=reason, actor=actor, actor_label=actor_label)
    return document


@contextlib.contextmanager
def _file_removed_on_error(document: Document):
    """Run a write; when it fails, remove the file it stored, so that nothing is left half-written."""
    before = document.file.name
    try:
        yield
    except BaseException:
        if document.file.name and document.file.name != before:
            document.file.storage.delete(document.file.name)
        raise


def _as_file(upload) -> File:
    return upload if isinstance(upload, File) else File(upload, name=getattr(upload, "name", "document"))


def _base_language(document: Document) -> str:
    """The language whose title fills the untranslated column (django-modeltranslation copies the
    active language's text into it): English when there is one, else the first in the fallback order."""
    from compact.core.i18n import FALLBACK_ORDER

    for code in FALLBACK_ORDER:
        if getattr(document, build_localized_fieldname("title", code)):
            return code
    return settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def _final_minutes_of(document: Document):
    """The meeting whose *final* minutes ``document`` is (the ``document`` of a final
    ``meetings.MinutesVersion``), or None. Final minutes never change (the meetings issue: a correction
    is a new version), so neither may the file they rest on."""
    from compact.meetings.models import MinutesVersion

    version = (MinutesVersion.objects.filter(document=document, status=MinutesVersion.Status.FINAL)
               .select_related("meeting").order_by("pk").first())
    return version.meeting if version is not None else None


def _refuse_final_minutes(document: Document, field: str) -> None:
    """``ValidationError`` on ``field`` when ``document`` is the document of final minutes."""
    meeting = _final_minutes_of(document) if document.pk else None
    if meeting is not None:
        raise ValidationError({field: _("These are the final minutes of %(meeting)s: record a correction instead.")
                               % {"meeting": meeting}})


def document_update(*, document: Document, actor, reason: str = "", actor_label: str = "", **fields) -> ChangeEvent | None:
    """Change ``document``'s ``fields`` (any of ``UPDATABLE_FIELDS``; ``title`` / ``summary`` as in
    ``document_create``, replacing the languages given and keeping the others; ``upload`` replaces the
    file). Returns the event, or None when nothing changed.

    The actor must be able to change the document as it is and as it will be. A new owner follows the
    rule of ``document_create`` (a ``ValidationError`` on ``owner_body`` / ``owner_entity``); owners
    kept or removed are not checked again. ``annex_of`` is checked only when given: the actor must be
    able to read the document named (else "No such document."), so that whoever may change an annex of
    a document they may not read can change its other fields. Raises ``PermissionDenied`` (404 is the
    caller's business when they may not even read it), ``ValidationError``, ``ReasonRequired`` when it
    is or becomes confidential or strictly confidential without a reason, and ``TypeError`` for an
    unknown field. A new ``upload`` for the document of final meeting minutes is refused
    (``ValidationError`` on ``upload``: record a correction instead).
    """
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"document_update() got unknown fields: {', '.join(unknown)}")
    if actor is not None and not can(actor, Action.CHANGE, document):
        raise PermissionDenied(_("You may read this document but not change it."))
    stored = Document.objects.get(pk=document.pk)
    before = _snapshot(stored)
    upload = fields.pop("upload", None)
    if upload is not None:
        _refuse_final_minutes(stored, "upload")
    for field in ("title", "summary"):
        if field in fields:
            given = fields.pop(field) or {}
            if isinstance(given, str):
                given = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: given}
            localized = _localized(field, given)
            for code in given:
                name = build_localized_fieldname(field, code)
                setattr(document, name, localized[name])
    if "language" in fields:
        fields["language"] = fields["language"] or ""
    for name, value in fields.items():
        setattr(document, name, value)
    for code in LANGUAGES:  # an empty text and a missing one are the same (forms send "")
        for field in ("title", "summary"):
            name = build_localized_fieldname(field, code)
            if isinstance(getattr(document, name), str) and not getattr(document, name).strip():
                setattr(document, name, None)
    new_body = document.owner_body if document.owner_body_id not in (None, stored.owner_body_id) else None
    new_entity = document.owner_entity if document.owner_entity_id not in (None, stored.owner_entity_id) else None
    _validate(document, actor, annex_of_given="annex_of" in fields,
              annex_of_changed=document.annex_of_id != stored.annex_of_id,
              owner_errors=_owner_errors(actor, owner_body=new_body, owner_entity=new_entity))
    if actor is not None and not can(actor, Action.CHANGE, document):
        raise PermissionDenied(_("You may not give the document these owners or this sensitivity."))
    _require_reason({stored.sensitivity, document.sensitivity}, reason)
    facts = _file_facts(upload) if upload is not None else {}
    with _file_removed_on_error(document), transaction.atomic(), translation.override(_base_language(document)):
        for name, value in facts.items():
            setattr(document, name, value)
        old_file = stored.file.name if upload is not None else ""
        if upload is not None:
            document.file.save(facts["file_name"], _as_file(upload), save=False)
        changes = diff(before, _snapshot(document))
        changes.pop("updated", None)
        if not changes:
            return None
        document.save()
        changes = diff(before, _snapshot(document))
        changes.pop("updated", None)
        event = record_change(action=ChangeEvent.Action.UPDATE, obj=document, changes=changes, reason=reason,
                              actor=actor, actor_label=actor_label)
        if old_file:
            storage = stored.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return event


def document_delete(*, document: Document, actor, reason: str = "", actor_label: str = "") -> ChangeEvent:
    """Delete ``document`` and its file; returns the event (its last field values).

    Refused with ``ValidationError`` while it has annexes (delete or move them first): the message
    counts only the annexes the actor may read, and says only that other documents depend on it when
    they may read none (``docs/access.md``, no leaks through relations). Raises ``PermissionDenied``
    unless the actor may change it, ``ReasonRequired`` for a confidential or strictly confidential
    document without a reason, and ``ValidationError`` on ``upload`` for the document of final meeting
    minutes.
    """
    if actor is not None and not can(actor, Action.CHANGE, document):
        raise PermissionDenied(_("You may read this document but not delete it."))
    annexes = Document.objects.filter(annex_of=document)
    if annexes.exists():
        readable = annexes.count() if actor is None else restrict(annexes, actor, Action.VIEW).count()
        if readable:
            raise ValidationError({"annex_of": _(
                "This document has %(count)s annex(es): delete them or attach them to another document first."
            ) % {"count": readable}})
        raise ValidationError({"annex_of": _("This document cannot be deleted: other documents depend on it.")})
    _require_reason({document.sensitivity}, reason)
    with transaction.atomic():
        event = record_change(action=ChangeEvent.Action.DELETE, obj=document, changes=diff(_snapshot(document), {}),
                              reason=reason, actor=actor, actor_label=actor_label)
        file_name = document.file.name
        storage = document.file.storage
        try:
            document.delete()
        except ProtectedError as exc:  # rows that keep it (minutes versions protect their document)
            _refuse_final_minutes(document, "upload")
            raise exc from None
        if file_name:
            transaction.on_commit(lambda: storage.delete(file_name))
    return event
