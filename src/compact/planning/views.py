"""Planning pages (HTML): the joint programmes of work and their versions, a programme with its priorities
and workplans, a workplan, the forms that write them (through ``compact.planning.services``), adoption,
a new version, the carry-over and the comparison of two versions.

Every read goes through ``planning.selectors`` (so through the access policy): a programme or workplan the
user may not read answers 404, one they may read but not change answers 403 on its forms. Pages that
show confidential or strictly confidential programmes or workplans write them to the access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.access.models import Sensitivity
from compact.access.policy import Action, can
from compact.audit.models import AccessEvent
from compact.audit.selectors import object_history
from compact.audit.services import ReasonRequired, record_access
from compact.core.i18n import field_name
from compact.planning import selectors, services
from compact.planning.forms import (
    ActivityForm,
    AdoptForm,
    CarryOverForm,
    OutputForm,
    PriorityForm,
    ProgrammeForm,
    ReasonForm,
    WorkplanForm,
)
from compact.planning.models import Activity, Output, Priority, Programme, Workplan
from compact.registry.models import Body

SERVICE_ERRORS = (ValidationError, ReasonRequired, PermissionDenied)


def _log(request: HttpRequest, action: str, model, rows) -> None:
    record_access(user=request.user, action=action, model=model, rows=list(rows))


def _apply_errors(form, exc: Exception) -> None:
    """Put a service's refusal on the form: each field's messages on that field (``title`` on its English
    column), the others, a missing reason and a refusal of permission above the form."""
    if isinstance(exc, ReasonRequired):
        form.add_error("reason", str(exc))
        return
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    for field, errors in exc.message_dict.items():
        target = field_name(field, "en") if field_name(field, "en") in form.fields else field
        form.add_error(target if target in form.fields else None, errors)


def _form_page(request: HttpRequest, form, *, heading: str, crumbs: list[tuple[str, str]], cancel: str,
               delete_url: str = "", intro: str = "") -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "heading": heading, "crumbs": crumbs, "cancel": cancel, "delete_url": delete_url,
               "intro": intro}
    return render(request, "planning/form.html", context, status=status)


def _crumbs(programme: Programme | None = None, workplan: Workplan | None = None) -> list[tuple[str, str]]:
    crumbs = [(_("Joint programmes of work"), reverse("planning:programme-list"))]
    if programme is not None:
        crumbs.append((str(programme), reverse("planning:programme", args=[programme.pk])))
    if workplan is not None:
        crumbs.append((_("Working group %(number)s") % {"number": workplan.body.number},
                       reverse("planning:workplan", args=[workplan.pk])))
    return crumbs


def _signed_in(request: HttpRequest):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _may_add_programme(user) -> bool:
    committee = services.committee()
    return committee is not None and can(user, Action.CHANGE, Programme(owner_body=committee,
                                                                       sensitivity=Sensitivity.INTERNAL))


# --- Reading ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def programme_list(request: HttpRequest) -> HttpResponse:
    """``/planning/``: every programme version the user may list, latest period first, with status and
    adoption, and a form choosing two of them to compare (``/planning/compare/``; by default the second
    listed, "from", and the first, "to")."""
    programmes = list(selectors.programme_list(user=request.user))
    _log(request, AccessEvent.Action.LIST, Programme, programmes)
    return render(request, "planning/programme_list.html", {
        "programmes": programmes, "may_add": _may_add_programme(request.user),
        "compare_fields": [("a", _("From"), 1), ("b", _("To"), 0)]})


@require_http_methods(["GET", "HEAD"])
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/<id>/``: a programme version: status, adoption, period, summary, priorities, the
    workplans the user may read (by working group, with outputs and activities), the versions and its
    history."""
    programme = selectors.programme_get(user=request.user, pk=pk)
    workplans = selectors.workplan_list(user=request.user, programme=programme)
    _log(request, AccessEvent.Action.VIEW, Programme, [programme])
    _log(request, AccessEvent.Action.LIST, Workplan, workplans)
    draft = programme.status == Programme.Status.DRAFT
    can_change = can(request.user, Action.CHANGE, programme)
    context = {
        "programme": programme,
        "priorities": selectors.priority_list(programme=programme),
        "workplans": workplans,
        "versions": selectors.programme_versions(user=request.user, programme=programme),
        "can_change": can_change and draft,
        "can_revise": can_change and programme.status == Programme.Status.ADOPTED and selectors.later_version(programme) is None,
        "can_add_workplan": draft and request.user.is_authenticated,
        "editable_workplans": {w.pk for w in workplans if draft and can(request.user, Action.CHANGE, w)},
        "history": object_history(user=request.user, obj=programme),
    }
    return render(request, "planning/programme_detail.html", context)


