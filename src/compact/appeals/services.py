"""Every write of the appeal: calls for proposals (criteria, reviewers, opening, closing), proposals,
reviewers' scores, the selection, and appeals (drafting, forming from a call, publishing, closing).

Each service runs in one ``transaction.atomic()``, checks who may act (``compact.access.policy`` and
the user's standing, ``compact.access.principal``), validates with ``ValidationError`` naming each
field, writes, and records one change-log event per row written (``compact.audit.services``).
Many-to-many links (a call's reviewers, an appeal's projects) are recorded in the event of the row
that holds them, as ``{"reviewers": [before, after]}`` lists of usernames / project ids.

Who does what (the UN Joint Appeal for Counter-Terrorism in Africa, 2023, was run this way by the
resource-mobilization working group, WG 5):

- the secretariat drafts a call for a body (default ``wg-5``), its criteria with weights, its deadline,
  highest score and reviewers (``call_create`` / ``call_update``), then opens it (``call_open``): the
  call becomes public with its criteria and weights, which are locked from then on; a draft it no
  longer needs it deletes (``call_delete``);
- a focal point of a project's lead entity, or the secretariat, submits the project (``proposal_submit``)
  while the call is open and before its deadline; the project must have left the draft stage;
- the secretariat or an officer of the call's body closes the call (``call_close``); then, and only
  then, the named reviewers score each proposal against each criterion (``score_set``), so that every
  reviewer scores the same, complete set of proposals;
- the secretariat or an officer of the call's body selects (``call_select``): the call is decided; the
  selected projects form a draft appeal (``appeal_from_call``) that the secretariat publishes
  (``appeal_publish``) once all its projects are published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from compact.access.models import Sensitivity
from compact.access.policy import Action, can, restrict
from compact.access.principal import principal_for
from compact.appeals.models import Appeal, Call, Criterion, Proposal, Score
from compact.audit.models import ChangeEvent
from compact.audit.services import diff, record_change, snapshot
from compact.projects.models import Project
from compact.reference.geography import area
from compact.registry.models import Body

#: The six UN languages a title, description or criterion may be given in.
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

#: The body a call belongs to when none is given: the resource-mobilization working group.
DEFAULT_CALL_BODY = "wg-5"

#: Appeal keys that would hide a page under ``/appeals/``.
RESERVED_KEYS = frozenset({"calls", "new"})

#: Project stages a proposal may be made from: any but draft (IATI-style workflow, ``Project.Stage``).
SUBMITTABLE_STAGES = frozenset({Project.Stage.SUBMITTED, Project.Stage.ENDORSED, Project.Stage.PUBLISHED})


# --- helpers ---------------------------------------------------------------------------------------


def _texts(field: str, value: Mapping[str, str] | str | None) -> dict[str, str | None]:
    """``{"title_en": ..., ...}`` for the six languages from ``{language: text}`` or a plain string
    (English). Raises ``ValidationError`` on ``field`` for a language that is not one of the six."""
    if value is None:
        value = {}
    if isinstance(value, str):
        value = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: value}
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValidationError({field: _("Unknown language %(codes)s: expected one of %(known)s.")
                               % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGES)}})
    return {build_localized_fieldname(field, code): ((value.get(code) or "").strip() or None) for code in LANGUAGES}


def _set_texts(obj, field: str, value) -> None:
    """Set ``obj``'s per-language columns of ``field`` and the base column (English, else the first given)."""
    texts = _texts(field, value)
    for name, text in texts.items():
        setattr(obj, name, text)
    setattr(obj, field, next((t for t in (texts[build_localized_fieldname(field, c)] for c in ("en", *LANGUAGES)) if t), ""))


def _has_text(obj, field: str) -> bool:
    return any(getattr(obj, build_localized_fieldname(field, code)) for code in LANGUAGES)


def _require_secretariat(actor, message: str) -> None:
    if not principal_for(actor).is_secretariat:
        raise PermissionDenied(message)


def _require_secretariat_or_officer(actor, body_id: int, message: str) -> None:
    principal = principal_for(actor)
    if not (principal.is_secretariat or body_id in principal.officer_body_ids):
        raise PermissionDenied(message)


def _created(obj, *, actor, reason: str, extra: dict[str, list[Any]] | None = None) -> None:
    record_change(action=ChangeEvent.Action.CREATE, obj=obj, changes=diff({}, snapshot(obj)) | (extra or {}),
                  reason=reason, actor=actor)


