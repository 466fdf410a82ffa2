"""Audit trail pages for the secretariat: the change log, the access log and their CSV exports.

Every page answers 404 to anyone but the secretariat (the trail's existence is not hidden, but its
content is theirs alone, ``docs/access.md``). Filters are ``compact.audit.filters``; a malformed one
gives the page back with a 400 status and the message beside the field. Lists show 50 events a page,
newest first; exports stream every matching event, oldest first, and are themselves written to the
access log.
"""

from __future__ import annotations

import csv

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from compact.audit import selectors
from compact.audit.filters import AccessEventFilter, ChangeEventFilter
from compact.audit.models import AccessEvent, ChangeEvent
from compact.audit.services import record_access

PAGE_SIZE = 50


def _secretariat_only(request: HttpRequest) -> None:
    """Raise ``Http404`` unless the user is of the secretariat."""
    if not selectors.may_read_logs(request.user):
        raise Http404("No such page.")


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(_("“%(value)s” is not a page number; use a whole number from 1.") % {"value": raw})
    return int(raw)


def _log_page(request: HttpRequest, *, template: str, filterset, list_selector, describe) -> HttpResponse:
    context = {"filter": filterset, "form": filterset.form, "page": None, "rows": [], "errors": {}}
    try:
        queryset = list_selector(user=request.user, filters=filterset)
        number = _page_number(request)
    except selectors.InvalidFilters as exc:
        context["errors"] = exc.errors
        return render(request, template, context, status=400)
    except ValueError as exc:
        context["errors"] = {"page": [str(exc)]}
        return render(request, template, context, status=400)
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        page = paginator.page(number)
    except EmptyPage as exc:
        raise Http404(_("There is no page %(number)s of this log.") % {"number": number}) from exc
    context.update(page=page, rows=describe(page.object_list), count=paginator.count)
    if filterset._meta.model is ChangeEvent:
        selectors.record_protected_reads(user=request.user, events=page.object_list, detail="change log page")
    return render(request, template, context)


def change_log(request: HttpRequest) -> HttpResponse:
    """``/audit/``: the change log, newest first, 50 a page, filtered by ``ChangeEventFilter``; each
    row with its time (site's time zone), actor and entity, action, object (linked to its page where
    there is one), the changes before -> after, the reason and the request id."""
    _secretariat_only(request)
    return _log_page(
        request, template="audit/change_log.html", filterset=ChangeEventFilter(request.GET),
        list_selector=selectors.change_event_list, describe=selectors.describe_log_page,
    )


def access_log(request: HttpRequest) -> HttpResponse:
    """``/audit/access/``: the access log, newest first, 50 a page, filtered by ``AccessEventFilter``."""
    _secretariat_only(request)
    return _log_page(
        request, template="audit/access_log.html", filterset=AccessEventFilter(request.GET),
        list_selector=selectors.access_event_list, describe=selectors.describe_access,
    )


class _Echo:
    """A file-like object whose ``write`` hands back what it is given (for streaming csv rows)."""

    def write(self, value: str) -> str:
        return value


def _stream_csv(export: selectors.LogExport):
    writer = csv.writer(_Echo())
    yield writer.writerow(export.columns)
    for row in export.rows():
        yield writer.writerow([selectors.csv_cell(column, row[column]) for column in export.columns])


def _export(request: HttpRequest, *, log: str, filterset_class, list_selector, model, template: str) -> HttpResponse:
    _secretariat_only(request)
    filterset = filterset_class(request.GET)
    try:
        queryset = list_selector(user=request.user, filters=filterset)
    except selectors.InvalidFilters as exc:
        context = {"filter": filterset, "form": filterset.form, "page": None, "rows": [], "errors": exc.errors}
        return render(request, template, context, status=400)
    export = selectors.log_export(log=log, queryset=queryset)
    record_access(
        user=request.user, action=AccessEvent.Action.EXPORT, model=model, rows=[], row_count=export.count,
        always=True, detail=f"CSV; {selectors.filters_summary(request.GET, filterset.filters)}",
    )
    response = StreamingHttpResponse(_stream_csv(export), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="compact-{log}-log-{stamp}.csv"'
    response["X-Row-Count"] = str(export.count)
    return response


def change_log_export(request: HttpRequest) -> HttpResponse:
    """``/audit/export.csv``: every change event matching the page's filters, oldest first, as CSV with
    a header row (``selectors.CHANGE_COLUMNS``; ``changes`` as JSON). Recorded in the access log."""
    return _export(request, log="changes", filterset_class=ChangeEventFilter, list_selector=selectors.change_event_list,
                   model=ChangeEvent, template="audit/change_log.html")


def access_log_export(request: HttpRequest) -> HttpResponse:
    """``/audit/access/export.csv``: every access event matching the filters, oldest first, as CSV
    (``selectors.ACCESS_COLUMNS``; ``object_ids`` separated by spaces). Recorded in the access log."""
    return _export(request, log="access", filterset_class=AccessEventFilter, list_selector=selectors.access_event_list,
                   model=AccessEvent, template="audit/access_log.html")