@require_http_methods(["GET", "HEAD"])
def workplan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/workplans/<id>/``: one working group's workplan, with its outputs and activities."""
    workplan = selectors.workplan_get(user=request.user, pk=pk)
    _log(request, AccessEvent.Action.VIEW, Workplan, [workplan])
    programme = workplan.programme
    may_change = can(request.user, Action.CHANGE, workplan)
    context = {
        "workplan": workplan,
        "programme": programme,
        "can_change": may_change and programme.status == Programme.Status.DRAFT,
        "can_report": may_change and programme.status == Programme.Status.ADOPTED,
        "history": object_history(user=request.user, obj=workplan),
    }
    return render(request, "planning/workplan_detail.html", context)


@require_http_methods(["GET", "HEAD"])
def group_workplan(request: HttpRequest, number: int) -> HttpResponse:
    """``/planning/working-groups/<number>/``: the current workplan of working group ``number`` (the one in
    the adopted programme in force today, ``selectors.current_workplan``), by redirect; 404 when the group
    has none the user may read. The working group's page links here."""
    body = Body.objects.filter(kind=Body.Kind.WORKING_GROUP, number=number).first()
    workplan = selectors.current_workplan(user=request.user, body=body) if body is not None else None
    if workplan is None:
        raise Http404(_("Working group %(number)s has no current workplan.") % {"number": number})
    return redirect("planning:workplan", pk=workplan.pk)


@require_http_methods(["GET", "HEAD"])
def compare(request: HttpRequest) -> HttpResponse:
    """``/planning/compare/?a=<id>&b=<id>``: what changed from programme ``a`` to ``b`` (two versions or two
    programmes) on what the user may read. 400 for a missing or malformed number, 404 for a programme
    that does not exist or the user may not read."""
    ids = {}
    for key in ("a", "b"):
        value = request.GET.get(key, "").strip()
        if not value.isdigit() or len(value) > 12:
            message = _("Give two programme numbers to compare: %(key)s is missing or not a number.") % {"key": key}
            return render(request, "400.html", {"message": message}, status=400)
        ids[key] = int(value)
    a = selectors.programme_get(user=request.user, pk=ids["a"])
    b = selectors.programme_get(user=request.user, pk=ids["b"])
    comparison = selectors.compare(user=request.user, a=a, b=b)
    _log(request, AccessEvent.Action.VIEW, Programme, [a, b])
    _log(request, AccessEvent.Action.VIEW, Workplan,
         [w for g in comparison.groups for w in (g.before, g.after) if w is not None])
    return render(request, "planning/compare.html", {"comparison": comparison})


