"""Totals and funding gaps: every expected figure is worked out by hand in ``conftest.py`` (the world's
docstring) and repeated here with its arithmetic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from compact.funding.selectors import Money, Totals, convert, rate_for, totals, totals_by

MARCH_EUR = (("EUR", dt.date(2026, 3, 1)),)


def test_totals_for_the_secretariat_cover_every_project(world):
    t = totals(user=world.secretariat)
    assert t.requirement == Money(D("2550000.00"))  # 1,000,000 + 500,000 + 800,000 + 250,000
    assert t.pledged == Money(D("200000.00"))  # shown, never funded
    # commitments: 400,000/0.8 - 40,000/0.8 + 30,000,000/150 + 300,000 + 100,000 + 1,000/150
    #            = 500,000 - 50,000 + 200,000 + 300,000 + 100,000 + 6.666... = 1,050,006.67; EUR 2026-03 left out
    assert t.funded == Money(D("1050006.67"), complete=False, not_converted=MARCH_EUR)
    assert t.disbursed == Money(D("300000.00"))  # shown, not added to funded
    assert t.spent == Money(D("120000.00"))
    assert t.gap == Money(D("1499993.33"), complete=False, not_converted=MARCH_EUR)  # 2,550,000 - 1,050,006.67


def test_a_pledge_is_not_funded_and_a_disbursement_is_not_counted_twice(world):
    t = totals_by(user=world.secretariat, dimension="project")[world.p1.pk]
    assert t.pledged.usd == D("200000.00")
    assert t.funded == Money(D("450000.00"))  # 500,000 - 50,000 (de-obligation); the 300,000 disbursed not added
    assert t.disbursed.usd == D("300000.00")
    assert t.gap == Money(D("550000.00"))  # 1,000,000 - 450,000


def test_a_missing_rate_makes_the_total_incomplete_and_names_the_pair(world):
    t = totals_by(user=world.secretariat, dimension="project")[world.p2.pk]
    assert t.funded.usd == D("200000.00")  # 30,000,000 JPY / 150; the 100,000 EUR of 2026-03 left out, never 0 or 1:1
    assert not t.funded.complete
    assert t.funded.not_converted == MARCH_EUR
    assert t.funded.not_converted_labels == ["EUR 2026-03"]
    assert t.requirement.complete
    assert t.gap == Money(D("300000.00"), complete=False, not_converted=MARCH_EUR)  # 500,000 - 200,000


def test_quantised_to_cents_only_at_the_end(world):
    t = totals_by(user=world.secretariat, dimension="project")[world.p4.pk]
    assert t.funded.usd == D("100006.67")  # 100,000 + 1,000/150 = 100,006.6666...
    assert t.gap.usd == D("149993.33")  # 250,000 - 100,006.67


def test_totals_by_project(world):
    by = totals_by(user=world.secretariat, dimension="project")
    assert {pk: t.gap.usd for pk, t in by.items()} == {
        world.p1.pk: D("550000.00"), world.p2.pk: D("300000.00"), world.p3.pk: D("500000.00"), world.p4.pk: D("149993.33")}


def test_totals_by_working_group_count_the_lead_and_the_other_groups_once(world):
    by = totals_by(user=world.secretariat, dimension="working_group")
    wg2, wg5 = world.bodies["wg-2"].pk, world.bodies["wg-5"].pk
    assert set(by) == {wg2, wg5}
    # wg-2: p1 + p2 + p4 (p4 names wg-2 among its working groups)
    assert by[wg2].requirement.usd == D("1750000.00")  # 1,000,000 + 500,000 + 250,000
    assert by[wg2].funded == Money(D("750006.67"), complete=False, not_converted=MARCH_EUR)  # 450,000 + 200,000 + 100,006.67
    # wg-5: p3 + p4 (p4 leads in wg-5 and names it too: counted once)
    assert by[wg5].requirement.usd == D("1050000.00")  # 800,000 + 250,000
    assert by[wg5].funded == Money(D("400006.67"))  # 300,000 + 100,006.67
    assert by[wg5].gap.usd == D("649993.33")  # 1,050,000 - 400,006.67


def test_totals_by_pillar(world):
    by = totals_by(user=world.secretariat, dimension="pillar")
    p = {n: world.pillars[n].pk for n in (1, 2, 3, 4)}
    assert by[p[1]].funded.usd == D("100006.67")  # p4
    assert by[p[2]].funded.usd == D("650000.00")  # p1 450,000 + p2 200,000
    assert by[p[2]].requirement.usd == D("1500000.00")  # 1,000,000 + 500,000
    assert by[p[3]].requirement.usd == D("500000.00")  # p2
    assert not by[p[3]].funded.complete
    assert by[p[4]].gap.usd == D("500000.00")  # p3


def test_totals_by_lead_entity_and_implementing_entity(world):
    from compact.projects.models import Participant

    by = totals_by(user=world.secretariat, dimension="entity")
    e = world.entities
    assert {k: v.requirement.usd for k, v in by.items()} == {
        e["UNDP"].pk: D("1000000.00"), e["UNODC"].pk: D("500000.00"), e["OHCHR"].pk: D("800000.00"),
        e["CTED"].pk: D("250000.00")}
    Participant.objects.create(project=world.p1, role="4", entity=e["UNODC"])
    Participant.objects.create(project=world.p2, role="4", entity=e["UNODC"])
    Participant.objects.create(project=world.p3, role="1", entity=e["UNODC"])  # funding, not implementing
    by = totals_by(user=world.secretariat, dimension="implementing_entity")
    assert set(by) == {e["UNODC"].pk}
    assert by[e["UNODC"].pk].requirement.usd == D("1500000.00")  # p1 + p2


def test_totals_by_country_split_by_area_percentages(world):
    by = totals_by(user=world.secretariat, dimension="country")
    assert set(by) == {"566", "004"}  # p4's area is a region, not a country
    # Nigeria: 60 % of p1 and all of p2
    assert by["566"].requirement.usd == D("1100000.00")  # 0.6 * 1,000,000 + 500,000
    assert by["566"].funded == Money(D("470000.00"), complete=False, not_converted=MARCH_EUR)  # 0.6 * 450,000 + 200,000
    # Afghanistan: 40 % of p1 and all of p3
    assert by["004"].requirement.usd == D("1200000.00")  # 0.4 * 1,000,000 + 800,000
    assert by["004"].funded == Money(D("480000.00"))  # 0.4 * 450,000 + 300,000
    assert by["004"].pledged.usd == D("80000.00")  # 0.4 * 200,000


def test_a_region_includes_its_countries_shares(world):
    by = totals_by(user=world.secretariat, dimension="region")
    # Africa (002): Nigeria's shares (1,100,000 required) + p4, whose area is Africa itself (250,000)
    assert by["002"].requirement.usd == D("1350000.00")
    assert by["002"].funded.usd == D("570006.67")  # 470,000 + 100,006.67
    assert by["002"].funded.not_converted == MARCH_EUR
    assert by["011"].requirement.usd == D("1100000.00")  # Western Africa: Nigeria only
    assert by["034"].requirement.usd == D("1200000.00")  # Southern Asia: Afghanistan
    assert by["142"].requirement.usd == D("1200000.00")  # Asia
    assert by["001"].requirement.usd == D("2550000.00")  # World: every share, 100 % of every project


def test_a_uneven_split_is_kept_exact_until_the_end(world):
    from compact.projects.models import Area

    Area.objects.filter(project=world.p3).delete()
    for code in ("004", "566", "586"):
        Area.objects.create(project=world.p3, code=code, percentage=D("33.333"))
    Area.objects.filter(project=world.p3, code="586").update(percentage=D("33.334"))
    by = totals_by(user=world.secretariat, dimension="country")
    assert by["586"].requirement.usd == D("266672.00")  # 0.33334 * 800,000
    assert by["004"].requirement.usd == D("666664.00")  # 0.4 * 1,000,000 + 0.33333 * 800,000 = 400,000 + 266,664


def test_a_user_sees_only_the_money_of_the_projects_they_may_count(world):
    t = totals(user=world.wco)  # p1, p2, p4; never p3 (confidential, wg-5)
    assert t.requirement.usd == D("1750000.00")  # 1,000,000 + 500,000 + 250,000
    assert t.funded.usd == D("750006.67")  # 450,000 + 200,000 + 100,006.67
    assert totals_by(user=world.wco, dimension="region")["001"].requirement.usd == D("1750000.00")  # World: all shares
    assert world.p3.pk not in totals_by(user=world.wco, dimension="project")
    assert world.pillars[4].pk not in totals_by(user=world.wco, dimension="pillar")
    assert world.entities["OHCHR"].pk not in totals_by(user=world.wco, dimension="entity")
    wg5 = totals_by(user=world.wco, dimension="working_group")[world.bodies["wg-5"].pk]
    assert wg5.requirement.usd == D("250000.00")  # p4 only: p3's 800,000 is not there
    by_country = totals_by(user=world.wco, dimension="country")
    assert by_country["004"].requirement.usd == D("400000.00")  # 0.4 * 1,000,000 (p1); p3 left out


def test_a_visitor_counts_public_projects_only(world):
    t = totals(user=AnonymousUser())
    assert t.requirement.usd == D("250000.00")  # p4
    assert t.funded.usd == D("100006.67")


def test_totals_within_a_given_set_of_projects(world):
    from compact.projects.models import Project

    t = totals(user=world.wco, projects=Project.objects.filter(pk__in=[world.p1.pk, world.p3.pk]))
    assert t.requirement.usd == D("1000000.00")  # p1 only: p3 is not counted for wco


def test_no_flows_gives_zero_and_complete(db):
    from django.contrib.auth.models import AnonymousUser

    t = totals(user=AnonymousUser())
    assert t == Totals(*(Money(D("0.00")),) * 5)
    assert totals_by(user=AnonymousUser(), dimension="country") == {}


def test_unknown_dimension_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        totals_by(user=world.secretariat, dimension="colour")
    assert "colour" in str(caught.value.message_dict["by"])


def test_rate_for_and_convert(world):
    assert rate_for("EUR", dt.date(2026, 1, 31)) == D("0.8")
    assert rate_for("USD", dt.date(1999, 1, 1)) == D(1)
    assert rate_for("EUR", dt.date(2026, 3, 1)) is None
    assert convert(D("100"), "EUR", dt.date(2026, 1, 2)) == D("125.00")  # 100 / 0.8
    assert convert(D("1000"), "JPY", dt.date(2026, 2, 28)) == D("6.67")  # 6.666... half-even
    assert convert(D("1000"), "EUR", dt.date(2026, 3, 1)) is None  # not converted, never 0
    with pytest.raises(TypeError):
        convert(1.5, "USD", dt.date(2026, 1, 1))


def test_a_flow_converts_at_the_month_of_its_value_date(world):
    """The EUR commitment of March 2026 has no rate; valued in January (IATI value-date) it converts at
    January's 0.8: p2's funded becomes 200,000 + 100,000 / 0.8 = 325,000 and complete."""
    from compact.funding.models import Flow

    Flow.objects.filter(project=world.p2, currency="EUR").update(value_date=dt.date(2026, 1, 20))
    t = totals_by(user=world.secretariat, dimension="project")[world.p2.pk]
    assert t.funded == Money(D("325000.00"))
    from compact.funding.selectors import usd_amounts

    flow = Flow.objects.get(project=world.p2, currency="EUR")
    assert usd_amounts([flow]) == {flow.pk: D("125000.00")}
