"""Every write to joint projects: create, change, delete, and the workflow steps (submit, endorse,
publish, return to draft).

Each service runs in one ``transaction.atomic()``, checks permission with the access policy
(``compact.access.policy.can(actor, Action.CHANGE, project)``: the secretariat, officers of the lead
working group, focal points of the lead entity), validates everything before writing, and records one
change-log event per row written (``compact.audit.services.record_change``): the project itself (its
links to working groups, pillars and documents are fields of its event, as ids), and each participant,
sector, beneficiary area, SDG target, resolution paragraph and budget line created, changed or deleted.

Documents follow their own access (``docs/access.md``): an actor links only documents they may read,
and ``documents`` given by them replaces the links among those only; a link to a document they may not
read (say, a confidential note of another body, linked by its officers) is kept as it is, neither
dropped nor shown to them.
``actor=None`` is the platform itself (command line, importers).

Validation errors are ``django.core.exceptions.ValidationError`` keyed by the ``data`` key
(``"areas"``, ``"sectors"``, ``"budgets"``, ...) with messages naming the item at fault ("Sector 2:
..."). Codes are checked with ``compact.reference``: IATI 2.03 codelists (OrganisationRole,
ActivityStatus, SectorVocabulary, Sector, SectorCategory, UNSDG-Goals, UNSDG-Targets, BudgetType,
BudgetStatus), UN M49 areas, ISO 4217 currencies; a code IATI has withdrawn is refused for new data and
kept when it is already stored.

The workflow (``Project.Stage``): draft -> submitted (whoever may change the project) -> endorsed (the
officers of the lead working group only; the secretariat does not endorse) -> published (the
secretariat); return to draft from any later stage (officers of the lead working group or the
secretariat). Every step needs a reason; a published project's later changes need one too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _

from compact.access.models import PROTECTED_LEVELS, Sensitivity
from compact.access.policy import Action, can, restrict
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired, diff, record_change, snapshot
from compact.core.i18n import FALLBACK_ORDER, field_name
from compact.library.models import Document
from compact.projects.models import (
    MONEY_SIGNIFICANT_DIGITS,
    Area,
    Budget,
    Participant,
    Project,
    RelatedActivity,
    ResolutionParagraph,
    SdgTarget,
    Sector,
    significant_digits,
)
from compact.projects.selectors import STEPS, may_step
from compact.reference import codelists, currencies, geography
from compact.registry.models import Body, Entity, Participation, Pillar, StrategyReview

#: The six UN languages a title or description may be given in.
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

#: The keys ``project_create`` / ``project_update`` accept in ``data``.
DATA_KEYS = frozenset({
    "title", "description", "lead_entity", "lead_body", "working_groups", "pillars", "iati_identifier",
    "activity_status", "start", "end", "gender_marker", "human_rights_marker", "default_currency", "sensitivity",
    "participants", "sectors", "areas", "sdg_targets", "resolution_paragraphs", "budgets", "documents",
    "related_activities", "iati_reporting_org",
})

#: Sector vocabularies whose codes are checked against an IATI codelist (IATI 2.03 SectorVocabulary:
#: 1 OECD DAC CRS 5-digit, 2 CRS 3-digit, 7 SDG goal, 8 SDG target); other vocabularies are free codes.
SECTOR_CODELISTS: dict[str, str] = {"1": "Sector", "2": "SectorCategory", "7": "UNSDG-Goals", "8": "UNSDG-Targets"}

#: Characters an IATI activity identifier must not contain (IATI 2.03, iati-identifier).
IATI_IDENTIFIER_FORBIDDEN = "/&|?"

HUNDRED = Decimal(100)

#: The child rows of a project: data key -> (model, the fields compared and written).
CHILDREN: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "participants": (Participant, ("role", "entity_id", "name", "ref")),
    "sectors": (Sector, ("vocabulary", "code", "percentage")),
    "areas": (Area, ("code", "percentage")),
    "sdg_targets": (SdgTarget, ("code",)),
    "resolution_paragraphs": (ResolutionParagraph, ("review_id", "paragraph")),
    "budgets": (Budget, ("period_start", "period_end", "amount", "currency", "value_date", "type", "status")),
    "related_activities": (RelatedActivity, ("type", "ref")),
}

#: The many-to-many links of a project, recorded as fields of the project's own change-log event.
LINKS: dict[str, type[models.Model]] = {"working_groups": Body, "pillars": Pillar, "documents": Document}


class _Errors(dict):
    """``{data key: [messages]}`` gathered while validating, raised together."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)

    def add_exc(self, key: str, prefix: str, exc: ValidationError) -> None:
        for message in exc.messages:
            self.add(key, f"{prefix}{message}")

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _item(label: str, index: int) -> str:
    return _("%(item)s %(number)d: ") % {"item": label, "number": index + 1}


