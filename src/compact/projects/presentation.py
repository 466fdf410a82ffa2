"""A joint project as pages and the API show it: codes with their names in the active language
(``compact.reference``), participants grouped by role, amounts formatted in their currency. Reads only
what ``selectors`` prefetched: no query. Codes no longer in a list (withdrawn ones included) still show,
with their name when IATI keeps it and as the bare code otherwise."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format

from compact.projects.models import Project
from compact.projects.services import SECTOR_CODELISTS
from compact.reference import codelists, currencies, geography


def code_name(list_name: str, code: str) -> str:
    """The name of ``code`` in the IATI codelist ``list_name`` in the active language; the code itself
    when the list does not have it."""
    found = codelists.codelist(list_name).get(code)
    return found.name() if found else code


def area_name(code: str) -> str:
    """The name of the UN M49 area ``code`` in the active language; the code when unknown."""
    try:
        return geography.area(code).name()
    except ValidationError:
        return code


def money(amount: Decimal, currency_code: str) -> str:
    """``amount`` formatted in its currency for the active language (``compact.reference.currencies``)."""
    try:
        return currencies.format_money(amount, currency_code)
    except ValidationError:
        return f"{amount} {currency_code}"


def percent(value: Decimal | None) -> str:
    """A percentage as entered, for the active language, without the trailing zeros of its stored scale
    (``Decimal("33.330")`` -> "33.33" in English, "33,33" in French); "100" for None (a sole sector)."""
    if value is None:
        return number_format(100)
    exponent = value.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=places)


def currency_name(code: str) -> str:
    """"EUR - Euro": the ISO 4217 code with its name in the active language; the code when unknown."""
    try:
        return f"{code} - {currencies.currency(code, new=False).name()}"
    except ValidationError:
        return code


@dataclasses.dataclass
class ProjectView:
    """What a page or the API shows of a project, names in the active language."""

    project: Project
    activity_status: str
    roles: list[tuple[str, str, list]]  # (role code, role name, participants)
    sectors: list[dict]
    areas: list[dict]
    sdg_targets: list[dict]
    budgets: list[dict]
    budget_totals: list[str]  # one formatted total per currency
    related: list[dict] = dataclasses.field(default_factory=list)  # {"type": name, "ref": IATI identifier}
    default_currency: str = ""  # "USD - US Dollar"


def describe(project: Project) -> ProjectView:
    """The ``ProjectView`` of ``project`` (with its rows prefetched by ``selectors``)."""
    roles: dict[str, list] = {}
    for participant in project.participants.all():
        roles.setdefault(participant.role, []).append(participant)
    totals: dict[str, Decimal] = {}
    budgets = []
    for budget in project.budgets.all():
        totals[budget.currency] = totals.get(budget.currency, Decimal(0)) + budget.amount
        budgets.append({"row": budget, "money": money(budget.amount, budget.currency),
                        "type": code_name("BudgetType", budget.type), "status": code_name("BudgetStatus", budget.status)})
    return ProjectView(
        project=project,
        activity_status=code_name("ActivityStatus", project.activity_status),
        roles=[(code, code_name("OrganisationRole", code), roles[code]) for code in sorted(roles)],
        sectors=[{"row": s, "vocabulary": code_name("SectorVocabulary", s.vocabulary),
                  "name": code_name(SECTOR_CODELISTS[s.vocabulary], s.code) if s.vocabulary in SECTOR_CODELISTS else s.code,
                  "percent": percent(s.percentage)}
                 for s in project.sectors.all()],
        areas=[{"row": a, "name": area_name(a.code), "percent": percent(a.percentage)} for a in project.areas.all()],
        sdg_targets=[{"code": t.code, "name": code_name("UNSDG-Targets", t.code)} for t in project.sdg_targets.all()],
        budgets=budgets,
        budget_totals=[money(amount, code) for code, amount in sorted(totals.items())],
        default_currency=currency_name(project.default_currency) if project.default_currency else "",
        related=[{"type": code_name("RelatedActivityType", r.type), "ref": r.ref} for r in project.related_activities.all()],
    )
