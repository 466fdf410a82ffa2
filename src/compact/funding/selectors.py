"""Every read of funding: flows, exchange rates, conversion to US dollars, totals and funding gaps.

Access: a flow is read by whoever may read its project (``compact.access.policy.restrict`` on
``projects.Project``), with the action it serves: ``Action.LIST`` for lists, ``Action.COUNT`` for totals
and charts, ``Action.EXPORT`` for exports. No total includes a flow of a project the user may not count.

Definitions (after OCHA's Financial Tracking Service, as the Multi-Year Appeal reports them):

- requirement: the sum of the project's requirement flows (what it seeks);
- pledged: the sum of pledges; shown, never counted as funded (a pledge is not yet money);
- funded: the sum of commitments, negative de-obligations included;
- disbursed: the sum of disbursements; a disbursement pays a commitment, so it is shown and never added
  to funded again;
- spent: the sum of expenditures;
- funding gap: requirement - funded.

Conversion: the UN operational rates of exchange (UN Treasury, https://treasury.un.org/operationalrates/),
given as units of the currency per one US dollar and valid for a calendar month. An amount in US
dollars needs no rate; any other amount converts at the rate of the month of the flow's value date (its
date when it has none): ``usd = amount / rate``.
A (currency, month) with no rate is *not converted*: its amounts are left out of the US-dollar figure,
which is then marked incomplete and names the pair; never 0, never 1:1. Sums are exact ``Decimal``; the
US-dollar figure is quantised to cents (ROUND_HALF_EVEN) only at the end of a total.

Totals are computed with one grouped query on the flows (by project, kind, currency and month), one on
the rates and one for the dimension (working groups, pillars, participants or areas), whatever the number
of projects, then converted in Python with ``Decimal``. (On SQLite the database sums decimals as binary
floating point and Django reads them back to 15 significant digits, exact to the tenth of a cent for sums
below ten thousand billion; PostgreSQL sums them as exact numerics.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError
from django.db.models import CharField, QuerySet, Sum
from django.db.models.functions import Cast, Coalesce, Substr

from compact.access.policy import Action, restrict
from compact.funding.models import ExchangeRate, Flow
from compact.projects.models import Area, Participant, Project

USD = "USD"
CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

#: Flow kinds to the field of ``Totals`` they add to.
KIND_FIELDS: dict[str, str] = {
    Flow.Kind.REQUIREMENT: "requirement",
    Flow.Kind.PLEDGE: "pledged",
    Flow.Kind.COMMITMENT: "funded",
    Flow.Kind.DISBURSEMENT: "disbursed",
    Flow.Kind.EXPENDITURE: "spent",
}

#: The dimensions ``totals_by`` groups by, and what their keys are.
DIMENSIONS: dict[str, str] = {
    "project": "project id",
    "working_group": "Body id (the project's working groups and its lead working group)",
    "pillar": "Pillar id",
    "entity": "lead entity id",
    "implementing_entity": "entity id of each participant in IATI OrganisationRole 4 (implementing)",
    "country": "UN M49 country code",
    "region": "UN M49 region code (a region includes its countries' and sub-regions' shares)",
}

#: IATI 2.03 OrganisationRole code of implementing organisations.
IMPLEMENTING_ROLE = "4"


def month_of(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: the key of a monthly rate."""
    return day.replace(day=1)


@dataclasses.dataclass(frozen=True)
class Money:
    """A sum in US dollars. ``usd``: Decimal quantised to cents; ``complete``: False when some amounts had
    no rate; ``not_converted``: the ``(currency, first day of month)`` pairs without a rate, sorted, whose
    amounts are left OUT of ``usd``."""

    usd: Decimal
    complete: bool = True
    not_converted: tuple[tuple[str, dt.date], ...] = ()

    def __sub__(self, other: Money) -> Money:
        pairs = tuple(sorted(set(self.not_converted) | set(other.not_converted)))
        return Money(usd=self.usd - other.usd, complete=self.complete and other.complete, not_converted=pairs)

    @property
    def not_converted_labels(self) -> list[str]:
        """The missing pairs as ``"EUR 2026-03"``, for pages and files."""
        return [f"{code} {month:%Y-%m}" for code, month in self.not_converted]


