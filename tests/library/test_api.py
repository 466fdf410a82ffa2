"""The library's REST API: the same access rules as the pages, JSON errors, and responses that match the
served OpenAPI document (validated strictly with openapi-core, as the registry's are)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from compact.access.models import Grant
from compact.audit.models import AccessEvent, ChangeEvent
from compact.library.models import Document

LIBRARY_PATHS = {"/api/documents/", "/api/documents/{document_id}/", "/api/documents/{document_id}/file", "/api/search/"}


@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def openapi(schema) -> OpenAPI:
    config = Config(additional_properties_default_policy="forbid", response_properties_default_policy="required")
    return OpenAPI.from_dict(schema, config=config)


def call(client, method: str, url: str, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method.lower())(url, **kwargs)


def checked(openapi, response, *, validate_request: bool = True):
    """Validate ``response`` (and its request) against the served schema; returns it."""
    request = DjangoOpenAPIRequest(response.wsgi_request)
    if validate_request:
        openapi.validate_request(request)
    if response.streaming:
        return response
    openapi.validate_response(request, DjangoOpenAPIResponse(response))
    return response


# --- reads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "outsider", "opcw", "unoda", "wco", "secretariat"])
def test_the_list_holds_and_counts_exactly_the_readable_documents(library, client, openapi, who):
    if who != "anonymous":
        client.force_login(library.user(who))
    body = checked(openapi, client.get("/api/documents/")).json()
    expected = {getattr(library.docs, name).pk for name in library.visible[who]}
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected) and body["page"] == 1


def test_a_document_in_json_with_its_translations_owners_and_stubbed_parent(library, client, openapi):
    client.force_login(library.users.opcw)
    annex = checked(openapi, client.get(f"/api/documents/{library.docs.annex.pk}/")).json()
    assert (annex["annex_of"], annex["annex_of_title"], annex["annex_of_restricted"]) == (None, None, True)
    assert annex["owner_body"] == "wg-3" and annex["owner_entity"] is None
    assert (annex["file_name"], annex["size"], annex["file_url"]) == ("", None, None)
    public = checked(openapi, client.get(f"/api/documents/{library.docs.public3.pk}/?lang=fr")).json()
    assert public["title"] == "Rapport sur la sécurité des frontières"
    assert public["titles"] == {"en": "Border security report", "fr": "Rapport sur la sécurité des frontières"}
    assert public["summary"] == "Findings on border controls."  # no French summary: the English one
    client.force_login(library.users.wco)
    annex = client.get(f"/api/documents/{library.docs.annex.pk}/").json()
    assert (annex["annex_of"], annex["annex_of_title"], annex["annex_of_restricted"]) == (
        library.docs.confidential2.pk, "Note on customs cooperation", False)
    assert client.get(f"/api/documents/{library.docs.public3.pk}/").json()["annex_of_restricted"] is False


def test_filters_and_their_errors(library, client, openapi):
    client.force_login(library.users.opcw)
    body = checked(openapi, client.get("/api/documents/?kind=minutes&body=wg-3")).json()
    assert [row["id"] for row in body["results"]] == [library.docs.confidential3.pk]
    response = checked(openapi, client.get("/api/documents/?sensitivity=secret&date_from=2024-02-30"), validate_request=False)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"sensitivity", "date_from"}


def test_unreadable_is_404_json_and_reading_confidential_is_logged(library, client, openapi):
    client.force_login(library.users.opcw)
    response = checked(openapi, client.get(f"/api/documents/{library.docs.confidential2.pk}/"))
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "detail": "No such item."}}
    checked(openapi, client.get(f"/api/documents/{library.docs.confidential3.pk}/"))
    assert AccessEvent.objects.get(action="view").object_ids == [library.docs.confidential3.pk]


def test_download_through_the_api(library, client, openapi, settings, tmp_path):
    from compact.library.services import document_update

    settings.MEDIA_ROOT = tmp_path
    document_update(document=library.docs.confidential3, actor=library.users.secretariat, reason="file",
                    upload=SimpleUploadedFile("minutes.csv", b"a,b\n1,2\n"))
    client.force_login(library.users.opcw)
    response = checked(openapi, client.get(f"/api/documents/{library.docs.confidential3.pk}/file"))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert response["Content-Type"] == "text/csv" and 'filename="minutes.csv"' in response["Content-Disposition"]
    assert AccessEvent.objects.get(action="download").user == library.users.opcw
    detail = client.get(f"/api/documents/{library.docs.confidential3.pk}/").json()
    assert (detail["file_name"], detail["size"], detail["media_type"]) == ("minutes.csv", 8, "text/csv")
    assert detail["file_url"] == f"/api/documents/{library.docs.confidential3.pk}/file"
    assert checked(openapi, client.get(f"/api/documents/{library.docs.public3.pk}/file")).status_code == 404
    client.force_login(library.users.wco)
    assert client.get(f"/api/documents/{library.docs.confidential3.pk}/file").status_code == 404


def test_search(library, client, openapi):
    client.force_login(library.users.opcw)
    body = checked(openapi, client.get("/api/search/?q=%20customs%20")).json()
    assert body["query"] == "customs"
    assert [d["id"] for d in body["documents"]] == [library.docs.annex.pk]
    border = checked(openapi, client.get("/api/search/?q=border")).json()
    assert [g["number"] for g in border["working_groups"]] == [2]
    assert [e["acronym"] for e in checked(openapi, client.get("/api/search/?q=opcw")).json()["entities"]] == ["OPCW"]
    response = checked(openapi, client.get("/api/search/?q=x"), validate_request=False)
    assert response.status_code == 400 and "q" in response.json()["error"]["fields"]


# --- writes -----------------------------------------------------------------------------------


def test_create_change_and_delete(library, client, openapi):
    client.force_login(library.users.unoda)
    response = checked(openapi, call(client, "POST", "/api/documents/", {
        "title": {"en": "Workplan 2025", "ar": "خطة العمل 2025"}, "owner_body": "WG-3", "kind": "workplan",
        "sensitivity": "internal", "document_date": "2025-01-15"}))
    assert response.status_code == 201
    created = response.json()
    document = Document.objects.get(pk=created["id"])
    assert (document.title_en, document.title_ar, document.owner_body, document.created_by) == (
        "Workplan 2025", "خطة العمل 2025", library.wg3, library.users.unoda)
    response = checked(openapi, call(client, "PATCH", f"/api/documents/{document.pk}/",
                                     {"title": {"fr": "Plan de travail 2025"}, "sensitivity": "confidential",
                                      "reason": "now internal to the group"}))
    assert response.status_code == 200 and response.json()["sensitivity"] == "confidential"
    assert response.json()["titles"]["en"] == "Workplan 2025"
    response = checked(openapi, call(client, "DELETE", f"/api/documents/{document.pk}/", {"reason": "superseded"}))
    assert response.status_code == 204
    actions = list(ChangeEvent.objects.filter(object_type="library.document", object_id=str(document.pk))
                   .order_by("id").values_list("action", "reason"))
    assert actions == [("create", ""), ("update", "now internal to the group"), ("delete", "superseded")]


def test_write_errors_name_the_field(library, client, openapi):
    client.force_login(library.users.unoda)
    cases = [
        ({"title": {"en": "x"}, "owner_body": "wg-3", "sensitivity": "confidential"}, "reason"),
        ({"title": {"de": "Bericht"}, "owner_body": "wg-3"}, "title"),
        ({"title": {"en": "x"}, "owner_body": "wg-99"}, "owner_body"),
        ({"title": {"en": "x"}}, "owner_body"),
        ({"title": {"en": "x"}, "owner_body": "wg-3", "annex_of": library.docs.confidential2.pk}, "annex_of"),
        ({"title": {"en": "x"}, "owner_body": "wg-3", "kind": "poem"}, "kind"),
    ]
    for body, field in cases:
        response = checked(openapi, call(client, "POST", "/api/documents/", body), validate_request=False)
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"], (body, response.json())
    assert not Document.objects.filter(title_en="x").exists()
    response = checked(openapi, call(client, "DELETE", f"/api/documents/{library.docs.confidential3.pk}/", {}),
                       validate_request=False)
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]


def test_write_permissions_403_and_404(library, client, openapi):
    client.force_login(library.users.opcw)
    response = checked(openapi, call(client, "POST", "/api/documents/", {"title": {"en": "x"}, "owner_body": "wg-3"}))
    assert response.status_code == 403
    response = checked(openapi, call(client, "PATCH", f"/api/documents/{library.docs.confidential3.pk}/", {"kind": "note"}))
    assert response.status_code == 403
    assert response.json()["error"]["detail"] == "You may read this item but not do this."
    response = checked(openapi, call(client, "PATCH", f"/api/documents/{library.docs.confidential2.pk}/", {"kind": "note"}))
    assert response.status_code == 404
    assert checked(openapi, call(client, "DELETE", f"/api/documents/{library.docs.public3.pk}/", {})).status_code == 403
    assert checked(openapi, call(client, "DELETE", f"/api/documents/{library.docs.strict3.pk}/", {})).status_code == 404
    client.logout()
    assert call(client, "POST", "/api/documents/", {"title": {"en": "x"}, "owner_body": "wg-3"}).status_code == 403
    client.force_login(library.users.unoda)
    response = checked(openapi, call(client, "DELETE", f"/api/documents/{library.docs.confidential2.pk}/", {}))
    assert response.status_code == 404
    assert Document.objects.filter(pk=library.docs.confidential2.pk).exists()


def test_an_officer_creating_strictly_confidential_keeps_access_through_a_grant(library, client):
    client.force_login(library.users.unoda)
    response = call(client, "POST", "/api/documents/", {"title": {"en": "Restricted"}, "owner_body": "wg-3",
                                                        "sensitivity": "strictly_confidential", "reason": "sensitive"})
    assert response.status_code == 201
    pk = response.json()["id"]
    assert Grant.objects.get(object_id=pk).user == library.users.unoda
    assert client.get(f"/api/documents/{pk}/").status_code == 200
    client.force_login(library.users.opcw)
    assert client.get(f"/api/documents/{pk}/").status_code == 404


def test_api_writes_need_the_csrf_token_with_a_session(library):
    client = Client(enforce_csrf_checks=True)
    client.force_login(library.users.unoda)
    response = call(client, "POST", "/api/documents/", {"title": {"en": "x"}, "owner_body": "wg-3"})
    assert response.status_code == 403 and not Document.objects.filter(title_en="x").exists()


# --- the contract -----------------------------------------------------------------------------


def test_the_schema_lists_the_library_endpoints_and_methods(schema):
    paths = schema["paths"]
    assert LIBRARY_PATHS <= set(paths)
    assert set(paths["/api/documents/"]) == {"get", "post"}
    assert set(paths["/api/documents/{document_id}/"]) == {"get", "patch", "delete"}
    assert set(paths["/api/documents/{document_id}/file"]) == {"get"}
    assert set(paths["/api/search/"]) == {"get"}


def test_every_documented_library_response_is_exercised(library, client, schema, settings, tmp_path):
    """The (path, method, status) of every documented library response, each produced by a real request."""
    from compact.library.services import document_update

    settings.MEDIA_ROOT = tmp_path
    docs = library.docs
    document_update(document=docs.public3, actor=library.users.secretariat, upload=SimpleUploadedFile("r.txt", b"r"))
    unoda, opcw = library.users.unoda, library.users.opcw
    new = {"title": {"en": "Contract"}, "owner_body": "wg-3"}
    cases = [
        (None, "GET", "/api/documents/", None, 200),
        (None, "GET", "/api/documents/?kind=poem", None, 400),
        (unoda, "POST", "/api/documents/", new, 201),
        (unoda, "POST", "/api/documents/", {"title": {}}, 400),
        (opcw, "POST", "/api/documents/", new, 403),
        (None, "GET", f"/api/documents/{docs.public3.pk}/", None, 200),
        (None, "GET", f"/api/documents/{docs.internal3.pk}/", None, 404),
        (unoda, "PATCH", f"/api/documents/{docs.public3.pk}/", {"kind": "note"}, 200),
        (unoda, "PATCH", f"/api/documents/{docs.public3.pk}/", {"kind": "poem"}, 400),
        (opcw, "PATCH", f"/api/documents/{docs.public3.pk}/", {"kind": "note"}, 403),
        (opcw, "PATCH", f"/api/documents/{docs.confidential2.pk}/", {"kind": "note"}, 404),
        (unoda, "DELETE", f"/api/documents/{docs.internal3.pk}/", {}, 204),
        (unoda, "DELETE", f"/api/documents/{docs.confidential3.pk}/", {}, 400),
        (opcw, "DELETE", f"/api/documents/{docs.public3.pk}/", {}, 403),
        (opcw, "DELETE", f"/api/documents/{docs.strict3.pk}/", {}, 404),
        (None, "GET", f"/api/documents/{docs.public3.pk}/file", None, 200),
        (None, "GET", f"/api/documents/{docs.annex.pk}/file", None, 404),
        (None, "GET", "/api/search/?q=border", None, 200),
        (None, "GET", "/api/search/?q=b", None, 400),
    ]
    exercised = set()
    for user, method, url, body, status in cases:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = call(client, method, url, body)
        assert response.status_code == status, (method, url, response.status_code)
        exercised.add((DjangoOpenAPIRequest(response.wsgi_request).path_pattern, method, status))
    documented = {
        (path, method.upper(), int(code))
        for path, operations in schema["paths"].items() if path in LIBRARY_PATHS
        for method, operation in operations.items()
        for code in operation["responses"]
    }
    assert exercised == documented
