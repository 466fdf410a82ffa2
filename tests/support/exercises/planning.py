"""Audit exercises of ``compact.planning.services`` (see ``tests/support/exercises/__init__.py``).

The set-up writes through the ORM (no events): a draft programme with priority 1, wg-3's workplan with
output 1 and activity 1 (led by UNODC, UNODA taking part), and an adopted programme with wg-3's
workplan, output 1 and two activities, one ongoing and one completed.
"""

from __future__ import annotations

import datetime as dt

REASON = "Workplan session of the working group"


def _draft():
    from compact.planning.models import Activity, Output, Priority, Programme, Workplan
    from compact.registry.models import Body, Entity

    committee = Body.objects.get(key="committee")
    programme = Programme.objects.create(key="jpow-test", title_en="Joint Programme of Work (test)", owner_body=committee,
                                         period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 12, 31))
    priority = Priority.objects.create(programme=programme, number=1, title_en="Border security")
    workplan = Workplan.objects.create(programme=programme, body=Body.objects.get(key="wg-3"))
    output = Output.objects.create(workplan=workplan, number=1, title_en="Guidance", priority=priority)
    activity = Activity.objects.create(output=output, number=1, title_en="Workshop",
                                       lead_entity=Entity.objects.get(acronym="UNODC"))
    activity.participating_entities.set([Entity.objects.get(acronym="UNODA")])
    return programme, priority, workplan, output, activity


def _adopted():
    from compact.planning.models import Activity, Output, Programme, Workplan
    from compact.registry.models import Body, Entity

    programme = Programme.objects.create(key="jpow-old", title_en="Joint Programme of Work (earlier)",
                                         owner_body=Body.objects.get(key="committee"), status="adopted",
                                         adopted_on=dt.date(2024, 1, 24), period_start=dt.date(2024, 1, 1),
                                         period_end=dt.date(2024, 12, 31))
    workplan = Workplan.objects.create(programme=programme, body=Body.objects.get(key="wg-3"))
    output = Output.objects.create(workplan=workplan, number=1, title_en="Guidance")
    unodc = Entity.objects.get(acronym="UNODC")
    Activity.objects.create(output=output, number=1, title_en="Workshop", lead_entity=unodc, status="ongoing")
    Activity.objects.create(output=output, number=2, title_en="Study", lead_entity=unodc, status="completed")
    return programme


def ex_programme_create(ctx, s):
    s.programme_create(actor=ctx.secretariat, reason=REASON, key="jpow-2027", title="Joint Programme of Work 2027",
                       period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31))
    return 1


def ex_programme_update(ctx, s):
    programme = _draft()[0]
    s.programme_update(actor=ctx.secretariat, programme=programme, reason=REASON, title={"fr": "Programme (essai)"})
    return 1


def ex_programme_adopt(ctx, s):
    previous = _adopted()
    draft = _draft()[0]
    draft.key, draft.version, draft.supersedes = previous.key, 2, previous
    draft.save()
    s.programme_adopt(actor=ctx.secretariat, programme=draft, adopted_on=dt.date(2025, 2, 1), reason=REASON)
    return 2  # the adopted version, and the one it supersedes


def ex_programme_new_version(ctx, s):
    s.programme_new_version(actor=ctx.secretariat, programme=_adopted(), reason=REASON)
    return 5  # the new version, its workplan, its output and its two activities


def ex_priority_create(ctx, s):
    s.priority_create(actor=ctx.secretariat, programme=_draft()[0], number=2, title="Financing", reason=REASON)
    return 1


def ex_priority_update(ctx, s):
    s.priority_update(actor=ctx.secretariat, priority=_draft()[1], title="Border management", reason=REASON)
    return 1


def ex_priority_delete(ctx, s):
    s.priority_delete(actor=ctx.secretariat, priority=_draft()[1], reason=REASON)
    return 2  # the output serving it loses its priority, and the priority is deleted


def ex_workplan_create(ctx, s):
    from compact.registry.models import Body

    s.workplan_create(actor=ctx.secretariat, programme=_draft()[0], body=Body.objects.get(key="wg-2"), reason=REASON)
    return 1


def ex_workplan_update(ctx, s):
    s.workplan_update(actor=ctx.secretariat, workplan=_draft()[2], summary="Border security first", reason=REASON)
    return 1


def ex_output_create(ctx, s):
    s.output_create(actor=ctx.secretariat, workplan=_draft()[2], number=2, title="Training", reason=REASON)
    return 1


def ex_output_update(ctx, s):
    s.output_update(actor=ctx.secretariat, output=_draft()[3], title="Guidance notes", reason=REASON)
    return 1


def ex_output_delete(ctx, s):
    from compact.planning.models import Output

    workplan = _draft()[2]
    s.output_delete(actor=ctx.secretariat, output=Output.objects.create(workplan=workplan, number=9, title_en="Spare"),
                    reason=REASON)
    return 1


def ex_activity_create(ctx, s):
    from compact.registry.models import Entity

    s.activity_create(actor=ctx.secretariat, output=_draft()[3], number=2, title="Expert meeting",
                      lead_entity=Entity.objects.get(acronym="UNODA"),
                      participating_entities=[Entity.objects.get(acronym="UNODC"), Entity.objects.get(acronym="OPCW")],
                      reason=REASON)
    return 1  # its participating entities are part of its event


def ex_activity_update(ctx, s):
    from compact.registry.models import Entity

    s.activity_update(actor=ctx.secretariat, activity=_draft()[4], status="ongoing",
                      participating_entities=[Entity.objects.get(acronym="OPCW")], reason=REASON)
    return 1


def ex_activity_delete(ctx, s):
    s.activity_delete(actor=ctx.secretariat, activity=_draft()[4], reason=REASON)
    return 1


def ex_activities_carry_over(ctx, s):
    source = _adopted()
    target = _draft()[0]
    s.activities_carry_over(actor=ctx.secretariat, source=source, target=target, reason=REASON)
    return 1  # only the ongoing activity, into wg-3's existing workplan and its output 1 ("Guidance")


def ex_load_default_programmes(ctx, s):
    s.load_default_programmes(actor=ctx.secretariat, reason=REASON)
    return 12  # 2019-2020: programme, eight workplans, adoption; 2024-2026: programme, adoption


EXERCISES = {
    f"compact.planning.services.{fn.__name__[3:]}": fn
    for fn in (ex_programme_create, ex_programme_update, ex_programme_adopt, ex_programme_new_version,
               ex_priority_create, ex_priority_update, ex_priority_delete, ex_workplan_create, ex_workplan_update,
               ex_output_create, ex_output_update, ex_output_delete, ex_activity_create, ex_activity_update,
               ex_activity_delete, ex_activities_carry_over, ex_load_default_programmes)
}
