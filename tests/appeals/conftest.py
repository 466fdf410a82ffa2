"""A world for the appeal: users with their standing on the default structure, two published joint
projects with money, and a call for proposals with criteria weighted 40/30/30.

Standing (from the seed): UNOCT and CTED lead wg-5 (resource mobilization), so their focal points are
its officers; UNODC and UNDP focal points keep their entities' projects; the reviewers are CTED and UNOCT
representatives (not officers); the outsider is a WCO representative.

Money (set up through the ORM, hand-computed figures in ``Money``):
- "Border security in the Sahel" (UNODC, wg-2, pillar II, Mali 60 % / Niger 40 %, SDG 16.a, implemented
  by UNODC, public): requirement USD 1,000,000; commitment EUR 300,000 in March 2025 at 0.92 EUR per USD
  = USD 326,086.956... -> 326,086.96; gap 673,913.04.
- "Preventing violent extremism in Kenya" (UNDP, wg-1, pillar I, Kenya 100 %, SDG 4.7, implemented by
  UNDP and UNESCO, internal): requirement USD 500,000; commitment USD 100,000; pledge USD 50,000 (not
  funded); commitment GBP 20,000 in April 2025, for which there is no rate (not converted: incomplete);
  gap 400,000.00.
"""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal

import pytest
from django.utils import timezone

from support.projects import make_project

SAHEL = "Border security in the Sahel"
KENYA = "Preventing violent extremism in Kenya"


class Money:
    sahel_requirement = Decimal("1000000.00")
    sahel_funded = Decimal("326086.96")  # 300000 / 0.92 = 326086.9565..., to the cent
    sahel_gap = Decimal("673913.04")
    kenya_requirement = Decimal("500000.00")
    kenya_funded = Decimal("100000.00")  # the GBP commitment has no rate: left out
    kenya_gap = Decimal("400000.00")


def criteria_40_30_30():
    return [
        {"name": {"en": "Relevance to the Strategy", "fr": "Pertinence au regard de la Stratégie"}, "weight": Decimal("40")},
        {"name": {"en": "Joint delivery", "fr": "Mise en œuvre conjointe"}, "weight": 30},
        {"name": "Value for money", "weight": "30"},
    ]


def add_flows(sahel, kenya):
    from compact.funding.models import ExchangeRate, Flow

    ExchangeRate.objects.create(currency="EUR", month=dt.date(2025, 3, 1), rate=Decimal("0.92"))
    for project, kind, amount, currency, day in [
        (sahel, "requirement", "1000000", "USD", dt.date(2025, 1, 10)),
        (sahel, "commitment", "300000", "EUR", dt.date(2025, 3, 14)),
        (kenya, "requirement", "500000", "USD", dt.date(2025, 1, 10)),
        (kenya, "commitment", "100000", "USD", dt.date(2025, 2, 1)),
        (kenya, "pledge", "50000", "USD", dt.date(2025, 2, 1)),
        (kenya, "commitment", "20000", "GBP", dt.date(2025, 4, 2)),
    ]:
        Flow.objects.create(project=project, kind=kind, amount=Decimal(amount), currency=currency, date=day,
                            provider_name="Japan")


@pytest.fixture
def world(seeded, make_user):
    """The users, the two projects (Sahel published and public; Kenya endorsed and internal) with their
    flows, and ``new_call()`` drafting a call (40/30/30, deadline in a week, two reviewers)."""
    users = types.SimpleNamespace(
        sec=make_user("sec", entity="UNOCT", function="representative", secretariat=True),
        officer=make_user("cted-fp", entity="CTED"),
        unodc=make_user("unodc-fp", entity="UNODC"),
        undp=make_user("undp-fp", entity="UNDP"),
        rev1=make_user("rev1", entity="CTED", function="representative"),
        rev2=make_user("rev2", entity="UNOCT", function="representative"),
        outsider=make_user("outsider", entity="WCO", function="representative"),
    )
    sahel = make_project(None, stage="published", title=SAHEL, sensitivity="public")
    kenya = make_project(
        None, stage="endorsed", title=KENYA, lead_entity="UNDP", lead_body="wg-1", working_groups=["wg-1"], pillars=[1],
        participants=[{"role": "4", "entity": "UNDP"}, {"role": "4", "entity": "UNESCO"}],
        areas=[{"code": "404", "percentage": Decimal("100")}], sdg_targets=["4.7"], iati_identifier="XM-TEST-KEN-1",
        sectors=[{"vocabulary": "1", "code": "15220", "percentage": Decimal("100")}],
    )
    add_flows(sahel, kenya)

    def new_call(**kw):
        from compact.appeals import services

        fields = {"title": {"en": "Joint Appeal for Africa: call for proposals", "fr": "Appel conjoint pour l'Afrique"},
                  "deadline": timezone.now() + dt.timedelta(days=7), "criteria": criteria_40_30_30(),
                  "reviewers": [users.rev1, users.rev2], "reason": "Joint Appeal for Africa"} | kw
        return services.call_create(actor=users.sec, **fields)

    return types.SimpleNamespace(users=users, sahel=sahel, kenya=kenya, new_call=new_call, money=Money)
