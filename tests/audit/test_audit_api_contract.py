"""The audit API's real responses (200, 400, 404) match the served OpenAPI document, in strict mode."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

CASES = [
    ("/api/audit/changes/", 200, "secretariat"),
    ("/api/audit/changes/?action=update&date_from=2025-01-01&date_to=2025-12-31&page_size=2", 200, "secretariat"),
    ("/api/audit/changes/?date_from=2025-02-30", 400, "secretariat"),
    ("/api/audit/changes/", 404, "focal_point"),
    ("/api/audit/changes/", 404, None),
    ("/api/audit/access/", 200, "secretariat"),
    ("/api/audit/access/?object_id=3&sensitivity=confidential", 200, "secretariat"),
    ("/api/audit/access/?object_id=three", 400, "secretariat"),
    ("/api/audit/access/", 404, "focal_point"),
]


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    for path in ("/api/audit/changes/", "/api/audit/access/"):
        operation = schema["paths"][path]["get"]
        assert {"200", "400", "404"} <= set(operation["responses"])
        assert {"page", "page_size", "date_from", "date_to", "object_type", "action", "lang"} <= {
            p["name"] for p in operation["parameters"]}
    config = Config(additional_properties_default_policy="forbid", response_properties_default_policy="required")
    return OpenAPI.from_dict(schema, config=config)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status", "who"), CASES)
def test_each_audit_response_matches_the_schema(seeded, events, request, client, openapi, url, status, who):
    events.change_at(events.at("2025-03-01"), reason="Checked")
    events.access_at(events.at("2025-03-01"), object_ids=[3])
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == status, response.content
    wsgi_request = DjangoOpenAPIRequest(response.wsgi_request)
    if status == 200:
        openapi.validate_request(wsgi_request)
        assert response.json()["results"]
    openapi.validate_response(wsgi_request, DjangoOpenAPIResponse(response))
