"""The funding test world, on the default structure (``seeded``).

Working group 2 (``wg-2``) has CTED, INTERPOL, UNODC and WCO as members; working group 5 (``wg-5``) has
UNOCT and CTED. Four joint projects (rows written directly: set-up only):

==  ===========  =====  ========  =======  ===================  ==========================================
id  level        lead   entity    pillars  working groups       beneficiary areas (UN M49)
==  ===========  =====  ========  =======  ===================  ==========================================
p1  internal     wg-2   UNDP      2        wg-2                 566 Nigeria 60 %, 004 Afghanistan 40 %
p2  confidential wg-2   UNODC     2, 3     wg-2                 566 Nigeria 100 %
p3  confidential wg-5   OHCHR     4        wg-5                 004 Afghanistan 100 %
p4  public       wg-5   CTED      1        wg-2, wg-5           002 Africa (a region) 100 %
==  ===========  =====  ========  =======  ===================  ==========================================

Rates (units per US dollar): EUR 2026-01 0.8; JPY 2026-02 150. No EUR rate for 2026-03.

Flows (kind, amount, currency, date) and their US dollars, by hand:

- p1: requirement 1,000,000 USD; pledge 200,000 USD (shown, not funded); commitment 400,000 EUR 2026-01
  (/0.8 = 500,000); commitment -40,000 EUR 2026-01 (de-obligation, /0.8 = -50,000); disbursement
  300,000 USD (pays the commitment: not added to funded); expenditure 120,000 USD.
  funded 450,000; gap 550,000.
- p2: requirement 500,000 USD; commitment 30,000,000 JPY 2026-02 (/150 = 200,000); commitment 100,000 EUR
  2026-03 (no rate: not converted). funded 200,000, incomplete (EUR 2026-03); gap 300,000, incomplete.
- p3: requirement 800,000 USD; commitment 300,000 USD. funded 300,000; gap 500,000.
- p4: requirement 250,000 USD; commitment 100,000 USD; commitment 1,000 JPY 2026-02 (/150 = 6.666...).
  funded 100,006.67 (quantised at the end); gap 149,993.33.

Users: ``secretariat`` (reads everything); ``wco`` (a WCO representative, member of wg-2, not a focal
point, not in wg-5: reads p1 internal, p2 confidential of wg-2 and p4 public, never p3); ``unodc``
(UNODC's focal point, member of wg-2, lead entity of p2: changes p2, not p3).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest


@dataclasses.dataclass
class FundingWorld:
    p1: object
    p2: object
    p3: object
    p4: object
    secretariat: object
    wco: object
    unodc: object
    bodies: dict
    pillars: dict
    entities: dict

    @property
    def projects(self):
        return [self.p1, self.p2, self.p3, self.p4]


def make_project(title, *, lead_body, lead_entity, sensitivity, pillars=(), working_groups=(), areas=(), **extra):
    """A project row written directly (test set-up), with its pillars, working groups and areas."""
    from compact.projects.models import Area, Project

    project = Project.objects.create(title=title, lead_body=lead_body, lead_entity=lead_entity, sensitivity=sensitivity,
                                     **extra)
    project.pillars.set(pillars)
    project.working_groups.set(working_groups)
    for code, percentage in areas:
        Area.objects.create(project=project, code=code, percentage=D(percentage))
    return project


def add_flow(project, kind, amount, currency, day, **extra):
    from compact.funding.models import Flow

    if kind != "requirement" and not extra.get("provider_entity"):
        extra.setdefault("provider_name", "Japan")
    return Flow.objects.create(project=project, kind=kind, amount=D(amount), currency=currency, date=day, **extra)


@pytest.fixture
def world(seeded, make_user) -> FundingWorld:
    from compact.funding.models import ExchangeRate
    from compact.registry.models import Body, Entity, Pillar

    bodies = {b.key: b for b in Body.objects.all()}
    pillars = {p.number: p for p in Pillar.objects.all()}
    entities = {e.acronym: e for e in Entity.objects.all()}
    p1 = make_project("Border security in the Sahel", lead_body=bodies["wg-2"], lead_entity=entities["UNDP"],
                      sensitivity="internal", pillars=[pillars[2]], working_groups=[bodies["wg-2"]],
                      areas=[("566", "60"), ("004", "40")])
    p2 = make_project("Financial intelligence units", lead_body=bodies["wg-2"], lead_entity=entities["UNODC"],
                      sensitivity="confidential", pillars=[pillars[2], pillars[3]], working_groups=[bodies["wg-2"]],
                      areas=[("566", "100")])
    p3 = make_project("Victims' associations", lead_body=bodies["wg-5"], lead_entity=entities["OHCHR"],
                      sensitivity="confidential", pillars=[pillars[4]], working_groups=[bodies["wg-5"]],
                      areas=[("004", "100")])
    p4 = make_project("Youth engagement in Africa", lead_body=bodies["wg-5"], lead_entity=entities["CTED"],
                      sensitivity="public", pillars=[pillars[1]], working_groups=[bodies["wg-2"], bodies["wg-5"]],
                      areas=[("002", "100")])
    ExchangeRate.objects.create(currency="EUR", month=dt.date(2026, 1, 1), rate=D("0.8"))
    ExchangeRate.objects.create(currency="JPY", month=dt.date(2026, 2, 1), rate=D("150"))
    add_flow(p1, "requirement", "1000000", "USD", dt.date(2026, 1, 10))
    add_flow(p1, "pledge", "200000", "USD", dt.date(2026, 1, 15))
    add_flow(p1, "commitment", "400000", "EUR", dt.date(2026, 1, 20), provider_name="European Union")
    add_flow(p1, "commitment", "-40000", "EUR", dt.date(2026, 1, 25), provider_name="European Union")
    add_flow(p1, "disbursement", "300000", "USD", dt.date(2026, 2, 1))
    add_flow(p1, "expenditure", "120000", "USD", dt.date(2026, 2, 10), provider_entity=entities["UNDP"])
    add_flow(p2, "requirement", "500000", "USD", dt.date(2026, 1, 5))
    add_flow(p2, "commitment", "30000000", "JPY", dt.date(2026, 2, 5))
    add_flow(p2, "commitment", "100000", "EUR", dt.date(2026, 3, 5), provider_name="European Union")
    add_flow(p3, "requirement", "800000", "USD", dt.date(2026, 1, 5))
    add_flow(p3, "commitment", "300000", "USD", dt.date(2026, 1, 6))
    add_flow(p4, "requirement", "250000", "USD", dt.date(2026, 1, 5))
    add_flow(p4, "commitment", "100000", "USD", dt.date(2026, 1, 6))
    add_flow(p4, "commitment", "1000", "JPY", dt.date(2026, 2, 6))
    return FundingWorld(
        p1=p1, p2=p2, p3=p3, p4=p4,
        secretariat=make_user("sec", secretariat=True, entity="UNOCT"),
        wco=make_user("wco", entity="WCO", function="representative"),
        unodc=make_user("unodc", entity="UNODC", body="wg-2"),
        bodies=bodies, pillars=pillars, entities=entities,
    )