@dataclasses.dataclass(frozen=True)
class Totals:
    """The five sums of a set of flows (each a ``Money``) and the funding gap."""

    requirement: Money
    pledged: Money
    funded: Money
    disbursed: Money
    spent: Money

    @property
    def gap(self) -> Money:
        """Funding gap: requirement - funded; complete only if both are."""
        return self.requirement - self.funded

    @property
    def complete(self) -> bool:
        """Whether every figure (gap included) is complete."""
        return all(getattr(self, f).complete for f in KIND_FIELDS.values())

    @property
    def not_converted(self) -> tuple[tuple[str, dt.date], ...]:
        """Every (currency, month) pair missing from any of the figures, sorted."""
        return tuple(sorted({p for f in KIND_FIELDS.values() for p in getattr(self, f).not_converted}))


# --- rates and conversion ---------------------------------------------------------------------------

def rates_table(pairs: Iterable[tuple[str, dt.date]]) -> dict[tuple[str, dt.date], Decimal]:
    """``{(currency, month): rate}`` for the pairs given that have a rate (months as first days), in one
    query (none when only US dollars are asked)."""
    pairs = {(c, month_of(m)) for c, m in pairs if c != USD}
    if not pairs:
        return {}
    currencies = {c for c, _m in pairs}
    months = {m for _c, m in pairs}
    rows = ExchangeRate.objects.filter(currency__in=currencies, month__in=months).values_list("currency", "month", "rate")
    return {(c, m): r for c, m, r in rows if (c, m) in pairs}


def rate_for(currency: str, day: dt.date) -> Decimal | None:
    """The UN operational rate of ``currency`` (units per US dollar) for ``day``'s month; ``Decimal(1)``
    for US dollars; None when no rate was loaded for that month. One query (none for USD)."""
    if currency == USD:
        return Decimal(1)
    return rates_table([(currency, day)]).get((currency, month_of(day)))


def _to_usd(amount: Decimal, currency: str, month: dt.date, rates: Mapping[tuple[str, dt.date], Decimal]) -> Decimal | None:
    """Unrounded US dollars for ``amount`` (amount / rate), or None without a rate."""
    if currency == USD:
        return amount
    rate = rates.get((currency, month))
    return None if rate is None else amount / rate


def convert(amount: Decimal, currency: str, day: dt.date) -> Decimal | None:
    """``amount`` of ``currency`` on ``day`` in US dollars, quantised to cents (ROUND_HALF_EVEN): amount /
    the UN operational rate of the month (units per US dollar); None when there is no rate ("not
    converted"), never 0. Raises ``TypeError`` for a float amount."""
    if isinstance(amount, float):
        raise TypeError("amounts are Decimal, not float")
    usd = _to_usd(Decimal(amount), currency, month_of(day), rates_table([(currency, day)]))
    return None if usd is None else usd.quantize(CENT, rounding=ROUND_HALF_EVEN)


def usd_amounts(flows: Iterable[Flow]) -> dict[int, Decimal | None]:
    """``{flow id: amount in US dollars (cents) or None when not converted}`` for the flows given, with
    one query for their rates (for lists: no query per row)."""
    flows = list(flows)
    rates = rates_table((f.currency, f.value_date or f.date) for f in flows)
    out: dict[int, Decimal | None] = {}
    for f in flows:
        usd = _to_usd(f.amount, f.currency, month_of(f.value_date or f.date), rates)
        out[f.pk] = None if usd is None else usd.quantize(CENT, rounding=ROUND_HALF_EVEN)
    return out


def rate_list(*, filters: Mapping | None = None) -> QuerySet[ExchangeRate]:
    """The exchange rates (public reference data: anyone may read them), newest month first;
    ``filters`` may give ``currency`` (ISO 4217) and ``year``. Raises ``ValidationError`` for a bad year."""
    qs = ExchangeRate.objects.all()
    filters = filters or {}
    if currency := (filters.get("currency") or "").strip().upper():
        qs = qs.filter(currency=currency)
    if year := (filters.get("year") or "").strip():
        if not year.isdigit() or len(year) != 4:
            raise ValidationError({"year": ["Expected a year of four digits, such as 2026."]})
        qs = qs.filter(month__year=int(year))
    return qs


# --- flows --------------------------------------------------------------------------------------------