def _localized(key: str, text, errors: _Errors) -> dict[str, str | None]:
    """``{"title_en": text or None, ...}`` for the languages given in ``text`` (a str is English, or
    ``{language: text}``); unknown languages are reported on ``key``."""
    if text is None:
        text = {}
    if isinstance(text, str):
        text = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: text}
    if not isinstance(text, Mapping):
        errors.add(key, _("Expected a text or {language: text}."))
        return {}
    unknown = sorted(set(text) - set(LANGUAGES))
    if unknown:
        errors.add(key, _("Unknown language %(codes)s: expected one of %(known)s.")
                   % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGES)})
        return {}
    return {field_name(key, code): (str(text[code] or "").strip() or None) for code in text}


def _is_date(value) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _decimal(value, errors: _Errors, key: str, prefix: str) -> Decimal | None:
    """``value`` as a Decimal (str, int or Decimal; never float) with at most four decimal places, or
    None after reporting the problem."""
    if isinstance(value, float) or isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        errors.add(key, prefix + _("percentage %(value)r must be a decimal number written as text or a Decimal, "
                                   "not a floating-point number.") % {"value": value})
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite():
        errors.add(key, prefix + _("'%(value)s' is not a percentage.") % {"value": value})
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        errors.add(key, prefix + _("percentage %(value)s has more than four decimal places.") % {"value": number})
        return None
    if not Decimal(0) < number <= HUNDRED:
        errors.add(key, prefix + _("percentage %(value)s must be more than 0 and at most 100.") % {"value": number})
        return None
    return number


def _sum_message(what: str, total: Decimal, parts: list[Decimal]) -> str:
    return _("Percentages of %(what)s sum to %(total)s, not 100: %(parts)s.") % {
        "what": what, "total": total, "parts": " + ".join(str(p) for p in parts)}


#: True while validating data published elsewhere (``imported=True``): withdrawn codes are accepted.
_IMPORTED: ContextVar[bool] = ContextVar("projects_imported", default=False)


def _code(errors: _Errors, key: str, prefix: str, list_name: str, value, stored: set[str]) -> str | None:
    """The canonical code of ``value`` in ``list_name``: withdrawn codes pass only when already stored,
    or when the data is imported from where it was already published."""
    try:
        code = codelists.check_code(list_name, value, new=False)
        if code not in stored and not _IMPORTED.get():
            code = codelists.check_code(list_name, value, new=True)
        return code
    except ValidationError as exc:
        errors.add_exc(key, prefix, exc)
        return None


def _objects(errors: _Errors, key: str, values, model: type[models.Model], check: Callable[[Any], str | None] | None = None):
    """``values`` as a list of ``model`` instances, each passing ``check`` (a message or None)."""
    if not isinstance(values, list | tuple):
        errors.add(key, _("Expected a list."))
        return []
    out = []
    for index, value in enumerate(values):
        if not isinstance(value, model):
            errors.add(key, _("Item %(number)d is not a %(type)s.") % {"number": index + 1, "type": model._meta.verbose_name})
            continue
        message = check(value) if check else None
        if message:
            errors.add(key, _("Item %(number)d: %(message)s") % {"number": index + 1, "message": message})
            continue
        if value not in out:
            out.append(value)
    return out


def _items(errors: _Errors, key: str, values) -> list[Mapping]:
    if not isinstance(values, list | tuple):
        errors.add(key, _("Expected a list."))
        return []
    good = []
    for index, value in enumerate(values):
        if not isinstance(value, Mapping):
            errors.add(key, _("Item %(number)d is not a mapping of fields.") % {"number": index + 1})
        else:
            good.append(value)
    return good


def _stored_rows(project: Project | None, key: str) -> list[models.Model]:
    """The ``key`` rows of the stored ``project``, oldest first; empty for a new project. Each kind is read
    once per project instance: an update reads the rows to validate the data, then to write it."""
    if project is None or project.pk is None:
        return []
    cache = project.__dict__.setdefault("_compact_child_rows", {})
    if key not in cache:
        model, _fields = CHILDREN[key]
        cache[key] = list(model.objects.filter(project=project).order_by("pk"))
    return cache[key]


