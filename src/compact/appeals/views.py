"""Appeal pages (HTML): the appeals, an appeal with its filterable project table and its downloads (CSV
and XLSX with HXL hashtags), the forms to add and change an appeal, the calls for proposals, a call with
its forms (submit a project, score, decide, open and close), and the forms to add, change and delete a
call with its criteria.

Every read goes through ``appeals.selectors`` (so through the access policy); every write through
``appeals.services``. Exports, and views showing confidential projects, are written to the access log.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.access.policy import Action, can
from compact.access.principal import principal_for
from compact.appeals import selectors, services
from compact.appeals.filters import AppealProjectFilter
from compact.appeals.forms import (
    AppealForm,
    CallForm,
    DeleteForm,
    FromCallForm,
    ReasonForm,
    ScoreForm,
    SelectForm,
    SubmitForm,
    criterion_formset,
)
from compact.appeals.models import Appeal, Call, Proposal
from compact.audit.models import AccessEvent
from compact.audit.services import ReasonRequired, record_access
from compact.core.i18n import translated
from compact.projects.models import Project
from compact.registry.models import Body, Pillar

#: The download's columns: (header, HXL hashtag). The second row of each file holds the hashtags
#: (Humanitarian Exchange Language 1.1, https://hxlstandard.org/standard/1-1final/dictionary/).
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("project", "#activity +code"),
    ("title", "#activity +name"),
    ("implementing_entities", "#org +impl"),
    ("countries_regions", "#country +code"),
    ("sectors", "#sector"),
    ("requirement_usd", "#value +requirement +usd"),
    ("funded_usd", "#value +funded +usd"),
    ("gap_usd", "#value +gap +usd"),
    ("not_converted", "#meta +not_converted"),
)


def table_rows(rows: list[selectors.ProjectRow]) -> list[list[str]]:
    """The rows of the appeal's table (``EXPORT_COLUMNS`` order), as strings: the page, the CSV and the
    XLSX all show these. A project's code is its IATI identifier, else its number on the platform; lists
    are joined with "; "; amounts are US dollars to the cent; ``not_converted`` lists the
    (currency, month) pairs without a rate, whose amounts are left out of the figures."""
    out = []
    for row in rows:
        p = row.project
        out.append([
            p.iati_identifier or str(p.pk),
            translated(p, "title").text,
            "; ".join(row.implementing),
            "; ".join(row.areas),
            "; ".join(row.sectors),
            str(row.requirement.usd),
            str(row.funded.usd),
            str(row.gap.usd),
            "; ".join(row.totals.gap.not_converted_labels + [
                label for label in row.totals.funded.not_converted_labels if label not in row.totals.gap.not_converted_labels]),
        ])
    return out


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _apply_errors(form, exc: ValidationError | ReasonRequired, nested: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Put a service's errors on ``form``'s fields (titles and descriptions, and keys with no field, at the
    top of the form); return those of the ``nested`` parts (e.g. ``criteria``), by key."""
    if isinstance(exc, ReasonRequired):
        form.add_error("reason", str(exc))
        return {}
    found: dict[str, list[str]] = {}
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for key, messages_ in errors.items():
        if key in nested:
            found[key] = list(messages_)
        elif key in form.fields and not form.fields[key].disabled:
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)
    return found


# --- appeals ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def appeal_list(request: HttpRequest) -> HttpResponse:
    """``/appeals/``: the published and closed appeals anyone may read; drafts for the secretariat and the
    officers of the appeal's body."""
    appeals = list(selectors.appeal_list(user=request.user))
    can_add = request.user.is_authenticated and selectors.appeal_bodies(user=request.user).exists()
    return render(request, "appeals/appeal_list.html", {"appeals": appeals, "can_add": can_add})


def _appeal_form(request: HttpRequest, appeal: Appeal | None) -> HttpResponse:
    form = AppealForm(request.POST if request.method == "POST" else None, user=request.user, appeal=appeal)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if appeal is None:
                appeal = services.appeal_create(actor=request.user, reason=reason, **form.service_fields())
                messages.success(request, _("The draft appeal was added."))
            else:
                appeal = services.appeal_update(actor=request.user, appeal=appeal, reason=reason, **form.service_fields())
                messages.success(request, _("The appeal was saved."))
        except (ValidationError, ReasonRequired) as exc:
            _apply_errors(form, exc)
        else:
            return redirect("appeals:appeal", key=appeal.key)
    status = 400 if request.method == "POST" else 200
    return render(request, "appeals/appeal_form.html", {"form": form, "appeal": appeal}, status=status)


