"""The reference API: read-only, public, names in the language asked for (``?lang=`` or
``Accept-Language``), documented in the OpenAPI schema and checked against it (strict: no undocumented
property, documented ones required), with every documented response exercised."""

from __future__ import annotations

import csv
import json

import pytest
from django.test import Client
from lxml import etree
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from reference.sources import CODELISTS, GEO

pytestmark = pytest.mark.django_db

PATHS = {"/api/reference/codelists/", "/api/reference/codelists/{name}/", "/api/reference/areas/", "/api/reference/currencies/"}
CASES = [
    ("/api/reference/codelists/", 200),
    ("/api/reference/codelists/?lang=fr", 200),
    ("/api/reference/codelists/OrganisationRole/?lang=fr", 200),
    ("/api/reference/codelists/Currency/?status=withdrawn", 200),
    ("/api/reference/codelists/UNSDG-Targets/?q=16.a&lang=ar", 200),
    ("/api/reference/codelists/Version/", 200),
    ("/api/reference/codelists/Currency/?status=retired", 400),
    ("/api/reference/codelists/NoSuchList/", 404),
    ("/api/reference/areas/", 200),
    ("/api/reference/areas/?kind=country&region=002&lang=zh-hans", 200),
    ("/api/reference/areas/?q=niger", 200),
    ("/api/reference/areas/?kind=island", 400),
    ("/api/reference/areas/?region=999", 400),
    ("/api/reference/currencies/", 200),
    ("/api/reference/currencies/?status=active&q=dollar&lang=en", 200),
    ("/api/reference/currencies/?status=gone", 400),
]


def xml_items(list_name: str):
    path = next(CODELISTS.glob(f"*/{list_name}.xml"))
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).findall("codelist-items/codelist-item")


@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def openapi(schema) -> OpenAPI:
    config = Config(additional_properties_default_policy="forbid", response_properties_default_policy="required")
    return OpenAPI.from_dict(schema, config=config)


def test_the_schema_documents_the_reference_endpoints_read_only(schema):
    assert PATHS <= set(schema["paths"])
    assert {p for p in schema["paths"] if p.startswith("/api/reference/")} == PATHS
    for path in PATHS:
        assert set(schema["paths"][path]) == {"get"}
        assert "lang" in {p["name"] for p in schema["paths"][path]["get"]["parameters"]}


@pytest.mark.parametrize("url, status", CASES)
def test_each_response_matches_the_schema(client, openapi, url, status):
    response = client.get(url)
    assert response.status_code == status, response.content
    request = DjangoOpenAPIRequest(response.wsgi_request)
    if status != 400:
        openapi.validate_request(request)
    openapi.validate_response(request, DjangoOpenAPIResponse(response))


def test_every_documented_response_is_exercised(client, schema):
    documented = {(path, int(code)) for path in PATHS for code in schema["paths"][path]["get"]["responses"]}
    exercised = {(DjangoOpenAPIRequest(client.get(url).wsgi_request).path_pattern, status) for url, status in CASES}
    assert exercised == documented


def test_names_in_french_with_lang(client):
    body = client.get("/api/reference/codelists/OrganisationRole/?lang=fr").json()
    assert [(c["code"], c["name"]) for c in body["codes"]] == [
        ("1", "Financement"), ("2", "Responsabilité"), ("3", "Octroi"), ("4", "Mise en œuvre")]
    assert body["codes"][3]["names"] == {"en": "Implementing", "fr": "Mise en œuvre"}
    assert body["count"] == len(xml_items("OrganisationRole")) == 4


def test_names_in_french_with_accept_language(client):
    body = client.get("/api/reference/codelists/OrganisationRole/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["codes"][0]["name"] == "Financement"
    areas = client.get("/api/reference/areas/?q=566", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert [a["name"] for a in areas["results"]] == ["Nigéria"]
    currencies = client.get("/api/reference/currencies/?q=USD", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert currencies["results"] == [{"code": "USD", "name": "dollar des États-Unis", "minor_unit": 2, "withdrawn": False}]


def test_other_languages_get_the_english_name_and_say_so(client):
    code = client.get("/api/reference/codelists/OrganisationRole/?lang=ar").json()["codes"][0]
    assert (code["name"], code["name_language"]) == ("Funding", "en")


def test_areas_in_the_language_asked_with_all_six(client):
    with (GEO / "UNSD-M49-fr.csv").open(encoding="utf-8", newline="") as fh:
        french = {r["M49 Code"]: r["Country or Area"] for r in csv.DictReader(fh)}
    body = client.get("/api/reference/areas/?kind=country&lang=fr").json()
    assert body["count"] == len(body["results"]) == 249
    assert {a["code"]: a["name"] for a in body["results"]} == french
    nigeria = next(a for a in body["results"] if a["code"] == "566")
    assert set(nigeria["names"]) == {"ar", "en", "es", "fr", "ru", "zh-hans"}
    assert nigeria["parents"] == ["002", "202", "011", "001"]
    assert (nigeria["iso2"], nigeria["iso3"]) == ("NG", "NGA")


def test_areas_inside_a_region(client):
    with (GEO / "UNSD-M49-en.csv").open(encoding="utf-8-sig", newline="") as fh:
        african = {r["M49 Code"] for r in csv.DictReader(fh) if r["Region Code"] == "002"}
    body = client.get("/api/reference/areas/?region=2&kind=country").json()
    assert {a["code"] for a in body["results"]} == african
    regions = client.get("/api/reference/areas/?region=002&kind=region").json()
    assert {a["code"] for a in regions["results"]} == {"202", "015", "011", "014", "017", "018"}


def test_the_withdrawn_codes_of_a_list(client):
    body = client.get("/api/reference/codelists/Sector/?status=withdrawn").json()
    expected = [i.findtext("code") for i in xml_items("Sector") if i.get("status") == "withdrawn"]
    assert [c["code"] for c in body["codes"]] == expected
    assert all(c["withdrawn"] and c["status"] == "withdrawn" for c in body["codes"])


def test_errors_name_the_parameter(client):
    body = client.get("/api/reference/areas/?region=566").json()
    assert body["error"]["fields"] == {"region": ["'566' is a UN M49 country or area code, not a region code."]}
    body = client.get("/api/reference/codelists/NoSuchList/").json()
    assert body["error"]["detail"] == "No IATI codelist is named “NoSuchList”."


@pytest.mark.parametrize("url", [url for url, _status in CASES])
def test_the_api_reads_no_database(client, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(0):
        client.get(url)