def _stored_values(project: Project | None, key: str, field: str) -> set[str]:
    return {getattr(row, field) for row in _stored_rows(project, key)}


def _participants(values, errors: _Errors, project: Project | None) -> list[dict]:
    stored = _stored_values(project, "participants", "role")
    out, seen = [], set()
    for index, item in enumerate(_items(errors, "participants", values)):
        prefix = _item(_("Participant"), index)
        role = _code(errors, "participants", prefix, "OrganisationRole", item.get("role"), stored)
        entity = item.get("entity")
        name = str(item.get("name") or "").strip()
        ref = str(item.get("ref") or "").strip()
        if entity is not None and not isinstance(entity, Entity):
            errors.add("participants", prefix + _("the entity must be a registry entity."))
            continue
        if entity is None and not name:
            errors.add("participants", prefix + _("give a registry entity or the organisation's name."))
            continue
        if len(name) > 300 or len(ref) > 150:
            errors.add("participants", prefix + _("the name is limited to 300 characters and the identifier to 150."))
            continue
        if role is None:
            continue
        identity = (role, entity.pk if entity else None, name.casefold() if entity is None else "")
        if identity in seen:
            errors.add("participants", prefix + _("this organisation is listed twice in the same role."))
            continue
        seen.add(identity)
        out.append({"role": role, "entity_id": entity.pk if entity else None, "name": name, "ref": ref})
    return out


def _sectors(values, errors: _Errors, project: Project | None) -> list[dict]:
    stored_vocabularies = _stored_values(project, "sectors", "vocabulary")
    stored_codes = _stored_values(project, "sectors", "code")
    out: list[dict] = []
    for index, item in enumerate(_items(errors, "sectors", values)):
        prefix = _item(_("Sector"), index)
        vocabulary = _code(errors, "sectors", prefix, "SectorVocabulary", item.get("vocabulary") or "1",
                           stored_vocabularies)
        if vocabulary is None:
            continue
        raw = item.get("code")
        if vocabulary in SECTOR_CODELISTS:
            code = _code(errors, "sectors", prefix, SECTOR_CODELISTS[vocabulary], raw, stored_codes)
        else:
            code = str(raw or "").strip()
            if not code or len(code) > 20:
                errors.add("sectors", prefix + _("a sector code of 1 to 20 characters is required."))
                code = None
        percentage = item.get("percentage")
        if percentage is not None:
            percentage = _decimal(percentage, errors, "sectors", prefix)
            if percentage is None:
                continue
        if code is None:
            continue
        if any(o["vocabulary"] == vocabulary and o["code"] == code for o in out):
            errors.add("sectors", prefix + _("sector %(code)s is listed twice.") % {"code": code})
            continue
        out.append({"vocabulary": vocabulary, "code": code, "percentage": percentage})
    by_vocabulary: dict[str, list[dict]] = defaultdict(list)
    for row in out:
        by_vocabulary[row["vocabulary"]].append(row)
    for vocabulary, rows in by_vocabulary.items():
        if len(rows) == 1 and rows[0]["percentage"] is None:
            continue  # one sector in its vocabulary: 100 % (IATI 2.03 sector rules)
        if any(r["percentage"] is None for r in rows):
            errors.add("sectors", _("Sectors of vocabulary %(vocabulary)s: each needs a percentage when there are "
                                    "several.") % {"vocabulary": vocabulary})
            continue
        parts = [r["percentage"] for r in rows]
        if sum(parts) != HUNDRED:
            errors.add("sectors", _sum_message(_("sectors of vocabulary %(vocabulary)s") % {"vocabulary": vocabulary},
                                               sum(parts), parts))
    return out


def _areas(values, errors: _Errors) -> list[dict]:
    items = _items(errors, "areas", values)
    out: list[dict] = []
    for index, item in enumerate(items):
        prefix = _item(_("Beneficiary country or region"), index)
        try:
            code = geography.area(item.get("code")).code
        except ValidationError as exc:
            errors.add_exc("areas", prefix, exc)
            continue
        percentage = item.get("percentage")
        if percentage is None and len(items) == 1:
            percentage = HUNDRED
        elif percentage is None:
            errors.add("areas", prefix + _("a percentage is required when there are several countries or regions."))
            continue
        else:
            percentage = _decimal(percentage, errors, "areas", prefix)
            if percentage is None:
                continue
        if any(o["code"] == code for o in out):
            errors.add("areas", prefix + _("%(code)s is listed twice.") % {"code": code})
            continue
        out.append({"code": code, "percentage": percentage})
    if out and len(out) == len(items):
        parts = [o["percentage"] for o in out]
        if sum(parts) != HUNDRED:
            errors.add("areas", _sum_message(_("beneficiary countries and regions"), sum(parts), parts))
    return out