def readable_projects(*, user, action: Action = Action.LIST, projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """The projects (of ``projects``, default all) whose flows ``user`` may take ``action`` on."""
    return restrict(Project.objects.all() if projects is None else projects, user, action)


def flow_list(user, filters: Mapping | None = None, *, action: Action = Action.LIST) -> QuerySet[Flow]:
    """The flows of the projects ``user`` may take ``action`` on (list by default, ``Action.EXPORT`` for
    exports), newest first, with their project and provider/receiver entities; ``filters`` (query
    parameters) narrow it through ``compact.funding.filters.FlowFilter``. Raises ``ValidationError``
    ({parameter: messages}) for an invalid filter."""
    qs = Flow.objects.filter(project__in=readable_projects(user=user, action=action).values("pk")).select_related(
        "project", "provider_entity", "receiver_entity")
    if filters is None:
        return qs
    from compact.funding.filters import FlowFilter

    flow_filter = FlowFilter(filters, queryset=qs)
    if not flow_filter.is_valid():
        raise ValidationError(flow_filter.errors)
    return flow_filter.qs


def flow_get(*, user, pk: int) -> Flow:
    """The flow ``pk`` if ``user`` may read its project. Raises ``Http404`` otherwise."""
    from django.http import Http404
    from django.utils.translation import gettext as _

    flow = flow_list(user).filter(pk=pk).first()
    if flow is None:
        raise Http404(_("No such item."))
    return flow


# --- totals -------------------------------------------------------------------------------------------

_Key = tuple[int, str, str, dt.date]  # project id, kind, currency, month


def _grouped(*, user, projects: QuerySet[Project] | None) -> dict[_Key, Decimal]:
    """``{(project id, kind, currency, month): sum of amounts}`` over the flows of the projects ``user``
    may count: one query."""
    counted = readable_projects(user=user, action=Action.COUNT, projects=projects).values("pk")
    rows = (
        Flow.objects.filter(project__in=counted).order_by()
        .annotate(month=Substr(Cast(Coalesce("value_date", "date"), output_field=CharField()), 1, 7))  # "YYYY-MM"
        .values_list("project_id", "kind", "currency", "month")
        .annotate(total=Sum("amount"))
    )
    out: dict[_Key, Decimal] = {}
    months: dict[str, dt.date] = {}
    for project_id, kind, currency, text, total in rows:
        month = months.get(text) or months.setdefault(text, dt.date(int(text[:4]), int(text[5:7]), 1))
        key = (project_id, kind, currency, month)
        out[key] = out.get(key, ZERO) + Decimal(total)
    return out


class _Sum:
    """A running US-dollar sum (unrounded) and the pairs it could not convert."""

    __slots__ = ("usd", "missing")

    def __init__(self) -> None:
        self.usd = ZERO
        self.missing: set[tuple[str, dt.date]] = set()

    def money(self) -> Money:
        return Money(usd=self.usd.quantize(CENT, rounding=ROUND_HALF_EVEN), complete=not self.missing,
                     not_converted=tuple(sorted(self.missing)))


def _totals_of(sums: dict[str, _Sum]) -> Totals:
    return Totals(**{field: sums[field].money() for field in KIND_FIELDS.values()})


def _new_sums() -> dict[str, _Sum]:
    return {field: _Sum() for field in KIND_FIELDS.values()}


def _accumulate(grouped: dict[_Key, Decimal], weights: Mapping[int, list[tuple[Hashable, Decimal]]] | None,
                rates: Mapping[tuple[str, dt.date], Decimal]) -> dict:
    """Convert and add up ``grouped``: into one total (``weights`` None) or per key, each project's amounts
    going to ``weights[project id]`` = ``[(key, share)]`` (share 1 for a whole, percentage/100 for an area)."""
    result: dict[Hashable, dict[str, _Sum]] = defaultdict(_new_sums)
    for (project_id, kind, currency, month), amount in grouped.items():
        field = KIND_FIELDS.get(kind)
        if field is None:
            continue
        usd = _to_usd(amount, currency, month, rates)
        targets = [(None, Decimal(1))] if weights is None else weights.get(project_id, ())
        for key, share in targets:
            running = result[key][field]
            if usd is None:
                running.missing.add((currency, month))
            else:
                running.usd += usd * share
    return result


def totals(*, user, projects: QuerySet[Project] | None = None) -> Totals:
    """The ``Totals`` of every flow of the projects ``user`` may count (``Action.COUNT``), optionally only
    those of ``projects`` (a ``Project`` queryset). Two queries after the user's standing (flows grouped,
    rates). See the module docstring for the definitions and the conversion rule."""
    return totals_by_many(user=user, dimensions=["all"], projects=projects)["all"][None]


def _weights(dimension: str, project_ids: set[int]) -> dict[int, list[tuple[Hashable, Decimal]]]:
    """``{project id: [(key, share)]}`` for ``dimension`` (see ``DIMENSIONS``): one query."""
    from compact.reference.geography import area

    one = Decimal(1)
    out: dict[int, list[tuple[Hashable, Decimal]]] = defaultdict(list)
    ids = sorted(project_ids)
    if dimension == "project":
        return {pk: [(pk, one)] for pk in ids}
    if dimension == "entity":
        for pk, entity_id in Project.objects.filter(pk__in=ids).values_list("pk", "lead_entity_id"):
            out[pk].append((entity_id, one))
    elif dimension == "working_group":
        pairs: dict[int, set[int]] = defaultdict(set)
        rows = Project.objects.filter(pk__in=ids).order_by().values_list("pk", "lead_body_id", "working_groups")
        for pk, lead_body_id, body_id in rows:  # one row per named working group (None without any)
            pairs[pk].add(lead_body_id)
            if body_id is not None:
                pairs[pk].add(body_id)
        for pk, bodies in pairs.items():
            out[pk] = [(b, one) for b in sorted(bodies)]
    elif dimension == "pillar":
        through = Project.pillars.through
        for pk, pillar_id in through.objects.filter(project_id__in=ids).values_list("project_id", "pillar_id").distinct():
            out[pk].append((pillar_id, one))
    elif dimension == "implementing_entity":
        rows = (Participant.objects.filter(project_id__in=ids, role=IMPLEMENTING_ROLE, entity__isnull=False)
                .values_list("project_id", "entity_id").distinct())
        for pk, entity_id in rows:
            out[pk].append((entity_id, one))
    elif dimension in ("country", "region"):
        for pk, code, percentage in Area.objects.filter(project_id__in=ids).values_list("project_id", "code", "percentage"):
            share = Decimal(percentage) / HUNDRED
            found = area(code)
            if dimension == "country":
                if found.is_country:
                    out[pk].append((found.code, share))
            else:
                keys = ([] if found.is_country else [found.code]) + list(found.parents)
                out[pk].extend((key, share) for key in keys)
    else:
        raise ValidationError({"by": [f"Unknown dimension {dimension!r}: expected one of {', '.join(DIMENSIONS)}."]})
    return out


def totals_by(*, user, dimension: str, projects: QuerySet[Project] | None = None) -> dict[Hashable, Totals]:
    """``{key: Totals}`` of the flows of the projects ``user`` may count (optionally within ``projects``),
    grouped by ``dimension`` (one of ``DIMENSIONS``: "project", "working_group", "pillar", "entity",
    "implementing_entity", "country", "region"; keys as ``DIMENSIONS`` says). A project counts whole for
    each of its working groups, pillars and implementing entities (the keys do not add up to the overall
    total); for "country" and "region" its money is split by its beneficiary areas' percentages, a region
    taking the shares of its own code and of every country and sub-region inside it (UN M49). Keys with no
    flow are absent. Three queries after the user's standing. Raises ``ValidationError`` ({"by": ...})
    for an unknown dimension."""
    return totals_by_many(user=user, dimensions=[dimension], projects=projects)[dimension]


def totals_by_many(*, user, dimensions: Iterable[str], projects: QuerySet[Project] | None = None) -> dict[str, dict]:
    """``{dimension: totals_by(...)}`` for several dimensions, plus ``{"all": {None: Totals}}`` when
    ``"all"`` is among them, reading the flows and the rates once (for the overview page): two queries,
    plus one per dimension other than "all" and "project". Raises ``ValidationError`` as ``totals_by``."""
    dimensions = list(dimensions)
    for dimension in dimensions:
        if dimension != "all" and dimension not in DIMENSIONS:
            raise ValidationError({"by": [f"Unknown dimension {dimension!r}: expected one of {', '.join(DIMENSIONS)}."]})
    grouped = _grouped(user=user, projects=projects)
    project_ids = {p for p, _k, _c, _m in grouped}
    rates = rates_table((c, m) for _p, _k, c, m in grouped)
    out: dict[str, dict] = {}
    for dimension in dimensions:
        if dimension == "all":
            result = _accumulate(grouped, None, rates)
            out["all"] = {None: _totals_of(result[None] if None in result else _new_sums())}
        elif not grouped:
            out[dimension] = {}
        else:
            result = _accumulate(grouped, _weights(dimension, project_ids), rates)
            out[dimension] = {key: _totals_of(sums) for key, sums in result.items()}
    return out
