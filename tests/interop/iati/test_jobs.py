"""Imports of IATI files as jobs (``compact.interop.job_services``, ``compact.interop.tasks``,
``compact.interop.job_selectors``) and the worker ``compact serve`` starts.

The test settings run tasks at once (the immediate backend, settings ``TASKS`` under pytest); a job is
queued once the transaction that created it commits, so each test runs the commit callbacks
(``django_capture_on_commit_callbacks``). The database backend's path (queued, then run by
``db_worker``) runs in a test of its own, with real commits. Expected counts come from the two
activities of ``support.exercises.interop_jobs`` (one counter-terrorism relevant by its sector, one not).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction

from compact.audit.context import audit_context
from compact.audit.models import ChangeEvent
from compact.interop import job_selectors, job_services, tasks
from compact.interop.iati.selection import Selection
from compact.interop.job_services import ImportOptions, import_job_confirm, import_job_start
from compact.interop.models import ImportJob
from compact.projects.models import Project
from compact.registry.models import Body, Entity
from support.exercises.interop_jobs import HEALTH, PVE, UNDP_REF, iati_file

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
FILE = iati_file(PVE, HEALTH)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder; tasks run at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return settings.MEDIA_ROOT


@pytest.fixture
def people(seeded, make_user):
    """``secretariat``; ``undp``: UNDP's focal point (UNDP is a member of wg-1); ``unodc``: UNODC's focal
    point; ``representative``: a UNDP representative who is not a focal point; ``reader``: no standing."""
    return SimpleNamespace(
        secretariat=make_user("selma", entity="UNOCT", secretariat=True),
        undp=make_user("ulrich", entity="UNDP"),
        unodc=make_user("olga", entity="UNODC"),
        representative=make_user("rafael", entity="UNDP", function="representative"),
        reader=make_user("rita"),
    )


def wg(key: str) -> Body:
    return Body.objects.get(key=key)


def start(actor, *, files=None, capture, **options):
    """Start a job and run what waits for the commit (the task, with the immediate backend)."""
    options.setdefault("selection", Selection.counter_terrorism())
    options.setdefault("lead_body", wg("wg-1"))
    reason = options.pop("reason", "")
    with capture(execute=True):
        job = import_job_start(actor=actor, files=files or [("undp.xml", FILE)], options=ImportOptions(**options),
                               reason=reason)
    job.refresh_from_db()
    return job


def test_a_dry_run_runs_at_once_and_keeps_its_report(people, django_capture_on_commit_callbacks):
    with audit_context(request_id="req-dry-run"):
        job = start(people.undp, dry_run=True, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE and job.task_result_id
    assert (job.bytes_done, job.bytes_total, job.percent) == (len(FILE), len(FILE), 100)
    report = job.report
    assert (report["dry_run"], report["ok"], report["written"]) == (True, True, False)
    assert report["counts"] == {"create": 1, "update": 0, "unchanged": 0, "skipped": 1}
    kept = {a["identifier"]: a for a in report["activities"]}
    assert kept[f"{UNDP_REF}-PVE-001"]["action"] == "create" and kept[f"{UNDP_REF}-PVE-001"]["kept_because"]
    assert kept[f"{UNDP_REF}-HEALTH-002"]["action"] == "skipped"
    assert Project.objects.count() == 0
    event = ChangeEvent.objects.get(object_type="interop.importjob", object_id=str(job.pk))
    assert (event.actor, event.reason, event.request_id) == (people.undp, "Dry run of an IATI import", "req-dry-run")
    assert job.options == {"dry_run": True, "lead_body": wg("wg-1").pk, "lead_entity": Entity.objects.get(acronym="UNDP").pk,
                           "selection": Selection.counter_terrorism().as_texts(), "reason": ""}
    assert [f["name"] for f in job.files] == ["undp.xml"] and job.files[0]["path"].startswith("imports/")


def test_a_real_import_writes_as_the_job_s_actor_with_its_reason_and_request(people, django_capture_on_commit_callbacks):
    with audit_context(request_id="req-import"):
        job = start(people.undp, dry_run=False, reason="UNDP's projects of 2025", capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE and job.report["written"], job.report["problems"]
    project = Project.objects.get(iati_identifier=f"{UNDP_REF}-PVE-001")
    assert not Project.objects.filter(iati_identifier=f"{UNDP_REF}-HEALTH-002").exists()
    events = ChangeEvent.objects.filter(object_type="projects.project", object_id=str(project.pk))
    assert {(e.actor_id, e.reason, e.request_id) for e in events} == {(people.undp.pk, "UNDP's projects of 2025", "req-import")}


def test_every_activity_is_imported_without_a_selection(people, django_capture_on_commit_callbacks):
    job = start(people.secretariat, dry_run=True, selection=None, capture=django_capture_on_commit_callbacks)
    assert job.report["counts"] == {"create": 2, "update": 0, "unchanged": 0, "skipped": 0}
    assert job.options["selection"] is None


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_job_waits_for_the_worker(people, settings):
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    job = import_job_start(actor=people.secretariat, files=[("undp.xml", FILE)], reason="",
                           options=ImportOptions(dry_run=True, lead_body=wg("wg-1"), selection=Selection.counter_terrorism()))
    job.refresh_from_db()
    queued = DBTaskResult.objects.get()
    assert (job.status, job.task_result_id, queued.status) == (ImportJob.Status.QUEUED, str(queued.id), "READY")
    assert queued.task_path == "compact.interop.tasks.run_import_job" and queued.args_kwargs["args"] == [job.pk]
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
           worker_id="test-worker", excluded_queue_names=[]).run()
    job.refresh_from_db()
    queued.refresh_from_db()
    assert (job.status, queued.status, queued.return_value) == (
        ImportJob.Status.DONE, "SUCCESSFUL", {"job": job.pk, "status": "done"})
    assert job.report["counts"]["create"] == 1 and job.started <= job.finished


def test_a_failed_import_marks_the_job_failed_with_its_error(people, django_capture_on_commit_callbacks, monkeypatch):
    from compact.interop import iati_services

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(iati_services, "iati_import", broken)
    job = start(people.secretariat, dry_run=True, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.error, job.report) == (ImportJob.Status.FAILED, "the disk is full", None)
    assert job.finished is not None


def test_a_job_whose_stored_file_is_gone_fails_saying_so(people, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(job_services, "_enqueue", lambda job_id: None)
    job = start(people.secretariat, dry_run=True, capture=django_capture_on_commit_callbacks)
    from django.core.files.storage import default_storage

    default_storage.delete(job.files[0]["path"])
    with pytest.raises(FileNotFoundError):
        tasks.run_import_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.error == "The stored file undp.xml is missing."


def test_a_job_runs_once(people, django_capture_on_commit_callbacks):
    job = start(people.secretariat, dry_run=True, capture=django_capture_on_commit_callbacks)
    finished = job.finished
    assert tasks.run_import_job.call(job.pk) == {"job": job.pk, "status": "done"}
    job.refresh_from_db()
    assert job.finished == finished


@pytest.mark.parametrize("who", ["reader", "representative"])
def test_only_the_secretariat_and_focal_points_import(people, who):
    with pytest.raises(PermissionDenied):
        import_job_start(actor=getattr(people, who), files=[("undp.xml", FILE)], options=ImportOptions())
    assert not ImportJob.objects.exists()


def test_files_and_options_are_checked_before_anything_is_stored(people, settings, media):
    settings.IMPORT_MAX_FILE_SIZE = 1000
    committee = Body.objects.get(kind=Body.Kind.COMMITTEE)
    with pytest.raises(ValidationError) as caught:
        import_job_start(actor=people.undp, reason="", files=[
            ("empty.xml", b""), ("big.xml", FILE), ("notes.txt", b"Projects of 2025\n"),
        ], options=ImportOptions(dry_run=False, lead_body=committee, lead_entity=Entity.objects.get(acronym="UNODC")))
    assert caught.value.message_dict == {
        "files": ["empty.xml is empty.", "big.xml is larger than 1000\xa0bytes.",
                  "notes.txt is not an XML file: an IATI file starts with “<”."],
        "lead_body": ["The lead of new projects must be a working group."],
        "lead_entity": ["A focal point imports for their own entity only."],
        "reason": ["A reason is required for an import."],
    }
    with pytest.raises(ValidationError) as caught:
        import_job_start(actor=people.secretariat, files=[], options=ImportOptions())
    assert caught.value.message_dict == {"files": ["Choose at least one IATI XML file."]}
    assert not ImportJob.objects.exists() and not ChangeEvent.objects.filter(object_type="interop.importjob").exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_the_secretariat_names_any_lead_entity(people, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(job_services, "_enqueue", lambda job_id: None)
    unodc = Entity.objects.get(acronym="UNODC")
    job = start(people.secretariat, dry_run=True, lead_entity=unodc, capture=django_capture_on_commit_callbacks)
    assert job.options["lead_entity"] == unodc.pk
    job = start(people.secretariat, dry_run=True, capture=django_capture_on_commit_callbacks)
    assert job.options["lead_entity"] is None


@pytest.mark.parametrize("path", [
    "version_independent/dataset-encoding/valid-UTF-8.xml", "version_independent/dataset-encoding/valid-UTF-16.xml",
    "version_independent/dataset-encoding/valid-UTF-16BE.xml", "version_independent/dataset-encoding/valid-UTF-16LE.xml",
    "version_independent/dataset-encoding/valid-UTF-32.xml", "version_independent/dataset-encoding/valid-windows-1252.xml",
    "version_independent/dataset-encoding/valid-undetectable-encoding.xml", "version_independent/leading_whitespace_xml.xml",
])
def test_an_xml_file_in_any_encoding_is_taken_for_xml(path):
    from pathlib import Path

    data = (Path(__file__).parents[2] / "data" / "iati" / "pyiati-edge-cases" / path).read_bytes()
    assert job_services.looks_like_xml(data[:job_services.SNIFF_BYTES])


def test_a_text_that_is_not_xml_is_not_taken_for_xml():
    from pathlib import Path

    data = (Path(__file__).parents[2] / "data" / "iati" / "pyiati-edge-cases" / "version_independent" / "invalid.xml").read_bytes()
    assert data.startswith(b"This is a string") and not job_services.looks_like_xml(data)


def test_import_for_real_repeats_a_dry_run_that_passed(people, django_capture_on_commit_callbacks):
    dry_run = start(people.undp, dry_run=True, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as caught:
        import_job_confirm(actor=people.undp, job=dry_run, reason=" ")
    assert caught.value.message_dict == {"reason": ["A reason is required for an import."]}
    with pytest.raises(PermissionDenied):
        import_job_confirm(actor=people.unodc, job=dry_run, reason="Not mine")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(actor=people.undp, job=dry_run, reason="UNDP's projects of 2025")
    job.refresh_from_db()
    assert (job.confirms, job.files, job.dry_run, job.options["reason"]) == (dry_run, dry_run.files, False, "UNDP's projects of 2025")
    assert {k: v for k, v in job.options.items() if k not in ("dry_run", "reason")} == {
        k: v for k, v in dry_run.options.items() if k not in ("dry_run", "reason")}
    assert job.status == ImportJob.Status.DONE and job.report["written"]
    assert Project.objects.filter(iati_identifier=f"{UNDP_REF}-PVE-001").exists()
    with pytest.raises(ValidationError) as caught:
        import_job_confirm(actor=people.secretariat, job=job, reason="Again")
    assert list(caught.value.message_dict) == ["job"]


def test_a_dry_run_is_imported_for_real_once(people, django_capture_on_commit_callbacks, monkeypatch):
    """Confirming it again would write, weeks later, what was checked back then over what people corrected
    since; the refusal names the import that did it and records nothing."""
    dry_run = start(people.undp, dry_run=True, capture=django_capture_on_commit_callbacks)
    monkeypatch.setattr(job_services, "_enqueue", lambda job_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        real = import_job_confirm(actor=people.undp, job=dry_run, reason="UNDP's projects of 2025")
    events = ChangeEvent.objects.filter(object_type="interop.importjob").count()
    for actor in (people.undp, people.secretariat):
        with pytest.raises(ValidationError) as caught:
            import_job_confirm(actor=actor, job=dry_run, reason="Again, a month later")
        assert caught.value.message_dict == {"job": [
            f"This dry run was already imported for real by import #{real.pk}. To import these files again, start a "
            "new dry run: it checks them against the platform as it is now."]}
    assert ImportJob.objects.count() == 2 and ChangeEvent.objects.filter(object_type="interop.importjob").count() == events
    dry_run = job_selectors.import_job_get(user=people.undp, pk=dry_run.pk)
    assert dry_run.confirmation == real and dry_run.may_confirm  # the page offers no button: it was confirmed


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_make_one_import(people, monkeypatch):
    """The second waits for the first (the dry run is locked while it is confirmed), then is refused. On
    PostgreSQL: SQLite's test database is in memory with a shared cache, where a second writer fails at once
    instead of waiting (a SQLite file serializes the two by its ``IMMEDIATE`` transactions)."""
    import threading

    if connection.vendor == "sqlite":
        pytest.skip("a second writer of SQLite's shared in-memory test database fails instead of waiting")

    monkeypatch.setattr(job_services, "_enqueue", lambda job_id: None)
    dry_run = ImportJob.objects.create(
        created_by=people.undp, status=ImportJob.Status.DONE, report={"ok": True, "problems": []},
        files=[{"name": "undp.xml", "path": "imports/undp.xml", "size": 9}],
        options={"dry_run": True, "lead_body": wg("wg-1").pk, "lead_entity": None, "selection": None, "reason": ""})
    first_inside, release = threading.Event(), threading.Event()
    real_create = job_services._create

    def slow_create(**kwargs):
        job = real_create(**kwargs)
        first_inside.set()
        release.wait(10)
        return job

    outcomes: dict[str, object] = {}

    def confirm(name: str) -> None:
        try:
            outcomes[name] = import_job_confirm(actor=people.undp, job=dry_run, reason=f"Confirmed by {name}")
        except ValidationError as exc:
            outcomes[name] = exc.message_dict
        finally:
            connections.close_all()

    monkeypatch.setattr(job_services, "_create", slow_create)
    first = threading.Thread(target=confirm, args=("first",))
    first.start()
    assert first_inside.wait(10)
    monkeypatch.setattr(job_services, "_create", real_create)
    second = threading.Thread(target=confirm, args=("second",))
    second.start()
    time.sleep(0.3)  # the second is waiting for the lock
    assert "second" not in outcomes
    release.set()
    first.join(10)
    second.join(10)
    assert isinstance(outcomes["first"], ImportJob)
    assert list(outcomes["second"]) == ["job"]
    assert ImportJob.objects.filter(confirms=dry_run).count() == 1


def test_the_secretariat_may_confirm_a_focal_point_s_dry_run(people, django_capture_on_commit_callbacks, monkeypatch):
    dry_run = start(people.undp, dry_run=True, capture=django_capture_on_commit_callbacks)
    monkeypatch.setattr(job_services, "_enqueue", lambda job_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(actor=people.secretariat, job=dry_run, reason="Checked with UNDP")
    assert job.created_by == people.secretariat and job.options["lead_entity"] == dry_run.options["lead_entity"]


def test_a_dry_run_with_problems_cannot_be_imported_for_real(people, django_capture_on_commit_callbacks):
    job = start(people.undp, dry_run=True, lead_body=None, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE and not job.report["ok"] and not job.may_confirm
    assert job.problem_count == len(job.report["problems"]) == 1 and job.outcome == "problems"
    with pytest.raises(ValidationError) as caught:
        import_job_confirm(actor=people.undp, job=job, reason="Anyway")
    assert caught.value.message_dict == {"job": ["Only a dry run that finished without problems can be imported for real."]}


def test_a_user_sees_their_own_jobs_and_the_secretariat_every_job(people, django_capture_on_commit_callbacks, monkeypatch):
    from django.contrib.auth.models import AnonymousUser

    monkeypatch.setattr(job_services, "_enqueue", lambda job_id: None)
    mine = start(people.undp, dry_run=True, capture=django_capture_on_commit_callbacks)
    theirs = start(people.unodc, dry_run=True, lead_body=wg("wg-2"), capture=django_capture_on_commit_callbacks)
    assert list(job_selectors.import_job_list(user=people.undp)) == [mine]
    assert list(job_selectors.import_job_list(user=people.secretariat)) == [theirs, mine]
    assert list(job_selectors.import_job_list(user=AnonymousUser())) == []
    assert job_selectors.import_job_get(user=people.secretariat, pk=mine.pk) == mine
    with pytest.raises(ImportJob.DoesNotExist):
        job_selectors.import_job_get(user=people.unodc, pk=mine.pk)


# --- Progress ------------------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_saved_at_most_every_second_and_always_at_the_end(db):
    job = ImportJob.objects.create(bytes_total=1000)
    clock = Clock()
    progress = tasks.JobProgress(job.pk, clock=clock)
    saved = []
    progress._save = lambda done, total: saved.append((done, total)) or 1
    for now, done in [(0.0, 10), (0.4, 20), (0.9, 30), (1.0, 40), (1.5, 50), (2.2, 60), (2.3, 1000)]:
        clock.now = now
        progress(done, 1000)
    assert saved == [(10, 1000), (40, 1000), (60, 1000), (1000, 1000)]


@pytest.mark.django_db(transaction=True)
def test_progress_reaches_the_pages_while_the_import_s_transaction_is_open_on_postgresql():
    """Outside a transaction the progress is saved as it comes; inside the import's transaction it is
    written through a connection of its own on PostgreSQL (another connection reads it before the
    transaction ends), and waits for the end of the import on SQLite (one writer at a time)."""
    job = ImportJob.objects.create(bytes_total=1000)
    progress = tasks.JobProgress(job.pk)
    progress(100, 1000)
    job.refresh_from_db()
    assert job.bytes_done == 100
    try:
        with transaction.atomic():
            ImportJob.objects.create(bytes_total=1)  # the import's own writes, not yet committed
            progress.saved_at = None
            progress(500, 1000)
            if connection.vendor == "sqlite":
                assert progress.saves == 1
            else:
                reader = connections.create_connection("default")
                with reader.cursor() as cursor:
                    cursor.execute("SELECT bytes_done FROM interop_importjob WHERE id = %s", [job.pk])
                    assert (cursor.fetchone()[0], progress.saves) == (500, 2)
                reader.close()
    finally:
        progress.close()


# --- compact serve ---------------------------------------------------------------------------------------


class FakeWorker:
    pid = 4242

    def __init__(self):
        self.stopped = False


@pytest.fixture
def fake_serve(monkeypatch):
    """``compact serve`` with Waitress and the worker replaced by recorders."""
    import waitress

    from compact.core.management.commands import serve

    calls = SimpleNamespace(served=[], workers=[], stopped=[])
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.served.append(kw))

    def start_worker():
        calls.workers.append(FakeWorker())
        return calls.workers[-1]

    monkeypatch.setattr(serve, "start_worker", start_worker)
    monkeypatch.setattr(serve, "stop_worker", lambda worker, grace: calls.stopped.append((worker, grace)))
    return calls


def test_serve_starts_a_database_task_worker_beside_the_server_and_stops_it(fake_serve, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.TASKS = DATABASE
    out = StringIO()
    call_command("serve", "--port", "8123", stdout=out)
    assert fake_serve.served == [{"host": "127.0.0.1", "port": 8123, "threads": 8, "ident": "compact"}]
    assert len(fake_serve.workers) == 1 and fake_serve.stopped == [(fake_serve.workers[0], 30.0)]
    assert "Task worker started (compact db_worker, process 4242)." in out.getvalue()
    call_command("serve", "--port", "8123", "--no-worker", stdout=StringIO())
    settings.TASKS = IMMEDIATE
    call_command("serve", "--port", "8123", stdout=StringIO())
    assert len(fake_serve.workers) == 1 and len(fake_serve.served) == 3


def test_the_worker_is_compact_db_worker_without_the_autoreloader():
    from compact.core.management.commands.serve import worker_command

    assert worker_command() == [sys.executable, "-m", "compact.cli", "db_worker", "--no-reload", "--no-startup-delay"]


def test_a_stopped_worker_finishes_its_task_then_is_made_to_stop(monkeypatch):
    """A worker that exits on the first SIGTERM is simply waited for; one that is busy past the grace
    period gets a second SIGTERM, then SIGKILL."""
    from compact.core.management.commands import serve

    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert serve.stop_worker(polite, grace=5) == -signal.SIGTERM
    stubborn = subprocess.Popen([sys.executable, "-c", (
        "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: None); "
        "sys.stdout.write('ready\\n'); sys.stdout.flush(); time.sleep(60)")], stdout=subprocess.PIPE)
    assert stubborn.stdout.readline() == b"ready\n"
    monkeypatch.setattr(serve, "KILL_AFTER", 0.2)
    began = time.monotonic()
    assert serve.stop_worker(stubborn, grace=0.2) == -signal.SIGKILL
    assert time.monotonic() - began < 5
    stubborn.stdout.close()


# --- How a job ended ---------------------------------------------------------------------------------------


def test_a_job_says_how_it_ended(people, django_capture_on_commit_callbacks, monkeypatch):
    assert start(people.undp, dry_run=True, capture=django_capture_on_commit_callbacks).outcome == "dry_run_passed"
    written = start(people.undp, dry_run=False, reason="UNDP's projects of 2025", capture=django_capture_on_commit_callbacks)
    assert (written.outcome, written.problem_count) == ("written", 0)
    from compact.interop import iati_services

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(iati_services, "iati_import", broken)
    assert start(people.undp, dry_run=True, capture=django_capture_on_commit_callbacks).outcome == "failed"
    assert ImportJob(status=ImportJob.Status.RUNNING, problem_count=0).outcome == "running"


def test_jobs_done_before_get_the_number_of_their_problems_from_their_report(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("compact.interop.migrations.0002_importjob_problem_count")
    problem = {"file": "a.xml", "line": 3, "element": "iati-activity[1]", "activity": "A-1", "message": "Bad."}
    with_problems = ImportJob.objects.create(report={"ok": False, "problems": [problem, problem]})
    without = ImportJob.objects.create(report={"ok": True, "problems": []})
    queued = ImportJob.objects.create()
    migration.count_problems(apps, None)
    assert [ImportJob.objects.get(pk=job.pk).problem_count for job in (with_problems, without, queued)] == [2, 0, 0]


def finding(element: str, activity: str = "", file: str = "a.xml") -> dict:
    return {"file": file, "line": 3, "element": element, "activity": activity, "message": "Bad."}


def test_activities_with_problems_are_counted_once_each():
    report = {"problems": [
        finding("iati-activities/iati-activity[1]/sector/@code", "A-1"),
        finding("iati-activities/iati-activity[1]/recipient-country/@code", "A-1"),
        finding("iati-activity[1]/reporting-org", "A-1"),  # the importer's path: the same activity
        finding("iati-activities/iati-activity[2]/iati-identifier"),  # an activity without an identifier
        finding("iati-activities/iati-activity[1]/title", "B-1", file="b.xml"),  # another file's first activity
        finding("", "C-1", file="b.xml"),  # located by its identifier only
        finding("iati-activities"),  # the whole file
    ]}
    assert job_selectors.activities_with_problems(report) == 4
    assert job_selectors.activities_with_problems({"problems": []}) == 0
    assert job_selectors.activities_with_problems(None) == 0


@pytest.mark.parametrize("options, elements, expected", [
    ({"lead_body": None, "lead_entity": 1}, ["iati-activity[2]"], True),
    ({"lead_body": 1, "lead_entity": None}, ["iati-activity[2]/reporting-org"], True),
    ({"lead_body": 1, "lead_entity": 1}, ["iati-activity[2]", "iati-activity[2]/reporting-org"], False),
    ({"lead_body": None, "lead_entity": None}, ["iati-activities/iati-activity[2]/reporting-org/@type"], False),
    ({"lead_body": None, "lead_entity": None}, [], False),
])
def test_problems_that_come_from_the_options_are_told_apart(options, elements, expected):
    job = ImportJob(options=options, report={"problems": [finding(e, "A-1") for e in elements]})
    assert job_selectors.problems_concern_options(job) is expected
