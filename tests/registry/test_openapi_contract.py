"""The OpenAPI document at /api/schema/ is a tested contract (docs/api.md).

Every endpoint's real responses (200, 400 and 404) are validated against the served document with
openapi-core, in strict mode: undocumented properties are rejected and documented ones required. The
documented responses and the exercised ones must be the same set, so a new endpoint or status code
cannot go untested. The Swagger UI at /api/docs/ must load its assets from this server, not a CDN.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.exceptions import OpenAPIError

ROOT = Path(__file__).resolve().parents[2]

# (URL, expected status). Dates: the groups were established on 2019-04-16, the Committee on 2018-12-06.
CASES = [
    ("/api/pillars/", 200),
    ("/api/pillars/?lang=fr", 200),
    ("/api/entities/", 200),
    ("/api/entities/?as_of=2019-05-01&lang=fr", 200),
    ("/api/entities/?kind=non_un&q=organi", 200),
    ("/api/entities/?q=nothing-matches", 200),
    ("/api/entities/?kind=ngo", 400),
    ("/api/entities/?as_of=2019-02-30", 400),
    ("/api/entities/unoct/", 200),
    ("/api/entities/UNOCT/?as_of=2019-01-01&lang=ar", 200),
    ("/api/entities/WCO/?as_of=2019-05-01", 200),
    ("/api/entities/UNOCT/?as_of=27/07/2019", 400),
    ("/api/entities/NO-SUCH-ENTITY/", 404),
    ("/api/entities/UNOCT/contacts/", 200),
    ("/api/entities/NO-SUCH-ENTITY/contacts/", 404),
    ("/api/working-groups/", 200),
    ("/api/working-groups/?as_of=2019-01-01", 200),
    ("/api/working-groups/?pillar=3&lang=fr", 200),
    ("/api/working-groups/?pillar=three", 400),
    ("/api/working-groups/?as_of=2019-13-01", 400),
    ("/api/working-groups/2/?as_of=2019-04-16", 200),
    ("/api/working-groups/6/?lang=zh-hans", 200),
    ("/api/working-groups/2/?as_of=2019-02-30", 400),
    ("/api/working-groups/99/", 404),
    ("/api/working-groups/3/?as_of=2019-01-01", 404),
    ("/api/committee/", 200),
    ("/api/committee/?as_of=2019-01-01&lang=fr", 200),
    ("/api/committee/?as_of=2019-7-27", 400),
    ("/api/committee/?as_of=2017-01-01", 404),
]


@pytest.fixture(scope="module")
def schema() -> dict:
    """The OpenAPI document as served, in JSON."""
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


@pytest.fixture(scope="module")
def openapi(schema) -> OpenAPI:
    """A strict validator for the served document: no undocumented properties, documented ones required."""
    config = Config(additional_properties_default_policy="forbid", response_properties_default_policy="required")
    return OpenAPI.from_dict(schema, config=config)


#: The registry's endpoints. The other applications' endpoints are checked the same way by their own
#: contract tests: the library's in tests/library/test_api.py, the audit trail's in
#: tests/audit/test_audit_api_contract.py; ``test_every_path_belongs_to_a_checked_application`` keeps
#: a new path from escaping all of them.
REGISTRY_PATHS = {
    "/api/pillars/",
    "/api/entities/",
    "/api/entities/{acronym}/",
    "/api/entities/{acronym}/contacts/",
    "/api/working-groups/",
    "/api/working-groups/{number}/",
    "/api/committee/",
}
OTHER_CHECKED_PREFIXES = ("/api/documents/", "/api/search/", "/api/audit/", "/api/reference/", "/api/projects/",
                          "/api/programmes/", "/api/appeals/", "/api/calls/", "/api/flows/", "/api/funding/",
                          "/api/rates/", "/api/import/", "/api/export/", "/api/meetings/")


def documented_responses(schema: dict) -> set[tuple[str, str, int]]:
    return {
        (path, method.upper(), int(code))
        for path, operations in schema["paths"].items()
        if path in REGISTRY_PATHS
        for method, operation in operations.items()
        for code in operation["responses"]
    }


def test_the_schema_is_openapi_3_and_lists_the_registry_endpoints(schema):
    assert schema["openapi"].startswith("3.")
    assert REGISTRY_PATHS <= set(schema["paths"])
    assert all(set(schema["paths"][path]) == {"get"} for path in REGISTRY_PATHS)


def test_every_path_belongs_to_a_checked_application(schema):
    unchecked = [p for p in schema["paths"] if p not in REGISTRY_PATHS and not p.startswith(OTHER_CHECKED_PREFIXES)]
    assert unchecked == []


def test_every_dated_endpoint_declares_as_of_and_lang(schema):
    for path, operations in schema["paths"].items():
        if path not in REGISTRY_PATHS or path == "/api/entities/{acronym}/contacts/":  # people: not dated, not translated
            continue
        names = {p["name"] for p in operations["get"]["parameters"]}
        assert "lang" in names, path
        if path != "/api/pillars/":  # pillars are not dated
            assert "as_of" in names, path
            assert {"400", "404"} & set(operations["get"]["responses"]), path


@pytest.mark.django_db
@pytest.mark.parametrize("url, status", CASES)
def test_each_response_matches_the_schema(client, seeded, openapi, url, status):
    response = client.get(url)
    assert response.status_code == status, response.content
    request = DjangoOpenAPIRequest(response.wsgi_request)
    if status != 400:
        openapi.validate_request(request)
    openapi.validate_response(request, DjangoOpenAPIResponse(response))


@pytest.mark.django_db
def test_every_documented_response_is_exercised_and_every_exercised_one_is_documented(client, seeded, schema):
    exercised = set()
    for url, status in CASES:
        response = client.get(url)
        pattern = DjangoOpenAPIRequest(response.wsgi_request).path_pattern
        exercised.add((pattern, "GET", status))
    assert exercised == documented_responses(schema)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda g: g.update(pillar="II"), id="wrong type"),
        pytest.param(lambda g: g.pop("title"), id="missing property"),
        pytest.param(lambda g: g.update(colour="blue"), id="undocumented property"),
        pytest.param(lambda g: g["leadership"][0].update(role="president"), id="value outside the enum"),
        pytest.param(lambda g: g.update(established="16/04/2019"), id="malformed date"),
    ],
)
def test_the_validator_rejects_a_response_that_breaks_the_schema(client, seeded, openapi, tamper):
    response = client.get("/api/working-groups/2/")
    group = response.json()
    tamper(group)
    broken = HttpResponse(json.dumps(group), content_type="application/json", status=200)
    with pytest.raises(OpenAPIError):
        openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(broken))


def test_spectacular_validates_the_schema_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "compact.cli", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("openapi: 3.")


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_this_server(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()
    assert "cdn" not in html.lower()
    assert "/api/schema/" in html
