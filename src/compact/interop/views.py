"""Pages of data exchange (HTML): what can be imported and exported, templates to download, the export
files, and the import of a file in two steps: a dry run that reports every row, then the commit.

The uploaded file waits between the two steps in the user's session, under a random token, and is read
and checked again at the commit (the registry may have changed meanwhile). Reads go through
``compact.interop.selectors`` (exports of what the user may export, written to the access log); writes
through ``compact.interop.services`` (every row through the projects' and funding's services).

IATI activity files are imported as jobs that run as tasks (``/exchange/iati/``): the upload page starts
one (``compact.interop.job_services``) and lists the user's recent jobs; the job's page shows its
progress, refreshing itself every 2 seconds while it runs (a ``Refresh`` header: no JavaScript), then its
report, and offers "Import for real" after a dry run that passed, until it is confirmed. Jobs are read through
``compact.interop.job_selectors``: another user's job is a 404, the secretariat sees every job.
"""

from __future__ import annotations

import base64
import secrets
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.access.principal import principal_for
from compact.interop import job_selectors, selectors
from compact.interop.forms import KIND_CHOICES, ConfirmImportForm, IatiImportForm, ImportForm
from compact.interop.iati import writer as iati_writer
from compact.interop.job_services import ImportOptions, import_job_confirm, import_job_start
from compact.interop.models import ImportJob
from compact.interop.services import IMPORTERS
from compact.interop.tabular import flows as flow_format
from compact.interop.tabular import projects as project_format
from compact.interop.tabular.reader import TableError, read_table

#: Where the session keeps the file waiting for its commit.
SESSION_KEY = "exchange_upload"