# --- Programmes --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    """``/planning/new/``: a new programme (version 1, a draft), for the secretariat and officers of the
    Coordination Committee (403 for others, the sign-in page for visitors)."""
    if response := _signed_in(request):
        return response
    if not _may_add_programme(request.user):
        raise PermissionDenied(_("Only the secretariat and officers of the Coordination Committee add programmes."))
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.programme_create(
                actor=request.user, reason=data["reason"], key=data["key"], title=form.texts("title"),
                summary=form.texts("summary"), period_start=data["period_start"], period_end=data["period_end"],
                sensitivity=data["sensitivity"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The joint programme of work was added as a draft."))
            return redirect("planning:programme", pk=programme.pk)
    return _form_page(request, form, heading=_("Add a joint programme of work"), crumbs=_crumbs(),
                      cancel=reverse("planning:programme-list"))


@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/<id>/edit/``: change a draft version (an adopted one is locked: 403 with the reason)."""
    programme = selectors.programme_get(user=request.user, pk=pk, action=Action.CHANGE)
    if programme.status != Programme.Status.DRAFT:
        raise PermissionDenied(_("This version is adopted or superseded and locked: make a new version to change it."))
    form = ProgrammeForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"title": form.texts("title"), "summary": form.texts("summary"), "period_start": data["period_start"],
                  "period_end": data["period_end"], "sensitivity": data["sensitivity"]}
        if programme.version == 1:
            fields["key"] = data["key"]
        try:
            services.programme_update(actor=request.user, programme=programme, reason=data["reason"], **fields)
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The joint programme of work was saved."))
            return redirect("planning:programme", pk=programme.pk)
    return _form_page(request, form, heading=_("Edit the joint programme of work"), crumbs=_crumbs(programme),
                      cancel=reverse("planning:programme", args=[programme.pk]))