@require_http_methods(["GET", "POST"])
def appeal_create(request: HttpRequest) -> HttpResponse:
    """``/appeals/new/``: draft an appeal (``services.appeal_create``). Visitors get the sign-in page;
    signed-in users who may draft an appeal for no body (neither the secretariat nor an officer) get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.appeal_bodies(user=request.user).exists():
        raise PermissionDenied(_("Only the secretariat and the officers of a body draft appeals."))
    return _appeal_form(request, None)


@require_http_methods(["GET", "POST"])
def appeal_edit(request: HttpRequest, key: str) -> HttpResponse:
    """``/appeals/<key>/edit/``: change an appeal (``services.appeal_update``; a published one's changes
    need a reason). 404 when the user may not read it, 403 when they may read but not change it."""
    appeal = selectors.appeal_get(user=request.user, key=key, action=Action.CHANGE)
    return _appeal_form(request, appeal)


def _appeal_projects(request: HttpRequest, appeal, action: Action):
    project_filter = AppealProjectFilter(request.GET)
    try:
        result = selectors.appeal_projects(user=request.user, appeal=appeal, filters=request.GET, action=action)
    except ValidationError as exc:
        return project_filter, None, _errors(exc)
    return project_filter, result, ""


@require_http_methods(["GET", "HEAD"])
def appeal_detail(request: HttpRequest, key: str) -> HttpResponse:
    """``/appeals/<key>/``: an appeal and the table of its projects the user may read, filterable by
    country, region, pillar, working group, SDG target and implementing entity (``AppealProjectFilter``),
    each with requirement, funded and funding gap in US dollars ("incomplete" where a rate is missing),
    the totals of the projects shown, and links to download them. An invalid filter answers 400."""
    appeal = selectors.appeal_get(user=request.user, key=key)
    project_filter, result, error = _appeal_projects(request, appeal, Action.LIST)
    context = {
        "appeal": appeal,
        "filter": project_filter,
        "result": result,
        "error": error,
        "pillars": list(Pillar.objects.order_by("number")),
        "working_groups": list(Body.objects.filter(kind=Body.Kind.WORKING_GROUP).order_by("number")),
        "manages": selectors.manages(request.user, appeal),
        "can_change": can(request.user, Action.CHANGE, appeal),
        "is_secretariat": principal_for(request.user).is_secretariat,
    }
    if result is None:
        return render(request, "appeals/appeal_detail.html", context, status=400)
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=Project,
                  rows=[r.project for r in result.rows], detail=f"appeal={appeal.key} {urlencode(result.applied)}".strip())
    context["table"] = list(zip(result.rows, table_rows(result.rows), strict=True))
    query = urlencode(sorted(result.applied.items()))
    context["csv_url"] = reverse("appeals:appeal-download", args=[appeal.key, "csv"]) + (f"?{query}" if query else "")
    context["xlsx_url"] = reverse("appeals:appeal-download", args=[appeal.key, "xlsx"]) + (f"?{query}" if query else "")
    return render(request, "appeals/appeal_detail.html", context)


@require_http_methods(["GET", "HEAD"])
def appeal_download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """``/appeals/<key>/projects.csv`` / ``.xlsx``: the appeal's table as on its page, with the page's
    filters, holding only the projects the user may export (``Action.EXPORT``): a header row, the HXL
    hashtag row, then one row per project. Written to the access log; an invalid filter answers 400."""
    appeal = selectors.appeal_get(user=request.user, key=key)
    _filter, result, error = _appeal_projects(request, appeal, Action.EXPORT)
    if result is None:
        return _bad_request(request, error)
    record_access(user=request.user, action=AccessEvent.Action.EXPORT, model=Project,
                  rows=[r.project for r in result.rows], always=True,
                  detail=f"{fmt} appeal={appeal.key} {urlencode(result.applied)}".strip())
    header = [name for name, _tag in EXPORT_COLUMNS]
    tags = [tag for _name, tag in EXPORT_COLUMNS]
    rows = table_rows(result.rows)
    filename = f"appeal-{appeal.key}-projects.{fmt}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerows([header, tags, *rows])
        return response
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "projects"
    for line in (header, tags, *rows):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["POST"])
def appeal_step(request: HttpRequest, key: str) -> HttpResponse:
    """``POST /appeals/<key>/step/`` with ``op`` (publish, close_appeal) and a ``reason``: the
    secretariat publishes or closes the appeal. A refusal (e.g. unpublished projects, named) is shown on
    the appeal's page."""
    appeal = selectors.appeal_get(user=request.user, key=key)
    form = ReasonForm(request.POST)
    op = form.data.get("op")
    try:
        if not form.is_valid() or op not in ("publish", "close_appeal"):
            raise ValidationError({"op": _("Unknown step.")})
        step = services.appeal_publish if op == "publish" else services.appeal_close
        step(actor=request.user, appeal=appeal, reason=form.cleaned_data["reason"])
    except (ValidationError, ReasonRequired) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("The appeal was published.") if op == "publish" else _("The appeal was closed."))
    return redirect("appeals:appeal", key=appeal.key)


