"""Joint-project pages (HTML): the list with its filters and count, a project, the form to add or change
one (with formsets for its participants, sectors, areas and budgets), the workflow steps and deletion.

Every read goes through ``projects.selectors`` (so through the access policy): a project the user may
not read answers 404, one they may read but not change answers 403 on its edit page. Reads of
confidential and strictly confidential projects are written to the access log.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.access.policy import Action, can
from compact.audit.models import AccessEvent
from compact.audit.selectors import object_history
from compact.audit.services import ReasonRequired, record_access
from compact.library.selectors import clean_page
from compact.projects import selectors, services
from compact.projects.filters import ProjectFilter
from compact.projects.forms import FORMSETS, ProjectForm, formset_initial, formset_rows
from compact.projects.models import Project
from compact.projects.presentation import describe
from compact.registry.models import Body, Pillar

PAGE_SIZE = 25

#: The workflow steps: name -> (service, button label).
STEP_SERVICES = {
    "submit": services.project_submit,
    "endorse": services.project_endorse,
    "publish": services.project_publish,
    "return": services.project_return,
}


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


@require_http_methods(["GET", "HEAD"])
def project_list(request: HttpRequest) -> HttpResponse:
    """``/projects/``: the joint projects the user may list, filtered (``ProjectFilter``), 25 a page, with
    their number counted on the same restricted query. An invalid filter or page answers 400."""
    try:
        page_number = clean_page(request.GET.get("page"))
    except ValidationError as exc:
        return _bad_request(request, " ".join(exc.messages))
    project_filter = ProjectFilter(request.GET, queryset=selectors.project_list(user=request.user))
    context = {
        "filter": project_filter,
        "working_groups": list(Body.objects.filter(kind=Body.Kind.WORKING_GROUP).order_by("number")),
        "pillars": list(Pillar.objects.order_by("number")),
        "stages": Project.Stage.choices,
        "can_add": bool(request.user.is_authenticated and any(selectors.creatable_leads(user=request.user))),
    }
    if not project_filter.is_valid():
        return render(request, "projects/project_list.html", {**context, "page": None, "count": 0}, status=400)
    page = Paginator(project_filter.qs, PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=Project, rows=rows, row_count=len(rows),
                  detail=urlencode(sorted(project_filter.applied().items())))
    context |= {"page": page, "projects": [describe(p) for p in rows], "count": page.paginator.count}
    return render(request, "projects/project_list.html", context)


@require_http_methods(["GET", "HEAD"])
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/projects/<id>/``: one project the user may read (404 otherwise): every field, code names in the
    active language, areas with their names, participants by role, budgets in their currencies, the
    documents the user may read, the stage with the steps the user may take, and the history."""
    project = selectors.project_get(user=request.user, pk=pk)
    record_access(user=request.user, action=AccessEvent.Action.VIEW, model=Project, rows=[project])
    context = {
        "project": project,
        "view": describe(project),
        "documents": selectors.project_documents(user=request.user, project=project),
        "can_change": can(request.user, Action.CHANGE, project),
        "steps": selectors.available_steps(user=request.user, project=project),
        "history": object_history(user=request.user, obj=project),
    }
    return render(request, "projects/project_detail.html", context)


def _formsets(request: HttpRequest, project: Project | None) -> dict:
    initial = formset_initial(project)
    data = request.POST if request.method == "POST" else None
    return {key: cls(data=data, initial=None if data is not None else initial[key], prefix=prefix)
            for key, (cls, prefix, _needed) in FORMSETS.items()}


def _apply_errors(form: ProjectForm, formsets: dict, errors: dict) -> dict[str, list[str]]:
    """Put the services' errors on the form's fields; return those of the nested parts, by key."""
    nested: dict[str, list[str]] = {}
    for key, messages_ in errors.items():
        if key in formsets:
            nested[key] = list(messages_)
        elif key in ("title", "description"):
            form.add_error(None, messages_)
        elif key in form.fields:
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)
    return nested


def _save(request: HttpRequest, project: Project | None) -> HttpResponse:
    form = ProjectForm(data=request.POST if request.method == "POST" else None, user=request.user, project=project)
    formsets = _formsets(request, project)
    nested: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets.values()):
        data = form.data_for_services() | {key: formset_rows(key, fs) for key, fs in formsets.items()}
        reason = form.cleaned_data["reason"]
        try:
            if project is None:
                project = services.project_create(actor=request.user, data=data, reason=reason)
                messages.success(request, _("The joint project was added."))
            else:
                services.project_update(actor=request.user, project=project, data=data, reason=reason)
                messages.success(request, _("The joint project was saved."))
        except ValidationError as exc:
            nested = _apply_errors(form, formsets, exc.message_dict)
        except ReasonRequired as exc:
            form.add_error("reason", str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("projects:project", pk=project.pk)
    context = {"form": form, "formsets": formsets, "nested_errors": nested, "project": project}
    return render(request, "projects/project_form.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """``/projects/new/``: add a joint project. Visitors get the sign-in page; signed-in users who may
    lead no project (neither the secretariat, an officer nor a focal point) get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    groups, entities = selectors.creatable_leads(user=request.user)
    if not groups or not entities:
        raise PermissionDenied(_("You may not add joint projects."))
    return _save(request, None)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/projects/<id>/edit/``: change a project (404 when unreadable, 403 when readable but not changeable)."""
    project = selectors.project_get(user=request.user, pk=pk, action=Action.CHANGE)
    return _save(request, project)


@require_http_methods(["POST"])
def project_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """``POST /projects/<id>/<step>/`` with a ``reason``: submit, endorse, publish or return to draft
    (404 when unreadable or the step is unknown, 403 when the user may not take it, 400 with the message
    when the stage does not allow it or the reason is missing)."""
    project = selectors.project_get(user=request.user, pk=pk)
    service = STEP_SERVICES.get(step)
    if service is None:
        return _bad_request(request, _("Unknown workflow step."))
    try:
        service(actor=request.user, project=project, reason=request.POST.get("reason", ""))
    except ReasonRequired as exc:
        return _bad_request(request, str(exc))
    except ValidationError as exc:
        return _bad_request(request, " ".join(exc.messages))
    messages.success(request, _("The joint project is now %(stage)s.") % {"stage": project.get_stage_display()})
    return redirect("projects:project", pk=project.pk)


@require_http_methods(["POST"])
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /projects/<id>/delete/`` with a ``reason`` (404 when unreadable, 403 when not changeable,
    400 with the message when refused)."""
    project = selectors.project_get(user=request.user, pk=pk, action=Action.CHANGE)
    try:
        services.project_delete(actor=request.user, project=project, reason=request.POST.get("reason", ""))
    except ReasonRequired as exc:
        return _bad_request(request, str(exc))
    except ValidationError as exc:
        return _bad_request(request, " ".join(exc.messages))
    messages.success(request, _("The joint project was deleted."))
    return redirect("projects:project-list")