@require_http_methods(["GET", "POST"])
def programme_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/<id>/adopt/``: record the Committee's adoption of a draft (date, decision, reason)."""
    programme = selectors.programme_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = AdoptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.programme_adopt(actor=request.user, programme=programme, adopted_on=data["adopted_on"],
                                     decision=data["decision"], reason=data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The adoption was recorded."))
            return redirect("planning:programme", pk=programme.pk)
    intro = _("Record the Coordination Committee's adoption of this version. The version it revises becomes superseded.")
    return _form_page(request, form, heading=_("Record the adoption"), crumbs=_crumbs(programme),
                      cancel=reverse("planning:programme", args=[programme.pk]), intro=intro)


@require_http_methods(["GET", "POST"])
def programme_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/<id>/new-version/``: start a draft revision of an adopted version (a copy of it)."""
    programme = selectors.programme_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.programme_new_version(actor=request.user, programme=programme,
                                                   reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Version %(version)s was started as a draft.") % {"version": draft.version})
            return redirect("planning:programme", pk=draft.pk)
    intro = _("The new version starts as a copy of this one, with its priorities, workplans, outputs and activities.")
    return _form_page(request, form, heading=_("Make a new version"), crumbs=_crumbs(programme),
                      cancel=reverse("planning:programme", args=[programme.pk]), intro=intro)


@require_http_methods(["GET", "POST"])
def carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/<id>/carry-over/``: carry the unfinished activities of another programme into this draft."""
    target = selectors.programme_get(user=request.user, pk=pk, action=Action.CHANGE)
    sources = selectors.programme_list(user=request.user).exclude(pk=target.pk)
    form = CarryOverForm(request.POST or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        try:
            carried = services.activities_carry_over(actor=request.user, source=form.cleaned_data["source"],
                                                     target=target, reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Activities carried: %(count)s.") % {"count": len(carried)})
            return redirect("planning:programme", pk=target.pk)
    intro = _("Every activity that is not completed or cancelled is copied into the workplan of the same working "
              "group, as planned. An activity already carried is not carried again.")
    return _form_page(request, form, heading=_("Carry over unfinished activities"), crumbs=_crumbs(target),
                      cancel=reverse("planning:programme", args=[target.pk]), intro=intro)


# --- Priorities ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def priority_create(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/<id>/priorities/new/``: add a priority to a draft programme."""
    programme = selectors.programme_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = PriorityForm(request.POST or None, initial={"number": programme.priorities.count() + 1})
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_create(actor=request.user, programme=programme, number=form.cleaned_data["number"],
                                     title=form.texts("title"), description=form.texts("description"),
                                     reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:programme", pk=programme.pk)
    return _form_page(request, form, heading=_("Add a priority"), crumbs=_crumbs(programme),
                      cancel=reverse("planning:programme", args=[programme.pk]))


@require_http_methods(["GET", "POST"])
def priority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/priorities/<id>/edit/``: change a priority of a draft programme."""
    priority = Priority.objects.filter(pk=pk).first()
    if priority is None:
        raise Http404(_("No such item."))
    programme = selectors.programme_get(user=request.user, pk=priority.programme_id, action=Action.CHANGE)
    form = PriorityForm(request.POST or None, priority=priority)
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_update(actor=request.user, priority=priority, number=form.cleaned_data["number"],
                                     title=form.texts("title"), description=form.texts("description"),
                                     reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:programme", pk=programme.pk)
    return _form_page(request, form, heading=_("Edit the priority"), crumbs=_crumbs(programme),
                      cancel=reverse("planning:programme", args=[programme.pk]),
                      delete_url=reverse("planning:priority-delete", args=[priority.pk]))


@require_http_methods(["POST"])
def priority_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /planning/priorities/<id>/delete/``: delete a priority (reason required)."""
    priority = Priority.objects.filter(pk=pk).first()
    if priority is None:
        raise Http404(_("No such item."))
    programme = selectors.programme_get(user=request.user, pk=priority.programme_id, action=Action.CHANGE)
    return _delete(request, lambda reason: services.priority_delete(actor=request.user, priority=priority, reason=reason),
                   reverse("planning:programme", args=[programme.pk]), reverse("planning:priority-edit", args=[pk]))


def _delete(request: HttpRequest, delete, done: str, back: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    try:
        delete(reason)
    except SERVICE_ERRORS as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect(back)
    messages.success(request, _("Deleted."))
    return redirect(done)


# --- Workplans, outputs and activities -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def workplan_create(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/<id>/workplans/new/``: add a working group's workplan to a draft programme (the groups
    offered are those the user may add one for: their officers' groups, all for the secretariat)."""
    if response := _signed_in(request):
        return response
    programme = selectors.programme_get(user=request.user, pk=pk)
    taken = programme.workplans.values_list("body_id", flat=True)
    groups = [g for g in Body.objects.filter(kind=Body.Kind.WORKING_GROUP).exclude(pk__in=taken)
              if can(request.user, Action.CHANGE, Workplan(programme=programme, body=g, sensitivity=programme.sensitivity))]
    if not groups:
        raise PermissionDenied(_("You may not add a workplan to this programme."))
    form = WorkplanForm(request.POST or None, groups=Body.objects.filter(pk__in=[g.pk for g in groups]),
                        initial={"sensitivity": programme.sensitivity})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workplan = services.workplan_create(actor=request.user, programme=programme, body=data["body"],
                                                summary=form.texts("summary"), sensitivity=data["sensitivity"],
                                                reason=data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:workplan", pk=workplan.pk)
    return _form_page(request, form, heading=_("Add a workplan"), crumbs=_crumbs(programme),
                      cancel=reverse("planning:programme", args=[programme.pk]))


@require_http_methods(["GET", "POST"])
def workplan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/workplans/<id>/edit/``: change a workplan's summary or sensitivity."""
    workplan = selectors.workplan_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = WorkplanForm(request.POST or None, workplan=workplan)
    if request.method == "POST" and form.is_valid():
        try:
            services.workplan_update(actor=request.user, workplan=workplan, summary=form.texts("summary"),
                                     sensitivity=form.cleaned_data["sensitivity"], reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:workplan", pk=workplan.pk)
    return _form_page(request, form, heading=_("Edit the workplan"), crumbs=_crumbs(workplan.programme, workplan),
                      cancel=reverse("planning:workplan", args=[workplan.pk]))


def _output(request: HttpRequest, pk: int) -> tuple[Output, Workplan]:
    output = Output.objects.filter(pk=pk).first()
    if output is None:
        raise Http404(_("No such item."))
    return output, selectors.workplan_get(user=request.user, pk=output.workplan_id, action=Action.CHANGE)


@require_http_methods(["GET", "POST"])
def output_create(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/workplans/<id>/outputs/new/``: add an output to a workplan."""
    workplan = selectors.workplan_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = OutputForm(request.POST or None, priorities=workplan.programme.priorities.all(),
                      initial={"number": len(workplan.outputs.all()) + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.output_create(actor=request.user, workplan=workplan, number=data["number"],
                                   title=form.texts("title"), priority=data["priority"], reason=data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:workplan", pk=workplan.pk)
    return _form_page(request, form, heading=_("Add an output"), crumbs=_crumbs(workplan.programme, workplan),
                      cancel=reverse("planning:workplan", args=[workplan.pk]))


@require_http_methods(["GET", "POST"])
def output_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/outputs/<id>/edit/``: change an output."""
    output, workplan = _output(request, pk)
    form = OutputForm(request.POST or None, priorities=workplan.programme.priorities.all(), output=output)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.output_update(actor=request.user, output=output, number=data["number"], title=form.texts("title"),
                                   priority=data["priority"], reason=data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:workplan", pk=workplan.pk)
    return _form_page(request, form, heading=_("Edit the output"), crumbs=_crumbs(workplan.programme, workplan),
                      cancel=reverse("planning:workplan", args=[workplan.pk]),
                      delete_url=reverse("planning:output-delete", args=[output.pk]))


@require_http_methods(["POST"])
def output_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /planning/outputs/<id>/delete/``: delete an output without activities (reason required)."""
    output, workplan = _output(request, pk)
    return _delete(request, lambda reason: services.output_delete(actor=request.user, output=output, reason=reason),
                   reverse("planning:workplan", args=[workplan.pk]), reverse("planning:output-edit", args=[pk]))


def _activity(request: HttpRequest, pk: int) -> tuple[Activity, Workplan]:
    activity = Activity.objects.select_related("output").filter(pk=pk).first()
    if activity is None:
        raise Http404(_("No such item."))
    return activity, selectors.workplan_get(user=request.user, pk=activity.output.workplan_id, action=Action.CHANGE)


@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/outputs/<id>/activities/new/``: add an activity to an output."""
    output, workplan = _output(request, pk)
    form = ActivityForm(request.POST or None, initial={"number": output.activities.count() + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_create(
                actor=request.user, output=output, number=data["number"], title=form.texts("title"),
                description=form.texts("description"), lead_entity=data["lead_entity"],
                participating_entities=data["participating_entities"], start=data["start"], end=data["end"],
                status=data["status"], reason=data["reason"])
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:workplan", pk=workplan.pk)
    return _form_page(request, form, heading=_("Add an activity"), crumbs=_crumbs(workplan.programme, workplan),
                      cancel=reverse("planning:workplan", args=[workplan.pk]))


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/planning/activities/<id>/edit/``: change an activity; in an adopted programme, only its status
    (progress), with a reason."""
    activity, workplan = _activity(request, pk)
    status_only = workplan.programme.status != Programme.Status.DRAFT
    form = ActivityForm(request.POST or None, activity=activity, status_only=status_only)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"status": data["status"]}
        if not status_only:
            fields.update(number=data["number"], title=form.texts("title"), description=form.texts("description"),
                          lead_entity=data["lead_entity"], participating_entities=data["participating_entities"],
                          start=data["start"], end=data["end"])
        try:
            services.activity_update(actor=request.user, activity=activity, reason=data["reason"], **fields)
        except SERVICE_ERRORS as exc:
            _apply_errors(form, exc)
        else:
            return redirect("planning:workplan", pk=workplan.pk)
    heading = _("Report progress on the activity") if status_only else _("Edit the activity")
    return _form_page(request, form, heading=heading, crumbs=_crumbs(workplan.programme, workplan),
                      cancel=reverse("planning:workplan", args=[workplan.pk]),
                      delete_url="" if status_only else reverse("planning:activity-delete", args=[activity.pk]))


@require_http_methods(["POST"])
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /planning/activities/<id>/delete/``: delete an activity (reason required)."""
    activity, workplan = _activity(request, pk)
    return _delete(request, lambda reason: services.activity_delete(actor=request.user, activity=activity, reason=reason),
                   reverse("planning:workplan", args=[workplan.pk]), reverse("planning:activity-edit", args=[pk]))

