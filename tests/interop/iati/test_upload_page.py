"""The IATI import pages under /exchange/: the upload form (files, dry run, lead working group and entity,
the criteria of counter-terrorism relevance, reason), the job's page (progress while it runs, then the
report) with "Import for real" (once), and the user's recent jobs with how each ended; the exchange page
and its entry in the menu; the mark of flows imported from IATI on the funding pages. Tasks run at once
(the immediate backend), once the transaction that queued them commits
(``django_capture_on_commit_callbacks``)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from compact.interop.models import ImportJob
from compact.projects.models import Project
from compact.registry.models import Body, Entity
from support.exercises.interop_jobs import HEALTH, PVE, UNDP_REF, iati_activity, iati_file

URL = "/exchange/iati/"


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


def form_data(**fields):
    """What the form posts by default: a dry run led by wg-1, the default criteria of relevance."""
    data = {"dry_run": "on", "lead_body": str(Body.objects.get(key="wg-1").pk), "only_relevant": "on",
            "sectors": "15210, 15220", "sdg_targets": "16.a", "policy_markers": "", "keywords": "terror\nviolent extremis",
            "reason": ""}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def upload(client, capture, files=None, **fields):
    files = [SimpleUploadedFile("undp.xml", iati_file(PVE, HEALTH), "application/xml")] if files is None else files
    with capture(execute=True):
        return client.post(URL, {**form_data(**fields), "files": files})


def test_visitors_sign_in_and_users_without_standing_are_refused(client, people):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    client.force_login(people.reader)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data()).status_code == 403


def test_the_form_is_a_dry_run_with_the_default_criteria(client, people):
    client.force_login(people.secretariat)
    page = client.get(URL).content.decode()
    assert re.search(r'<input[^>]*name="dry_run"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="only_relevant"[^>]*checked', page)
    assert 'name="sectors" id="id_sectors" value="15210, 15220"' in page
    assert 'value="16.a"' in page and "terror" in page and "恐怖" in page
    assert 'name="lead_entity"' in page and '<input type="file"' in page and " multiple " in page
    client.force_login(people.undp)
    page = client.get(URL).content.decode()
    assert 'name="lead_entity"' not in page
    assert "Projects whose reporting organisation is not a registry entity are led by your entity, UNDP." in page


def test_a_dry_run_goes_to_its_job_page_with_its_report(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.undp)
    response = upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exchange/jobs/{job.pk}/"
    response = client.get(response["Location"])
    assert response.status_code == 200 and "Refresh" not in response
    page = response.content.decode()
    assert "Every activity passed. Nothing is written yet." in page
    counts = re.search(r'<table class="table table-sm w-auto import-counts">.*?<tbody><tr>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", counts) == ["1", "0", "0", "1"]  # create, update, unchanged, skipped
    assert f"{UNDP_REF}-PVE-001" in page and "Preventing violent extremism in the Sahel" in page
    assert "sector 15220 (Civilian peace-building, conflict prevention and resolution)" in page
    assert "<td>skipped</td>" in page and "<td>create</td>" in page
    assert f'action="/exchange/jobs/{job.pk}/confirm/"' in page and "Import for real" in page
    assert "<progress" not in page and Project.objects.count() == 0


def test_import_for_real_asks_for_a_reason_then_writes(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks)
    dry_run = ImportJob.objects.get()
    response = client.post(f"/exchange/jobs/{dry_run.pk}/confirm/", {"reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert ImportJob.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exchange/jobs/{dry_run.pk}/confirm/", {"reason": "UNDP's projects of 2025"})
    job = ImportJob.objects.exclude(pk=dry_run.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/exchange/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "The import was written." in page and "Import for real" not in page
    project = Project.objects.get(iati_identifier=f"{UNDP_REF}-PVE-001")
    assert f'href="/projects/{project.pk}/"' in page and f'href="/exchange/jobs/{dry_run.pk}/"' in page
    assert client.post(f"/exchange/jobs/{job.pk}/confirm/", {"reason": "Twice"}).status_code == 400


@pytest.mark.parametrize("files, fields, field, message", [
    ([], {}, "files", "Choose at least one IATI XML file."),
    ([SimpleUploadedFile("notes.txt", b"Projects of 2025\n")], {}, "files",
     "notes.txt is not an XML file: an IATI file starts with “&lt;”."),
    (None, {"dry_run": None}, "reason", "A reason is required for an import."),
    (None, {"sectors": "15210, 99999"}, "sectors", "99999 is not an OECD DAC CRS sector code"),
    (None, {"lead_body": "999999"}, "lead_body", "Select a valid choice."),
    (None, {"lead_body": ""}, "lead_body", "Choose the working group that leads the projects the import creates."),
])
def test_bad_input_is_shown_on_its_field_and_starts_nothing(client, people, django_capture_on_commit_callbacks,
                                                           files, fields, field, message):
    client.force_login(people.secretariat)
    response = upload(client, django_capture_on_commit_callbacks, files=files, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    errors = re.search(rf'<div class="invalid-feedback" id="{field}-errors">(.*?)</div>', page, re.S)
    assert errors and message in errors.group(1), page[:3000]
    assert not ImportJob.objects.exists()


def test_a_file_too_large_is_refused_on_the_field(client, people, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_FILE_SIZE = 1000
    client.force_login(people.secretariat)
    response = upload(client, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "undp.xml is larger than 1000\xa0bytes." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_focal_point_imports_for_their_own_entity_whatever_is_posted(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks, lead_entity=str(Entity.objects.get(acronym="UNODC").pk))
    assert ImportJob.objects.get().options["lead_entity"] == Entity.objects.get(acronym="UNDP").pk


def test_a_running_job_shows_its_progress_and_refreshes_itself(client, people):
    job = ImportJob.objects.create(created_by=people.undp, status=ImportJob.Status.RUNNING, bytes_done=50, bytes_total=200,
                                   files=[{"name": "undp.xml", "path": "imports/undp.xml", "size": 200}],
                                   options={"dry_run": True, "lead_body": None, "lead_entity": None, "selection": None, "reason": ""})
    client.force_login(people.undp)
    response = client.get(f"/exchange/jobs/{job.pk}/")
    assert response.status_code == 200 and response["Refresh"] == "2"
    page = response.content.decode()
    assert '<progress id="import-progress" class="d-block w-100" max="200" value="50">25%</progress>' in page
    assert "50\xa0bytes of 200\xa0bytes read" in page and "Import for real" not in page
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error="the disk is full")
    response = client.get(f"/exchange/jobs/{job.pk}/")
    assert "Refresh" not in response and "<progress" not in response.content.decode()
    assert "The import stopped on an error: nothing was written." in response.content.decode()
    assert "the disk is full" in response.content.decode()


def test_another_user_s_job_is_a_404_and_the_secretariat_sees_every_job(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    client.force_login(people.unodc)
    assert client.get(f"/exchange/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/exchange/jobs/{job.pk}/confirm/", {"reason": "Not mine"}).status_code == 404
    assert f"/exchange/jobs/{job.pk}/" not in client.get(URL).content.decode()
    client.force_login(people.secretariat)
    assert client.get(f"/exchange/jobs/{job.pk}/").status_code == 200
    page = client.get(URL).content.decode()
    assert f'<a href="/exchange/jobs/{job.pk}/">Import #{job.pk}</a>' in page and "<td><bdi>ulrich</bdi></td>" in page
    client.logout()
    response = client.get(f"/exchange/jobs/{job.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_problems_show_file_line_and_element_and_no_import_for_real(client, people, django_capture_on_commit_callbacks):
    broken = iati_activity(f"{UNDP_REF}-PVE-003", "Border management against terrorism", country="XX")
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks, files=[SimpleUploadedFile("broken.xml", iati_file(PVE, broken))])
    job = ImportJob.objects.get()
    assert job.report["problems"], job.report
    problem = job.report["problems"][0]
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert "nothing was written" in page and "Import for real" not in page
    assert "Correct the files and import them again." in page and "choices of the import" not in page
    row = (f'<tr><td><bdi>broken.xml</bdi></td><td>{problem["line"]}</td><td><code dir="ltr">{problem["element"]}</code></td>'
           f'<td><code dir="ltr">{problem["activity"]}</code></td>')
    assert row in page


def test_unknown_organisations_link_to_the_registry_and_disappeared_activities_are_listed(
        client, people, django_capture_on_commit_callbacks):
    client.force_login(people.secretariat)
    upload(client, django_capture_on_commit_callbacks, dry_run=None, reason="UNDP's projects", only_relevant=None)
    assert Project.objects.filter(iati_identifier__startswith=UNDP_REF).count() == 2
    other = iati_activity("XM-DAC-99999-ABC-1", "Countering the financing of terrorism", reporting="XM-DAC-99999",
                          organisation="Sahel Financial Intelligence Network")
    upload(client, django_capture_on_commit_callbacks, lead_entity=str(Entity.objects.get(acronym="UNODC").pk),
           files=[SimpleUploadedFile("undp.xml", iati_file(PVE, other))])
    job = ImportJob.objects.order_by("-pk").first()
    assert [d["identifier"] for d in job.report["disappeared"]] == [f"{UNDP_REF}-HEALTH-002"]
    assert "XM-DAC-99999" in {o["ref"] for o in job.report["unknown_organisations"]}
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    health = Project.objects.get(iati_identifier=f"{UNDP_REF}-HEALTH-002")
    assert f'<code dir="ltr">{UNDP_REF}-HEALTH-002</code>: <a href="/projects/{health.pk}/">' in page
    assert '<code dir="ltr">XM-DAC-99999</code>' in page
    assert 'href="/entities/"' in page and 'href="/admin/registry/entity/"' in page


def test_the_job_page_runs_the_same_queries_whatever_the_size_of_its_report(client, people):
    def job_with(activities: int) -> ImportJob:
        report = {"files": [{"name": "undp.xml", "version": "2.03", "size": 9, "activities": activities}], "dry_run": True,
                  "ok": True, "written": False, "counts": {"create": activities, "update": 0, "unchanged": 0, "skipped": 0},
                  "selection": None, "problems": [], "notes": [], "unknown_organisations": [], "disappeared": [],
                  "activities": [{"file": "undp.xml", "line": 3 + i, "identifier": f"{UNDP_REF}-{i}", "action": "create",
                                  "title": f"Activity {i}", "project": None, "kept_because": [], "fields": [],
                                  "transactions": 0} for i in range(activities)]}
        return ImportJob.objects.create(
            created_by=people.undp, status=ImportJob.Status.DONE, report=report,
            files=[{"name": "undp.xml", "path": "imports/undp.xml", "size": 9}],
            options={"dry_run": True, "lead_body": Body.objects.get(key="wg-1").pk,
                     "lead_entity": Entity.objects.get(acronym="UNDP").pk, "selection": None, "reason": ""})

    small, large = job_with(3), job_with(450)
    client.force_login(people.undp)
    client.get(f"/exchange/jobs/{small.pk}/")  # warm the session and caches
    counts = []
    for job in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/exchange/jobs/{job.pk}/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 20, counts
    page = client.get(f"/exchange/jobs/{large.pk}/?page=5").content.decode()
    assert "Page 5 of 5" in page and f"{UNDP_REF}-449" in page and f"{UNDP_REF}-0<" not in page


# --- What a new user met (a review in the browser) -------------------------------------------------------


def stored_job(owner, *, status=ImportJob.Status.DONE, dry_run=True, problem_count=0, report=None, **fields) -> ImportJob:
    """A job as the task leaves it, written directly (its report, when given, by hand)."""
    return ImportJob.objects.create(
        created_by=owner, status=status, problem_count=problem_count, report=report,
        files=[{"name": "undp.xml", "path": "imports/undp.xml", "size": 200}], bytes_total=200,
        options={"dry_run": dry_run, "lead_body": None, "lead_entity": None, "selection": None, "reason": ""}, **fields)


def test_a_confirmed_dry_run_names_its_import_and_is_not_imported_twice(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks)
    dry_run = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exchange/jobs/{dry_run.pk}/confirm/", {"reason": "UNDP's projects of 2025"})
    real = ImportJob.objects.exclude(pk=dry_run.pk).get()
    page = client.get(f"/exchange/jobs/{dry_run.pk}/").content.decode()
    assert (f'<dt class="col-sm-3">Confirmed by</dt><dd class="col-sm-9 import-confirmation">'
            f'<a href="/exchange/jobs/{real.pk}/">Import #{real.pk}</a></dd>') in page
    assert "Import for real" not in page and f'action="/exchange/jobs/{dry_run.pk}/confirm/"' not in page
    assert 'This dry run was imported for real. To import these files again, <a href="/exchange/iati/">start a new dry run</a>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exchange/jobs/{dry_run.pk}/confirm/", {"reason": "Again, a month later"})
    assert response.status_code == 400
    assert f"This dry run was already imported for real by import #{real.pk}." in response.content.decode()
    response = client.post(f"/exchange/jobs/{dry_run.pk}/confirm/", {"reason": ""})
    errors = re.search(r'<div class="alert alert-danger import-confirm-errors" role="alert">(.*?)</div>',
                       response.content.decode(), re.S)
    assert response.status_code == 400 and errors and "This field is required." in errors.group(1)
    assert ImportJob.objects.count() == 2


def test_a_running_job_that_has_read_its_files_says_it_checks_and_writes_them(client, people):
    job = stored_job(people.undp, status=ImportJob.Status.RUNNING, bytes_done=200)
    client.force_login(people.undp)
    response = client.get(f"/exchange/jobs/{job.pk}/")
    page = response.content.decode()
    assert response["Refresh"] == "2" and "All files read; checking and writing the activities…" in page
    assert "200\xa0bytes of 200\xa0bytes read" not in page
    ImportJob.objects.filter(pk=job.pk).update(bytes_done=199)
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert "199\xa0bytes of 200\xa0bytes read" in page and "All files read" not in page


def test_recent_imports_say_how_each_ended_a_page_at_a_time(client, people):
    stored_job(people.undp, dry_run=False)
    stored_job(people.undp)
    stored_job(people.undp, problem_count=3)
    stored_job(people.undp, problem_count=1)
    stored_job(people.undp, status=ImportJob.Status.FAILED, error="the disk is full")
    stored_job(people.undp, status=ImportJob.Status.RUNNING)
    stored_job(people.undp, status=ImportJob.Status.QUEUED)
    client.force_login(people.undp)
    page = client.get(URL).content.decode()
    assert re.findall(r'<td class="import-outcome">(.*?)</td>', page) == [
        "queued", "running", "failed", "problem: 1", "problems: 3", "dry run passed", "written"]  # newest first
    for _number in range(18):
        stored_job(people.undp)
    page = client.get(URL).content.decode()
    assert len(re.findall(r'<td class="import-outcome">', page)) == 20 and "Page 1 of 2" in page
    page = client.get(URL, {"page": 2}).content.decode()
    assert re.findall(r'<td class="import-outcome">(.*?)</td>', page) == [
        "failed", "problem: 1", "problems: 3", "dry run passed", "written"]  # 25 jobs: 20, then the 5 oldest
    assert "Page 2 of 2" in page and 'href="?page=1#recent-jobs"' in page


def test_a_refused_file_is_not_read_rather_than_of_an_unknown_version(client, people, django_capture_on_commit_callbacks):
    legacy = (b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="1.03">\n'
              b'<iati-activity><iati-identifier>XM-DAC-41114-OLD-1</iati-identifier></iati-activity>\n</iati-activities>\n')
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks,
           files=[SimpleUploadedFile("legacy.xml", legacy), SimpleUploadedFile("undp.xml", iati_file(PVE))])
    job = ImportJob.objects.get()
    assert [f["version"] for f in job.report["files"]] == ["", "2.03"]
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert f"<bdi>legacy.xml</bdi> ({len(legacy)}\xa0bytes, not read)" in page
    assert "IATI 2.03, 1 activity)" in page and "IATI ?" not in page and "0 activities" not in page


def test_problems_that_the_choices_of_the_import_cause_say_so(client, people, django_capture_on_commit_callbacks):
    unknown = iati_activity("XM-DAC-99999-ABC-1", "Countering the financing of terrorism", reporting="XM-DAC-99999",
                            organisation="Sahel Financial Intelligence Network")
    client.force_login(people.secretariat)
    upload(client, django_capture_on_commit_callbacks, files=[SimpleUploadedFile("sahel.xml", iati_file(unknown))])
    job = ImportJob.objects.get()
    assert [p["element"] for p in job.report["problems"]] == ["iati-activities/iati-activity[1]/reporting-org"]
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    assert ("The import has 1 problem: nothing was written. Correct the files or the choices of the import, and "
            "import again.") in page
    assert "Correct the files and import them again." not in page


def test_the_lead_working_group_is_required_and_named_by_its_number(client, people):
    client.force_login(people.secretariat)
    page = client.get(URL).content.decode()
    select = re.search(r'<select [^>]*name="lead_body".*?</select>', page, re.S).group(0)
    assert " required " in select and '<option value="">—</option>' in select and "None" not in select
    wg2 = Body.objects.get(key="wg-2")
    assert f'<option value="{wg2.pk}">WG 2: {escape(wg2.title_en)}</option>' in select
    assert "The working group that leads the projects the import creates: every new project needs one." in page
    assert "OECD DAC CRS codes: 5-digit purpose codes or 3-digit categories, separated by commas." in page
    assert ("vocabulary:code, e.g. 1:3 (OECD DAC good governance) or 99:CT (a publisher&#x27;s own marker), "
            "separated by commas.") in page


def test_the_job_page_counts_the_activities_with_problems_and_names_the_working_group(
        client, people, django_capture_on_commit_callbacks):
    broken = [iati_activity(f"{UNDP_REF}-PVE-003", "Border management against terrorism", country="XX"),
              iati_activity(f"{UNDP_REF}-PVE-004", "Terrorism financing", country="XX", sector="99999")]
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks, files=[SimpleUploadedFile("broken.xml", iati_file(PVE, *broken))],
           only_relevant=None)
    job = ImportJob.objects.get()
    assert len(job.report["problems"]) >= 3 and job.problem_count == len(job.report["problems"])
    page = client.get(f"/exchange/jobs/{job.pk}/").content.decode()
    counts = re.search(r'<table class="table table-sm w-auto import-counts">.*?</table>', page, re.S).group(0)
    assert "<th scope=\"col\">with problems</th>" in counts
    assert '<td class="import-with-problems">2</td>' in counts  # PVE-003 and PVE-004; PVE-001 passed
    wg1 = Body.objects.get(key="wg-1")
    assert f'<a href="/working-groups/1/">Working group 1: {escape(wg1.title_en)}</a>' in page


def test_technical_text_reads_left_to_right_in_arabic(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.undp)
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    page = client.get(f"/exchange/jobs/{job.pk}/", {"lang": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "<bdi>undp.xml</bdi> (" in page and '<span dir="ltr"><bdi>undp.xml</bdi>:' in page
    assert f'<code dir="ltr">{UNDP_REF}-PVE-001</code>' in page
    assert '<span dir="ltr">15210, 15220</span>' in page and "<bdi>terror, " in page
    page = client.get(URL, {"lang": "ar"}).content.decode()
    assert "<td><bdi>undp.xml</bdi></td>" in page and 'name="sectors" id="id_sectors" value="15210, 15220" dir="ltr"' in page
    page = client.get("/exchange/", {"lang": "ar"}).content.decode()
    assert '<code dir="ltr">#activity +id</code>' in page and '<code dir="ltr">iati_identifier</code>' in page
    assert "<code>" not in page


def test_the_exchange_page_puts_iati_first_and_the_menu_leads_to_it(client, people):
    page = client.get("/exchange/").content.decode()
    assert page.index('id="kind-iati"') < page.index('id="kind-projects"') < page.index('id="kind-flows"')
    assert '<a class="nav-link active" aria-current="page" href="/exchange/">Exchange</a>' in page
    page = client.get("/funding/", {"lang": "fr"}).content.decode()
    assert re.search(r'<a class="nav-link" href="/exchange/\?lang=fr">[^<]+</a>', page)


def test_flows_imported_from_iati_carry_a_mark_where_they_are_listed(client, people, django_capture_on_commit_callbacks):
    from compact.funding.services import flow_create

    paid = PVE.replace("  </iati-activity>", (
        '    <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/>'
        '<value currency="USD" value-date="2024-02-01">25000</value></transaction>\n  </iati-activity>'))
    client.force_login(people.secretariat)
    upload(client, django_capture_on_commit_callbacks, files=[SimpleUploadedFile("undp.xml", iati_file(paid))],
           dry_run=None, reason="UNDP's projects of 2025")
    project = Project.objects.get(iati_identifier=f"{UNDP_REF}-PVE-001")
    imported = project.flows.get()
    assert imported.origin == "iati"
    keyed = flow_create(actor=people.secretariat, project=project, kind="pledge", amount="1000", currency="USD",
                        date=dt.date(2024, 3, 1), provider_name="Norway", reason="Pledged at the conference")
    mark = ('<span class="badge text-bg-light border flow-origin-iati" title="Imported from IATI: the next import of '
            'this activity replaces it">IATI')
    page = client.get(f"/funding/projects/{project.pk}/").content.decode()
    rows = {date: row for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
            for date in re.findall(r"<td>(\d{4}-\d{2}-\d{2})</td>", row)}
    assert mark in rows["2024-02-01"] and mark not in rows["2024-03-01"]
    assert mark in client.get(f"/funding/flows/{imported.pk}/edit/").content.decode()
    assert mark not in client.get(f"/funding/flows/{keyed.pk}/edit/").content.decode()