def _sdg_targets(values, errors: _Errors, project: Project | None) -> list[dict]:
    stored = _stored_values(project, "sdg_targets", "code")
    if not isinstance(values, list | tuple):
        errors.add("sdg_targets", _("Expected a list."))
        return []
    out: list[dict] = []
    for index, value in enumerate(values):
        code = _code(errors, "sdg_targets", _item(_("SDG target"), index), "UNSDG-Targets", value, stored)
        if code is not None and {"code": code} not in out:
            out.append({"code": code})
    return out


def _paragraphs(values, errors: _Errors) -> list[dict]:
    out: list[dict] = []
    for index, item in enumerate(_items(errors, "resolution_paragraphs", values)):
        prefix = _item(_("Resolution paragraph"), index)
        review = item.get("review")
        paragraph = str(item.get("paragraph") or "").strip()
        if not isinstance(review, StrategyReview):
            errors.add("resolution_paragraphs", prefix + _("a Strategy review is required."))
            continue
        if not paragraph or len(paragraph) > 12:
            errors.add("resolution_paragraphs", prefix + _("a paragraph number of 1 to 12 characters is required."))
            continue
        row = {"review_id": review.pk, "paragraph": paragraph}
        if row not in out:
            out.append(row)
    return out


def _valid_iati_identifier(identifier: str) -> bool:
    """Whether ``identifier`` may be an IATI activity identifier: 1 to 150 characters, no white space and
    none of ``/ & | ?`` (IATI Standard Ruleset 1.3.13). Data imported from where it was already published
    may carry ``/ & | ?`` (the ruleset makes them a warning, and publishers use them)."""
    forbidden = "" if _IMPORTED.get() else IATI_IDENTIFIER_FORBIDDEN
    return 0 < len(identifier) <= 150 and not any(c.isspace() or c in forbidden for c in identifier)


def _related(values, errors: _Errors, project: Project | None) -> list[dict]:
    """Related activities ``[{"type": IATI RelatedActivityType code, "ref": IATI activity identifier}]``."""
    stored = _stored_values(project, "related_activities", "type")
    out: list[dict] = []
    for index, item in enumerate(_items(errors, "related_activities", values)):
        prefix = _item(_("Related activity"), index)
        code = _code(errors, "related_activities", prefix, "RelatedActivityType", item.get("type"), stored)
        ref = str(item.get("ref") or "").strip()
        if not _valid_iati_identifier(ref):
            errors.add("related_activities", prefix + _("an IATI activity identifier has 1 to 150 characters and no "
                                                        "spaces or / & | ? (IATI 2.03)."))
            continue
        if project is not None and ref == project.iati_identifier:
            errors.add("related_activities", prefix + _("a project is not related to itself."))
            continue
        row = {"type": code, "ref": ref}
        if code is not None and row not in out:
            out.append(row)
    return out


