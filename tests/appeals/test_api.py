"""The appeals' API responses, validated strictly against the served OpenAPI document."""

from __future__ import annotations

import datetime as dt

import pytest

from compact.appeals import services

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi():
    """A strict validator for the served document (as in tests/registry/test_openapi_contract.py)."""
    import json

    from django.test import Client
    from openapi_core import Config, OpenAPI

    schema = json.loads(Client().get("/api/schema/?format=json").content)
    config = Config(additional_properties_default_policy="forbid", response_properties_default_policy="required")
    return OpenAPI.from_dict(schema, config=config)


def test_responses_match_the_schema(world, openapi):
    from django.test import Client
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    u = world.users
    call = world.new_call()
    services.call_open(actor=u.sec, call=call, reason="Open")
    draft = world.new_call(title="Draft call")
    services.appeal_create(actor=u.sec, key="africa", title="Joint Appeal", period_start=dt.date(2025, 1, 1),
                           period_end=dt.date(2026, 12, 31), projects=[world.sahel, world.kenya])
    cases = [
        (None, "/api/appeals/", 200), (u.sec, "/api/appeals/", 200),
        (u.sec, "/api/appeals/africa/", 200), (u.sec, "/api/appeals/africa/?region=002&pillar=2", 200),
        (u.sec, "/api/appeals/africa/?country=002", 400), (None, "/api/appeals/africa/", 404),
        (None, "/api/calls/", 200), (None, f"/api/calls/{call.pk}/", 200), (None, f"/api/calls/{draft.pk}/", 404),
    ]
    for user, url, expected in cases:
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, (url, response.content[:500])
        openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
    error = Client()
    error.force_login(u.sec)
    assert "is a region's code" in error.get("/api/appeals/africa/?country=002").json()["error"]["fields"]["country"][0]


def _call_payload(**extra):
    return {
        "title": {"en": "Call for Africa 2030", "fr": "Appel pour l'Afrique 2030"}, "body": "wg-5",
        "deadline": "2030-03-31T17:00:00-04:00", "max_score": 10, "reviewers": ["rev1", "rev2"],
        "criteria": [{"name": {"en": "Relevance"}, "weight": "40"}, {"name": {"en": "Joint delivery"}, "weight": "60"}],
        "reason": "Joint Appeal 2030",
    } | extra


def _appeal_payload(world, **extra):
    return {"key": "africa-2030", "title": {"en": "Joint Appeal for Africa"}, "body": "wg-5", "period_start": "2030-01-01",
            "period_end": "2031-12-31", "region": "002", "projects": [world.sahel.pk], "reason": "Draft"} | extra