def _saved(obj, before: dict[str, Any], *, actor, reason: str, extra: dict[str, list[Any]] | None = None) -> bool:
    """Save ``obj`` and record its field changes (and ``extra``) as one update; nothing when unchanged."""
    changes = diff(before, snapshot(obj)) | (extra or {})
    if not changes:
        return False
    obj.save()
    record_change(action=ChangeEvent.Action.UPDATE, obj=obj, changes=changes, reason=reason, actor=actor)
    return True


def _usernames(users: Iterable) -> list[str]:
    return sorted(u.get_username() for u in users)


# --- calls for proposals ---------------------------------------------------------------------------


def _clean_criteria(criteria: Sequence[Mapping[str, Any]]) -> list[Criterion]:
    """Unsaved ``Criterion`` rows numbered from 1, from ``[{"name": str | {lang: text}, "description":
    ..., "weight": Decimal | int | str}]``. Raises ``ValidationError`` on ``criteria`` naming the item
    (1-based) with no name, or a weight that is not a number greater than 0 with at most two decimals."""
    errors: list[str] = []
    rows: list[Criterion] = []
    if not criteria:
        errors.append(_("A call needs at least one criterion."))
    for number, item in enumerate(criteria, start=1):
        criterion = Criterion(number=number)
        try:
            _set_texts(criterion, "name", item.get("name"))
            _set_texts(criterion, "description", item.get("description"))
        except ValidationError as exc:
            errors.append(_("Criterion %(number)s: %(message)s") % {"number": number, "message": " ".join(exc.messages)})
            continue
        if not _has_text(criterion, "name"):
            errors.append(_("Criterion %(number)s has no name.") % {"number": number})
        raw = item.get("weight")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            errors.append(_("Criterion %(number)s has no weight.") % {"number": number})
            continue
        if isinstance(raw, float):
            errors.append(_("Criterion %(number)s: give the weight as a decimal number, not a float.") % {"number": number})
            continue
        try:
            weight = Decimal(str(raw).strip())
        except InvalidOperation:
            weight = None
        if weight is None or not weight.is_finite() or weight <= 0 or weight.as_tuple().exponent < -2 or weight >= 10_000:
            errors.append(_("Criterion %(number)s: the weight %(value)s is not a number greater than 0 with at most "
                            "two decimals.") % {"number": number, "value": raw})
            continue
        criterion.weight = weight
        rows.append(criterion)
    if errors:
        raise ValidationError({"criteria": errors})
    return rows


def _validate_call(call: Call, reviewers: Sequence | None) -> None:
    errors: dict[str, list[str]] = {}
    if not _has_text(call, "title"):
        errors["title"] = [_("A title is required, in at least one language.")]
    if call.deadline is None:
        errors["deadline"] = [_("A deadline is required.")]
    elif timezone.is_naive(call.deadline):
        errors["deadline"] = [_("The deadline needs a time zone.")]
    elif call.opens is not None and call.opens > timezone.localtime(call.deadline).date():
        errors["opens"] = [_("The call would open (%(opens)s) after its deadline (%(deadline)s).")
                           % {"opens": call.opens, "deadline": timezone.localtime(call.deadline).date()}]
    if not isinstance(call.max_score, int) or isinstance(call.max_score, bool) or not 1 <= call.max_score <= 100:
        errors["max_score"] = [_("The highest score is a whole number from 1 to 100.")]
    if call.sensitivity not in Sensitivity.values:
        errors["sensitivity"] = [_("Unknown sensitivity %(value)r.") % {"value": call.sensitivity}]
    if reviewers is not None:
        inactive = [u.get_username() for u in reviewers if not u.is_active]
        if inactive:
            errors["reviewers"] = [_("These reviewers' accounts are not active: %(names)s.") % {"names": ", ".join(inactive)}]
    if errors:
        raise ValidationError(errors)