# --- calls -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def call_list(request: HttpRequest) -> HttpResponse:
    """``/appeals/calls/``: the calls for proposals the user may read (drafts for those who manage them)."""
    return render(request, "appeals/call_list.html", {"calls": list(selectors.call_list(user=request.user)),
                                                      "can_add": selectors.may_draft_calls(request.user)})


def _call_context(request: HttpRequest, call: Call, **forms) -> dict:
    user = request.user
    reviewer = selectors.is_reviewer(user, call)
    manages = selectors.manages(user, call)
    proposals = selectors.call_proposals(user=user, call=call, reviewer=reviewer)
    ranking = selectors.call_ranking(user=user, call=call) if selectors.may_see_ranking(user, call, reviewer=reviewer) else None
    mine = selectors.my_scores(user=user, call=call) if reviewer else {}
    criteria = list(call.criteria.all())
    scoring = []
    if reviewer and call.status == Call.Status.CLOSED:
        for p in proposals:
            if p.status == Proposal.Status.WITHDRAWN:
                continue
            initial = {"proposal": p.pk, **{f"score_{c.pk}": mine[(p.pk, c.pk)].score for c in criteria if (p.pk, c.pk) in mine}}
            scoring.append((p, ScoreForm(initial=initial, call=call, prefix=f"p{p.pk}")))
    submittable = selectors.submittable_projects(user=user, call=call)
    return {
        "call": call,
        "criteria": criteria,
        "weight_total": sum((c.weight for c in criteria), 0),
        "proposals": proposals,
        "ranking": ranking,
        "reviewer": reviewer,
        "manages": manages,
        "is_secretariat": principal_for(user).is_secretariat,
        "can_edit": selectors.may_draft_calls(user) and call.status != Call.Status.DECIDED,
        "scoring": scoring,
        "submit_form": forms.get("submit_form") or (SubmitForm(projects=submittable) if submittable else None),
        "select_form": forms.get("select_form") or (
            SelectForm(proposals=[p for p in proposals if p.status != Proposal.Status.WITHDRAWN])
            if manages and call.status == Call.Status.CLOSED else None),
        "from_call_form": forms.get("from_call_form") or (
            FromCallForm() if manages and call.status == Call.Status.DECIDED and call.appeal_id is None else None),
        "error": forms.get("error", ""),
    }


