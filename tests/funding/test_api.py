"""The funding API: flows, totals by dimension, rates, and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

from django.test import Client

from compact.funding.models import ExchangeRate, Flow


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_flow_list_is_restricted_and_filtered(world):
    body = _client(world.wco).get("/api/flows/").json()
    assert body["count"] == 12  # p1 6 + p2 3 + p4 3; p3's 2 flows are not listed
    assert {r["project"] for r in body["results"]} == {world.p1.pk, world.p2.pk, world.p4.pk}
    jpy = _client(world.wco).get(f"/api/flows/?currency=jpy&project={world.p2.pk}").json()["results"]
    assert [(r["amount"], r["usd"]) for r in jpy] == [("30000000.000", "200000.00")]  # 30,000,000 / 150
    eur = _client(world.wco).get(f"/api/flows/?currency=EUR&project={world.p2.pk}").json()["results"]
    assert eur[0]["usd"] is None  # EUR 2026-03 has no rate: not converted
    assert _client(world.wco).get("/api/flows/?kind=gift").status_code == 400


def test_flow_create_update_delete(world):
    client = _client(world.unodc)
    created = client.post("/api/flows/", {"project": world.p2.pk, "kind": "commitment", "amount": "2500.50",
                                          "currency": "EUR", "date": "2026-01-20", "provider_entity": "undp",
                                          "reason": "Signed"}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["usd"] == "3125.62"  # 2,500.50 / 0.8 = 3,125.625, half-even to cents: 3,125.62
    flow_id = created.json()["id"]
    assert Flow.objects.get(pk=flow_id).provider_entity == world.entities["UNDP"]
    as_number = client.post("/api/flows/", {"project": world.p2.pk, "kind": "requirement", "amount": 10.5, "currency": "USD",
                                            "date": "2026-01-20", "reason": "x"}, content_type="application/json")
    assert as_number.status_code == 400 and "amount" in as_number.json()["error"]["fields"]
    zero = client.post("/api/flows/", {"project": world.p2.pk, "kind": "requirement", "amount": "0", "currency": "USD",
                                       "date": "2026-01-20", "reason": "x"}, content_type="application/json")
    assert zero.status_code == 400 and "zero" in zero.json()["error"]["fields"]["amount"][0]
    assert client.post("/api/flows/", {"project": world.p3.pk, "kind": "requirement", "amount": "5", "currency": "USD",
                                       "date": "2026-01-20", "reason": "x"}, content_type="application/json").status_code == 404
    assert _client(world.wco).post("/api/flows/", {"project": world.p2.pk, "kind": "requirement", "amount": "5",
                                                   "currency": "USD", "date": "2026-01-20", "reason": "x"},
                                   content_type="application/json").status_code == 403
    no_reason = client.patch(f"/api/flows/{flow_id}/", {"amount": "3000"}, content_type="application/json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    changed = client.patch(f"/api/flows/{flow_id}/", {"amount": "3000", "reason": "Amended"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["usd"] == "3750.00"  # 3,000 / 0.8
    assert _client(world.wco).get(f"/api/flows/{Flow.objects.filter(project=world.p3).first().pk}/").status_code == 404
    assert client.delete(f"/api/flows/{flow_id}/").status_code == 400
    assert client.delete(f"/api/flows/{flow_id}/?reason=Duplicate").status_code == 204
    assert not Flow.objects.filter(pk=flow_id).exists()


def test_totals_api_by_each_dimension(world):
    client = _client(world.secretariat)
    overall = client.get("/api/funding/totals/").json()["results"][0]
    assert overall["funded"] == {"usd": "1050006.67", "complete": False, "not_converted": ["EUR 2026-03"]}
    assert overall["gap"]["usd"] == "1499993.33"  # 2,550,000 - 1,050,006.67
    by_country = {r["key"]: r for r in client.get("/api/funding/totals/?by=country").json()["results"]}
    assert by_country["566"]["requirement"]["usd"] == "1100000.00"  # 0.6 * 1,000,000 + 500,000
    assert by_country["566"]["label"] == "Nigeria (566)"
    by_region = {r["key"]: r for r in client.get("/api/funding/totals/?by=region").json()["results"]}
    assert by_region["002"]["requirement"]["usd"] == "1350000.00"  # Nigeria's 1,100,000 + p4's 250,000
    by_wg = {r["label"]: r for r in client.get("/api/funding/totals/?by=working_group").json()["results"]}
    assert by_wg["WG 5"]["funded"]["usd"] == "400006.67"  # p3 300,000 + p4 100,006.67
    assert client.get("/api/funding/totals/?by=colour").status_code == 400
    restricted = {r["label"]: r for r in _client(world.wco).get("/api/funding/totals/?by=working_group").json()["results"]}
    assert restricted["WG 5"]["requirement"]["usd"] == "250000.00"  # p4 only; p3 left out


def test_rates_api(world):
    rates = _client().get("/api/rates/?currency=eur").json()
    assert rates == [{"currency": "EUR", "month": "2026-01", "rate": "0.80000000", "source": ""}]
    rows = {"rows": [{"currency": "EUR", "month": "2026-03", "rate": "0.92"}], "reason": "March", "dry_run": True}
    assert _client(world.unodc).post("/api/rates/", rows, content_type="application/json").status_code == 403
    dry = _client(world.secretariat).post("/api/rates/", rows, content_type="application/json").json()
    assert dry["written"] is False and dry["changes"][0]["action"] == "create"
    assert not ExchangeRate.objects.filter(month=dt.date(2026, 3, 1)).exists()
    bad = _client(world.secretariat).post("/api/rates/", {"rows": [{"currency": "EUR", "month": "March", "rate": "1"}],
                                                          "reason": "x"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "month"
    done = _client(world.secretariat).post("/api/rates/", rows | {"dry_run": False}, content_type="application/json")
    assert done.json()["written"] is True
    assert ExchangeRate.objects.get(currency="EUR", month=dt.date(2026, 3, 1)).rate == D("0.92")


def test_schema_names_the_funding_endpoints(db):
    schema = Client().get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"] if schema["Content-Type"].startswith("application/json") else schema.content.decode()
    for path in ("/api/flows/", "/api/flows/{flow_id}/", "/api/funding/totals/", "/api/rates/"):
        assert path in paths


def test_an_out_of_range_project_filter_is_a_field_error(world):
    """``?project=`` beyond any id the database holds answers 400 on ``project``, never a server error."""
    response = _client(world.secretariat).get(f"/api/flows/?project={10 ** 20}")
    assert response.status_code == 400 and "project" in response.json()["error"]["fields"]


def test_a_rates_row_number_that_is_not_a_number_is_ignored(world):
    """The optional ``row`` of a rates row only numbers messages: junk there falls back to the row's
    position instead of failing the request."""
    response = _client(world.secretariat).post(
        "/api/rates/", {"rows": [{"row": "x", "currency": "EUR", "month": "2026-04", "rate": "0"}], "reason": "April"},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 1, "column": "rate", "value": "0",
                                          "message": "A rate is a positive number of units per US dollar."}]
