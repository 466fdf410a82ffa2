"""Every read of joint projects, through the one access policy (``compact.access.policy``).

Lists and counts are computed on ``restrict(...)`` with the action they serve (list, count, export);
one project is read through ``get_for``, so that a project the user may not read answers 404 whether or
not it exists. A project's participants, sectors, areas, SDG targets, paragraphs and budgets follow it;
its documents are shown only when the user may read each of them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from compact.access.policy import Action, get_for, restrict
from compact.access.principal import principal_for
from compact.library.models import Document
from compact.projects.models import Participant, Project, ResolutionParagraph
from compact.registry.models import Body, Entity, Participation


def _projects() -> QuerySet[Project]:
    """Projects with everything a list row or a detail page shows, in a fixed number of queries."""
    return Project.objects.select_related("lead_entity", "lead_body").prefetch_related(
        "working_groups", "pillars", "areas", "sectors", "sdg_targets", "budgets", "related_activities",
        Prefetch("participants", queryset=Participant.objects.select_related("entity")),
        Prefetch("resolution_paragraphs", queryset=ResolutionParagraph.objects.select_related("review")),
    )


def project_list(*, user, filters=None, action: Action = Action.LIST) -> QuerySet[Project]:
    """The joint projects ``user`` may take ``action`` on (list by default; ``Action.COUNT`` for totals,
    ``Action.EXPORT`` for exports), newest first, with their related rows prefetched; ``filters`` (query
    parameters) narrow it through ``compact.projects.filters.ProjectFilter``. Raises ``ValidationError``
    ({parameter: messages}) for an invalid filter."""
    qs = restrict(_projects(), user, action)
    if filters is None:
        return qs
    from compact.projects.filters import ProjectFilter

    project_filter = ProjectFilter(filters, queryset=qs)
    if not project_filter.is_valid():
        raise ValidationError(project_filter.errors)
    return project_filter.qs


def project_get(*, user, pk: int, action: Action = Action.VIEW) -> Project:
    """The project ``pk`` with its related rows, if ``user`` may take ``action`` on it. Raises ``Http404``
    when it does not exist or the user may not read it, ``PermissionDenied`` when they may read it but not
    take ``action`` (e.g. ``Action.CHANGE``)."""
    return get_for(_projects(), user, action, pk=pk)


def project_documents(*, user, project: Project) -> list[Document]:
    """The documents of ``project`` that ``user`` may read (others are left out), newest first."""
    return list(restrict(project.documents.select_related("owner_body", "owner_entity"), user, Action.LIST))


def creatable_leads(*, user) -> tuple[list[Body], list[Entity]]:
    """The working groups and entities ``user`` may lead a new project with (the form's choices; the
    services check the pair): the secretariat any; an officer the groups they are officer of, with any
    entity of the Compact; a focal point their entity, in the groups it is a member of. Returns
    ``(working groups, entities)``."""
    principal = principal_for(user)
    groups = Body.objects.filter(kind=Body.Kind.WORKING_GROUP).order_by("number")
    compact_entities = Entity.objects.filter(
        pk__in=Participation.objects.filter(body__kind=Body.Kind.COMPACT).values("entity_id")).order_by("acronym")
    if principal.is_secretariat:
        return list(groups), list(compact_entities)
    body_ids = set(principal.officer_body_ids)
    entity_filter = Entity.objects.none()
    if principal.is_focal_point and principal.entity_id:
        body_ids |= set(principal.member_body_ids)
        entity_filter = compact_entities.filter(pk=principal.entity_id)
    entities = compact_entities if principal.officer_body_ids else entity_filter
    return list(groups.filter(pk__in=body_ids)), list(entities)



#: The workflow: step -> (the stages it starts from, the stage it leads to).
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((Project.Stage.DRAFT,), Project.Stage.SUBMITTED),
    "endorse": ((Project.Stage.SUBMITTED,), Project.Stage.ENDORSED),
    "publish": ((Project.Stage.ENDORSED,), Project.Stage.PUBLISHED),
    "return": ((Project.Stage.SUBMITTED, Project.Stage.ENDORSED, Project.Stage.PUBLISHED), Project.Stage.DRAFT),
}


def may_step(*, user, step: str, project: Project) -> bool:
    """Whether ``user`` is among those who take ``step`` on ``project`` (whatever its stage): submit,
    whoever may change it; endorse, the officers of its lead working group (who may read it) only, not
    the secretariat; publish, the secretariat; return to draft, those officers or the secretariat.
    ``user=None`` is the platform itself, which may take every step."""
    from compact.access.policy import can

    if user is None:
        return True
    principal = principal_for(user)
    officer = project.lead_body_id in principal.officer_body_ids and can(user, Action.VIEW, project)
    if step == "submit":
        return can(user, Action.CHANGE, project)
    if step == "endorse":
        return officer
    if step == "publish":
        return principal.is_secretariat
    if step == "return":
        return officer or principal.is_secretariat
    raise ValueError(f"unknown workflow step {step!r}")


def available_steps(*, user, project: Project) -> list[str]:
    """The steps ``user`` may take on ``project`` now, in ``STEPS`` order (the buttons of its page)."""
    return [step for step, (sources, _target) in STEPS.items()
            if project.stage in sources and may_step(user=user, step=step, project=project)]


def project_preview(*, actor, data, project: Project | None = None, imported: bool = False) -> tuple[str, ...]:
    """What ``compact.projects.services.project_create`` (``project`` None) or ``project_update`` would do
    with ``data``, checked the same way but without writing anything (the dry run of an import, which then
    holds no write lock). Returns ``("project",)`` for a creation; for an update, the names of the fields
    and links of the project that would change and the model names of the kinds of child rows that would
    (``"participant"``, ``"budget"``, ...), as the change log would name them; empty when nothing would
    change. Raises as the services do: ``ValidationError`` ({data key: messages}), ``PermissionDenied``,
    ``TypeError`` for an unknown key."""
    from collections import Counter

    from django.utils import translation
    from django.utils.translation import gettext as _

    from compact.audit.services import diff, snapshot
    from compact.projects import services

    errors = services._Errors()
    if project is None:
        target = Project()
        with services._imported(imported):
            services._validate(target, data, actor, None, errors)
        errors.raise_if_any()
        services._check_change(actor, target, _("You may not add a joint project for this lead entity and working group."))
        return ("project",)
    services._check_change(actor, project, _("You may read this joint project but not change it."))
    stored = Project.objects.get(pk=project.pk)
    target = Project.objects.get(pk=project.pk)
    before = snapshot(stored)  # as project_update takes it: outside the language override
    before_links = {key: services._link_ids(stored, key) for key in services.LINKS if key in data}
    with services._imported(imported):
        children, links = services._validate(target, data, actor, stored, errors)
    errors.raise_if_any()
    services._check_change(actor, target, _("You may not give the joint project this lead entity, working group or "
                                            "sensitivity."))
    with translation.override(services._base_language(target)):
        changes = diff(before, snapshot(target))
    changes.pop("updated", None)
    names = list(changes)
    names += [key for key, objects in links.items() if sorted(o.pk for o in objects) != before_links[key]]
    for key, rows in children.items():
        model, fields = services.CHILDREN[key]
        wanted = Counter(tuple(row[f] for f in fields) for row in rows)
        kept = Counter(tuple(getattr(r, f) for f in fields) for r in services._stored_rows(stored, key))
        if wanted != kept:
            names.append(model._meta.model_name)
    return tuple(names)