@require_http_methods(["GET", "HEAD"])
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/appeals/calls/<id>/``: a call with its criteria and weights and its deadline; the form to submit a
    project (focal points of a lead entity, the secretariat, while it is open), the scoring forms (its
    reviewers, once it is closed), the ranking and the selection form (the secretariat and officers of its
    body)."""
    call = selectors.call_get(user=request.user, pk=pk)
    return render(request, "appeals/call_detail.html", _call_context(request, call))


def _call_refused(request: HttpRequest, call: Call, exc: Exception, **forms) -> HttpResponse:
    message = _errors(exc) if isinstance(exc, ValidationError) else str(exc)
    return render(request, "appeals/call_detail.html", _call_context(request, call, error=message, **forms), status=400)


@require_http_methods(["POST"])
def call_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /appeals/calls/<id>/submit/`` with ``project``: submit a project (``services.proposal_submit``)."""
    call = selectors.call_get(user=request.user, pk=pk)
    form = SubmitForm(request.POST, projects=selectors.submittable_projects(user=request.user, call=call))
    if not form.is_valid():
        raise PermissionDenied(_("You may not submit this project to this call."))
    project = Project.objects.get(pk=form.cleaned_data["project"])
    try:
        services.proposal_submit(actor=request.user, call=call, project=project, reason=form.cleaned_data["reason"])
    except (ValidationError, ReasonRequired) as exc:
        return _call_refused(request, call, exc, submit_form=form)
    messages.success(request, _("The project was submitted to the call."))
    return redirect("appeals:call", pk=call.pk)


@require_http_methods(["POST"])
def call_score(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /appeals/calls/<id>/score/``: a reviewer's scores of one proposal (``services.score_set`` for
    each criterion given). 403 for anyone not named as a reviewer of the call."""
    call = selectors.call_get(user=request.user, pk=pk)
    if not selectors.is_reviewer(request.user, call):
        raise PermissionDenied(_("Only the reviewers named on the call score its proposals."))
    prefix = next((k.split("-", 1)[0] for k in request.POST if k.endswith("-proposal")), "")
    form = ScoreForm(request.POST, call=call, prefix=prefix or None)
    if not form.is_valid():
        return _call_refused(request, call, ValidationError(form.errors))
    proposal = Proposal.objects.filter(call=call, pk=form.cleaned_data["proposal"]).first()
    if proposal is None:
        raise Http404(_("No such proposal."))
    try:
        for criterion in form.criteria:
            value = form.cleaned_data.get(f"score_{criterion.pk}")
            if value is not None:
                services.score_set(actor=request.user, proposal=proposal, criterion=criterion, score=value,
                                   comment=form.cleaned_data["comment"])
    except (ValidationError, ReasonRequired) as exc:
        return _call_refused(request, call, exc)
    messages.success(request, _("Your scores were saved."))
    return redirect("appeals:call", pk=call.pk)


@require_http_methods(["POST"])
def call_select(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /appeals/calls/<id>/select/`` with ``selected`` proposal ids and a ``reason``: decide the call
    (``services.call_select``; the secretariat and officers of its body, 403 for others)."""
    call = selectors.call_get(user=request.user, pk=pk)
    if not selectors.manages(request.user, call):
        raise PermissionDenied(_("Only the secretariat or the officers of the call's body select proposals."))
    proposals = [p for p in selectors.call_proposals(user=request.user, call=call) if p.status != Proposal.Status.WITHDRAWN]
    form = SelectForm(request.POST, proposals=proposals)
    if not form.is_valid():
        return _call_refused(request, call, ValidationError(form.errors), select_form=form)
    chosen = [p for p in proposals if p.pk in set(form.cleaned_data["selected"])]
    try:
        services.call_select(actor=request.user, call=call, selected=chosen, reason=form.cleaned_data["reason"])
    except (ValidationError, ReasonRequired) as exc:
        return _call_refused(request, call, exc, select_form=form)
    messages.success(request, _("The call is decided."))
    return redirect("appeals:call", pk=call.pk)