def _budgets(values, errors: _Errors, project: Project | None) -> list[dict]:
    stored_currencies = _stored_values(project, "budgets", "currency")
    stored_types = _stored_values(project, "budgets", "type") | _stored_values(project, "budgets", "status")
    out: list[dict] = []
    for index, item in enumerate(_items(errors, "budgets", values)):
        prefix = _item(_("Budget"), index)
        start, end, value_date = item.get("period_start"), item.get("period_end"), item.get("value_date") or item.get("period_start")
        bad = False
        for label, value in ((_("period start"), start), (_("period end"), end), (_("value date"), value_date)):
            if not _is_date(value):
                errors.add("budgets", prefix + _("the %(field)s must be a date.") % {"field": label})
                bad = True
        if not bad and end < start:
            errors.add("budgets", prefix + _("the period ends (%(end)s) before it starts (%(start)s).")
                       % {"end": end.isoformat(), "start": start.isoformat()})
            bad = True
        currency_code = item.get("currency")
        try:
            found = currencies.currency(currency_code, new=False)
            if found.code not in stored_currencies and not _IMPORTED.get():
                found = currencies.currency(currency_code, new=True)
            amount = currencies.check_amount(item.get("amount"), found.code)
        except ValidationError as exc:
            errors.add_exc("budgets", prefix, exc)
            continue
        budget_type = _code(errors, "budgets", prefix, "BudgetType", item.get("type") or "1", stored_types)
        if amount < 0 and budget_type != "2":
            errors.add("budgets", prefix + _("the amount of an original budget may not be negative (%(amount)s); "
                                             "only a revised budget may reduce it.") % {"amount": amount})
            continue
        if abs(amount) >= Decimal(10) ** 17:
            errors.add("budgets", prefix + _("the amount is too large."))
            continue
        if significant_digits(amount) > MONEY_SIGNIFICANT_DIGITS:
            errors.add("budgets", prefix + _("%(value)s has more than %(digits)d significant digits, which cannot be "
                                             "stored exactly.") % {"value": amount, "digits": MONEY_SIGNIFICANT_DIGITS})
            continue
        status = _code(errors, "budgets", prefix, "BudgetStatus", item.get("status") or "1", stored_types)
        if bad or budget_type is None or status is None:
            continue
        out.append({"period_start": start, "period_end": end, "amount": amount, "currency": found.code,
                    "value_date": value_date, "type": budget_type, "status": status})
    return out


def _is_compact_entity(entity: Entity) -> bool:
    """Whether ``entity`` takes part in the Compact (as member or observer), at any time."""
    return Participation.objects.filter(entity=entity, body__kind=Body.Kind.COMPACT).exists()


def _validate(project: Project, data: Mapping, actor, stored: Project | None, errors: _Errors) -> tuple[dict, dict]:
    """Apply ``data``'s fields to ``project`` (unsaved) and check every key given; return the child rows
    (``{key: [field dicts]}``) and links (``{key: [objects]}``) given. ``stored`` is the project as it is in
    the database (None when creating)."""
    unknown = sorted(set(data) - DATA_KEYS)
    if unknown:
        raise TypeError(f"unknown project fields: {', '.join(unknown)}")
    for key in ("title", "description"):
        if key in data:
            for name, value in _localized(key, data[key], errors).items():
                setattr(project, name, value)
    titles = [getattr(project, field_name("title", code)) or "" for code in LANGUAGES]
    if not any(titles):
        errors.add("title", _("A title is required, in at least one language."))
    if any(len(t) > 300 for t in titles):
        errors.add("title", _("A title is limited to 300 characters."))
    if "lead_entity" in data:
        entity = data["lead_entity"]
        if not isinstance(entity, Entity):
            errors.add("lead_entity", _("The lead entity must be a registry entity."))
        elif not _is_compact_entity(entity):
            errors.add("lead_entity", _("%(entity)s does not take part in the Compact.") % {"entity": entity.acronym})
        else:
            project.lead_entity = entity
    elif stored is None:
        errors.add("lead_entity", _("A lead entity is required."))
    if "lead_body" in data:
        body = data["lead_body"]
        if not isinstance(body, Body) or body.kind != Body.Kind.WORKING_GROUP:
            errors.add("lead_body", _("The lead working group must be a working group."))
        else:
            project.lead_body = body
    elif stored is None:
        errors.add("lead_body", _("A lead working group is required."))
    if "iati_identifier" in data:
        identifier = str(data["iati_identifier"] or "").strip() or None
        if identifier is not None:
            if not _valid_iati_identifier(identifier):
                errors.add("iati_identifier", _("An IATI activity identifier has at most 150 characters and no spaces "
                                                "or / & | ? (IATI 2.03)."))
            elif Project.objects.filter(iati_identifier=identifier).exclude(pk=project.pk).exists():
                errors.add("iati_identifier", _("Another joint project already has the IATI activity identifier "
                                                "%(identifier)s.") % {"identifier": identifier})
        project.iati_identifier = identifier
    if "iati_reporting_org" in data:
        ref = str(data["iati_reporting_org"] or "").strip()
        if len(ref) > 150 or any(c.isspace() for c in ref):
            errors.add("iati_reporting_org", _("An IATI organisation identifier has at most 150 characters and no "
                                               "spaces."))
        else:
            project.iati_reporting_org = ref
    if "activity_status" in data:
        code = _code(errors, "activity_status", "", "ActivityStatus", data["activity_status"],
                     {stored.activity_status} if stored else set())
        if code:
            project.activity_status = code
    for key in ("start", "end"):
        if key in data:
            if data[key] is not None and not _is_date(data[key]):
                errors.add(key, _("Expected a date (YYYY-MM-DD)."))
            else:
                setattr(project, key, data[key])
    if _is_date(project.start) and _is_date(project.end) and project.end < project.start:
        errors.add("end", _("The project ends (%(end)s) before it starts (%(start)s).")
                   % {"end": project.end.isoformat(), "start": project.start.isoformat()})
    for key in ("gender_marker", "human_rights_marker"):
        if key in data:
            value = data[key]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3):
                errors.add(key, _("A marker is 0, 1, 2 or 3 (UN Gender Equality Marker scale), or empty."))
            else:
                setattr(project, key, value)
    if "default_currency" in data:
        try:
            found = currencies.currency(data["default_currency"], new=not (
                _IMPORTED.get() or (stored and data["default_currency"] == stored.default_currency)))
            project.default_currency = found.code
        except ValidationError as exc:
            errors.add_exc("default_currency", "", exc)
    if "sensitivity" in data:
        if data["sensitivity"] not in Sensitivity.values:
            errors.add("sensitivity", _("Unknown sensitivity %(value)r: expected one of %(known)s.")
                       % {"value": data["sensitivity"], "known": ", ".join(Sensitivity.values)})
        else:
            project.sensitivity = data["sensitivity"]
    children: dict[str, list[dict]] = {}
    builders = {"participants": lambda v: _participants(v, errors, stored), "sectors": lambda v: _sectors(v, errors, stored),
                "areas": lambda v: _areas(v, errors), "sdg_targets": lambda v: _sdg_targets(v, errors, stored),
                "resolution_paragraphs": lambda v: _paragraphs(v, errors), "budgets": lambda v: _budgets(v, errors, stored),
                "related_activities": lambda v: _related(v, errors, stored)}
    for key, build in builders.items():
        if key in data:
            children[key] = build(data[key] if data[key] is not None else [])
    links: dict[str, list] = {}
    if "working_groups" in data:
        links["working_groups"] = _objects(
            errors, "working_groups", data["working_groups"] or [], Body,
            lambda b: None if b.kind == Body.Kind.WORKING_GROUP else _("%(body)s is not a working group.") % {"body": b})
    if "pillars" in data:
        links["pillars"] = _objects(errors, "pillars", data["pillars"] or [], Pillar)
    if "documents" in data:
        chosen = _objects(
            errors, "documents", data["documents"] or [], Document,
            lambda d: None if actor is None or can(actor, Action.VIEW, d) else _("No such document."))
        links["documents"] = [*chosen, *_hidden_documents(actor, stored)]
    return children, links


