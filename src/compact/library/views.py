"""Library pages (HTML): the document list, a document, its file, adding and editing, sharing, the CSV
export, and the search across documents, working groups and entities.

Every read goes through ``library.selectors`` (so through the access policy): a document the user may
not read answers 404, one they may read but not change answers 403 on its edit and sharing pages.
Reads of confidential and strictly confidential documents, and every export, are written to the
access log (``compact.audit.services.record_access``).
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.access.models import Grant
from compact.access.policy import Action, can
from compact.audit.models import AccessEvent
from compact.audit.selectors import object_history
from compact.audit.services import ReasonRequired, record_access
from compact.core.i18n import translated
from compact.library import selectors, services
from compact.library.filters import DocumentFilter
from compact.library.forms import DocumentForm, RevokeForm, ShareForm
from compact.library.models import Document
from compact.registry.models import Body

PAGE_SIZE = 25

#: The CSV export's columns: (header, HXL hashtag, value of a row). The second row of the file holds
#: the hashtags (Humanitarian Exchange Language, https://hxlstandard.org/standard/1-1final/dictionary/).
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#meta +id"),
    ("title", "#meta +title"),
    ("kind", "#meta +type"),
    ("date", "#date +document"),
    ("owner_body", "#sector +body +code"),
    ("owner_body_title", "#sector +body +name"),
    ("owner_entity", "#org +owner +code"),
    ("owner_entity_name", "#org +owner +name"),
    ("sensitivity", "#status +sensitivity"),
    ("language", "#meta +lang"),
    ("annex_of", "#meta +annex_of +id"),
    ("file_name", "#meta +file +name"),
    ("media_type", "#meta +file +type"),
    ("size", "#meta +file +bytes"),
    ("sha256", "#meta +file +sha256"),
    ("summary", "#description"),
)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def _filter_errors(errors) -> str:
    return " ".join(f"{field}: {' '.join(str(m) for m in messages_)}" for field, messages_ in errors.items())


def _applied(document_filter: DocumentFilter) -> str:
    return urlencode(sorted(document_filter.applied().items()))


@require_http_methods(["GET", "HEAD"])
def document_list(request: HttpRequest) -> HttpResponse:
    """``/documents/``: the documents the user may list, filtered (``DocumentFilter``), 25 a page, with
    their number ("N documents") counted on the same restricted query. An invalid filter shows the form
    with its message and answers 400, as does a ``page`` that is not a whole number from 1 to
    ``selectors.MAX_PAGE`` (a page past the last shows the last)."""
    try:
        page_number = selectors.clean_page(request.GET.get("page"))
    except ValidationError as exc:
        return _bad_request(request, _filter_errors(exc.message_dict))
    document_filter = DocumentFilter(request.GET, queryset=selectors.document_list(user=request.user))
    bodies = list(Body.objects.exclude(kind=Body.Kind.COMPACT).order_by("kind", "number", "key"))
    if not document_filter.is_valid():
        context = {"filter": document_filter, "bodies": bodies, "page": None, "count": 0}
        return render(request, "library/document_list.html", context, status=400)
    page = Paginator(document_filter.qs, PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=Document, rows=rows,
                  row_count=len(rows), detail=_applied(document_filter))
    context = {"filter": document_filter, "bodies": bodies, "page": page, "documents": rows,
               "count": page.paginator.count, "export_url": export_url(request)}
    return render(request, "library/document_list.html", context)


@require_http_methods(["GET", "HEAD"])
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/documents/<id>/``: one document the user may read (404 otherwise): title and summary in the
    reader's language (fallback marked), sensitivity, owners, the document it is an annex of (or a stub
    when restricted), its readable annexes, the file, and its history. The access log gets the
    confidential and strictly confidential ones among the document, its parent shown and its annexes."""
    document = selectors.document_get(user=request.user, pk=pk)
    parent = selectors.annex_parent(user=request.user, document=document)
    annexes = selectors.document_annexes(user=request.user, document=document)
    shown = [document, *([parent] if isinstance(parent, Document) else []), *annexes]
    record_access(user=request.user, action=AccessEvent.Action.VIEW, model=Document, rows=shown)
    context = {
        "document": document,
        "parent": parent,
        "annexes": annexes,
        "can_change": can(request.user, Action.CHANGE, document),
        "history": object_history(user=request.user, obj=document),
    }
    return render(request, "library/document_detail.html", context)


