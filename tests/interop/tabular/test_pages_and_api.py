"""The exchange pages and API: templates, exports, and an import in two steps (dry run, then commit)."""

from __future__ import annotations

import pytest

from compact.audit.models import ChangeEvent
from compact.projects.models import Project
from interop.tabular.files import csv_bytes
from support.projects import make_project

ROWS = [["title_en", "lead_entity", "lead_working_group", "countries"],
        ["#activity +name +i_en", "#org +lead +code", "#group +lead +code", "#country +code"],
        ["Border security in the Sahel", "UNODC", "wg-2", "466:60;562:40"]]


def upload(client, rows, *, kind="projects", reason="Survey 2025", name="projects.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/exchange/import/", {"kind": kind, "reason": reason,
                                             "file": SimpleUploadedFile(name, csv_bytes(rows), "text/csv")})


def test_the_exchange_page_lists_columns_templates_and_exports(client, db):
    response = client.get("/exchange/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("#country +code", "/exchange/templates/projects.xlsx", "/exchange/export/flows.csv", "#org +funder"):
        assert text in page
    response = client.get("/exchange/templates/flows.csv")
    assert response.status_code == 200 and response["Content-Disposition"] == 'attachment; filename="flows-template.csv"'
    assert client.get("/exchange/templates/people.csv").status_code == 404


def test_import_dry_run_then_commit(client, people):
    client.force_login(people.unodc)
    response = upload(client, ROWS)
    assert response.status_code == 200 and Project.objects.count() == 0
    page = response.content.decode()
    assert "Every row passed. Nothing is written yet: 1 to create, 0 to update, 0 unchanged." in page
    token = response.context["token"]
    response = client.post("/exchange/import/commit/", {"token": token})
    assert response.status_code == 200 and "projects.csv was imported: 1 created, 0 updated, 0 unchanged." in (
        response.content.decode())
    project = Project.objects.get()
    assert project.title_en == "Border security in the Sahel"
    assert ChangeEvent.objects.get(object_type="projects.project").reason == "Survey 2025"
    # The token is used up: committing again writes nothing.
    assert client.post("/exchange/import/commit/", {"token": token}).status_code == 400
    assert Project.objects.count() == 1


def test_a_file_with_problems_shows_the_table_of_errors_and_no_commit_button(client, people):
    client.force_login(people.unodc)
    rows = [*ROWS[:2], ["Border security in the Sahel", "UNODC", "wg-2", "466:60;562:30"]]
    response = upload(client, rows)
    assert response.status_code == 400 and "Commit the import" not in response.content.decode()
    problems = response.context["report"].problems
    assert [(p.row, p.column, p.value, p.message) for p in problems] == [
        (3, "D “countries”", "466:60;562:30",
         "Percentages of beneficiary countries and regions sum to 90, not 100: 60 + 30.")]
    assert "466:60;562:30" in response.content.decode()


def test_an_unreadable_file_is_refused_on_the_form(client, people):
    client.force_login(people.unodc)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/exchange/import/", {"kind": "projects", "reason": "x", "file": SimpleUploadedFile(
        "p.csv", "Qué?,#org\n".encode("latin-1"), "text/csv")})
    assert response.status_code == 400 and "The file is not UTF-8" in response.content.decode()


def test_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/exchange/import/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_export_answers_with_a_file_and_refuses_a_bad_filter(client, people):
    make_project(None)
    client.force_login(people.reader)
    response = client.get("/exchange/export/projects.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert client.get("/exchange/export/projects.csv?stage=bogus").status_code == 400


def test_the_export_page_runs_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    for number in range(6):
        make_project(None, title=f"Project {number}", iati_identifier=f"XM-{number}")
    client.force_login(people.secretariat)
    with django_assert_max_num_queries(25):
        response = client.get("/exchange/export/projects.csv")
    assert response.content.decode("utf-8-sig").count("\r\n") == 2 + 6


def test_api_import_dry_run_and_errors(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people.unodc)
    response = client.post("/api/import/projects/?dry_run=1", {"file": SimpleUploadedFile("p.csv", csv_bytes(ROWS))})
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["ok"], body["written"], body["counts"]) == (
        True, True, False, {"create": 1, "update": 0, "unchanged": 0})
    assert Project.objects.count() == 0
    response = client.post("/api/import/projects/", {"file": SimpleUploadedFile("p.csv", csv_bytes(ROWS)),
                                                     "reason": "Survey"})
    assert response.status_code == 200 and response.json()["written"] and Project.objects.count() == 1
    bad = [*ROWS[:2], ["Other", "UNODC", "wg-99", "466"]]
    response = client.post("/api/import/projects/", {"file": SimpleUploadedFile("p.csv", csv_bytes(bad)),
                                                     "reason": "Survey"})
    assert response.status_code == 400
    assert response.json()["problems"][0]["column"] == "C “lead_working_group”"


@pytest.mark.parametrize("who", [None, "reader"])
def test_api_import_needs_a_signed_in_user_and_a_reason(client, people, who):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if who:
        client.force_login(getattr(people, who))
        response = client.post("/api/import/flows/", {"file": SimpleUploadedFile("f.csv", csv_bytes(ROWS))})
        assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    else:
        response = client.post("/api/import/flows/?dry_run=1", {"file": SimpleUploadedFile("f.csv", csv_bytes(ROWS))})
        assert response.status_code in (401, 403)


def test_api_responses_match_the_openapi_document(client, people):
    """200 and both kinds of 400 validated strictly against the served document."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, RequestFactory
    from openapi_core import Config, OpenAPI
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    schema = json.loads(Client().get("/api/schema/?format=json").content)
    openapi = OpenAPI.from_dict(schema, config=Config(additional_properties_default_policy="forbid",
                                                      response_properties_default_policy="required"))
    client.force_login(people.unodc)
    bad = [*ROWS[:2], ["Other", "UNODC", "wg-99", "466"]]
    cases = [
        ("/api/import/projects/?dry_run=1", {"file": SimpleUploadedFile("p.csv", csv_bytes(ROWS))}, 200),
        ("/api/import/projects/?dry_run=1", {"file": SimpleUploadedFile("p.csv", csv_bytes(bad))}, 400),
        ("/api/import/flows/?dry_run=1", {"file": SimpleUploadedFile("f.csv", "Qué?,#org\n".encode("latin-1"))}, 400),
        ("/api/import/flows/", {"file": SimpleUploadedFile("f.csv", csv_bytes(ROWS))}, 400),  # no reason
    ]
    for url, data, expected in cases:
        response = client.post(url, data)
        assert response.status_code == expected, response.content[:300]
        # The upload's stream is read: the operation is found from a bodiless request to the same address.
        operation = RequestFactory().post(url)
        openapi.validate_response(DjangoOpenAPIRequest(operation), DjangoOpenAPIResponse(response))
    response = client.post("/api/import/flows/?dry_run=1", {"file": SimpleUploadedFile("f.csv", b"a,b\n")})
    assert response.json()["problems"][0]["message"].startswith("No row of HXL hashtags found")
