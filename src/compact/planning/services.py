"""Every write to the joint programme of work: programme versions, their priorities, the working groups'
workplans, outputs and activities, adoption, new versions and the carry-over of unfinished activities.

Each service runs in one ``transaction.atomic()``, checks permission with the one access policy
(``compact.access.policy.can``), validates (``django.core.exceptions.ValidationError`` naming each
field), writes, and records one change-log event per row written (``compact.audit.services``).

Who may do what (``docs/access.md``, ``docs/user-guide.md``):

- a programme and its priorities are the Coordination Committee's content (``Programme.owner_body``):
  changed by whoever may change the programme (the secretariat, officers of the Committee, change
  grantees);
- a workplan, its outputs and activities are the working group's (``Workplan.body``): changed by the
  group's officers and the secretariat;
- a programme is changed only while it is a *draft*. Once adopted it is locked: a change is a new
  version (``programme_new_version``). The one exception is an activity's ``status`` in an adopted
  programme (progress of the work), which needs a reason.

``actor=None`` is the platform itself (the default data loaded by ``compact setup``), named by
``actor_label``; it is not checked against the policy.

Reasons: adoption, a new version, a carry-over and every deletion need one; so does any change to
content that is confidential or strictly confidential (``compact.audit.services.reason_required``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from compact.access.models import PROTECTED_LEVELS, Sensitivity
from compact.access.policy import Action, can, restrict
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired, diff, record_change, snapshot
from compact.core.i18n import FALLBACK_ORDER, field_name
from compact.planning.models import Activity, Output, Priority, Programme, Workplan
from compact.planning.selectors import later_version
from compact.registry.models import Body, Entity

#: The languages a translated text may be given in (the six UN languages).
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

Text = Mapping[str, str] | str | None


# --- Shared helpers ---------------------------------------------------------------------------------


def _texts(field: str, text: Text) -> dict[str, str | None]:
    """``{"title_en": ..., ...}`` for the languages given in ``text`` (``{language: text}``, or a plain
    string taken as English); empty texts become None. Raises ``ValidationError`` on ``field`` for a
    language that is not one of the six."""
    if text is None:
        return {}
    if isinstance(text, str):
        text = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: text}
    unknown = sorted(set(text) - set(LANGUAGES))
    if unknown:
        raise ValidationError({field: _("Unknown language %(codes)s: expected one of %(known)s.")
                               % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGES)}})
    return {field_name(field, code): ((value or "").strip() or None) for code, value in text.items()}


def _set_texts(obj, fields: Mapping[str, Text]) -> None:
    """Set the language columns of each translated field given (``{"title": text, ...}``); the languages
    not given keep their text."""
    for field, text in fields.items():
        for column, value in _texts(field, text).items():
            setattr(obj, column, value)


def _require_title(obj, errors: dict[str, list[str]], max_length: int = 300) -> None:
    """Add to ``errors`` when ``obj`` has no title in any language, or one longer than ``max_length``."""
    titles = {code: getattr(obj, field_name("title", code)) or "" for code in LANGUAGES}
    if not any(titles.values()):
        errors.setdefault("title", []).append(_("A title is required, in at least one language."))
    for code, value in titles.items():
        if len(value) > max_length:
            errors.setdefault("title", []).append(
                _("The title in %(language)s is longer than %(limit)s characters.") % {"language": code, "limit": max_length})


def _base_language(obj) -> str:
    """The language whose title fills the untranslated column (django-modeltranslation copies the active
    language's text into it): English when there is one, else the first in the fallback order."""
    for code in FALLBACK_ORDER:
        if getattr(obj, field_name("title", code), None) or getattr(obj, field_name("summary", code), None):
            return code
    return settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def _save(obj, *, actor, reason: str, actor_label: str, before: dict[str, Any] | None = None,
          extra_after: dict[str, Any] | None = None) -> ChangeEvent | None:
    """Save ``obj`` (in its base language) and record one event: a creation when ``before`` is None, else
    an update with the fields that changed (None, nothing recorded, when none did). ``extra_after`` adds
    values that are not columns (an activity's participating entities)."""
    with translation.override(_base_language(obj)):
        obj.save()
    after = {**snapshot(obj), **(extra_after or {})}
    changes = diff(before or {}, after)
    if before is not None and not changes:
        return None
    return record_change(action=ChangeEvent.Action.CREATE if before is None else ChangeEvent.Action.UPDATE,
                         obj=obj, changes=changes, reason=reason, actor=actor, actor_label=actor_label)


def _delete(obj, *, actor, reason: str, actor_label: str, extra: dict[str, Any] | None = None) -> ChangeEvent:
    """Record ``obj``'s last values and delete it (a reason is required for every deletion)."""
    _require_reason(reason, always=True)
    event = record_change(action=ChangeEvent.Action.DELETE, obj=obj, changes=diff({**snapshot(obj), **(extra or {})}, {}),
                          reason=reason, actor=actor, actor_label=actor_label)
    obj.delete()
    return event


def _require_reason(reason: str, *, always: bool = False, levels: Iterable[str] = ()) -> None:
    """Raise ``ReasonRequired`` when ``reason`` is empty and the step always needs one, or the content is
    (or becomes) confidential or strictly confidential."""
    if (reason or "").strip():
        return
    if always:
        raise ReasonRequired(_("A reason is required for this change."))
    if set(levels) & PROTECTED_LEVELS:
        raise ReasonRequired(_("A reason is required for a change to confidential or strictly confidential content."))


def _check(actor, obj, message: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` (None: the platform) may change ``obj``."""
    if actor is not None and not can(actor, Action.CHANGE, obj):
        raise PermissionDenied(message)


def _require_draft(programme: Programme) -> None:
    """Raise ``ValidationError`` on ``status`` unless ``programme`` is a draft: an adopted or superseded
    version is locked, and a change to it is a new version."""
    if programme.status != Programme.Status.DRAFT:
        raise ValidationError({"status": _(
            "This version of the joint programme of work is %(status)s and locked: make a new version to change it."
        ) % {"status": programme.get_status_display()}})


def _unknown(fields: Mapping[str, Any], allowed: Iterable[str], service: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"{service}() got unknown fields: {', '.join(unknown)}")


def _check_sensitivity(value: str, errors: dict[str, list[str]]) -> None:
    if value not in Sensitivity.values:
        errors.setdefault("sensitivity", []).append(_("Unknown sensitivity %(value)r.") % {"value": value})


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def committee() -> Body | None:
    """The Coordination Committee, owner of the joint programmes of work (None before the structure is
    loaded)."""
    return Body.objects.filter(kind=Body.Kind.COMMITTEE).order_by("established", "pk").first()


# --- Programmes ---------------------------------------------------------------------------------------

#: Fields ``programme_update`` accepts.
PROGRAMME_FIELDS = frozenset({"title", "summary", "period_start", "period_end", "sensitivity", "key"})


def _validate_programme(programme: Programme) -> None:
    errors: dict[str, list[str]] = {}
    _require_title(programme, errors)
    if not programme.key:
        errors.setdefault("key", []).append(_("A key is required, e.g. jpow-2024-2026."))
    if programme.period_start is None:
        errors.setdefault("period_start", []).append(_("The start of the period is required."))
    if programme.period_end is None:
        errors.setdefault("period_end", []).append(_("The end of the period is required."))
    if programme.period_start and programme.period_end and programme.period_end < programme.period_start:
        errors.setdefault("period_end", []).append(_("The period ends on %(end)s, before it starts on %(start)s.")
                                                   % {"end": programme.period_end, "start": programme.period_start})
    _check_sensitivity(programme.sensitivity, errors)
    if programme.owner_body_id is None:
        errors.setdefault("owner_body", []).append(_("A joint programme of work belongs to the Coordination Committee."))
    _raise(errors)


def programme_create(
    *,
    actor,
    key: str,
    title: Text,
    period_start: dt.date,
    period_end: dt.date,
    summary: Text = None,
    sensitivity: str = Sensitivity.INTERNAL,
    owner_body: Body | None = None,
    reason: str = "",
    actor_label: str = "",
) -> Programme:
    """Create version 1 of a joint programme of work, as a draft; returns it.

    ``key`` is a slug shared by every version (e.g. ``jpow-2024-2026``); ``title`` / ``summary`` are
    ``{language: text}`` or an English string; ``period_start`` / ``period_end`` are dates (the end not
    before the start); ``owner_body`` defaults to the Coordination Committee.

    Raises ``PermissionDenied`` unless the actor may change the Committee's content at this sensitivity
    (the secretariat, officers of the Committee), ``ValidationError`` ({field: messages}; a ``key``
    already used: make a new version instead) and ``ReasonRequired`` (confidential and above)."""
    programme = Programme(key=(key or "").strip(), period_start=period_start, period_end=period_end,
                          sensitivity=sensitivity, owner_body=owner_body or committee(), version=1,
                          created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _set_texts(programme, {"title": title, "summary": summary})
    _validate_programme(programme)
    if Programme.objects.filter(key=programme.key).exists():
        raise ValidationError({"key": _("A joint programme of work with the key %(key)s exists: make a new version of it.")
                               % {"key": programme.key}})
    _check(actor, programme, _("You may not add a joint programme of work: only the secretariat and officers of the "
                               "Coordination Committee may."))
    _require_reason(reason, levels={programme.sensitivity})
    with transaction.atomic():
        _save(programme, actor=actor, reason=reason, actor_label=actor_label)
    return programme


def programme_update(*, actor, programme: Programme, reason: str = "", actor_label: str = "", **fields) -> ChangeEvent | None:
    """Change a draft programme's ``fields`` (any of ``PROGRAMME_FIELDS``; ``title`` / ``summary`` replace
    the languages given). Returns the event, or None when nothing changed.

    Raises ``ValidationError`` on ``status`` when the programme is adopted or superseded (locked: make a
    new version), on a field otherwise; ``PermissionDenied``; ``ReasonRequired`` for confidential content;
    ``TypeError`` for an unknown field."""
    _unknown(fields, PROGRAMME_FIELDS, "programme_update")
    _check(actor, programme, _("You may read this joint programme of work but not change it."))
    stored = Programme.objects.get(pk=programme.pk)
    _require_draft(stored)
    before = snapshot(stored)
    _set_texts(programme, {f: fields.pop(f) for f in ("title", "summary") if f in fields})
    for name, value in fields.items():
        setattr(programme, name, value.strip() if isinstance(value, str) else value)
    _validate_programme(programme)
    if programme.key != stored.key and Programme.objects.filter(key=programme.key).exclude(pk=programme.pk).exists():
        raise ValidationError({"key": _("A joint programme of work with the key %(key)s exists.") % {"key": programme.key}})
    if programme.key != stored.key and stored.version > 1:
        raise ValidationError({"key": _("The key of a later version stays the key of the programme it revises.")})
    _check(actor, programme, _("You may not give the joint programme of work this sensitivity."))
    _require_reason(reason, levels={stored.sensitivity, programme.sensitivity})
    with transaction.atomic():
        return _save(programme, actor=actor, reason=reason, actor_label=actor_label, before=before)


def programme_adopt(*, actor, programme: Programme, adopted_on: dt.date, decision: str = "", reason: str,
                    actor_label: str = "") -> Programme:
    """Record the Coordination Committee's adoption of a draft programme on ``adopted_on`` (a date) by
    ``decision`` (its reference, e.g. ``CC/2019/3``; may be blank when unknown). The version it
    supersedes (``programme.supersedes``) becomes *superseded* in the same transaction. Returns the
    programme. Two events: the adopted version, and the superseded one when there is one.

    The secretariat records the Committee's decisions (``docs/access.md``: it records decisions but does
    not take them): the actor must be able to change the programme. Raises ``ValidationError`` (not a
    draft; no date; a date before the adoption of the version it supersedes), ``PermissionDenied`` and
    ``ReasonRequired`` (always)."""
    _check(actor, programme, _("You may not record the adoption of this joint programme of work."))
    stored = Programme.objects.select_related("supersedes").get(pk=programme.pk)
    _require_draft(stored)
    errors: dict[str, list[str]] = {}
    if adopted_on is None:
        errors["adopted_on"] = [_("The date of adoption is required.")]
    previous = stored.supersedes
    if adopted_on and previous is not None and previous.adopted_on and adopted_on < previous.adopted_on:
        errors["adopted_on"] = [_("Adopted on %(date)s, before version %(version)s that it supersedes (%(previous)s).")
                                % {"date": adopted_on, "version": previous.version, "previous": previous.adopted_on}]
    if len(decision or "") > 60:
        errors["decision"] = [_("The decision reference is longer than 60 characters.")]
    _raise(errors)
    _require_reason(reason, always=True)
    with transaction.atomic():
        if previous is not None and previous.status == Programme.Status.ADOPTED:
            before = snapshot(previous)
            previous.status = Programme.Status.SUPERSEDED
            _save(previous, actor=actor, reason=reason, actor_label=actor_label, before=before)
        before = snapshot(stored)
        programme.status = Programme.Status.ADOPTED
        programme.adopted_on = adopted_on
        programme.decision = (decision or "").strip()
        _save(programme, actor=actor, reason=reason, actor_label=actor_label, before=before)
    return programme


def _copy_texts(source, target, fields: Iterable[str]) -> None:
    for field in fields:
        for code in LANGUAGES:
            setattr(target, field_name(field, code), getattr(source, field_name(field, code)))


def _activity_extra(activity: Activity, entity_ids: Iterable[int]) -> dict[str, Any]:
    """The participating entities as they enter an activity's change-log event: sorted entity ids."""
    return {"participating_entities": sorted(entity_ids)}


def programme_new_version(*, actor, programme: Programme, reason: str, actor_label: str = "") -> Programme:
    """Start the next version of an adopted programme: a draft copy (version + 1, ``supersedes`` set) with
    its priorities, workplans, outputs and activities (participating entities, dates, status and
    ``carried_from`` kept). Returns the new draft. One event per row created.

    Raises ``ValidationError`` on ``status`` unless ``programme`` is adopted, or when a later version
    already exists; ``PermissionDenied``; ``ReasonRequired`` (always)."""
    _check(actor, programme, _("You may not make a new version of this joint programme of work."))
    stored = Programme.objects.get(pk=programme.pk)
    if stored.status != Programme.Status.ADOPTED:
        raise ValidationError({"status": _("Only an adopted version can be revised; this one is %(status)s.")
                               % {"status": stored.get_status_display()}})
    later = later_version(stored)
    if later is not None:
        raise ValidationError({"status": _("Version %(version)s of this programme already exists.")
                               % {"version": later.version}})
    _require_reason(reason, always=True)
    with transaction.atomic():
        draft = Programme(key=stored.key, version=stored.version + 1, period_start=stored.period_start,
                          period_end=stored.period_end, sensitivity=stored.sensitivity, owner_body_id=stored.owner_body_id,
                          supersedes=stored, created_by=actor if getattr(actor, "is_authenticated", False) else None)
        _copy_texts(stored, draft, ("title", "summary"))
        _save(draft, actor=actor, reason=reason, actor_label=actor_label)
        priorities: dict[int, Priority] = {}
        for priority in stored.priorities.all():
            copy = Priority(programme=draft, number=priority.number)
            _copy_texts(priority, copy, ("title", "description"))
            _save(copy, actor=actor, reason=reason, actor_label=actor_label)
            priorities[priority.pk] = copy
        workplans = stored.workplans.prefetch_related("outputs__activities__participating_entities")
        for workplan in workplans:
            wp = Workplan(programme=draft, body_id=workplan.body_id, sensitivity=workplan.sensitivity)
            _copy_texts(workplan, wp, ("summary",))
            _save(wp, actor=actor, reason=reason, actor_label=actor_label)
            for output in workplan.outputs.all():
                out = Output(workplan=wp, number=output.number,
                             priority=priorities.get(output.priority_id) if output.priority_id else None)
                _copy_texts(output, out, ("title",))
                _save(out, actor=actor, reason=reason, actor_label=actor_label)
                for activity in output.activities.all():
                    _copy_activity(activity, out, actor=actor, reason=reason, actor_label=actor_label,
                                   number=activity.number, status=activity.status, carried_from=activity.carried_from_id)
    return draft


def _copy_activity(activity: Activity, output: Output, *, actor, reason: str, actor_label: str, number: int,
                   status: str, carried_from: int | None) -> Activity:
    """A copy of ``activity`` under ``output`` (one event, its participating entities in it)."""
    copy = Activity(output=output, number=number, lead_entity_id=activity.lead_entity_id, start=activity.start,
                    end=activity.end, status=status, carried_from_id=carried_from)
    _copy_texts(activity, copy, ("title", "description"))
    entity_ids = [e.pk for e in activity.participating_entities.all()]
    with translation.override(_base_language(copy)):
        copy.save()
    copy.participating_entities.set(entity_ids)
    record_change(action=ChangeEvent.Action.CREATE, obj=copy,
                  changes=diff({}, {**snapshot(copy), **_activity_extra(copy, entity_ids)}),
                  reason=reason, actor=actor, actor_label=actor_label)
    return copy


# --- Priorities ---------------------------------------------------------------------------------------


def _validate_number(number, errors: dict[str, list[str]]) -> None:
    if not isinstance(number, int) or isinstance(number, bool) or number < 1 or number > 32767:
        errors.setdefault("number", []).append(_("The number is a whole number from 1 to 32767."))


def priority_create(*, actor, programme: Programme, number: int, title: Text, description: Text = None,
                    reason: str = "", actor_label: str = "") -> Priority:
    """Add priority ``number`` (1, 2, ...) to a draft programme; returns it. Raises ``PermissionDenied``
    unless the actor may change the programme, ``ValidationError`` (locked programme, number taken or not
    a positive whole number, no title) and ``ReasonRequired`` (confidential programme)."""
    _check(actor, programme, _("You may read this joint programme of work but not change it."))
    _require_draft(programme)
    priority = Priority(programme=programme, number=number)
    _set_texts(priority, {"title": title, "description": description})
    _validate_priority(priority)
    _require_reason(reason, levels={programme.sensitivity})
    with transaction.atomic():
        _save(priority, actor=actor, reason=reason, actor_label=actor_label)
    return priority


def _validate_priority(priority: Priority) -> None:
    errors: dict[str, list[str]] = {}
    _validate_number(priority.number, errors)
    _require_title(priority, errors)
    if "number" not in errors and Priority.objects.filter(
            programme_id=priority.programme_id, number=priority.number).exclude(pk=priority.pk).exists():
        errors["number"] = [_("The programme already has a priority %(number)s.") % {"number": priority.number}]
    _raise(errors)


def priority_update(*, actor, priority: Priority, reason: str = "", actor_label: str = "", **fields) -> ChangeEvent | None:
    """Change a priority's ``number``, ``title`` or ``description`` while its programme is a draft; returns
    the event or None. Raises as ``priority_create``, and ``TypeError`` for an unknown field."""
    _unknown(fields, {"number", "title", "description"}, "priority_update")
    programme = priority.programme
    _check(actor, programme, _("You may read this joint programme of work but not change it."))
    _require_draft(programme)
    before = snapshot(Priority.objects.get(pk=priority.pk))
    _set_texts(priority, {f: fields[f] for f in ("title", "description") if f in fields})
    if "number" in fields:
        priority.number = fields["number"]
    _validate_priority(priority)
    _require_reason(reason, levels={programme.sensitivity})
    with transaction.atomic():
        return _save(priority, actor=actor, reason=reason, actor_label=actor_label, before=before)


def priority_delete(*, actor, priority: Priority, reason: str, actor_label: str = "") -> ChangeEvent:
    """Delete a priority of a draft programme (outputs serving it keep no priority). Raises
    ``PermissionDenied``, ``ValidationError`` (locked) and ``ReasonRequired`` (always)."""
    programme = priority.programme
    _check(actor, programme, _("You may read this joint programme of work but not change it."))
    _require_draft(programme)
    with transaction.atomic():
        for output in Output.objects.filter(priority=priority):
            before = snapshot(output)
            output.priority = None
            _save(output, actor=actor, reason=reason, actor_label=actor_label, before=before)
        return _delete(priority, actor=actor, reason=reason, actor_label=actor_label)


# --- Workplans ----------------------------------------------------------------------------------------


def workplan_create(*, actor, programme: Programme, body: Body, summary: Text = None, sensitivity: str | None = None,
                    reason: str = "", actor_label: str = "") -> Workplan:
    """Add ``body``'s (a working group's) workplan to a draft programme; returns it. ``sensitivity``
    defaults to the programme's.

    The group's officers and the secretariat may (``can(actor, CHANGE, workplan)``, the workplan being
    the group's content). Raises ``PermissionDenied``, ``ValidationError`` (locked programme; not a working
    group; the group already has a workplan in it) and ``ReasonRequired`` (confidential)."""
    workplan = Workplan(programme=programme, body=body, sensitivity=sensitivity or programme.sensitivity)
    _set_texts(workplan, {"summary": summary})
    _check(actor, workplan, _("You may not add a workplan for this working group: only its officers and the "
                              "secretariat may."))
    _require_draft(programme)
    errors: dict[str, list[str]] = {}
    if body is None or body.kind != Body.Kind.WORKING_GROUP:
        errors["body"] = [_("A workplan belongs to a working group.")]
    elif Workplan.objects.filter(programme=programme, body=body).exists():
        errors["body"] = [_("Working group %(number)s already has a workplan in this programme.") % {"number": body.number}]
    _check_sensitivity(workplan.sensitivity, errors)
    _raise(errors)
    _require_reason(reason, levels={workplan.sensitivity})
    with transaction.atomic():
        _save(workplan, actor=actor, reason=reason, actor_label=actor_label)
    return workplan


def workplan_update(*, actor, workplan: Workplan, reason: str = "", actor_label: str = "", **fields) -> ChangeEvent | None:
    """Change a workplan's ``summary`` or ``sensitivity`` while its programme is a draft; returns the event
    or None. Raises as ``workplan_create``, and ``TypeError`` for an unknown field."""
    _unknown(fields, {"summary", "sensitivity"}, "workplan_update")
    _check(actor, workplan, _("You may read this workplan but not change it."))
    _require_draft(workplan.programme)
    stored = Workplan.objects.get(pk=workplan.pk)
    before = snapshot(stored)
    if "summary" in fields:
        _set_texts(workplan, {"summary": fields["summary"]})
    if "sensitivity" in fields:
        workplan.sensitivity = fields["sensitivity"]
    errors: dict[str, list[str]] = {}
    _check_sensitivity(workplan.sensitivity, errors)
    _raise(errors)
    _check(actor, workplan, _("You may not give this workplan that sensitivity."))
    _require_reason(reason, levels={stored.sensitivity, workplan.sensitivity})
    with transaction.atomic():
        return _save(workplan, actor=actor, reason=reason, actor_label=actor_label, before=before)


# --- Outputs ------------------------------------------------------------------------------------------


def _validate_output(output: Output) -> None:
    errors: dict[str, list[str]] = {}
    _validate_number(output.number, errors)
    _require_title(output, errors)
    if "number" not in errors and Output.objects.filter(
            workplan_id=output.workplan_id, number=output.number).exclude(pk=output.pk).exists():
        errors["number"] = [_("The workplan already has an output %(number)s.") % {"number": output.number}]
    if output.priority_id is not None and output.priority.programme_id != output.workplan.programme_id:
        errors["priority"] = [_("The priority is not one of this programme's.")]
    _raise(errors)


def output_create(*, actor, workplan: Workplan, number: int, title: Text, priority: Priority | None = None,
                  reason: str = "", actor_label: str = "") -> Output:
    """Add output ``number`` to a workplan of a draft programme, optionally serving one of its
    ``priority``; returns it. Raises ``PermissionDenied`` unless the actor may change the workplan,
    ``ValidationError`` and ``ReasonRequired`` (confidential workplan)."""
    _check(actor, workplan, _("You may read this workplan but not change it."))
    _require_draft(workplan.programme)
    output = Output(workplan=workplan, number=number, priority=priority)
    _set_texts(output, {"title": title})
    _validate_output(output)
    _require_reason(reason, levels={workplan.sensitivity})
    with transaction.atomic():
        _save(output, actor=actor, reason=reason, actor_label=actor_label)
    return output


def output_update(*, actor, output: Output, reason: str = "", actor_label: str = "", **fields) -> ChangeEvent | None:
    """Change an output's ``number``, ``title`` or ``priority``; returns the event or None. Raises as
    ``output_create``, and ``TypeError`` for an unknown field."""
    _unknown(fields, {"number", "title", "priority"}, "output_update")
    workplan = output.workplan
    _check(actor, workplan, _("You may read this workplan but not change it."))
    _require_draft(workplan.programme)
    before = snapshot(Output.objects.get(pk=output.pk))
    if "title" in fields:
        _set_texts(output, {"title": fields["title"]})
    for name in ("number", "priority"):
        if name in fields:
            setattr(output, name, fields[name])
    _validate_output(output)
    _require_reason(reason, levels={workplan.sensitivity})
    with transaction.atomic():
        return _save(output, actor=actor, reason=reason, actor_label=actor_label, before=before)


def output_delete(*, actor, output: Output, reason: str, actor_label: str = "") -> ChangeEvent:
    """Delete an output that has no activities left (delete or move them first). Raises
    ``PermissionDenied``, ``ValidationError`` and ``ReasonRequired`` (always)."""
    workplan = output.workplan
    _check(actor, workplan, _("You may read this workplan but not change it."))
    _require_draft(workplan.programme)
    count = output.activities.count()
    if count:
        raise ValidationError({"activities": _("Output %(number)s has %(count)s activities: delete them first.")
                               % {"number": output.number, "count": count}})
    with transaction.atomic():
        return _delete(output, actor=actor, reason=reason, actor_label=actor_label)


# --- Activities ---------------------------------------------------------------------------------------

#: Fields ``activity_update`` accepts; in an adopted programme only ``status`` (progress).
ACTIVITY_FIELDS = frozenset({"number", "title", "description", "lead_entity", "participating_entities", "start",
                             "end", "status", "output"})


def _validate_activity(activity: Activity, entities: list[Entity]) -> None:
    errors: dict[str, list[str]] = {}
    _validate_number(activity.number, errors)
    _require_title(activity, errors)
    if activity.lead_entity_id is None:
        errors["lead_entity"] = [_("The lead entity is required.")]
    if activity.start and activity.end and activity.end < activity.start:
        errors["end"] = [_("The activity ends on %(end)s, before it starts on %(start)s.")
                         % {"end": activity.end, "start": activity.start}]
    if activity.status not in Activity.Status.values:
        errors["status"] = [_("Unknown status %(value)r: expected one of %(known)s.")
                            % {"value": activity.status, "known": ", ".join(Activity.Status.values)}]
    if activity.lead_entity_id is not None and activity.lead_entity_id in {e.pk for e in entities}:
        errors["participating_entities"] = [_("The lead entity is not also listed among the participating entities.")]
    if "number" not in errors and Activity.objects.filter(
            output_id=activity.output_id, number=activity.number).exclude(pk=activity.pk).exists():
        errors["number"] = [_("Output %(output)s already has an activity %(number)s.")
                            % {"output": activity.output.number, "number": activity.number}]
    _raise(errors)


def activity_create(*, actor, output: Output, number: int, title: Text, lead_entity: Entity, description: Text = None,
                    participating_entities: Iterable[Entity] = (), start: dt.date | None = None,
                    end: dt.date | None = None, status: str = Activity.Status.PLANNED, reason: str = "",
                    actor_label: str = "") -> Activity:
    """Add activity ``number`` to an output of a draft programme: ``lead_entity`` (an Entity),
    ``participating_entities`` (Entities, not the lead), ``start`` / ``end`` (dates, the end not before the
    start), ``status`` (``Activity.Status``). Returns it; one event (the participating entities in it).

    Raises ``PermissionDenied`` unless the actor may change the workplan, ``ValidationError`` and
    ``ReasonRequired`` (confidential workplan)."""
    workplan = output.workplan
    _check(actor, workplan, _("You may read this workplan but not change it."))
    _require_draft(workplan.programme)
    entities = list(participating_entities)
    activity = Activity(output=output, number=number, lead_entity=lead_entity, start=start, end=end, status=status)
    _set_texts(activity, {"title": title, "description": description})
    _validate_activity(activity, entities)
    _require_reason(reason, levels={workplan.sensitivity})
    with transaction.atomic():
        with translation.override(_base_language(activity)):
            activity.save()
        activity.participating_entities.set(entities)
        record_change(action=ChangeEvent.Action.CREATE, obj=activity,
                      changes=diff({}, {**snapshot(activity), **_activity_extra(activity, [e.pk for e in entities])}),
                      reason=reason, actor=actor, actor_label=actor_label)
    return activity


def activity_update(*, actor, activity: Activity, reason: str = "", actor_label: str = "", **fields) -> ChangeEvent | None:
    """Change an activity's ``fields`` (any of ``ACTIVITY_FIELDS``; ``output`` moves it to another output of
    the same workplan); returns the event or None when nothing changed.

    In a draft programme every field may change. In an adopted programme only ``status`` may (the
    progress of the work), with a reason; a superseded version is locked. Raises ``PermissionDenied``,
    ``ValidationError``, ``ReasonRequired`` and ``TypeError`` for an unknown field."""
    _unknown(fields, ACTIVITY_FIELDS, "activity_update")
    workplan = activity.output.workplan
    programme = workplan.programme
    _check(actor, workplan, _("You may read this workplan but not change it."))
    if programme.status == Programme.Status.ADOPTED and set(fields) <= {"status"}:
        _require_reason(reason, always=True)
    else:
        _require_draft(programme)
    stored = Activity.objects.get(pk=activity.pk)
    before_ids = sorted(stored.participating_entities.values_list("pk", flat=True))
    before = {**snapshot(stored), **_activity_extra(stored, before_ids)}
    entities = fields.pop("participating_entities", None)
    entities = list(entities) if entities is not None else list(Entity.objects.filter(pk__in=before_ids))
    _set_texts(activity, {f: fields.pop(f) for f in ("title", "description") if f in fields})
    if "output" in fields and fields["output"].workplan_id != workplan.pk:
        raise ValidationError({"output": _("An activity moves only between outputs of the same workplan.")})
    for name, value in fields.items():
        setattr(activity, name, value)
    _validate_activity(activity, entities)
    _require_reason(reason, levels={workplan.sensitivity})
    with transaction.atomic():
        with translation.override(_base_language(activity)):
            activity.save()
        activity.participating_entities.set(entities)
        changes = diff(before, {**snapshot(activity), **_activity_extra(activity, [e.pk for e in entities])})
        if not changes:
            return None
        return record_change(action=ChangeEvent.Action.UPDATE, obj=activity, changes=changes, reason=reason,
                             actor=actor, actor_label=actor_label)


def activity_delete(*, actor, activity: Activity, reason: str, actor_label: str = "") -> ChangeEvent:
    """Delete an activity of a draft programme (activities carried from it keep their place, with no
    link back). Raises ``PermissionDenied``, ``ValidationError`` (locked) and ``ReasonRequired``
    (always)."""
    workplan = activity.output.workplan
    _check(actor, workplan, _("You may read this workplan but not change it."))
    _require_draft(workplan.programme)
    extra = _activity_extra(activity, activity.participating_entities.values_list("pk", flat=True))
    with transaction.atomic():
        return _delete(activity, actor=actor, reason=reason, actor_label=actor_label, extra=extra)


# --- Carry-over ---------------------------------------------------------------------------------------


def activities_carry_over(*, actor, source: Programme, target: Programme, reason: str,
                          actor_label: str = "") -> list[Activity]:
    """Carry every unfinished activity of ``source`` (status not completed or cancelled,
    ``Activity.FINISHED``) into the draft ``target``: into the workplan of the same working group (created
    if missing, at the source workplan's sensitivity) and the output of the same number and title (else
    of the same title, else created with the source's number, or the next free one). Each copy gets
    status *planned*, ``carried_from`` = the source activity, and the source's number when free (else
    the next). Returns the activities created, in the source's order.

    Idempotent: an activity already carried into ``target`` is not carried again. Only the workplans of
    ``source`` the actor may read are carried. One event per row created (workplans, outputs,
    activities). Raises ``PermissionDenied`` unless the actor may change ``target``, ``ValidationError``
    (``target`` not a draft; ``source`` is ``target``) and ``ReasonRequired`` (always)."""
    _check(actor, target, _("You may not carry activities into this joint programme of work."))
    _require_draft(target)
    if source.pk == target.pk:
        raise ValidationError({"source": _("Activities are carried from another programme, not from the same one.")})
    _require_reason(reason, always=True)
    workplans = Workplan.objects.filter(programme=source).select_related("body")
    if actor is not None:
        workplans = restrict(workplans, actor, Action.LIST)
    workplans = workplans.prefetch_related("outputs__activities__participating_entities")
    already = set(Activity.objects.filter(output__workplan__programme=target, carried_from__isnull=False)
                  .values_list("carried_from_id", flat=True))
    targets = {w.body_id: w for w in Workplan.objects.filter(programme=target).prefetch_related("outputs__activities")}
    carried: list[Activity] = []
    with transaction.atomic():
        for workplan in workplans:
            for output in workplan.outputs.all():
                pending = [a for a in output.activities.all() if a.status not in Activity.FINISHED and a.pk not in already]
                if not pending:
                    continue
                into = targets.get(workplan.body_id)
                if into is None:
                    into = Workplan(programme=target, body_id=workplan.body_id, sensitivity=workplan.sensitivity)
                    _save(into, actor=actor, reason=reason, actor_label=actor_label)
                    into._outputs = []
                    targets[workplan.body_id] = into
                outputs = _outputs_of(into)
                out = _matching_output(outputs, output)
                if out is None:
                    numbers = {o.number for o in outputs}
                    out = Output(workplan=into, number=output.number if output.number not in numbers else max(numbers) + 1)
                    _copy_texts(output, out, ("title",))
                    _save(out, actor=actor, reason=reason, actor_label=actor_label)
                    out._activity_numbers = set()
                    outputs.append(out)
                numbers = _activity_numbers(out)
                for activity in pending:
                    number = activity.number if activity.number not in numbers else max(numbers) + 1
                    numbers.add(number)
                    carried.append(_copy_activity(activity, out, actor=actor, reason=reason, actor_label=actor_label,
                                                  number=number, status=Activity.Status.PLANNED,
                                                  carried_from=activity.pk))
    return carried


def _outputs_of(workplan: Workplan) -> list[Output]:
    if not hasattr(workplan, "_outputs"):
        workplan._outputs = list(workplan.outputs.all())
    return workplan._outputs


def _activity_numbers(output: Output) -> set[int]:
    if not hasattr(output, "_activity_numbers"):
        output._activity_numbers = {a.number for a in output.activities.all()}
    return output._activity_numbers


def _title_key(output: Output) -> tuple[str, ...]:
    return tuple((getattr(output, field_name("title", code)) or "").strip().casefold() for code in LANGUAGES)


def _matching_output(outputs: list[Output], source: Output) -> Output | None:
    """The output among ``outputs`` with the number and title of ``source``, else with its title."""
    key = _title_key(source)
    for output in outputs:
        if output.number == source.number and _title_key(output) == key:
            return output
    return next((o for o in outputs if _title_key(o) == key), None)


# --- Default data -------------------------------------------------------------------------------------

#: The shipped programmes (``importlib.resources`` path inside the package).
DEFAULT_PROGRAMMES = ("data", "programmes.yaml")


def default_programmes_file():
    """The programmes shipped with the platform (a ``Traversable``; see ``importlib.resources``)."""
    from importlib import resources

    return resources.files("compact").joinpath(*DEFAULT_PROGRAMMES)


def read_programmes(text: str) -> list[dict[str, Any]]:
    """The programmes of a ``compact-programmes`` file (YAML, version 1): a list of mappings with ``key``,
    ``title`` / ``summary`` ({language: text}), ``period_start`` / ``period_end`` / ``adopted_on`` (dates),
    ``decision``, ``sensitivity``, ``priorities`` ([{number, title, description}]) and ``workplans``
    (working-group keys). Raises ``ValidationError`` naming the programme (by position) and the field
    that is wrong."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(text) or {}
    if data.get("format") != "compact-programmes" or data.get("version") != 1:
        raise ValidationError({"format": _("Expected a compact-programmes file, version 1.")})
    programmes = data.get("programmes") or []
    for index, item in enumerate(programmes, start=1):
        for field in ("key", "title", "period_start", "period_end"):
            if not item.get(field):
                raise ValidationError({field: _("Programme %(index)s: %(field)s is missing.")
                                       % {"index": index, "field": field}})
        for field in ("period_start", "period_end", "adopted_on"):
            value = item.get(field)
            if value is not None and not isinstance(value, dt.date):
                raise ValidationError({field: _("Programme %(index)s: %(field)s is not a date (YYYY-MM-DD): %(value)r.")
                                       % {"index": index, "field": field, "value": value}})
    return programmes


def load_default_programmes(*, actor=None, actor_label: str = "compact setup",
                            reason: str = "Default data: the joint programmes of work adopted by the Coordination Committee",
                            ) -> list[Programme]:
    """Load the shipped joint programmes of work (``src/compact/data/programmes.yaml``) through the
    services above, when the planning tables hold no programme; returns the programmes created (an empty
    list when some programme already exists, so that running it again changes nothing).

    Each programme is created, given its priorities and its working groups' (empty) workplans, then
    adopted on its date. Raises ``ValidationError`` for a malformed file or a working group missing from
    the registry (load the default structure first)."""
    if Programme.objects.exists():
        return []
    programmes = read_programmes(default_programmes_file().read_text(encoding="utf-8"))
    created: list[Programme] = []
    with transaction.atomic():
        for item in programmes:
            programme = programme_create(
                actor=actor, actor_label=actor_label, reason=reason, key=item["key"], title=item["title"],
                summary=item.get("summary"), period_start=item["period_start"], period_end=item["period_end"],
                sensitivity=item.get("sensitivity", Sensitivity.PUBLIC))
            for priority in item.get("priorities") or []:
                priority_create(actor=actor, actor_label=actor_label, reason=reason, programme=programme,
                                number=priority["number"], title=priority["title"], description=priority.get("description"))
            for key in item.get("workplans") or []:
                body = Body.objects.filter(key=key).first()
                if body is None:
                    raise ValidationError({"workplans": _("Programme %(programme)s: no working group %(key)s in the registry.")
                                           % {"programme": item["key"], "key": key}})
                workplan_create(actor=actor, actor_label=actor_label, reason=reason, programme=programme, body=body)
            if item.get("adopted_on"):
                programme_adopt(actor=actor, actor_label=actor_label, reason=reason, programme=programme,
                                adopted_on=item["adopted_on"], decision=item.get("decision") or "")
            created.append(programme)
    return created
