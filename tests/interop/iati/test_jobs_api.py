"""The API of IATI import jobs: ``POST /api/import/iati/`` (202 with the job) and
``GET /api/import/jobs/{job_id}/`` (status, progress, report). Every response is validated strictly
against the served OpenAPI document (undocumented properties refused, documented ones required)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from compact.interop.iati.selection import Selection
from compact.interop.models import ImportJob
from compact.projects.models import Project
from compact.registry.models import Entity
from support.exercises.interop_jobs import HEALTH, PVE, UNDP_REF, iati_file

URL = "/api/import/iati/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def people(seeded, make_user):
    """``secretariat``; ``undp``: UNDP's focal point (UNDP is a member of wg-1); ``unodc``: UNODC's focal
    point; ``reader``: signed in, no standing."""
    return SimpleNamespace(
        secretariat=make_user("selma", entity="UNOCT", secretariat=True),
        undp=make_user("ulrich", entity="UNDP"),
        unodc=make_user("olga", entity="UNODC"),
        reader=make_user("rita"),
    )


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    schema = json.loads(Client().get("/api/schema/?format=json").content)
    return OpenAPI.from_dict(schema, config=Config(additional_properties_default_policy="forbid",
                                                   response_properties_default_policy="required"))


def check(openapi, response, method: str, url: str) -> None:
    """Validate ``response`` against the document; the operation is found from a bodiless request to the
    same address (the upload's stream has been read)."""
    request = getattr(RequestFactory(), method)(url)
    openapi.validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))


def files(*names_and_contents):
    return [SimpleUploadedFile(name, content, "application/xml") for name, content in names_and_contents] or [
        SimpleUploadedFile("undp.xml", iati_file(PVE, HEALTH), "application/xml")]


def test_a_dry_run_answers_202_with_the_job_then_its_report(client, people, openapi, django_capture_on_commit_callbacks):
    client.force_login(people.undp)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"files": files(), "lead_body": "wg-1"})
    assert response.status_code == 202, response.content
    check(openapi, response, "post", URL)
    job = ImportJob.objects.get()
    body = response.json()
    assert body["id"] == job.pk and body["status"] == "queued" and body["report"] is None  # answered before the commit
    assert body["url"] == f"http://testserver/api/import/jobs/{job.pk}/" == response["Location"]
    assert body["page"] == f"http://testserver/exchange/jobs/{job.pk}/"
    assert (body["dry_run"], body["files"], body["bytes_total"]) == (True, ["undp.xml"], len(iati_file(PVE, HEALTH)))
    assert job.options["selection"] == Selection.counter_terrorism().as_texts()
    response = client.get(body["url"])
    assert response.status_code == 200
    check(openapi, response, "get", f"/api/import/jobs/{job.pk}/")
    done = response.json()
    assert (done["status"], done["percent"], done["bytes_done"]) == ("done", 100, done["bytes_total"])
    assert done["report"]["counts"] == {"create": 1, "update": 0, "unchanged": 0, "skipped": 1}
    assert done["report"]["activities"][0]["kept_because"] and Project.objects.count() == 0


def test_a_real_import_without_a_selection_writes_every_activity(client, people, openapi, django_capture_on_commit_callbacks):
    client.force_login(people.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"files": files(), "lead_body": "wg-1", "dry_run": "false", "select": "false",
                                     "reason": "UNDP's projects of 2025"})
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert (job.dry_run, job.options["selection"], job.status) == (False, None, ImportJob.Status.DONE)
    assert sorted(Project.objects.values_list("iati_identifier", flat=True)) == [
        f"{UNDP_REF}-HEALTH-002", f"{UNDP_REF}-PVE-001"]
    response = client.get(f"/api/import/jobs/{job.pk}/")
    check(openapi, response, "get", f"/api/import/jobs/{job.pk}/")
    assert response.json()["report"]["written"] is True


def test_criteria_given_replace_the_defaults_one_by_one(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"files": files(), "lead_body": "wg-1", "sectors": "12220", "keywords": ""})
    assert ImportJob.objects.get().options["selection"] == {"sectors": "12220", "sdg_targets": "16.a",
                                                            "policy_markers": "", "keywords": ""}


@pytest.mark.parametrize("data, fields", [
    ({"files": []}, {"files": ["Choose at least one IATI XML file."]}),
    ({"files": [SimpleUploadedFile("notes.txt", b"Projects of 2025")]},
     {"files": ["notes.txt is not an XML file: an IATI file starts with “<”."]}),
    ({"lead_body": "wg-99"}, {"lead_body": ["No body has the key “wg-99”."]}),
    ({"lead_body": "committee"}, {"lead_body": ["The lead of new projects must be a working group."]}),
    ({"lead_entity": "NOPE"}, {"lead_entity": ["No entity has the acronym “NOPE”."]}),
    ({"dry_run": "false"}, {"reason": ["A reason is required for an import."]}),
    ({"sdg_targets": "16.z"}, {"sdg_targets": None}),
])
def test_bad_input_is_a_400_naming_the_field_and_starts_nothing(client, people, openapi, data, fields):
    client.force_login(people.secretariat)
    response = client.post(URL, {"files": files(), "lead_body": "wg-1", **data})
    assert response.status_code == 400, response.content
    check(openapi, response, "post", URL)
    errors = response.json()["error"]["fields"]
    assert set(errors) == set(fields)
    for field, messages in fields.items():
        if messages is not None:
            assert errors[field] == messages
    assert not ImportJob.objects.exists()


def test_a_focal_point_imports_for_their_own_entity_only(client, people, openapi):
    client.force_login(people.undp)
    response = client.post(URL, {"files": files(), "lead_body": "wg-1", "lead_entity": "unodc"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"lead_entity": ["A focal point imports for their own entity only."]}
    response = client.post(URL, {"files": files(), "lead_body": "wg-1", "lead_entity": "undp"})
    assert response.status_code == 202
    assert ImportJob.objects.get().options["lead_entity"] == Entity.objects.get(acronym="UNDP").pk


def test_who_may_import_and_see_a_job(client, people, openapi, django_capture_on_commit_callbacks):
    response = client.post(URL, {"files": files()})
    assert response.status_code in (401, 403)
    check(openapi, response, "post", URL)
    client.force_login(people.reader)
    response = client.post(URL, {"files": files()})
    assert response.status_code == 403
    check(openapi, response, "post", URL)
    client.force_login(people.undp)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post(URL, {"files": files(), "lead_body": "wg-1"}).json()["id"]
    client.force_login(people.unodc)
    response = client.get(f"/api/import/jobs/{job_id}/")
    assert response.status_code == 404
    check(openapi, response, "get", f"/api/import/jobs/{job_id}/")
    assert client.get(f"/api/import/jobs/{job_id + 1000}/").status_code == 404
    client.force_login(people.secretariat)
    assert client.get(f"/api/import/jobs/{job_id}/").json()["status"] == "done"
    client.logout()
    assert client.get(f"/api/import/jobs/{job_id}/").status_code in (401, 403)
