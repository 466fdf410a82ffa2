"""Audit exercises of ``compact.appeals.services``: each sets up its rows through the ORM (no event),
then calls one service and says how many rows it writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone


def _project(ctx, stage="published"):
    from compact.projects.models import Project
    from compact.registry.models import Body

    return Project.objects.create(title="Border security", lead_entity=ctx.person.entity,
                                  lead_body=Body.objects.get(key="wg-2"), stage=stage)


def _call(ctx, status="draft", **kw):
    from compact.appeals.models import Call, Criterion
    from compact.registry.models import Body

    call = Call.objects.create(title="Call", body=Body.objects.get(key="wg-5"), status=status,
                               deadline=timezone.now() + dt.timedelta(days=7), **kw)
    Criterion.objects.create(call=call, number=1, name="Relevance", weight=Decimal("40"))
    call.reviewers.set([ctx.secretariat])
    return call


def _appeal(ctx, **kw):
    from compact.appeals.models import Appeal
    from compact.registry.models import Body

    fields = {"key": "africa", "title": "Joint Appeal", "body": Body.objects.get(key="wg-5"),
              "period_start": dt.date(2025, 1, 1), "period_end": dt.date(2026, 12, 31)} | kw
    return Appeal.objects.create(**fields)


def ex_call_create(ctx, s):
    s.call_create(actor=ctx.secretariat, title="Call", deadline=timezone.now() + dt.timedelta(days=7),
                  criteria=[{"name": "Relevance", "weight": 40}, {"name": "Joint delivery", "weight": 60}],
                  reviewers=[ctx.secretariat], reason="Joint Appeal")
    return 3  # the call and its two criteria


def ex_call_update(ctx, s):
    s.call_update(actor=ctx.secretariat, call=_call(ctx), title="Call for Africa", reason="Retitled")
    return 1


def ex_call_open(ctx, s):
    s.call_open(actor=ctx.secretariat, call=_call(ctx), reason="Criteria agreed")
    return 1


def ex_call_close(ctx, s):
    s.call_close(actor=ctx.secretariat, call=_call(ctx, status="open"), reason="Deadline")
    return 1


def ex_call_delete(ctx, s):
    s.call_delete(actor=ctx.secretariat, call=_call(ctx), reason="Replaced by a new call")
    return 2  # its criterion and the call


def ex_proposal_submit(ctx, s):
    s.proposal_submit(actor=ctx.focal, call=_call(ctx, status="open"), project=_project(ctx), reason="Our project")
    return 1


def ex_proposal_withdraw(ctx, s):
    from compact.appeals.models import Proposal

    proposal = Proposal.objects.create(call=_call(ctx, status="open"), project=_project(ctx))
    s.proposal_withdraw(actor=ctx.focal, proposal=proposal, reason="Funded elsewhere")
    return 1


def ex_score_set(ctx, s):
    from compact.appeals.models import Proposal

    call = _call(ctx, status="closed")
    proposal = Proposal.objects.create(call=call, project=_project(ctx))
    s.score_set(actor=ctx.secretariat, proposal=proposal, criterion=call.criteria.get(), score=4, reason="Review")
    return 1


def ex_call_select(ctx, s):
    from compact.appeals.models import Proposal

    call = _call(ctx, status="closed")
    proposal = Proposal.objects.create(call=call, project=_project(ctx))
    s.call_select(actor=ctx.secretariat, call=call, selected=[proposal], reason="WG 5 meeting")
    return 2  # the proposal and the call


def ex_appeal_create(ctx, s):
    s.appeal_create(actor=ctx.secretariat, key="africa", title="Joint Appeal", period_start=dt.date(2025, 1, 1),
                    period_end=dt.date(2026, 12, 31), projects=[_project(ctx)], reason="Draft")
    return 1


def ex_appeal_update(ctx, s):
    s.appeal_update(actor=ctx.secretariat, appeal=_appeal(ctx), projects=[_project(ctx)], reason="Projects added")
    return 1


def ex_appeal_from_call(ctx, s):
    from compact.appeals.models import Proposal

    call = _call(ctx, status="decided")
    Proposal.objects.create(call=call, project=_project(ctx), status="selected")
    s.appeal_from_call(actor=ctx.secretariat, call=call, key="africa", period_start=dt.date(2025, 1, 1),
                       period_end=dt.date(2026, 12, 31), reason="Selected projects")
    return 2  # the appeal and the call


def ex_appeal_publish(ctx, s):
    appeal = _appeal(ctx)
    appeal.projects.set([_project(ctx)])
    s.appeal_publish(actor=ctx.secretariat, appeal=appeal, reason="Launch")
    return 1


def ex_appeal_close(ctx, s):
    s.appeal_close(actor=ctx.secretariat, appeal=_appeal(ctx, status="published", sensitivity="public"), reason="Over")
    return 1


EXERCISES = {
    f"compact.appeals.services.{name}": fn
    for name, fn in {
        "call_create": ex_call_create, "call_update": ex_call_update, "call_open": ex_call_open,
        "call_close": ex_call_close, "call_delete": ex_call_delete, "proposal_submit": ex_proposal_submit,
        "proposal_withdraw": ex_proposal_withdraw,
        "score_set": ex_score_set, "call_select": ex_call_select, "appeal_create": ex_appeal_create,
        "appeal_update": ex_appeal_update, "appeal_from_call": ex_appeal_from_call, "appeal_publish": ex_appeal_publish,
        "appeal_close": ex_appeal_close,
    }.items()
}
