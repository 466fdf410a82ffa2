"""The IATI export as a page (``/exchange/export/iati-activities.xml``) and an API
(``GET /api/export/iati/``): valid files, only what the user may export, 404 for a project they may not."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client, RequestFactory
from lxml import etree
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from compact.interop.iati.schema import activities_schema
from support.projects import make_project

PAGE = "/exchange/export/iati-activities.xml"
API = "/api/export/iati/"


@pytest.fixture
def world(seeded, make_user):
    public = make_project(None, iati_identifier="XM-DAC-41114-EXP-1", lead_entity="UNDP", sensitivity="public",
                          stage="published")
    confidential = make_project(None, iati_identifier="XM-DAC-41114-EXP-2", lead_entity="UNDP",
                                sensitivity="confidential", stage="published", reason="Confidential by request")
    draft = make_project(None, iati_identifier="XM-DAC-41114-EXP-3", lead_entity="UNDP", sensitivity="public")
    return {"public": public, "confidential": confidential, "draft": draft,
            "outsider": make_user("otto", entity="OHCHR"), "secretariat": make_user("sara", entity="UNOCT", secretariat=True)}


def identifiers(content: bytes) -> list[str]:
    tree = etree.parse(io.BytesIO(content))
    assert activities_schema().validate(tree), activities_schema().error_log
    return tree.xpath("//iati-activity/iati-identifier/text()")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_the_page_gives_what_the_user_may_export(client, world):
    response = client.get(PAGE)
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert 'filename="iati-activities.xml"' in response["Content-Disposition"]
    assert identifiers(body(response)) == ["XM-DAC-41114-EXP-1"]  # public and published only
    client.force_login(world["outsider"])
    assert identifiers(body(client.get(PAGE))) == ["XM-DAC-41114-EXP-1"]
    client.force_login(world["secretariat"])
    assert identifiers(body(client.get(PAGE))) == ["XM-DAC-41114-EXP-1", "XM-DAC-41114-EXP-2"]
    assert identifiers(body(client.get(PAGE, {"project": "XM-DAC-41114-EXP-2"}))) == ["XM-DAC-41114-EXP-2"]


@pytest.mark.django_db
def test_a_project_the_user_may_not_export_is_404(client, world):
    client.force_login(world["outsider"])
    assert client.get(PAGE, {"project": "XM-DAC-41114-EXP-2"}).status_code == 404  # confidential
    assert client.get(PAGE, {"project": str(world["draft"].pk)}).status_code == 404  # not published
    assert client.get(PAGE, {"project": "nothing"}).status_code == 404


@pytest.mark.django_db
def test_the_api_answers_the_same_file_and_follows_its_schema(client, world):
    schema = json.loads(Client().get("/api/schema/?format=json").content)
    openapi = OpenAPI.from_dict(schema, config=Config(additional_properties_default_policy="forbid",
                                                      response_properties_default_policy="required"))
    client.force_login(world["secretariat"])
    response = client.get(API, {"project": str(world["public"].pk)}, HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert identifiers(body(response)) == ["XM-DAC-41114-EXP-1"]
    missing = client.get(API, {"project": "nothing"})
    assert missing.status_code == 404 and missing.json()["error"]["detail"]
    as_xml = client.get(API, {"project": "nothing"}, HTTP_ACCEPT="application/xml")
    assert as_xml.status_code == 404 and etree.fromstring(as_xml.content).tag == "error"
    openapi.validate_response(DjangoOpenAPIRequest(RequestFactory().get(API, {"project": "nothing"})),
                              DjangoOpenAPIResponse(missing))


@pytest.mark.django_db
def test_pages_link_to_the_export_and_the_import(client, world):
    detail = client.get(f"/projects/{world['public'].pk}/").content.decode()
    assert f'href="/exchange/export/iati-activities.xml?project={world["public"].pk}"' in detail
    client.force_login(world["secretariat"])
    index = client.get("/exchange/").content.decode()
    assert 'href="/exchange/export/iati-activities.xml"' in index and 'href="/exchange/iati/' in index


@pytest.mark.django_db
def test_nothing_to_export_is_404_not_an_invalid_file(client, seeded):
    assert client.get(PAGE).status_code == 404  # no published project: IATI's schema needs one activity
    assert client.get(API).status_code == 404


@pytest.mark.django_db
def test_a_control_character_in_a_text_does_not_break_the_export(client, world):
    from compact.projects.models import Project

    Project.objects.filter(pk=world["public"].pk).update(description_en="Training\x0b of officers")
    assert identifiers(body(client.get(PAGE))) == ["XM-DAC-41114-EXP-1"]
