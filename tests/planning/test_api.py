"""The planning API: its responses match the served OpenAPI document (strict: no undocumented property,
every documented one present), ``?lang=`` is honoured, what a user may not read is 404 or left out, and
each call runs a bounded number of queries whatever the number of activities."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from compact.planning import services as s

from .conftest import REASON
from .test_pages import _grow

PLANNING_PATHS = {"/api/programmes/", "/api/programmes/{programme_id}/", "/api/programmes/compare/"}


@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def openapi(schema) -> OpenAPI:
    config = Config(additional_properties_default_policy="forbid", response_properties_default_policy="required")
    return OpenAPI.from_dict(schema, config=config)


@pytest.fixture
def versions(plan, client):
    client.force_login(plan.users.secretariat)
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    s.priority_create(actor=plan.users.secretariat, programme=v2, number=3, title="Gender")
    s.activity_update(actor=plan.users.secretariat, activity=v2.workplans.get().outputs.get(number=1).activities.get(number=1),
                      title={"en": "Regional workshop", "ar": "حلقة عمل إقليمية"})
    return plan.v1, v2


def _cases(v1, v2):
    return [
        ("/api/programmes/", 200),
        ("/api/programmes/?lang=fr", 200),
        (f"/api/programmes/{v1.pk}/", 200),
        (f"/api/programmes/{v2.pk}/?lang=ar", 200),
        ("/api/programmes/999999/", 404),
        (f"/api/programmes/compare/?a={v1.pk}&b={v2.pk}", 200),
        (f"/api/programmes/compare/?a={v1.pk}&b=x", 400),
        (f"/api/programmes/compare/?a={v1.pk}&b=999999", 404),
    ]


def test_every_response_matches_the_schema_and_every_documented_response_is_exercised(
        versions, client, schema, openapi):
    assert PLANNING_PATHS <= set(schema["paths"])
    exercised = set()
    for url, status in _cases(*versions):
        response = client.get(url)
        assert response.status_code == status, (url, response.content)
        request = DjangoOpenAPIRequest(response.wsgi_request)
        if status != 400:
            openapi.validate_request(request)
        openapi.validate_response(request, DjangoOpenAPIResponse(response))
        exercised.add((request.path_pattern, status))
    documented = {(path, int(code)) for path in PLANNING_PATHS for code in schema["paths"][path]["get"]["responses"]}
    assert exercised == documented


def test_the_programme_comes_with_its_workplans_in_the_language_asked_for(versions, client):
    v1, v2 = versions
    body = client.get(f"/api/programmes/{v2.pk}/?lang=ar").json()
    assert (body["version"], body["status"], body["supersedes"]) == (2, "draft", v1.pk)
    assert [p["number"] for p in body["priorities"]] == [1, 2, 3]
    workplan = body["workplans"][0]
    assert (workplan["working_group"], workplan["body"]) == (3, "wg-3")
    activity = workplan["outputs"][0]["activities"][0]
    assert activity["title"] == "حلقة عمل إقليمية"
    assert (activity["lead_entity"], activity["participating_entities"], activity["status"]) == ("UNODA", ["OPCW"], "ongoing")
    assert client.get(f"/api/programmes/{v2.pk}/?lang=en").json()["workplans"][0]["outputs"][0]["activities"][0][
        "title"] == "Regional workshop"
    first = client.get(f"/api/programmes/{v1.pk}/?lang=fr").json()
    assert (first["title"], first["adopted_on"], first["decision"], first["superseded_by"]) == (
        "Programme de travail commun (essai)", "2024-01-24", "CC/2024/1", v2.pk)


def test_the_comparison_says_what_changed(versions, client):
    v1, v2 = versions
    body = client.get(f"/api/programmes/compare/?a={v1.pk}&b={v2.pk}").json()
    assert body["unchanged"] is False and body["fields"] == []
    assert [p["title"] for p in body["priorities"]["added"]] == ["Gender"]
    (group,) = body["groups"]
    (changed,) = group["activities"]["changed"]
    assert (changed["before"]["output"], changed["before"]["number"]) == (1, 1)
    assert changed["fields"] == [{"field": "title_ar", "before": "", "after": "حلقة عمل إقليمية"},
                                 {"field": "title_en", "before": "Workshop", "after": "Regional workshop"}]


def test_visitors_see_only_public_programmes(seeded, client):
    s.load_default_programmes()
    internal = s.programme_create(actor=None, actor_label="test", key="jpow-internal", title="Internal draft",
                                  period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31))
    assert [p["key"] for p in client.get("/api/programmes/").json()] == ["jpow-2024-2026", "jpow-2019-2020"]
    assert client.get(f"/api/programmes/{internal.pk}/").status_code == 404


def test_a_confidential_workplan_is_left_out_for_those_outside_its_group(plan, client):
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    s.workplan_create(actor=plan.users.secretariat, programme=v2, body=plan.wg2, sensitivity="confidential",
                      reason="Restricted")
    client.force_login(plan.users.unoda)
    assert [w["body"] for w in client.get(f"/api/programmes/{v2.pk}/").json()["workplans"]] == ["wg-3"]
    client.force_login(plan.users.wco)
    assert [w["body"] for w in client.get(f"/api/programmes/{v2.pk}/").json()["workplans"]] == ["wg-2", "wg-3"]


@pytest.mark.parametrize("which", ["detail", "list", "compare"])
def test_api_calls_run_the_same_number_of_queries_whatever_their_size(plan, client, django_assert_max_num_queries, which):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    url = {"detail": f"/api/programmes/{plan.v1.pk}/", "list": "/api/programmes/",
           "compare": f"/api/programmes/compare/?a={v2.pk}&b={plan.v1.pk}"}[which]
    client.force_login(plan.users.unoda)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(plan, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) <= 30