@require_http_methods(["POST"])
def call_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /appeals/calls/<id>/appeal/`` with ``key``, ``period_start``, ``period_end``: the selected
    projects form a draft appeal (``services.appeal_from_call``)."""
    call = selectors.call_get(user=request.user, pk=pk)
    if not selectors.manages(request.user, call):
        raise PermissionDenied(_("Only the secretariat or the officers of the call's body form its appeal."))
    form = FromCallForm(request.POST)
    if not form.is_valid():
        return _call_refused(request, call, ValidationError(form.errors), from_call_form=form)
    data = form.cleaned_data
    try:
        appeal = services.appeal_from_call(actor=request.user, call=call, key=data["key"], period_start=data["period_start"],
                                           period_end=data["period_end"], reason=data["reason"])
    except (ValidationError, ReasonRequired) as exc:
        return _call_refused(request, call, exc, from_call_form=form)
    messages.success(request, _("A draft appeal was formed of the selected projects."))
    return redirect("appeals:appeal", key=appeal.key)


@require_http_methods(["POST"])
def call_step(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /appeals/calls/<id>/step/`` with ``op`` (open, close) and a ``reason``: open a draft call (the
    secretariat) or close an open one (the secretariat, officers of its body)."""
    call = selectors.call_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    op = form.data.get("op")
    try:
        if not form.is_valid() or op not in ("open", "close"):
            raise ValidationError({"op": _("Unknown step.")})
        step = services.call_open if op == "open" else services.call_close
        step(actor=request.user, call=call, reason=form.cleaned_data["reason"])
    except (ValidationError, ReasonRequired) as exc:
        return _call_refused(request, call, exc)
    messages.success(request, _("The call is open.") if op == "open" else _("The call is closed."))
    return redirect("appeals:call", pk=call.pk)


# --- drafting calls --------------------------------------------------------------------------------


def _call_form(request: HttpRequest, call: Call | None, *, delete_error: str = "") -> HttpResponse:
    posted = request.method == "POST" and not delete_error
    form = CallForm(request.POST if posted else None, user=request.user, call=call)
    criteria = None if form.locked else criterion_formset(request.POST if posted else None, call=call)
    nested: dict[str, list[str]] = {}
    if posted and form.is_valid() and (criteria is None or criteria.is_valid()):
        fields = form.service_fields() | ({"criteria": criteria.criteria()} if criteria is not None else {})
        reason = form.cleaned_data["reason"]
        try:
            if call is None:
                call = services.call_create(actor=request.user, reason=reason, **fields)
                messages.success(request, _("The draft call for proposals was added."))
            else:
                services.call_update(actor=request.user, call=call, reason=reason, **fields)
                messages.success(request, _("The call for proposals was saved."))
        except (ValidationError, ReasonRequired) as exc:
            nested = _apply_errors(form, exc, nested=("criteria",))
        else:
            return redirect("appeals:call", pk=call.pk)
    context = {"form": form, "criteria": criteria, "nested_errors": nested.get("criteria", []), "call": call,
               "delete_error": delete_error,
               "locked_criteria": list(call.criteria.all()) if call is not None and form.locked else []}
    status = 400 if request.method == "POST" else 200
    return render(request, "appeals/call_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    """``/appeals/calls/new/``: draft a call for proposals with its criteria (``services.call_create``).
    Visitors get the sign-in page; anyone but the secretariat gets 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.may_draft_calls(request.user):
        raise PermissionDenied(_("Only the secretariat drafts calls for proposals."))
    return _call_form(request, None)


def _call_to_change(request: HttpRequest, pk: int) -> Call:
    call = selectors.call_get(user=request.user, pk=pk)
    if not selectors.may_draft_calls(request.user):
        raise PermissionDenied(_("Only the secretariat changes calls for proposals."))
    return call


@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/appeals/calls/<id>/edit/``: change a call (``services.call_update``). A draft changes entirely;
    an open or closed call keeps its body, opening date, highest score and criteria (shown, locked); a
    decided call no longer changes (400). 404 when the user may not read the call, 403 when they may read
    it but are not the secretariat."""
    call = _call_to_change(request, pk)
    if call.status == Call.Status.DECIDED:
        return _bad_request(request, _("The call is decided: it can no longer change."))
    return _call_form(request, call)


@require_http_methods(["POST"])
def call_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /appeals/calls/<id>/delete/`` with a ``reason``: delete a draft call (``services.call_delete``).
    404 / 403 as the edit page; a refusal (no reason, not a draft) is shown on the edit page (400)."""
    call = _call_to_change(request, pk)
    form = DeleteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("Say why the call is deleted.")})
        services.call_delete(actor=request.user, call=call, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        if call.status == Call.Status.DECIDED:
            return _bad_request(request, " ".join(exc.messages))
        return _call_form(request, call, delete_error=" ".join(exc.messages))
    messages.success(request, _("The draft call for proposals was deleted."))
    return redirect("appeals:call-list")
