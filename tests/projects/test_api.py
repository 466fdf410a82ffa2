"""The joint-project API: list with filters and restricted counts, detail with all IATI fields, create and
change through the services (400 with field messages), the OpenAPI schema, bounded queries."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from compact.projects.models import Project

pytestmark = pytest.mark.django_db


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_list_counts_only_readable_projects(world):
    p = world.projects
    visitor = _api().get("/api/projects/").json()
    assert visitor["count"] == 1 and [r["id"] for r in visitor["results"]] == [p.public3.pk]
    wg3 = _api(world.users.unoda).get("/api/projects/").json()
    assert wg3["count"] == 2 and p.confidential2.pk not in [r["id"] for r in wg3["results"]]
    assert _api(world.users.wco).get("/api/projects/").json()["count"] == 3
    assert _api(world.users.unoda).get(f"/api/projects/{p.confidential2.pk}/").status_code == 404
    assert _api().get(f"/api/projects/{p.internal2.pk}/").status_code == 404


def test_filters_and_their_errors(world):
    client = _api(world.users.secretariat)
    assert client.get("/api/projects/?country=002").json()["count"] == 3
    assert client.get("/api/projects/?country=566").json()["count"] == 1
    response = client.get("/api/projects/?country=999")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["country"] == ["'999' is not a UN M49 country or region code."]


def test_detail_has_every_iati_field(world):
    data = _api(world.users.wco).get(f"/api/projects/{world.projects.confidential2.pk}/").json()
    assert data["iati_identifier"] == "XM-DAC-41114-CONF-1"
    assert data["lead_entity"] == "UNODC" and data["lead_body"] == "wg-2"
    assert data["activity_status"] == {"code": "2", "name": "Implementation"}
    assert data["areas"] == [{"code": "466", "name": "Mali", "percentage": "60.0000"},
                             {"code": "562", "name": "Niger", "percentage": "40.0000"}]
    assert data["sectors"][0]["code"] == "15210" and data["sectors"][0]["percentage"] == "100.0000"
    assert data["budgets"][0]["amount"] == "1200000.000" and data["budgets"][0]["currency"] == "USD"
    assert {"role": "1", "role_name": "Funding", "entity": None, "name": "Japan", "ref": "XM-DAC-701"} in data["participants"]
    assert data["sdg_targets"] == [{"code": "16.a", "name": data["sdg_targets"][0]["name"]}]
    assert data["stage"] == "published" and data["sensitivity"] == "confidential"


def _payload(**extra):
    return {
        "title": {"en": "Countering terrorist financing", "fr": "Lutte contre le financement du terrorisme"},
        "lead_entity": "UNODC", "lead_body": "wg-2", "working_groups": ["wg-2"], "pillars": [2],
        "activity_status": "1", "default_currency": "EUR", "sensitivity": "internal",
        "participants": [{"role": "4", "entity": "UNODC"}],
        "areas": [{"code": "466", "percentage": "50"}, {"code": "562", "percentage": "50"}],
        "sectors": [{"code": "15210"}], "sdg_targets": ["16.4"],
        "budgets": [{"period_start": "2025-01-01", "period_end": "2025-12-31", "amount": "500000.00", "currency": "EUR"}],
        "resolution_paragraphs": [{"review": 7, "paragraph": "118"}],
        "reason": "New project",
    } | extra


def test_create_and_change_through_the_services(world):
    client = _api(world.users.unodc)
    response = client.post("/api/projects/", _payload(), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["stage"] == "draft" and created["resolution_paragraphs"] == [
        {"review": 7, "resolution": "75/291", "paragraph": "118"}]
    response = client.patch(f"/api/projects/{created['id']}/", {"areas": [
        {"code": "466", "percentage": "33.33"}, {"code": "562", "percentage": "33.33"}, {"code": "854", "percentage": "33.33"}]},
        format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"areas": [
        "Percentages of beneficiary countries and regions sum to 99.99, not 100: 33.33 + 33.33 + 33.33."]}
    response = client.patch(f"/api/projects/{created['id']}/", {"gender_marker": 2}, format="json")
    assert response.status_code == 200 and response.json()["gender_marker"] == 2
    assert Project.objects.get(pk=created["id"]).title_en == "Countering terrorist financing"


def test_who_may_write(world):
    assert _api().post("/api/projects/", _payload(), format="json").status_code in (401, 403)
    assert _api(world.users.unoda).post("/api/projects/", _payload(), format="json").status_code == 403
    pk = world.projects.internal2.pk
    assert _api(world.users.unoda).patch(f"/api/projects/{pk}/", {"gender_marker": 3}, format="json").status_code == 403
    assert _api(world.users.unoda).patch(f"/api/projects/{world.projects.confidential2.pk}/", {}, format="json").status_code == 404
    bad = _api(world.users.unodc).post("/api/projects/", _payload(lead_entity="NOPE", sdg_targets=["99.z"]), format="json")
    assert bad.status_code == 400 and "lead_entity" in bad.json()["error"]["fields"]


def test_list_queries_do_not_grow_with_the_rows(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from support.projects import make_project

    client = _api(world.users.secretariat)
    with CaptureQueriesContext(connection) as first:
        client.get("/api/projects/")
    for n in range(5):
        make_project(None, title=f"Project {n}")
    with django_assert_max_num_queries(len(first)):
        assert client.get("/api/projects/").json()["count"] == 8


def test_the_schema_documents_the_endpoints(db):
    schema = _api().get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/projects/"])
    assert {"get", "patch"} <= set(paths["/api/projects/{project_id}/"])


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
    """Every documented response of the projects' endpoints, validated strictly against /api/schema/."""
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    pk, hidden = world.projects.internal2.pk, world.projects.confidential2.pk
    unodc, unoda = world.users.unodc, world.users.unoda
    cases = [
        (None, "get", "/api/projects/", None, 200), (None, "get", "/api/projects/?country=999", None, 400),
        (unoda, "get", f"/api/projects/{pk}/", None, 200), (unoda, "get", f"/api/projects/{hidden}/", None, 404),
        (unodc, "post", "/api/projects/", _payload(), 201), (unodc, "post", "/api/projects/", _payload(areas=[]) | {"lead_body": "x"}, 400),
        (unoda, "post", "/api/projects/", _payload(), 403),
        (unodc, "patch", f"/api/projects/{pk}/", {"gender_marker": 3}, 200),
        (unodc, "patch", f"/api/projects/{pk}/", {"gender_marker": 7}, 400),
        (unoda, "patch", f"/api/projects/{pk}/", {"gender_marker": 3}, 403),
        (unoda, "patch", f"/api/projects/{hidden}/", {"gender_marker": 3}, 404),
        (unodc, "post", f"/api/projects/{pk}/submit/", {"reason": "Ready for the group"}, 200),
        (unodc, "post", f"/api/projects/{pk}/publish/", {"reason": "Too early"}, 403),
        (world.users.wco, "post", f"/api/projects/{pk}/endorse/", {}, 400),
        (unoda, "post", f"/api/projects/{hidden}/submit/", {"reason": "x"}, 404),
    ]
    from django.test import Client

    for user, method, url, body, expected in cases:
        client = Client()
        if user is not None:
            client.force_login(user)
        kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == expected, (url, response.content[:500])
        openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))