def _api(user=None):
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_secretariat_drafts_and_changes_a_call_through_the_api(world):
    from compact.appeals.models import Call

    client = _api(world.users.sec)
    response = client.post("/api/calls/", _call_payload(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft" and data["max_score"] == 10 and data["deadline"] == "2030-03-31T21:00:00Z"
    assert [(c["number"], c["name"], c["weight"]) for c in data["criteria"]] == [(1, "Relevance", "40.00"),
                                                                                 (2, "Joint delivery", "60.00")]
    call = Call.objects.get(pk=data["id"])
    assert sorted(call.reviewers.values_list("username", flat=True)) == ["rev1", "rev2"]
    response = client.patch(f"/api/calls/{call.pk}/", {"title": {"en": "Call for Africa"}}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Call for Africa"
    services.call_open(actor=world.users.sec, call=call, reason="Open")
    response = client.patch(f"/api/calls/{call.pk}/", {"criteria": [{"name": {"en": "Other"}, "weight": "1"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "criteria": ["Locked: the call is open, its criteria, weights and highest score are published."]}


def test_a_call_with_bad_input_answers_400_naming_each_field(world):
    client = _api(world.users.sec)
    response = client.post("/api/calls/", _call_payload(deadline="2030-03-31T17:00:00", reviewers=["rev1", "nobody"]),
                           format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["deadline"] == ["Give the time zone: an offset from UTC, e.g. 2026-03-31T17:00:00-04:00 or "
                                  "2026-03-31T21:00:00Z."]
    assert fields["reviewers"] == ["No user has the username nobody."]
    response = client.post("/api/calls/", _call_payload(criteria=[{"name": {"en": "Relevance"}, "weight": "0.001"},
                                                                  {"name": {"en": ""}, "weight": "5"}]), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"criteria": [
        "Criterion 1: the weight 0.001 is not a number greater than 0 with at most two decimals.",
        "Criterion 2 has no name."]}
    response = client.post("/api/calls/", _call_payload(criteria=[{"weight": "5"}]), format="json")
    assert response.json()["error"]["fields"] == {"criteria": ["Item 1, name: This field is required."]}


def test_who_may_write_calls_and_appeals_through_the_api(world, make_user):
    u = world.users
    draft = world.new_call()
    assert _api().post("/api/calls/", _call_payload(), format="json").status_code in (401, 403)
    assert _api(u.officer).post("/api/calls/", _call_payload(), format="json").status_code == 403
    assert _api(u.officer).patch(f"/api/calls/{draft.pk}/", {"max_score": 3}, format="json").status_code == 403
    assert _api(u.unodc).patch(f"/api/calls/{draft.pk}/", {"max_score": 3}, format="json").status_code == 404
    assert _api().post("/api/appeals/", _appeal_payload(world), format="json").status_code in (401, 403)
    plain = make_user("undp-compact-fp", entity="UNDP", body="compact")  # no officer standing anywhere
    assert _api(plain).post("/api/appeals/", _appeal_payload(world), format="json").status_code == 403
    # UNODC's focal point is an officer of wg-2 and wg-4, not of wg-5.
    response = _api(u.unodc).post("/api/appeals/", _appeal_payload(world), format="json")
    assert response.status_code == 403
    assert _api(u.unodc).post("/api/appeals/", _appeal_payload(world, body="wg-2"), format="json").status_code == 201


def test_an_officer_drafts_and_changes_an_appeal_through_the_api(world):
    from compact.appeals.models import Appeal
    from support.projects import make_project

    client = _api(world.users.officer)
    response = client.post("/api/appeals/", _appeal_payload(world, projects=[world.sahel.pk, world.kenya.pk]), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["key"] == "africa-2030" and data["status"] == "draft" and data["region"] == "002"
    assert sorted(p["title"] for p in data["projects"]) == sorted([world.kenya.title, world.sahel.title])
    assert data["totals"]["requirement"]["usd"] == "1500000.00"  # 1,000,000 + 500,000 (conftest)
    hidden = make_project(None, stage="published", title="Hidden", sensitivity="strictly_confidential")
    response = client.patch("/api/appeals/africa-2030/", {"projects": [hidden.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"projects": [f"No joint project you may read has the number {hidden.pk}."]}
    response = client.patch("/api/appeals/africa-2030/", {"region": "404"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["region"] == [
        "'404' is a country's code: an appeal's region is a UN M49 region, e.g. 002 Africa."]
    response = client.patch("/api/appeals/africa-2030/", {"projects": [world.sahel.pk], "title": {"en": "Joint Appeal"}},
                            format="json")
    assert response.status_code == 200 and response.json()["title"] == "Joint Appeal"
    assert list(Appeal.objects.get(key="africa-2030").projects.values_list("pk", flat=True)) == [world.sahel.pk]


def test_write_responses_match_the_schema(world, openapi):
    from django.test import Client
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    u = world.users
    draft = world.new_call()
    services.appeal_create(actor=u.sec, key="africa", title="Joint Appeal", period_start=dt.date(2025, 1, 1),
                           period_end=dt.date(2026, 12, 31), projects=[world.sahel])
    cases = [
        (u.sec, "post", "/api/calls/", _call_payload(), 201),
        (u.sec, "post", "/api/calls/", _call_payload(deadline="2030-03-31T17:00"), 400),
        (u.officer, "post", "/api/calls/", _call_payload(), 403),
        (u.sec, "patch", f"/api/calls/{draft.pk}/", {"max_score": 7}, 200),
        (u.sec, "patch", f"/api/calls/{draft.pk}/", {"max_score": 0}, 400),
        (u.officer, "patch", f"/api/calls/{draft.pk}/", {"max_score": 7}, 403),
        (u.outsider, "patch", f"/api/calls/{draft.pk}/", {"max_score": 7}, 404),
        (u.officer, "post", "/api/appeals/", _appeal_payload(world), 201),
        (u.officer, "post", "/api/appeals/", _appeal_payload(world, key="calls"), 400),
        (u.outsider, "post", "/api/appeals/", _appeal_payload(world, key="other"), 403),
        (u.sec, "patch", "/api/appeals/africa/", {"period_end": "2027-12-31"}, 200),
        (u.sec, "patch", "/api/appeals/africa/", {"period_end": "2020-12-31"}, 400),
        (u.outsider, "patch", "/api/appeals/africa/", {"period_end": "2027-12-31"}, 404),
    ]
    for user, method, url, body, expected in cases:
        client = Client()
        client.force_login(user)
        response = getattr(client, method)(url, data=body, content_type="application/json")
        assert response.status_code == expected, (method, url, response.content[:500])
        openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
    schema = Client().get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(schema["/api/calls/"]) and {"get", "patch"} <= set(schema["/api/calls/{call_id}/"])
    assert {"get", "post"} <= set(schema["/api/appeals/"]) and {"get", "patch"} <= set(schema["/api/appeals/{key}/"])


def test_writes_use_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    from support.projects import make_project

    projects = [make_project(None, stage="published", title=f"Project {i}", iati_identifier=f"XM-TEST-W{i}") for i in range(6)]
    with django_assert_max_num_queries(40):
        assert _api(world.users.sec).post("/api/calls/", _call_payload(), format="json").status_code == 201
    payload = _appeal_payload(world, projects=[world.sahel.pk, *(p.pk for p in projects)])
    with django_assert_max_num_queries(40):
        assert _api(world.users.officer).post("/api/appeals/", payload, format="json").status_code == 201
