"""Funding pages: what each user sees, the forms, the rates upload, and bounded query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.test import Client

from compact.funding.models import ExchangeRate, Flow


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_overview_shows_totals_and_names_the_missing_rate(world):
    page = _client(world.secretariat).get("/funding/").content.decode()
    assert "$2,550,000.00" in page  # requirement: 1,000,000 + 500,000 + 800,000 + 250,000
    assert "$1,050,006.67" in page  # funded
    assert "$1,499,993.33" in page  # gap
    assert "incomplete: no rate for EUR 2026-03" in page
    assert "Nigeria (566)" in page and "Africa (002)" in page and "WG 5" in page
    assert "<svg" in page


def test_overview_marks_each_incomplete_figure_and_names_pillars_and_implementing_entities(world):
    from compact.projects.models import Participant

    Participant.objects.create(project=world.p1, role="4", entity=world.entities["UNDP"])
    page = _client(world.secretariat).get("/funding/").content.decode()
    overall = re.search(r'<table class="table align-middle funding-overall">.*?</table>', page, re.S).group(0)
    # p2's EUR 2026-03 commitment has no rate: funded and gap are incomplete, the requirement is not.
    cells = re.findall(r'<td class="text-end">(.*?)</td>', overall, re.S)
    assert [("incomplete-mark" in c) for c in cells] == [False, False, True, False, False, True]
    assert "II. Measures to prevent and combat terrorism" in page
    implementing = re.search(r'<table class="table table-striped align-middle funding-implementing_entity">.*?</table>',
                             page, re.S).group(0)
    # UNDP implements p1 only: requirement 1,000,000; funded 500,000 - 50,000 = 450,000.
    assert "UNDP" in implementing and "$1,000,000.00" in implementing and "$450,000.00" in implementing


def test_overview_leaves_out_projects_the_user_may_not_count(world):
    page = _client(world.wco).get("/funding/").content.decode()
    assert "$1,750,000.00" in page  # p1 + p2 + p4
    assert "$2,550,000.00" not in page and "$800,000.00" not in page  # p3 nowhere
    assert "OHCHR" not in page  # p3's lead entity has no row
    assert "Pillar 4" not in page
    anonymous = _client().get("/funding/").content.decode()
    assert "$250,000.00" in anonymous and "$1,750,000.00" not in anonymous


def test_project_flows_in_their_currency_and_in_dollars(world):
    page = _client(world.unodc).get(f"/funding/projects/{world.p2.pk}/").content.decode()
    assert "¥30,000,000" in page and "$200,000.00" in page  # 30,000,000 JPY / 150
    assert "€100,000.00" in page and "not converted (no EUR rate for 2026-03)" in page
    assert "Add a funding flow" in page  # unodc is UNODC's focal point, p2's lead entity


def test_project_page_access(world):
    assert _client(world.wco).get(f"/funding/projects/{world.p3.pk}/").status_code == 404
    page = _client(world.wco).get(f"/funding/projects/{world.p2.pk}/")
    assert page.status_code == 200 and "Add a funding flow" not in page.content.decode()
    response = _client(world.wco).post(f"/funding/projects/{world.p2.pk}/", {"kind": "requirement"})
    assert response.status_code == 403


def test_add_edit_and_delete_a_flow_through_the_pages(world):
    client = _client(world.unodc)
    data = {"kind": "commitment", "amount": "5000", "currency": "EUR", "date": "2026-01-12", "provider_name": "Italy",
            "reason": "Grant signed"}
    response = client.post(f"/funding/projects/{world.p2.pk}/", data)
    assert response.status_code == 302
    flow = Flow.objects.get(provider_name="Italy")
    assert (flow.amount, flow.currency) == (D("5000"), "EUR")
    bad = client.post(f"/funding/projects/{world.p2.pk}/", data | {"amount": "5000.5", "currency": "JPY"})
    assert bad.status_code == 400 and "JPY has no minor unit" in bad.content.decode()
    edit = client.post(f"/funding/flows/{flow.pk}/edit/", data | {"amount": "6000", "reason": ""})
    assert edit.status_code == 400 and "reason is required" in edit.content.decode()
    edit = client.post(f"/funding/flows/{flow.pk}/edit/", data | {"amount": "6000", "reason": "Amended"})
    assert edit.status_code == 302
    flow.refresh_from_db()
    assert flow.amount == D("6000")
    assert _client(world.wco).post(f"/funding/flows/{flow.pk}/delete/", {"reason": "x"}).status_code == 403
    assert client.post(f"/funding/flows/{flow.pk}/delete/", {"reason": "Duplicate"}).status_code == 302
    assert not Flow.objects.filter(pk=flow.pk).exists()


def test_rates_upload_checks_then_loads(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(world.secretariat)
    csv_bytes = "\ufeffCurrency;Month;Rate\r\nEUR;2026-03;0,9215\r\n".encode()
    check = client.post("/funding/rates/", {"file": SimpleUploadedFile("rates.csv", csv_bytes), "reason": "March",
                                            "op": "check"})
    assert check.status_code == 200 and "Check only" in check.content.decode()
    assert not ExchangeRate.objects.filter(month=dt.date(2026, 3, 1)).exists()
    load = client.post("/funding/rates/", {"csv_text": "Currency;Month;Rate\r\nEUR;2026-03;0,9215\r\n", "reason": "March",
                                           "op": "load"})
    assert load.status_code == 302
    assert ExchangeRate.objects.get(currency="EUR", month=dt.date(2026, 3, 1)).rate == D("0.9215")
    bad = client.post("/funding/rates/", {"file": SimpleUploadedFile("r.csv", b"currency,month,rate\nEUR,2026-04,0.9\nXYZ,2026-04,1\n"),
                                          "reason": "April", "op": "load"})
    assert bad.status_code == 400 and "Row 3, column currency" in bad.content.decode()
    assert not ExchangeRate.objects.filter(month=dt.date(2026, 4, 1)).exists()
    assert _client(world.unodc).post("/funding/rates/", {"csv_text": "x", "reason": "x", "op": "load"}).status_code == 403
    assert "Load rates" not in _client(world.unodc).get("/funding/rates/").content.decode()


def _more_projects(world, n):
    from compact.projects.models import Area, Project

    for i in range(n):
        project = Project.objects.create(title=f"Extra {i}", lead_body=world.bodies["wg-3"], lead_entity=world.entities["UNODA"],
                                         sensitivity="internal")
        project.pillars.set([world.pillars[2]])
        project.working_groups.set([world.bodies["wg-3"]])
        Area.objects.create(project=project, code="404", percentage=D("100"))
        Flow.objects.create(project=project, kind="requirement", amount=D("1000"), currency="USD", date=dt.date(2026, 1, 1))
        Flow.objects.create(project=project, kind="commitment", amount=D("900"), currency="EUR", date=dt.date(2026, 1, 1),
                            provider_name="EU")


@pytest.mark.parametrize("url", ["/funding/", "/api/funding/totals/?by=country", "/api/funding/totals/"])
def test_query_counts_do_not_grow_with_the_projects(world, url, django_assert_max_num_queries):
    client = _client(world.wco)
    client.get(url)
    with django_assert_max_num_queries(27) as first:  # the overview: 25, plus its page of joint projects and their access log
        assert client.get(url).status_code == 200
    _more_projects(world, 15)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
