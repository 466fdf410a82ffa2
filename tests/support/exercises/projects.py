"""Audit exercises of ``compact.projects.services`` (see ``tests/support/exercises/__init__.py``).

The factory's project (``support.projects.make_project``) has 2 participants, 1 sector, 2 areas, 1 SDG
target and 1 budget: 8 rows with the project itself (its working groups and pillars are fields of the
project's event)."""

from __future__ import annotations

from decimal import Decimal

ROWS_OF_FACTORY_PROJECT = 8


def _project(**kw):
    """A factory project (set-up: its own events are counted in ``_setup_events``)."""
    from support.projects import make_project

    return make_project(None, **kw)


def _setup_events(since: int) -> int:
    """The change-log events written since event id ``since`` by an exercise's set-up, which the audit
    test counts with the service's own."""
    from compact.audit.models import ChangeEvent

    return ChangeEvent.objects.filter(pk__gt=since).count()


def _last_event() -> int:
    from compact.audit.models import ChangeEvent

    return ChangeEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def ex_project_create(ctx, s):
    from support.projects import DEFAULTS, _resolve

    s.project_create(actor=ctx.secretariat, data=_resolve(DEFAULTS), reason="New joint project")
    return ROWS_OF_FACTORY_PROJECT


def ex_project_update(ctx, s):
    mark = _last_event()
    project = _project()
    setup = _setup_events(mark)
    s.project_update(actor=ctx.secretariat, project=project, reason="Shares revised",
                     data={"title": "Border security in the Sahel, phase 2",
                           "areas": [{"code": "466", "percentage": Decimal("50")},
                                     {"code": "562", "percentage": Decimal("50")}]})
    return setup + 5  # the project, 2 areas deleted, 2 created


def ex_project_delete(ctx, s):
    mark = _last_event()
    project = _project()
    setup = _setup_events(mark)
    s.project_delete(actor=ctx.secretariat, project=project, reason="Duplicate")
    return setup + ROWS_OF_FACTORY_PROJECT


def ex_project_submit(ctx, s):
    mark = _last_event()
    project = _project()
    setup = _setup_events(mark)
    s.project_submit(actor=ctx.secretariat, project=project, reason="Ready for the working group")
    return setup + 1


def ex_project_endorse(ctx, s):
    from compact.registry.models import Person

    mark = _last_event()
    project = _project(stage="submitted")
    setup = _setup_events(mark)
    officer = ctx.focal
    Person.objects.filter(user=officer).update(entity=project.lead_entity)  # UNODC vice-chairs wg-2
    officer.__dict__.pop("_compact_principals", None)
    s.project_endorse(actor=officer, project=project, reason="Endorsed at the group's meeting")
    return setup + 1


def ex_project_publish(ctx, s):
    mark = _last_event()
    project = _project(stage="endorsed")
    setup = _setup_events(mark)
    s.project_publish(actor=ctx.secretariat, project=project, reason="Appeal 2025")
    return setup + 1


def ex_project_return(ctx, s):
    mark = _last_event()
    project = _project(stage="submitted")
    setup = _setup_events(mark)
    s.project_return(actor=ctx.secretariat, project=project, reason="Budget incomplete")
    return setup + 1


EXERCISES = {
    "compact.projects.services.project_create": ex_project_create,
    "compact.projects.services.project_update": ex_project_update,
    "compact.projects.services.project_delete": ex_project_delete,
    "compact.projects.services.project_submit": ex_project_submit,
    "compact.projects.services.project_endorse": ex_project_endorse,
    "compact.projects.services.project_publish": ex_project_publish,
    "compact.projects.services.project_return": ex_project_return,
}
