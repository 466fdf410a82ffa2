"""Pages of data exchange (HTML): what can be imported and exported, templates to download, the export
files, and the import of a file in two steps: a dry run that reports every row, then the commit.

The uploaded file waits between the two steps in the user's session, under a random token, and is read
and checked again at the commit (the registry may have changed meanwhile). Reads go through
``compact.interop.selectors`` (exports of what the user may export, written to the access log); writes
through ``compact.interop.services`` (every row through the projects' and funding's services).
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.interop import selectors
from compact.interop.forms import KIND_CHOICES, ImportForm
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