def call_create(
    *,
    actor,
    title: Mapping[str, str] | str,
    deadline: dt.datetime,
    criteria: Sequence[Mapping[str, Any]],
    description: Mapping[str, str] | str | None = None,
    body: Body | None = None,
    opens: dt.date | None = None,
    max_score: int = 5,
    reviewers: Sequence = (),
    sensitivity: str = Sensitivity.INTERNAL,
    reason: str = "",
) -> Call:
    """Draft a call for proposals; returns it (status ``draft``).

    ``title`` / ``description`` and each criterion's ``name`` / ``description``: ``{language: text}`` in
    the six UN languages, or a plain string (English). ``criteria``: ``[{"name", "description", "weight"}]``,
    numbered 1, 2, ... in the order given; weights are positive decimals (e.g. 40, 30, 30), normalised when
    scores are combined (``selectors.call_ranking``). ``deadline``: an aware datetime. ``max_score``: the
    highest score a reviewer may give (1-100). ``body`` defaults to the resource-mobilization working
    group (``wg-5``). ``opens``: the planned opening date (optional, not after the deadline; ``call_open``
    sets the day it really opens). ``reviewers``: active users.

    The secretariat only (``PermissionDenied`` otherwise). Raises ``ValidationError`` ({field: messages}).
    Writes the call and each criterion: one change-log event each (the reviewers in the call's).
    """
    _require_secretariat(actor, _("Only the secretariat drafts calls for proposals."))
    body = body or Body.objects.filter(key=DEFAULT_CALL_BODY).first()
    if body is None:
        raise ValidationError({"body": _("A call belongs to a body.")})
    call = Call(body=body, opens=opens, deadline=deadline, max_score=max_score, sensitivity=sensitivity)
    _set_texts(call, "title", title)
    _set_texts(call, "description", description)
    reviewers = list(reviewers)
    errors: dict[str, list[str]] = {}
    for check in (lambda: _validate_call(call, reviewers), lambda: _clean_criteria(criteria)):
        try:
            check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    rows = _clean_criteria(criteria)
    with transaction.atomic():
        call.save()
        call.reviewers.set(reviewers)
        _created(call, actor=actor, reason=reason, extra={"reviewers": [None, _usernames(reviewers)]})
        for criterion in rows:
            criterion.call = call
            criterion.save()
            _created(criterion, actor=actor, reason=reason)
    return call


#: Fields ``call_update`` accepts; ``CALL_LOCKED_FIELDS`` only while the call is a draft.
CALL_FIELDS = frozenset({"title", "description", "opens", "deadline", "reviewers", "criteria", "max_score", "sensitivity",
                         "body"})
CALL_LOCKED_FIELDS = frozenset({"criteria", "max_score", "body", "opens"})