def _hidden_documents(actor, stored: Project | None) -> list[Document]:
    """The documents linked to ``stored`` that ``actor`` may not read (``Action.VIEW``), oldest link
    first: ``documents`` given by such an actor changes only the links among what they may read, so
    these are kept as they are (neither dropped nor shown). None for a new project or the platform
    (``actor=None``, which reads everything). One query."""
    if actor is None or stored is None or stored.pk is None:
        return []
    readable = restrict(Document.objects.all(), actor, Action.VIEW).values("pk")
    return list(stored.documents.exclude(pk__in=readable).order_by("pk"))


def _base_language(project: Project) -> str:
    for code in FALLBACK_ORDER:
        if getattr(project, field_name("title", code)):
            return code
    return settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def _link_ids(project: Project, key: str) -> list[int]:
    return sorted(getattr(project, key).values_list("pk", flat=True)) if project.pk else []


def _write_children(project: Project, key: str, rows: list[dict], *, actor, reason: str, protected: bool = False,
                    existing: list[models.Model] | None = None) -> None:
    """Make ``project``'s ``key`` rows equal ``rows``: rows already stored as given are kept, others
    deleted, the missing ones created (in one query); one change-log event per row deleted or created.
    ``existing``: the project's stored rows of that kind, oldest first, when the caller has them (read
    here otherwise).

    The rows follow the project (docs/access.md): when it is (or was, before this change) confidential or
    strictly confidential (``protected``), a row created or deleted without a reason raises
    ``ReasonRequired`` (call it inside the write's transaction, which then writes nothing)."""
    model, fields = CHILDREN[key]
    wanted = [tuple(row[f] for f in fields) for row in rows]
    existing_rows = list(model.objects.filter(project=project).order_by("pk")) if existing is None else existing
    kept = [tuple(getattr(existing, f) for f in fields) for existing in existing_rows]
    remaining = list(wanted)
    changed = len(kept) != len(wanted)
    for values in kept:
        if values in remaining:
            remaining.remove(values)
        else:
            changed = True
    if changed and protected and not (reason or "").strip():
        raise ReasonRequired(_("A reason is required for a change to the %(rows)s of a confidential joint project.")
                             % {"rows": model._meta.verbose_name_plural})
    for existing in existing_rows:
        values = tuple(getattr(existing, f) for f in fields)
        if values in wanted:
            wanted.remove(values)
            continue
        record_change(action=ChangeEvent.Action.DELETE, obj=existing, changes=diff(snapshot(existing), {}),
                      reason=reason, actor=actor)
        existing.delete()
    created = model.objects.bulk_create([model(project=project, **dict(zip(fields, values, strict=True))) for values in wanted])
    for row in created:
        record_change(action=ChangeEvent.Action.CREATE, obj=row, changes=diff({}, snapshot(row)), reason=reason, actor=actor)


