"""Funding pages (HTML): the overview of totals and funding gaps (by dimension and by joint project), the
flows of a project (with forms to add, change and delete them for those who may change the project), and
the exchange rates (with the CSV upload for the secretariat).

Every read goes through ``funding.selectors`` (so through the access policy): totals count only the
projects the user may count; a project the user may not read answers 404, one they may read but not
change answers 403 on the forms. Writes go through ``funding.services``.
"""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from compact.access.policy import Action, can, get_for
from compact.access.principal import principal_for
from compact.audit.models import AccessEvent
from compact.audit.services import ReasonRequired, record_access
from compact.core.i18n import translated
from compact.funding import selectors, services
from compact.funding.forms import DeleteForm, FlowForm, RatesUploadForm
from compact.library.selectors import clean_page
from compact.projects.models import Project
from compact.reference.geography import area
from compact.registry.models import Body, Entity, Pillar

#: The overview's tables: (dimension, heading).
OVERVIEW_DIMENSIONS = ("working_group", "pillar", "entity", "implementing_entity", "country", "region")


def _labels(dimension: str, keys) -> dict:
    """``{key: label}`` for the keys of a ``totals_by`` table: one query for bodies, pillars and entities,
    none for areas (UN M49 names in the active language)."""
    keys = [k for k in keys if k is not None]
    if dimension == "working_group":
        return {b.pk: (_("WG %(number)s") % {"number": b.number} if b.number else translated(b, "title").text)
                for b in Body.objects.filter(pk__in=keys)}
    if dimension == "pillar":
        return {p.pk: f"{p.roman}. {translated(p, 'title').text}" for p in Pillar.objects.filter(pk__in=keys)}
    if dimension in ("entity", "implementing_entity"):
        return {e.pk: e.acronym for e in Entity.objects.filter(pk__in=keys)}
    if dimension in ("country", "region"):
        return {k: f"{area(k).name()} ({k})" for k in keys}
    if dimension == "project":
        return {p.pk: translated(p, "title").text for p in Project.objects.filter(pk__in=keys)}
    return {}


def labelled_rows(dimension: str, table: dict) -> list[tuple[object, str, selectors.Totals]]:
    """``[(key, label, Totals)]`` sorted by label: the rows of a table (page and API)."""
    labels = _labels(dimension, table)
    return sorted(((k, labels.get(k, str(k)), t) for k, t in table.items()), key=lambda row: str(row[1]))


#: Rows of the "By joint project" table per page.
PROJECT_PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class ProjectRow:
    """A row of the "By joint project" table: the ``project`` (with its lead entity), its ``title`` in
    the active language and its ``totals``."""

    project: Project
    title: str
    totals: selectors.Totals


def projects_by_gap(*, user, table: dict[int, selectors.Totals], page_number: int | None) -> Page:
    """One page (``PROJECT_PAGE_SIZE`` rows, Django ``Paginator``; the last page for a number beyond it)
    of ``ProjectRow`` for ``table`` (``totals_by(dimension="project")``: the projects ``user`` may count
    that have flows), largest funding gap first (ties: oldest project first). The figures are those of
    ``table``; one query reads the page's projects and lead entities, whatever the number of projects,
    and the page's confidential projects are written to the access log."""
    ordered = sorted(table.items(), key=lambda item: (-item[1].gap.usd, item[0]))
    page = Paginator(ordered, PROJECT_PAGE_SIZE).get_page(page_number)
    projects = Project.objects.select_related("lead_entity").in_bulk([pk for pk, _t in page.object_list])
    page.object_list = [ProjectRow(project=projects[pk], title=translated(projects[pk], "title").text, totals=t)
                        for pk, t in page.object_list if pk in projects]
    record_access(user=user, action=AccessEvent.Action.LIST, model=Project, rows=[r.project for r in page.object_list],
                  detail=f"funding by joint project, page {page.number}")
    return page


#: The chart's geometry, in SVG user units: where the bars start, their longest length, a row's height.
CHART_X, CHART_WIDTH, CHART_ROW = 150, 440, 34


def _chart(rows) -> dict | None:
    """The SVG chart of requirement and funded for each row: bar lengths in proportion to the largest
    figure (Decimal, one decimal place), with the row's ``y`` and the chart's ``height``."""
    from decimal import Decimal

    largest = max([max(t.requirement.usd, t.funded.usd) for _k, _l, t in rows] or [Decimal(0)])
    if largest <= 0:
        return None

    def length(value: Decimal) -> Decimal:
        return (max(value, Decimal(0)) * CHART_WIDTH / largest).quantize(Decimal("0.1"))

    bars = [{"label": label, "requirement": t.requirement, "funded": t.funded, "y": 8 + i * CHART_ROW,
             "requirement_width": length(t.requirement.usd), "funded_width": length(t.funded.usd)}
            for i, (_k, label, t) in enumerate(rows)]
    return {"bars": bars, "height": 16 + len(bars) * CHART_ROW, "x": CHART_X, "width": CHART_X + CHART_WIDTH + 10}