@require_http_methods(["GET", "HEAD"])
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """``/documents/<id>/download``: the file as an attachment under its original name, after the access
    policy; 404 when the user may not read the document or it has no file. Downloads of confidential and
    strictly confidential documents are written to the access log."""
    document = selectors.document_get(user=request.user, pk=pk)
    if not document.file:
        raise Http404(_("This document has no file."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file of this document is missing.")) from exc
    record_access(user=request.user, action=AccessEvent.Action.DOWNLOAD, model=Document, rows=[document])
    response = FileResponse(handle, as_attachment=True, filename=document.file_name or "document",
                            content_type=document.media_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _annex_of(form: DocumentForm) -> tuple[Document | None, bool]:
    """The document named by the form's ``annex_of`` number: (document or None, whether it was found)."""
    number = form.cleaned_data.get("annex_of")
    if not number:
        return None, True
    parent = Document.objects.filter(pk=number).first()
    return parent, parent is not None


def _apply_errors(form: DocumentForm, exc: ValidationError) -> None:
    fields = {"title": "title_en", "summary": "summary_en"}
    for field, errors in exc.message_dict.items():
        target = fields.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    """``/documents/new/``: add a document. Only users who may add documents for some body or entity
    (the secretariat, officers, focal points) get the form; other signed-in users get 403, visitors the
    sign-in page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    bodies, entities = selectors.creatable_owners(user=request.user)
    if not bodies and not entities:
        raise PermissionDenied(_("You may not add documents."))
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        parent, found = _annex_of(form)
        if not found:
            form.add_error("annex_of", _("No such document."))
        else:
            data = form.cleaned_data
            try:
                document = services.document_create(
                    actor=request.user, reason=data["reason"], title=form.titles(), summary=form.summaries(),
                    kind=data["kind"], owner_body=data["owner_body"], owner_entity=data["owner_entity"],
                    sensitivity=data["sensitivity"], document_date=data["document_date"], language=data["language"],
                    annex_of=parent, upload=data["upload"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except ReasonRequired as exc:
                form.add_error("reason", str(exc))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The document was added."))
                return redirect("library:document", pk=document.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "library/document_form.html", {"form": form, "document": None}, status=status)


@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/documents/<id>/edit/``: change a document (404 when unreadable, 403 when readable but not
    changeable). A new file replaces the old one. The number of the document it is an annex of is shown
    only when the user may read that document; otherwise an empty number keeps the link unchanged."""
    document = selectors.document_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user, document=document)
    if request.method == "POST" and form.is_valid():
        parent, found = _annex_of(form)
        if not found:
            form.add_error("annex_of", _("No such document."))
        else:
            data = form.cleaned_data
            fields = {
                "title": form.titles(), "summary": form.summaries(), "kind": data["kind"],
                "owner_body": data["owner_body"], "owner_entity": data["owner_entity"],
                "sensitivity": data["sensitivity"], "document_date": data["document_date"],
                "language": data["language"], "annex_of": parent,
            }
            if form.annex_of_kept():  # an annex of a restricted document: the link stays as it is
                del fields["annex_of"]
            if data["upload"] is not None:
                fields["upload"] = data["upload"]
            try:
                services.document_update(document=document, actor=request.user, reason=data["reason"], **fields)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except ReasonRequired as exc:
                form.add_error("reason", str(exc))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The document was saved."))
                return redirect("library:document", pk=document.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "library/document_form.html", {"form": form, "document": document}, status=status)


@require_http_methods(["POST"])
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /documents/<id>/delete/`` with a ``reason``: delete the document and its file (404 when
    unreadable, 403 when not changeable). Refused, with the edit page and its message, while it has
    annexes or when a confidential document is deleted without a reason."""
    document = selectors.document_get(user=request.user, pk=pk, action=Action.CHANGE)
    try:
        services.document_delete(document=document, actor=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, ReasonRequired) as exc:
        form = DocumentForm(user=request.user, document=document)
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        context = {"form": form, "document": document, "delete_error": message}
        return render(request, "library/document_form.html", context, status=400)
    messages.success(request, _("The document was deleted."))
    return redirect("library:document-list")


@require_http_methods(["GET", "POST"])
def document_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """``/documents/<id>/sharing/``: who has been named as reader or editor of the document; someone who
    may change it adds or removes a named user, with a reason (``access.services.grant_create`` /
    ``grant_revoke``). 404 when unreadable, 403 when readable but not changeable."""
    from django.contrib.auth import get_user_model

    from compact.access.services import grant_create, grant_revoke

    document = selectors.document_get(user=request.user, pk=pk, action=Action.CHANGE)
    share_form = ShareForm(request.POST if request.POST.get("op") == "add" else None)
    revoke_form = RevokeForm(request.POST if request.POST.get("op") == "remove" else None)
    if request.method == "POST":
        try:
            if share_form.is_bound and share_form.is_valid():
                data = share_form.cleaned_data
                grant_create(obj=document, user=data["user"], level=data["level"], actor=request.user, reason=data["reason"])
                messages.success(request, _("Access given to %(username)s.") % {"username": data["user"].get_username()})
                return redirect("library:document-sharing", pk=document.pk)
            if revoke_form.is_bound and revoke_form.is_valid():
                user = get_user_model().objects.filter(pk=revoke_form.cleaned_data["user"]).first()
                if user is not None:
                    grant_revoke(obj=document, user=user, actor=request.user, reason=revoke_form.cleaned_data["reason"])
                    messages.success(request, _("Access removed for %(username)s.") % {"username": user.get_username()})
                return redirect("library:document-sharing", pk=document.pk)
        except ReasonRequired as exc:
            (share_form if share_form.is_bound else revoke_form).add_error("reason", str(exc))
    grants = list(
        Grant.objects.filter(content_type=ContentType.objects.get_for_model(Document), object_id=document.pk)
        .select_related("user", "granted_by").order_by("user__username")
    )
    context = {"document": document, "grants": grants, "share_form": share_form, "revoke_form": revoke_form}
    return render(request, "library/document_sharing.html", context, status=400 if request.method == "POST" else 200)


def export_rows(*, user, documents: list[Document], readable_parents: dict[int, Document] | None = None,
                ) -> list[list[str]]:
    """The CSV rows (``EXPORT_COLUMNS`` order) of ``documents``, texts in the active language; the
    parent of an annex is given by id only when ``user`` may read it (else ``restricted``).
    ``readable_parents`` is ``selectors.readable_by_id`` of the parents, when the caller has it."""
    if readable_parents is None:
        readable_parents = selectors.readable_by_id(user=user, ids={d.annex_of_id for d in documents})
    rows = []
    for d in documents:
        rows.append([
            str(d.pk),
            translated(d, "title").text,
            d.kind,
            d.document_date.isoformat() if d.document_date else "",
            d.owner_body.key if d.owner_body else "",
            translated(d.owner_body, "title").text if d.owner_body else "",
            d.owner_entity.acronym if d.owner_entity else "",
            translated(d.owner_entity, "name").text if d.owner_entity else "",
            d.sensitivity,
            d.language,
            (str(d.annex_of_id) if d.annex_of_id in readable_parents else "restricted") if d.annex_of_id else "",
            d.file_name,
            d.media_type,
            "" if d.size is None else str(d.size),
            d.sha256,
            translated(d, "summary").text,
        ])
    return rows


@require_http_methods(["GET", "HEAD"])
def document_export(request: HttpRequest) -> HttpResponse:
    """``/documents/export.csv``: the documents the user may export (``Action.EXPORT``), with the list's
    filters, as UTF-8 CSV: a header row, then the HXL hashtag row, then one row per document. Every
    export is written to the access log with its filters, listing the documents exported and the
    parents whose ids the file gives (the row count is the documents'); an invalid filter answers 400."""
    document_filter = DocumentFilter(request.GET, queryset=selectors.document_list(user=request.user, action=Action.EXPORT))
    if not document_filter.is_valid():
        return _bad_request(request, _filter_errors(document_filter.errors))
    documents = list(document_filter.qs)
    parents = selectors.readable_by_id(user=request.user, ids={d.annex_of_id for d in documents})
    record_access(user=request.user, action=AccessEvent.Action.EXPORT, model=Document,
                  rows=selectors.with_parents(documents, parents), row_count=len(documents), always=True,
                  detail=f"csv {_applied(document_filter)}".strip())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="documents.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([name for name, _tag in EXPORT_COLUMNS])
    writer.writerow([tag for _name, tag in EXPORT_COLUMNS])
    writer.writerows(export_rows(user=request.user, documents=documents, readable_parents=parents))
    return response


@require_http_methods(["GET", "HEAD"])
def search(request: HttpRequest) -> HttpResponse:
    """``/search/?q=``: documents the user may find, working groups and entities matching ``q``. Without
    ``q`` the page shows the form; a query shorter than two characters answers 400 with a message."""
    raw = request.GET.get("q")
    if raw is None:
        return render(request, "library/search.html", {"results": None, "q": ""})
    try:
        results = selectors.search(user=request.user, q=raw)
    except ValidationError as exc:
        return render(request, "library/search.html",
                      {"results": None, "q": raw.replace("\x00", ""), "error": " ".join(exc.messages)}, status=400)
    record_access(user=request.user, action=AccessEvent.Action.SEARCH, model=Document, rows=results.documents,
                  detail=f"q={results.query}")
    return render(request, "library/search.html", {"results": results, "q": results.query})


def export_url(request: HttpRequest) -> str:
    """The export address carrying the list's filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return reverse("library:document-export") + (f"?{query.urlencode()}" if query else "")