def _file_response(exported: selectors.ExportFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    """``/exchange/``: the two kinds of file, their columns (name, hashtag, what the cell holds),
    templates to download, export links (carrying the page's filters) and the import link."""
    query = request.GET.copy()
    query.pop("lang", None)
    kinds = [
        {"key": "projects", "label": dict(KIND_CHOICES)["projects"], "columns": project_format.PROJECT_COLUMNS},
        {"key": "flows", "label": dict(KIND_CHOICES)["flows"], "columns": flow_format.FLOW_COLUMNS},
    ]
    return render(request, "interop/index.html", {"kinds": kinds, "query": f"?{urlencode(query)}" if query else ""})


@require_http_methods(["GET", "HEAD"])
def template_download(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    """``/exchange/templates/<kind>.<csv|xlsx>``: an empty file with the header and hashtag rows."""
    if kind not in IMPORTERS or file_format not in selectors.FORMATS:
        raise Http404(_("No such template."))
    return _file_response(selectors.template(kind=kind, file_format=file_format))


@require_http_methods(["GET", "HEAD"])
def export(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    """``/exchange/export/<projects|flows>.<csv|xlsx>``: what the user may export, with the filters of the
    projects list (for projects) or of the flows list (for flows); an invalid filter answers 400."""
    if kind not in IMPORTERS or file_format not in selectors.FORMATS:
        raise Http404(_("No such export."))
    filters = {k: v for k, v in request.GET.items() if k != "lang"}
    try:
        exported = selectors.export_table(user=request.user, kind=kind, file_format=file_format, filters=filters,
                                          detail=urlencode(sorted(filters.items())))
    except ValidationError as exc:
        message = " ".join(f"{field}: {' '.join(str(m) for m in errors)}" for field, errors in exc.message_dict.items())
        return render(request, "400.html", {"message": message}, status=400)
    return _file_response(exported)


def iati_response(*, user, refs: list[str], detail: str) -> HttpResponse | None:
    """The IATI 2.03 file of the published projects ``user`` may export (``refs``: only those named, by
    number or IATI identifier), streamed from a spooled temporary file; None when a name matches no
    project the user may export, or when there is none to export (IATI's schema requires an activity): the
    caller answers 404 without telling why."""
    if refs and iati_writer.missing_refs(user=user, refs=refs):
        return None
    if not iati_writer.exportable(user=user, refs=refs).exists():
        return None  # IATI's schema needs at least one activity: an empty file would not be valid
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    iati_writer.export_activities(user=user, out=out, refs=refs, detail=detail)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=iati_writer.FILENAME, content_type=iati_writer.CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "HEAD"])
def export_iati(request: HttpRequest) -> HttpResponse:
    """``/exchange/export/iati-activities.xml[?project=ID|IDENTIFIER...]``: the published joint projects the
    user may export as one IATI 2.03 activity file (docs/iati.md); 404 when a project named is not one."""
    refs = request.GET.getlist("project")
    response = iati_response(user=request.user, refs=refs, detail=urlencode([("project", r) for r in refs]))
    if response is None:
        raise Http404(_("No published joint project you may export has this number or identifier."))
    return response


def _run(request: HttpRequest, stored: dict, *, dry_run: bool):
    """Read the stored upload and import it as the user; (report or None, the table error's messages)."""
    data = base64.b64decode(stored["data"])
    try:
        table = read_table(data, stored["name"])
    except TableError as exc:
        return None, exc.messages
    return IMPORTERS[stored["kind"]](actor=request.user, table=table, dry_run=dry_run, reason=stored["reason"]), []


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """``/exchange/import/``: upload a file (kind, file, reason) for a dry run. The report lists what each
    row would do and every problem (row, column, value, reason); when there is none, a button commits
    it. Visitors are sent to the sign-in page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = {"token": secrets.token_urlsafe(16), "kind": form.cleaned_data["kind"], "name": upload.name,
                  "reason": form.cleaned_data["reason"], "data": base64.b64encode(upload.read()).decode("ascii")}
        report, file_errors = _run(request, stored, dry_run=True)
        if file_errors:
            form.add_error("file", file_errors)
        else:
            if report.ok:
                request.session[SESSION_KEY] = stored
            else:
                request.session.pop(SESSION_KEY, None)
            context = {"report": report, "token": stored["token"] if report.ok else "", "kind_label": dict(KIND_CHOICES)[stored["kind"]]}
            return render(request, "interop/report.html", context, status=200 if report.ok else 400)
    status = 400 if request.method == "POST" else 200
    return render(request, "interop/import.html", {"form": form}, status=status)


@require_http_methods(["POST"])
def import_commit(request: HttpRequest) -> HttpResponse:
    """``POST /exchange/import/commit/`` with the ``token`` of a dry run: import the file for real, after
    checking it again. An unknown or used token answers 400; a file whose rows no longer pass shows the
    report with its problems (400) and writes nothing."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    stored = request.session.get(SESSION_KEY)
    if not stored or not secrets.compare_digest(stored.get("token", ""), request.POST.get("token", "")):
        return render(request, "400.html", {"message": _(
            "This import is no longer waiting to be committed: upload the file again.")}, status=400)
    report, file_errors = _run(request, stored, dry_run=False)
    if file_errors:  # the reader's rules changed between the two steps
        return render(request, "400.html", {"message": " ".join(file_errors)}, status=400)
    kind_label = dict(KIND_CHOICES)[stored["kind"]]
    if not report.ok:
        return render(request, "interop/report.html", {"report": report, "token": "", "kind_label": kind_label}, status=400)
    del request.session[SESSION_KEY]
    counts = report.counts
    messages.success(request, _("%(file)s was imported: %(create)d created, %(update)d updated, %(unchanged)d unchanged.")
                     % {"file": report.source, **counts})
    return render(request, "interop/report.html", {"report": report, "token": "", "kind_label": kind_label})


#: Jobs listed a page at a time on the upload page; activities, problems and notes a page at a time on a
#: job's page.
RECENT_JOBS = 20
REPORT_PAGE_SIZE = 100

#: Seconds between two refreshes of the page of a job that is queued or running.
REFRESH_SECONDS = 2


def _service_errors_on(form: Form, exc: ValidationError) -> None:
    """A service's ``ValidationError`` on the form's fields (on the form itself for a key it has no field for)."""
    for key, messages_ in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        form.add_error(key if key in form.fields else None, messages_)


@require_http_methods(["GET", "HEAD", "POST"])
def iati_import(request: HttpRequest) -> HttpResponse:
    """``/exchange/iati/``: upload IATI activity files to import as a job (files, dry run, lead working group,
    lead entity for the secretariat, the criteria of counter-terrorism relevance, reason), then go to the
    job's page; below, the user's recent jobs with how each ended, 20 a page (``?page=``). Bad input shows
    the form again with each error on its field (400) and starts nothing. Visitors are sent to the sign-in
    page; a user who is neither in the secretariat nor a focal point gets a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not job_selectors.may_import(user=request.user):
        raise PermissionDenied(_("Only the secretariat and the focal points of entities import files."))
    posted = request.method == "POST"
    form = IatiImportForm(request.POST if posted else None, request.FILES if posted else None, user=request.user)
    if posted and form.is_valid():
        data = form.cleaned_data
        options = ImportOptions(dry_run=data["dry_run"], lead_body=data["lead_body"],
                                lead_entity=data.get("lead_entity"), selection=data["selection"])
        try:
            job = import_job_start(actor=request.user, files=[(f.name, f) for f in data["files"]], options=options,
                                   reason=data["reason"])
        except ValidationError as exc:
            _service_errors_on(form, exc)
        else:
            return redirect("interop:import-job", pk=job.pk)
    from compact.registry.models import Entity

    principal = principal_for(request.user)
    context = {
        "form": form,
        "jobs": Paginator(job_selectors.import_job_list(user=request.user).defer("report"),
                          RECENT_JOBS).get_page(request.GET.get("page")),
        "own_entity": None if principal.is_secretariat else Entity.objects.filter(pk=principal.entity_id).first(),
        "is_secretariat": principal.is_secretariat,
    }
    return render(request, "interop/iati_import.html", context, status=400 if posted else 200)


def _job_page(request: HttpRequest, job: ImportJob, confirm_form: ConfirmImportForm, *, status: int = 200) -> HttpResponse:
    from compact.registry.models import Body, Entity

    report = job.report or {}
    principal = principal_for(request.user)
    confirmation = job.confirmation
    may_confirm = job.may_confirm and confirmation is None and job_selectors.may_import(user=request.user) and (
        job.created_by_id == request.user.pk or principal.is_secretariat)

    def page(key: str, parameter: str):
        return Paginator(report.get(key) or [], REPORT_PAGE_SIZE).get_page(request.GET.get(parameter))

    options = job.options
    context = {
        "job": job,
        "report": report,
        "activities": page("activities", "page"),
        "problems": page("problems", "problems"),
        "notes": page("notes", "notes"),
        "lead_body": Body.objects.filter(pk=options["lead_body"]).first() if options.get("lead_body") else None,
        "lead_entity": Entity.objects.filter(pk=options["lead_entity"]).first() if options.get("lead_entity") else None,
        "selection": options.get("selection"),
        "may_confirm": may_confirm,
        "confirmation": confirmation,
        "activities_with_problems": job_selectors.activities_with_problems(report),
        "problems_concern_options": job_selectors.problems_concern_options(job),
        "confirm_form": confirm_form,
        "is_secretariat": principal.is_secretariat,
        "refresh_seconds": REFRESH_SECONDS,
    }
    response = render(request, "interop/import_job.html", context, status=status)
    if job.is_active:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _visible_job(request: HttpRequest, pk: int) -> ImportJob:
    try:
        return job_selectors.import_job_get(user=request.user, pk=pk)
    except ImportJob.DoesNotExist as exc:
        raise Http404(_("No such import.")) from exc


@require_http_methods(["GET", "HEAD"])
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """``/exchange/jobs/<id>/``: a job's status and progress (a ``<progress>`` bar of the bytes read, then, once
    every byte is read, that the activities are being checked and written; the page refreshes itself every
    2 seconds while the job is queued or running), then its report: counts (with how many activities have
    problems), each activity with its action and why it was kept, problems and notes with file, line and
    element, unknown organisations, activities that disappeared; after a dry run that passed, "Import for
    real", or the import that confirmed it. A job the user may not see is a 404; visitors are sent to the
    sign-in page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _job_page(request, _visible_job(request, pk), ConfirmImportForm())


@require_http_methods(["POST"])
def import_job_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /exchange/jobs/<id>/confirm/`` with a ``reason``: import for real what the dry run checked (same
    files, same options), then go to the new job's page. Without a reason, or when the job is not a dry run
    that passed or was confirmed already, the job's page again with the error (400)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    job = _visible_job(request, pk)
    form = ConfirmImportForm(request.POST)
    if form.is_valid():
        try:
            confirmed = import_job_confirm(actor=request.user, job=job, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _service_errors_on(form, exc)
        else:
            return redirect("interop:import-job", pk=confirmed.pk)
    return _job_page(request, job, form, status=400)