@require_http_methods(["GET", "HEAD"])
def overview(request: HttpRequest) -> HttpResponse:
    """``/funding/``: totals (requirement, pledged, funded, disbursed, spent, funding gap) overall and by
    working group, pillar, lead entity, implementing entity (IATI OrganisationRole 4), country and region,
    of the projects the user may count, with a chart of requirement and funded by working group. A figure
    missing rates is marked, and its row says which currencies and months. Below, the funding gap of each
    joint project (``projects_by_gap``), 50 a page (``?page=``; an invalid page number answers 400)."""
    try:
        page_number = clean_page(request.GET.get("page"))
    except ValidationError as exc:
        return render(request, "400.html", {"message": " ".join(exc.messages)}, status=400)
    computed = selectors.totals_by_many(user=request.user, dimensions=["all", "project", *OVERVIEW_DIMENSIONS])
    tables = [(d, labelled_rows(d, computed[d])) for d in OVERVIEW_DIMENSIONS]
    headings = {"working_group": _("By working group"), "pillar": _("By pillar"), "entity": _("By lead entity"),
                "implementing_entity": _("By implementing entity"), "country": _("By beneficiary country"),
                "region": _("By region")}
    context = {
        "overall": computed["all"][None],
        "tables": [(d, headings[d], rows) for d, rows in tables],
        "chart": _chart(tables[0][1]),
        "projects": projects_by_gap(user=request.user, table=computed["project"], page_number=page_number),
    }
    return render(request, "funding/overview.html", context)


def _project(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Project:
    return get_for(Project.objects.select_related("lead_body", "lead_entity"), request.user, action, pk=pk)


def _project_context(request: HttpRequest, project: Project, form: FlowForm | None = None) -> dict:
    flows = list(selectors.flow_list(request.user).filter(project=project))
    usd = selectors.usd_amounts(flows)
    return {
        "project": project,
        "rows": [(f, usd[f.pk]) for f in flows],
        "totals": selectors.totals(user=request.user, projects=Project.objects.filter(pk=project.pk)),
        "may_change": can(request.user, Action.CHANGE, project),
        "form": form or FlowForm(),
    }


def _form_errors(form, error: ValidationError | ReasonRequired) -> None:
    if isinstance(error, ReasonRequired):
        form.add_error("reason", str(error))
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@require_http_methods(["GET", "HEAD", "POST"])
def project_flows(request: HttpRequest, pk: int) -> HttpResponse:
    """``/funding/projects/<id>/``: the project's flows (each in its currency and in US dollars or "not
    converted") and totals; a POST adds a flow (``services.flow_create``) for those who may change the
    project (403 otherwise, 404 when it is unreadable)."""
    if request.method != "POST":
        return render(request, "funding/project_flows.html", _project_context(request, _project(request, pk)))
    project = _project(request, pk, Action.CHANGE)
    form = FlowForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.flow_create(actor=request.user, project=project, reason=data["reason"],
                                 **{name: data[name] for name in FlowForm.FIELDS})
        except (ValidationError, ReasonRequired) as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The flow was added."))
            return redirect("funding:project", pk=project.pk)
    return render(request, "funding/project_flows.html", _project_context(request, project, form), status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def flow_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/funding/flows/<id>/edit/``: change a flow (with a reason) or, from the same page, delete it.
    404 when its project is unreadable, 403 when it may not be changed."""
    flow = selectors.flow_get(user=request.user, pk=pk)
    project = _project(request, flow.project_id, Action.CHANGE)
    form = FlowForm(request.POST or None, initial=FlowForm.initial_for(flow))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.flow_update(actor=request.user, flow=flow, reason=data["reason"],
                                 **{name: data[name] for name in FlowForm.FIELDS})
        except (ValidationError, ReasonRequired) as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The flow was changed."))
            return redirect("funding:project", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "funding/flow_form.html", {"form": form, "flow": flow, "project": project,
                                                      "delete_form": DeleteForm()}, status=status)


@require_POST
def flow_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /funding/flows/<id>/delete/`` with a ``reason``: delete the flow (404/403 as ``flow_edit``)."""
    flow = selectors.flow_get(user=request.user, pk=pk)
    project = _project(request, flow.project_id, Action.CHANGE)
    delete_form = DeleteForm(request.POST)
    if delete_form.is_valid():
        services.flow_delete(actor=request.user, flow=flow, reason=delete_form.cleaned_data["reason"])
        messages.success(request, _("The flow was deleted."))
        return redirect("funding:project", pk=project.pk)
    form = FlowForm(initial=FlowForm.initial_for(flow))
    return render(request, "funding/flow_form.html", {"form": form, "flow": flow, "project": project,
                                                      "delete_form": delete_form}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def rates(request: HttpRequest) -> HttpResponse:
    """``/funding/rates/``: the UN operational rates of exchange loaded, 50 a page, newest month first
    (filter ``currency``, ``year``); the secretariat uploads a CSV file: ``op=check`` reports what would
    change (dry run), ``op=load`` loads it, all or nothing, and shows any row's error."""
    is_secretariat = principal_for(request.user).is_secretariat
    try:
        qs = selectors.rate_list(filters=request.GET)
    except ValidationError as error:
        return render(request, "400.html", {"message": " ".join(error.messages)}, status=400)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "may_load": is_secretariat, "form": RatesUploadForm(), "report": None, "csv_text": ""}
    if request.method == "POST":
        if not is_secretariat:
            raise PermissionDenied(_("Only the secretariat loads exchange rates."))
        form = RatesUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            dry_run = request.POST.get("op") != "load"
            try:
                content = form.cleaned_data["content"]
                rows = services.rates_read_csv(content)
                report = services.rates_load(actor=request.user, rows=rows, reason=form.cleaned_data["reason"],
                                             dry_run=dry_run)
            except ValidationError as error:
                _form_errors(form, ValidationError({"file": error.messages}))
            else:
                if report.written:
                    messages.success(request, _("Rates loaded: %(created)d new, %(updated)d replaced, %(unchanged)d unchanged.")
                                     % {"created": report.count("create"), "updated": report.count("update"),
                                        "unchanged": report.count("unchanged")})
                    return redirect("funding:rates")
                context["report"] = report
                context["csv_text"] = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
                return render(request, "funding/rates.html", context, status=200 if report.ok else 400)
        return render(request, "funding/rates.html", context, status=400)
    return render(request, "funding/rates.html", context)