def call_update(*, actor, call: Call, reason: str = "", **fields) -> Call:
    """Change a call; only the ``fields`` given change (names as ``call_create``).

    The criteria, their weights, the highest score, the body and the opening date are locked once the call is open
    (``ValidationError`` naming the field); the title, description, deadline, reviewers and sensitivity
    may change until the call is decided. Given ``criteria`` replace the call's criteria (each removed
    and each new one is its own change-log event). The secretariat only.
    """
    _require_secretariat(actor, _("Only the secretariat changes calls for proposals."))
    unknown = sorted(set(fields) - CALL_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    call = Call.objects.get(pk=call.pk)
    if call.status == Call.Status.DECIDED:
        raise ValidationError({"status": _("The call is decided: it can no longer change.")})
    if call.status != Call.Status.DRAFT:
        locked = sorted(set(fields) & CALL_LOCKED_FIELDS)
        if locked:
            raise ValidationError({name: _("Locked: the call is open, its criteria, weights and highest score are "
                                           "published.") for name in locked})
    before = snapshot(call)
    for name in ("title", "description"):
        if name in fields:
            _set_texts(call, name, fields[name])
    for name in ("opens", "deadline", "max_score", "sensitivity", "body"):
        if name in fields:
            setattr(call, name, fields[name])
    if call.body_id is None:
        raise ValidationError({"body": _("A call belongs to a body.")})
    reviewers = list(fields["reviewers"]) if "reviewers" in fields else None
    _validate_call(call, reviewers)
    rows = _clean_criteria(fields["criteria"]) if "criteria" in fields else None
    with transaction.atomic():
        extra = {}
        if reviewers is not None:
            old = _usernames(call.reviewers.all())
            if old != _usernames(reviewers):
                extra["reviewers"] = [old, _usernames(reviewers)]
                call.reviewers.set(reviewers)
        _saved(call, before, actor=actor, reason=reason, extra=extra)
        if rows is not None:
            for criterion in list(call.criteria.all()):
                record_change(action=ChangeEvent.Action.DELETE, obj=criterion, changes=diff(snapshot(criterion), {}),
                              reason=reason, actor=actor)
                criterion.delete()
            for criterion in rows:
                criterion.call = call
                criterion.save()
                _created(criterion, actor=actor, reason=reason)
    return call


def call_open(*, actor, call: Call, reason: str = "") -> Call:
    """Open a draft call: its criteria and weights are published (the call becomes public) and locked;
    entities may submit until the deadline. The secretariat only. Refused (``ValidationError`` on
    ``status`` / ``deadline`` / ``reviewers``) unless the call is a draft, its deadline is in the future and
    it has at least one reviewer. One change-log event."""
    _require_secretariat(actor, _("Only the secretariat opens calls for proposals."))
    call = Call.objects.get(pk=call.pk)
    errors: dict[str, list[str]] = {}
    if call.status != Call.Status.DRAFT:
        errors["status"] = [_("Only a draft call can be opened; this one is %(status)s.") % {"status": call.get_status_display()}]
    if call.deadline <= timezone.now():
        errors["deadline"] = [_("The deadline has passed: set a later one first.")]
    if not call.reviewers.exists():
        errors["reviewers"] = [_("Name at least one reviewer first.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(call)
    call.status = Call.Status.OPEN
    call.opens = timezone.localdate()
    call.sensitivity = Sensitivity.PUBLIC
    with transaction.atomic():
        _saved(call, before, actor=actor, reason=reason)
    return call


def call_close(*, actor, call: Call, reason: str = "") -> Call:
    """Close an open call: no more proposals; reviewers may now score. The secretariat or an officer of
    the call's body. ``ValidationError`` on ``status`` unless it is open. One change-log event."""
    _require_secretariat_or_officer(actor, call.body_id, _("Only the secretariat or the officers of the call's body "
                                                           "close it."))
    call = Call.objects.get(pk=call.pk)
    if call.status != Call.Status.OPEN:
        raise ValidationError({"status": _("Only an open call can be closed; this one is %(status)s.")
                               % {"status": call.get_status_display()}})
    before = snapshot(call)
    call.status = Call.Status.CLOSED
    with transaction.atomic():
        _saved(call, before, actor=actor, reason=reason)
    return call


def call_delete(*, actor, call: Call, reason: str) -> None:
    """Delete a draft call with its criteria (a call that was opened has been public: it stays, and is
    closed instead). The secretariat only (``PermissionDenied``); a reason is required (``ValidationError``
    on ``reason``); ``ValidationError`` on ``status`` unless the call is a draft. One change-log event per
    row deleted: each criterion, then the call (with its reviewers' usernames)."""
    _require_secretariat(actor, _("Only the secretariat deletes calls for proposals."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the call is deleted.")})
    call = Call.objects.get(pk=call.pk)
    if call.status != Call.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft call can be deleted; this one is %(status)s: close it instead.")
                               % {"status": call.get_status_display()}})
    with transaction.atomic():
        for criterion in list(call.criteria.all()):
            record_change(action=ChangeEvent.Action.DELETE, obj=criterion, changes=diff(snapshot(criterion), {}),
                          reason=reason, actor=actor)
            criterion.delete()
        record_change(action=ChangeEvent.Action.DELETE, obj=call,
                      changes=diff(snapshot(call), {}) | {"reviewers": [_usernames(call.reviewers.all()), None]},
                      reason=reason, actor=actor)
        call.delete()


# --- proposals and scores --------------------------------------------------------------------------


def _may_propose(actor, project: Project) -> bool:
    """The secretariat, or a focal point of the project's lead entity who may read the project."""
    principal = principal_for(actor)
    if principal.is_secretariat:
        return True
    return (principal.is_focal_point and principal.entity_id == project.lead_entity_id
            and can(actor, Action.VIEW, project))


def proposal_submit(*, actor, call: Call, project: Project, reason: str = "") -> Proposal:
    """Submit ``project`` to ``call``; returns the proposal.

    Who: a focal point of the project's lead entity, or the secretariat (``PermissionDenied``). When:
    while the call is open and before its deadline (``ValidationError`` on ``call`` / ``deadline``).
    What: a project that has left the draft stage (submitted, endorsed or published; ``project``), once
    per call (``project``; a withdrawn proposal may be submitted again). One change-log event.
    """
    if not _may_propose(actor, project):
        raise PermissionDenied(_("Only a focal point of the project's lead entity, or the secretariat, submits it."))
    call = Call.objects.get(pk=call.pk)
    errors: dict[str, list[str]] = {}
    if call.status != Call.Status.OPEN:
        errors["call"] = [_("The call is %(status)s: proposals are taken only while it is open.")
                          % {"status": call.get_status_display()}]
    elif timezone.now() >= call.deadline:
        errors["deadline"] = [_("The deadline (%(deadline)s) has passed.")
                              % {"deadline": timezone.localtime(call.deadline).strftime("%Y-%m-%d %H:%M %Z")}]
    if project.stage not in SUBMITTABLE_STAGES:
        errors["project"] = [_("“%(project)s” is a draft: submit it in its workflow first.") % {"project": project}]
    existing = Proposal.objects.filter(call=call, project=project).first()
    if existing is not None and existing.status != Proposal.Status.WITHDRAWN:
        errors.setdefault("project", []).append(_("“%(project)s” is already proposed to this call.") % {"project": project})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if existing is not None:
            before = snapshot(existing)
            existing.status = Proposal.Status.SUBMITTED
            existing.submitted_by = actor
            _saved(existing, before, actor=actor, reason=reason)
            return existing
        proposal = Proposal.objects.create(call=call, project=project, submitted_by=actor)
        _created(proposal, actor=actor, reason=reason)
    return proposal


def proposal_withdraw(*, actor, proposal: Proposal, reason: str) -> Proposal:
    """Withdraw a proposal while its call is open (``ValidationError`` on ``call`` otherwise). The same
    people as ``proposal_submit``; a reason is required. One change-log event."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the proposal is withdrawn.")})
    proposal = Proposal.objects.select_related("call", "project").get(pk=proposal.pk)
    if not _may_propose(actor, proposal.project):
        raise PermissionDenied(_("Only a focal point of the project's lead entity, or the secretariat, withdraws it."))
    if proposal.call.status != Call.Status.OPEN or proposal.status != Proposal.Status.SUBMITTED:
        raise ValidationError({"call": _("Only a submitted proposal to an open call can be withdrawn.")})
    before = snapshot(proposal)
    proposal.status = Proposal.Status.WITHDRAWN
    with transaction.atomic():
        _saved(proposal, before, actor=actor, reason=reason)
    return proposal


def score_set(*, actor, proposal: Proposal, criterion: Criterion, score: int, comment: str = "",
              reason: str = "") -> Score:
    """Give (or change) the actor's score of ``proposal`` against ``criterion``: a whole number from 0
    to the call's highest score. Returns the score.

    Who: a reviewer named on the call (``PermissionDenied`` for anyone else, the secretariat included).
    When: after the call is closed and before it is decided, so that all reviewers score the same,
    complete set of proposals (``ValidationError`` on ``call``). One score per reviewer, criterion and
    proposal: a second call updates it. Raises ``ValidationError`` on ``score`` out of range, on
    ``criterion`` for a criterion of another call, on ``proposal`` for a withdrawn one. One change-log
    event (none when nothing changes).
    """
    proposal = Proposal.objects.select_related("call").get(pk=proposal.pk)
    call = proposal.call
    if not getattr(actor, "is_authenticated", False) or not call.reviewers.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("Only the reviewers named on the call score its proposals."))
    errors: dict[str, list[str]] = {}
    if call.status != Call.Status.CLOSED:
        errors["call"] = [_("Proposals are scored once the call is closed and until it is decided; this call is "
                            "%(status)s.") % {"status": call.get_status_display()}]
    if criterion.call_id != call.pk:
        errors["criterion"] = [_("This criterion is not one of the call's.")]
    if proposal.status == Proposal.Status.WITHDRAWN:
        errors["proposal"] = [_("This proposal was withdrawn.")]
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= call.max_score:
        errors["score"] = [_("The score %(value)s is out of range: give a whole number from 0 to %(max)s.")
                           % {"value": score, "max": call.max_score}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Score.objects.select_for_update().filter(proposal=proposal, criterion=criterion, reviewer=actor).first()
        if row is None:
            row = Score.objects.create(proposal=proposal, criterion=criterion, reviewer=actor, score=score,
                                       comment=comment.strip())
            _created(row, actor=actor, reason=reason)
            return row
        before = snapshot(row)
        row.score = score
        row.comment = comment.strip()
        _saved(row, before, actor=actor, reason=reason)
    return row


def call_select(*, actor, call: Call, selected: Iterable[Proposal], reason: str) -> Call:
    """Decide a closed call: the ``selected`` proposals are marked selected, every other submitted one
    not selected, and the call becomes decided. The secretariat or an officer of the call's body; a
    reason is required. Raises ``ValidationError`` on ``status`` unless the call is closed, on
    ``selected`` for a proposal of another call or a withdrawn one (named). One change-log event per
    proposal whose status changes, and one for the call."""
    _require_secretariat_or_officer(actor, call.body_id, _("Only the secretariat or the officers of the call's body "
                                                           "select proposals."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say on what the selection rests (e.g. the meeting that took it).")})
    call = Call.objects.get(pk=call.pk)
    chosen = {p.pk for p in selected}
    proposals = list(call.proposals.select_related("project"))
    errors: dict[str, list[str]] = {}
    if call.status != Call.Status.CLOSED:
        errors["status"] = [_("Only a closed call can be decided; this one is %(status)s.") % {"status": call.get_status_display()}]
    stray = chosen - {p.pk for p in proposals}
    if stray:
        errors["selected"] = [_("Proposals %(ids)s are not proposals to this call.") % {"ids": ", ".join(map(str, sorted(stray)))}]
    withdrawn = [str(p.project) for p in proposals if p.pk in chosen and p.status == Proposal.Status.WITHDRAWN]
    if withdrawn:
        errors.setdefault("selected", []).append(_("Withdrawn proposals cannot be selected: %(names)s.")
                                                 % {"names": "; ".join(withdrawn)})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for proposal in proposals:
            if proposal.status == Proposal.Status.WITHDRAWN:
                continue
            before = snapshot(proposal)
            proposal.status = Proposal.Status.SELECTED if proposal.pk in chosen else Proposal.Status.NOT_SELECTED
            _saved(proposal, before, actor=actor, reason=reason)
        before = snapshot(call)
        call.status = Call.Status.DECIDED
        _saved(call, before, actor=actor, reason=reason)
    return call


# --- appeals ---------------------------------------------------------------------------------------


def _validate_appeal(appeal: Appeal) -> None:
    errors: dict[str, list[str]] = {}
    if not appeal.key or slugify(appeal.key) != appeal.key or appeal.key in RESERVED_KEYS:
        errors["key"] = [_("The key “%(key)s” is not usable: lower-case letters, digits and hyphens, not “calls” or "
                           "“new”.") % {"key": appeal.key}]
    elif Appeal.objects.filter(key=appeal.key).exclude(pk=appeal.pk).exists():
        errors["key"] = [_("Another appeal has the key “%(key)s”.") % {"key": appeal.key}]
    if not _has_text(appeal, "title"):
        errors["title"] = [_("A title is required, in at least one language.")]
    if appeal.period_start is None or appeal.period_end is None:
        errors["period_end"] = [_("An appeal covers a period: give its start and end.")]
    elif appeal.period_end < appeal.period_start:
        errors["period_end"] = [_("The period ends (%(end)s) before it starts (%(start)s).")
                                % {"end": appeal.period_end, "start": appeal.period_start}]
    if appeal.region:
        try:
            found = area(appeal.region)
        except ValidationError as exc:
            errors["region"] = exc.messages
        else:
            if found.is_country:
                errors["region"] = [_("'%(value)s' is a country's code: an appeal's region is a UN M49 region, e.g. 002 "
                                      "Africa.") % {"value": found.code}]
            else:
                appeal.region = found.code
    if appeal.sensitivity not in Sensitivity.values:
        errors["sensitivity"] = [_("Unknown sensitivity %(value)r.") % {"value": appeal.sensitivity}]
    if errors:
        raise ValidationError(errors)


def _project_ids(projects: Iterable[Project]) -> list[int]:
    return sorted({p.pk for p in projects})


def _readable_ids(actor, projects: Iterable[Project]) -> set[int]:
    """Ids of ``projects`` that ``actor`` may read (one query)."""
    ids = {p.pk for p in projects}
    if not ids:
        return set()
    return set(restrict(Project.objects.filter(pk__in=ids), actor, Action.VIEW).values_list("pk", flat=True))


def _refuse_unreadable(actor, projects: Sequence[Project]) -> None:
    """``ValidationError`` on ``projects`` naming (by number only) the projects ``actor`` may not read."""
    hidden = sorted({p.pk for p in projects} - _readable_ids(actor, projects))
    if hidden:
        raise ValidationError({"projects": _("An appeal presents projects you may read; you may not read the projects "
                                             "numbered %(ids)s.") % {"ids": ", ".join(map(str, hidden))}})


def appeal_create(
    *,
    actor,
    key: str,
    title: Mapping[str, str] | str,
    period_start: dt.date,
    period_end: dt.date,
    body: Body | None = None,
    description: Mapping[str, str] | str | None = None,
    region: str = "",
    projects: Iterable[Project] = (),
    sensitivity: str = Sensitivity.INTERNAL,
    reason: str = "",
) -> Appeal:
    """Draft an appeal; returns it (status ``draft``).

    ``key``: a slug naming it in addresses (``/appeals/<key>/``); ``title`` / ``description`` in the six
    languages (or a plain string, English); ``body`` defaults to ``wg-5``; ``region``: an optional UN M49
    region code (e.g. ``"002"`` Africa; a country's code is refused); ``projects``: the joint projects
    it presents, each one the actor may read (``ValidationError`` on ``projects`` naming the others by
    number). Whoever may change the resulting appeal (the secretariat, officers of its body;
    ``PermissionDenied`` otherwise). Raises ``ValidationError`` ({field: messages}). One change-log event
    (its project ids in it).
    """
    return _create_appeal(actor=actor, key=key, title=title, period_start=period_start, period_end=period_end,
                          body=body, description=description, region=region, projects=list(projects),
                          sensitivity=sensitivity, reason=reason, readable_only=True)


def _create_appeal(*, actor, key, title, period_start, period_end, body, description, region, projects: list[Project],
                   sensitivity, reason, readable_only: bool) -> Appeal:
    body = body or Body.objects.filter(key=DEFAULT_CALL_BODY).first()
    appeal = Appeal(key=(key or "").strip(), body=body, period_start=period_start, period_end=period_end,
                    region=(region or "").strip(), sensitivity=sensitivity)
    _set_texts(appeal, "title", title)
    _set_texts(appeal, "description", description)
    _validate_appeal(appeal)
    if not can(actor, Action.CHANGE, appeal):
        raise PermissionDenied(_("Only the secretariat or the officers of the body draft its appeals."))
    if readable_only:
        _refuse_unreadable(actor, projects)
    with transaction.atomic():
        appeal.save()
        appeal.projects.set(projects)
        _created(appeal, actor=actor, reason=reason, extra={"projects": [None, _project_ids(projects)]})
    return appeal


#: Fields ``appeal_update`` accepts.
APPEAL_FIELDS = frozenset({"key", "title", "description", "body", "period_start", "period_end", "region", "projects",
                           "sensitivity"})


def appeal_update(*, actor, appeal: Appeal, reason: str = "", **fields) -> Appeal:
    """Change an appeal; only the ``fields`` given change (names as ``appeal_create``). A published
    appeal's projects must stay published (``projects``) and its changes need a reason (``reason``).
    Whoever may change it (``PermissionDenied``). One change-log event (none when nothing changes).

    Given ``projects`` replace the appeal's projects that the actor may read: each must be one they may
    read (``ValidationError`` on ``projects``, by number), and the appeal's projects they may not read
    stay in it (a list made on a page or in the API never holds them)."""
    if not can(actor, Action.CHANGE, appeal):
        raise PermissionDenied(_("Only the secretariat or the officers of the body change its appeals."))
    unknown = sorted(set(fields) - APPEAL_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    appeal = Appeal.objects.get(pk=appeal.pk)
    if appeal.status != Appeal.Status.DRAFT and not reason.strip():
        raise ValidationError({"reason": _("The appeal is published: say why it changes.")})
    before = snapshot(appeal)
    for name in ("title", "description"):
        if name in fields:
            _set_texts(appeal, name, fields[name])
    for name in ("key", "body", "period_start", "period_end", "region", "sensitivity"):
        if name in fields:
            setattr(appeal, name, (fields[name] or "").strip() if name in ("key", "region") else fields[name])
    _validate_appeal(appeal)
    if not can(actor, Action.CHANGE, appeal):
        raise PermissionDenied(_("You may not give the appeal this body or sensitivity."))
    projects = list(fields["projects"]) if "projects" in fields else None
    if projects is not None:
        _refuse_unreadable(actor, projects)
        current = list(appeal.projects.all())
        readable = _readable_ids(actor, current)
        projects = list({p.pk: p for p in [*projects, *(p for p in current if p.pk not in readable)]}.values())
        if appeal.status == Appeal.Status.PUBLISHED:
            _refuse_unpublished(projects)
    with transaction.atomic():
        extra = {}
        if projects is not None:
            old = _project_ids(appeal.projects.all())
            if old != _project_ids(projects):
                extra["projects"] = [old, _project_ids(projects)]
                appeal.projects.set(projects)
        _saved(appeal, before, actor=actor, reason=reason, extra=extra)
    return appeal


def appeal_from_call(*, actor, call: Call, key: str, period_start: dt.date, period_end: dt.date,
                     title: Mapping[str, str] | str | None = None, reason: str = "") -> Appeal:
    """Form a draft appeal of a decided call's selected projects (all of them, also those the actor may
    not read: the call shared their titles with its managers), owned by the call's body, titled as the
    call unless ``title`` is given; the call points to it. The secretariat or an officer of the call's
    body. Raises ``ValidationError`` on ``call`` unless it is decided, has selected proposals and has no
    appeal yet. Two change-log events: the appeal and the call."""
    _require_secretariat_or_officer(actor, call.body_id, _("Only the secretariat or the officers of the call's body "
                                                           "form its appeal."))
    call = Call.objects.get(pk=call.pk)
    selected = [p.project for p in call.proposals.filter(status=Proposal.Status.SELECTED).select_related("project")]
    if call.status != Call.Status.DECIDED:
        raise ValidationError({"call": _("The call is not decided yet.")})
    if call.appeal_id is not None:
        raise ValidationError({"call": _("The call has already formed an appeal.")})
    if not selected:
        raise ValidationError({"call": _("No proposal of this call was selected.")})
    if title is None:
        title = {code: getattr(call, build_localized_fieldname("title", code)) or "" for code in LANGUAGES}
    with transaction.atomic():
        appeal = _create_appeal(actor=actor, key=key, title=title, period_start=period_start, period_end=period_end,
                                body=call.body, description=None, region="", projects=selected,
                                sensitivity=Sensitivity.INTERNAL, reason=reason, readable_only=False)
        before = snapshot(call)
        call.appeal = appeal
        _saved(call, before, actor=actor, reason=reason)
    return appeal


def _refuse_unpublished(projects: Iterable[Project]) -> None:
    unpublished = [p for p in projects if p.stage != Project.Stage.PUBLISHED]
    if unpublished:
        raise ValidationError({"projects": _("These projects are not published yet: %(names)s. Publish them, or take "
                                             "them out of the appeal, first.")
                               % {"names": "; ".join(f"“{p}” ({p.get_stage_display()})" for p in unpublished)}})


def appeal_publish(*, actor, appeal: Appeal, reason: str = "") -> Appeal:
    """Publish a draft appeal: it becomes public (anyone may browse it), dated today. The secretariat
    only. Refused (``ValidationError`` on ``projects``, naming each) while any of its projects is not a
    published project, and on ``status`` unless it is a draft. One change-log event."""
    _require_secretariat(actor, _("Only the secretariat publishes appeals."))
    appeal = Appeal.objects.get(pk=appeal.pk)
    if appeal.status != Appeal.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft appeal can be published; this one is %(status)s.")
                               % {"status": appeal.get_status_display()}})
    projects = list(appeal.projects.order_by("pk"))
    if not projects:
        raise ValidationError({"projects": _("The appeal has no project.")})
    _refuse_unpublished(projects)
    before = snapshot(appeal)
    appeal.status = Appeal.Status.PUBLISHED
    appeal.sensitivity = Sensitivity.PUBLIC
    appeal.published_on = timezone.localdate()
    with transaction.atomic():
        _saved(appeal, before, actor=actor, reason=reason)
    return appeal


def appeal_close(*, actor, appeal: Appeal, reason: str = "") -> Appeal:
    """Close a published appeal (its period is over, or it is replaced): it stays readable, marked closed.
    The secretariat only; ``ValidationError`` on ``status`` unless published. One change-log event."""
    _require_secretariat(actor, _("Only the secretariat closes appeals."))
    appeal = Appeal.objects.get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PUBLISHED:
        raise ValidationError({"status": _("Only a published appeal can be closed; this one is %(status)s.")
                               % {"status": appeal.get_status_display()}})
    before = snapshot(appeal)
    appeal.status = Appeal.Status.CLOSED
    with transaction.atomic():
        _saved(appeal, before, actor=actor, reason=reason)
    return appeal