def _check_change(actor, project: Project, message: str) -> None:
    if actor is not None and not can(actor, Action.CHANGE, project):
        raise PermissionDenied(message)


@contextmanager
def _imported(flag: bool):
    token = _IMPORTED.set(flag)
    try:
        yield
    finally:
        _IMPORTED.reset(token)


def project_create(*, actor, data: Mapping, reason: str = "", imported: bool = False) -> Project:
    """Create a joint project in the draft stage from ``data`` (keys: see ``DATA_KEYS`` and the module
    docstring; ``title`` and ``lead_entity`` / ``lead_body`` are required); returns it.

    The actor must be able to change the resulting project (the secretariat, officers of the lead
    working group, focal points of the lead entity when it is a member of that group). Raises
    ``ValidationError`` ({data key: messages}), ``PermissionDenied``, ``ReasonRequired`` (a confidential
    or strictly confidential project without a reason) and ``TypeError`` for an unknown key; nothing is
    written then. One change-log event for the project and one per child row. ``imported``: the data was
    already published elsewhere (an IATI file), so codes IATI has withdrawn since are accepted, as IATI's
    rule for withdrawn codes allows for old data.
    """
    project = Project(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    errors = _Errors()
    with _imported(imported):
        children, links = _validate(project, data, actor, None, errors)
    errors.raise_if_any()
    _check_change(actor, project, _("You may not add a joint project for this lead entity and working group."))
    with transaction.atomic(), translation.override(_base_language(project)):
        project.save()
        changes = diff({}, snapshot(project))
        for key, objects in links.items():
            getattr(project, key).set(objects)
            if objects:
                changes[key] = [[], sorted(o.pk for o in objects)]
        record_change(action=ChangeEvent.Action.CREATE, obj=project, changes=changes, reason=reason, actor=actor)
        for key, rows in children.items():
            _write_children(project, key, rows, actor=actor, reason=reason, existing=[])
    return project


def project_update(*, actor, project: Project, data: Mapping, reason: str = "", imported: bool = False) -> Project:
    """Change the keys of ``data`` (the others stay as they are; a list given replaces the project's
    rows: rows unchanged are kept, others deleted and created); returns the project.

    The actor must be able to change the project as it is and as it will be. A published project's
    changes, and those of a confidential or strictly confidential one, need a reason. ``documents``
    lists documents the actor may read (another is refused as "No such document.", like one that does
    not exist) and keeps the project's links to documents the actor may not read. Raises as
    ``project_create``. Nothing is recorded when nothing changes.
    """
    _check_change(actor, project, _("You may read this joint project but not change it."))
    stored = Project.objects.get(pk=project.pk)
    before = snapshot(stored)
    before_links = {key: _link_ids(stored, key) for key in LINKS if key in data}
    errors = _Errors()
    with _imported(imported):
        children, links = _validate(project, data, actor, stored, errors)
    errors.raise_if_any()
    _check_change(actor, project, _("You may not give the joint project this lead entity, working group or sensitivity."))
    if stored.stage == Project.Stage.PUBLISHED and not reason.strip():
        raise ReasonRequired(_("A reason is required for a change to a published joint project."))
    with transaction.atomic(), translation.override(_base_language(project)):
        changes = diff(before, snapshot(project))
        changes.pop("updated", None)
        for key, objects in links.items():
            after = sorted(o.pk for o in objects)
            if after != before_links[key]:
                changes[key] = [before_links[key], after]
        if changes:
            project.save()
            for key, objects in links.items():
                getattr(project, key).set(objects)
            record_change(action=ChangeEvent.Action.UPDATE, obj=project, changes=changes, reason=reason, actor=actor)
        protected = bool({stored.sensitivity, project.sensitivity} & PROTECTED_LEVELS)
        for key, rows in children.items():
            _write_children(project, key, rows, actor=actor, reason=reason, protected=protected,
                            existing=_stored_rows(stored, key))
    return project


def project_delete(*, actor, project: Project, reason: str) -> None:
    """Delete ``project`` with its child rows (one change-log event each, the project's last).

    Refused with ``ValidationError`` for a published project (return it to draft first) and while
    funding flows or proposals refer to it; ``PermissionDenied`` unless the actor may change it;
    ``ReasonRequired`` without a reason.
    """
    _check_change(actor, project, _("You may read this joint project but not delete it."))
    if not (reason or "").strip():
        raise ReasonRequired(_("A reason is required to delete a joint project."))
    if project.stage == Project.Stage.PUBLISHED:
        raise ValidationError({"stage": _("A published joint project cannot be deleted: return it to draft first.")})
    try:
        with transaction.atomic():
            for key in CHILDREN:
                _write_children(project, key, [], actor=actor, reason=reason)
            changes = diff(snapshot(project), {})
            for key in LINKS:
                ids = _link_ids(project, key)
                if ids:
                    changes[key] = [ids, []]
            record_change(action=ChangeEvent.Action.DELETE, obj=project, changes=changes, reason=reason, actor=actor)
            project.delete()
    except ProtectedError:
        raise ValidationError({"project": _(
            "This joint project cannot be deleted: funding flows or proposals refer to it.")}) from None


def _step(*, actor, project: Project, reason: str, step: str, refused: str) -> Project:
    """Take the workflow ``step`` (``selectors.STEPS``) on ``project`` if ``actor`` may
    (``selectors.may_step``) and its stage allows it; one change-log event."""
    sources, target = STEPS[step]
    if not (reason or "").strip():
        raise ReasonRequired(_("A reason is required for each step of a joint project's workflow."))
    if not may_step(user=actor, step=step, project=project):
        raise PermissionDenied(refused)
    with transaction.atomic():
        stored = Project.objects.select_for_update().get(pk=project.pk)
        if stored.stage not in sources:
            raise ValidationError({"stage": _("A joint project cannot go from %(from)s to %(to)s.") % {
                "from": Project.Stage(stored.stage).label, "to": Project.Stage(target).label}})
        project.stage = target
        project.save(update_fields=["stage", "updated"])
        record_change(action=ChangeEvent.Action.UPDATE, obj=project, changes={"stage": [stored.stage, target]},
                      reason=reason, actor=actor)
    return project


def project_submit(*, actor, project: Project, reason: str) -> Project:
    """Submit a draft to its lead working group (draft -> submitted), by whoever may change the project.
    Raises ``ReasonRequired``, ``PermissionDenied`` and ``ValidationError`` ({"stage": ...}) when it is not a
    draft."""
    return _step(actor=actor, project=project, reason=reason, step="submit",
                 refused=_("You may not submit this joint project."))


def project_endorse(*, actor, project: Project, reason: str) -> Project:
    """Endorse a submitted project (submitted -> endorsed): officers of its lead working group only
    (``compact.access.principal``: focal points of an entity chairing, co-chairing or vice-chairing it);
    the secretariat does not endorse. Raises as ``project_submit``."""
    return _step(actor=actor, project=project, reason=reason, step="endorse",
                 refused=_("Only the officers of the lead working group endorse a joint project."))


def project_publish(*, actor, project: Project, reason: str) -> Project:
    """Publish an endorsed project (endorsed -> published): the secretariat only. Raises as
    ``project_submit``."""
    return _step(actor=actor, project=project, reason=reason, step="publish",
                 refused=_("Only the secretariat publishes a joint project."))


def project_return(*, actor, project: Project, reason: str) -> Project:
    """Return a submitted, endorsed or published project to draft: officers of the lead working group
    or the secretariat. Raises as ``project_submit``."""
    return _step(actor=actor, project=project, reason=reason, step="return",
                 refused=_("Only the officers of the lead working group or the secretariat return a joint project "
                           "to draft."))