def test_workflow_steps_through_the_api(world):
    """Submitted by the lead entity's focal point, endorsed by an officer of the lead working group (not the
    secretariat), published by the secretariat; a step the stage does not allow is a 400 naming it."""
    pk = world.projects.internal2.pk
    users = world.users

    def step(user, name, reason="Workflow"):
        return _api(user).post(f"/api/projects/{pk}/{name}/", {"reason": reason}, format="json")

    assert step(users.unodc, "publish").status_code == 403
    assert step(users.unodc, "submit").json()["stage"] == "submitted"
    assert step(users.secretariat, "endorse").status_code == 403
    assert step(users.wco, "endorse", reason="").status_code == 400
    assert step(users.wco, "endorse").json()["stage"] == "endorsed"
    assert step(users.secretariat, "publish").json()["stage"] == "published"
    assert step(users.secretariat, "submit").status_code == 400
    assert step(users.secretariat, "approve").status_code == 404
    assert Project.objects.get(pk=pk).stage == "published"


def test_out_of_range_ids_in_a_change_are_field_errors_not_server_errors(world):
    """A pillar number or document id beyond what the database holds is refused on its field (400)."""
    client = _api(world.users.secretariat)
    url = f"/api/projects/{world.projects.internal2.pk}/"
    huge = 10 ** 20
    pillars = client.patch(url, {"pillars": [huge]}, format="json")
    assert pillars.status_code == 400 and "pillars" in pillars.json()["error"]["fields"]
    documents = client.patch(url, {"documents": [huge]}, format="json")
    assert documents.status_code == 400 and "documents" in documents.json()["error"]["fields"]


def test_a_hidden_document_answers_as_one_that_does_not_exist(world):
    """Linking a document the user may not read gets the same message as a document id that does not
    exist: the answer never tells that a confidential document exists."""
    import datetime as dt

    from compact.library.models import Document
    from compact.registry.models import Body

    hidden = Document.objects.create(title="Confidential threat assessment", owner_body=Body.objects.get(key="wg-5"),
                                     sensitivity="confidential", document_date=dt.date(2026, 1, 1))
    client = _api(world.users.unodc)
    url = f"/api/projects/{world.projects.internal2.pk}/"
    to_hidden = client.patch(url, {"documents": [hidden.pk]}, format="json")
    to_nothing = client.patch(url, {"documents": [hidden.pk + 1000]}, format="json")
    assert to_hidden.status_code == to_nothing.status_code == 400
    assert to_hidden.json()["error"]["fields"] == to_nothing.json()["error"]["fields"] == {"documents": ["No such document."]}
