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
