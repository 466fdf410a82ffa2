"""The follow-up chain end to end: a decision at meeting N tasks an entity -> an action item -> it arises on
the draft agenda of meeting N+1 (and as overdue on that of a meeting after its due date) -> the owner marks
it done with evidence -> it no longer arises at meeting N+2; the decision's follow-up goes none -> pending
-> overdue -> done.

Dates are set around today (``T``): meeting N on T-30, N+1 on T+30, N+2 on T+120; the item is due on
T+60. "Once past due" is T+61, reached by moving the site's date (``timezone.localdate``) forward.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compact.audit.models import ChangeEvent
from compact.meetings import notifications, selectors, services
from compact.registry.models import Entity

TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def follow_up(user, decision) -> str:
    return selectors.decision_list(user=user).get(pk=decision.pk).follow_up


def arising(user, meeting) -> list[tuple[str, bool]]:
    return [(i.title, i.overdue) for i in selectors.matters_arising(user=user, meeting=meeting)]


def test_a_task_from_decision_to_done(secretariat, member_fp, wg3, meeting_factory, monkeypatch,
                                      django_capture_on_commit_callbacks):
    from compact.library.models import Document

    told = []
    monkeypatch.setattr(notifications, "notify_action_item", lambda item: told.append(item.pk) or 1)
    undp = Entity.objects.get(acronym="UNDP")
    meeting_n = meeting_factory(wg3, day=days(-30))
    meeting_n1 = meeting_factory(wg3, day=days(30))
    meeting_n2 = meeting_factory(wg3, day=days(120))

    decision = services.decision_record(actor=secretariat, meeting=meeting_n, title="Counter-drone guidance",
                                        text="UNDP drafts the guidance.", adopted_by=[Entity.objects.get(acronym="INTERPOL")])
    assert follow_up(member_fp, decision) == "none"
    assert arising(member_fp, meeting_n1) == []

    with django_capture_on_commit_callbacks(execute=True):
        item = services.action_item_create(actor=secretariat, decision=decision, title="Draft the guidance",
                                           due=days(60), owner_entity=undp)
    assert told == [item.pk]
    assert follow_up(member_fp, decision) == "pending"
    # N+1 (T+30) is before the due date (T+60); a meeting after it (N+2, T+120) sees it overdue.
    assert arising(member_fp, meeting_n1) == [("Draft the guidance", False)]
    assert arising(member_fp, meeting_n2) == [("Draft the guidance", True)]
    assert arising(member_fp, meeting_n) == []  # not at the meeting that took the decision
    meeting_n1 = services.agenda_finalise(actor=secretariat, meeting=meeting_n1, reason="Agenda agreed")

    later = days(61)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    assert follow_up(member_fp, decision) == "overdue"
    assert [i.pk for i in selectors.overdue_action_items(day=timezone.localdate())] == [item.pk]
    assert [i.pk for i in selectors.action_item_list(user=member_fp, overdue=True)] == [item.pk]

    with pytest.raises(ValidationError):  # done needs evidence
        services.action_item_update(actor=member_fp, item=item, status="done")
    report = Document.objects.create(title="Guidance on counter-drone measures", owner_entity=undp, sensitivity="internal")
    item = services.action_item_update(actor=member_fp, item=item, status="done", evidence_document=report,
                                       reason="Guidance published")
    assert (item.status, item.completed_on, item.evidence_document) == ("done", days(61), report)

    assert follow_up(member_fp, decision) == "done"
    assert arising(member_fp, meeting_n2) == []
    assert arising(member_fp, meeting_n1) == [("Draft the guidance", False)]  # frozen on N+1's final agenda
    events = ChangeEvent.objects.filter(object_type="meetings.actionitem", object_id=str(item.pk)).order_by("pk")
    assert [(e.action, e.actor) for e in events] == [("create", secretariat), ("update", member_fp)]
    assert events[1].changes["status"] == ["open", "done"]


def test_another_entity_cannot_close_the_task(secretariat, wg3_officer, outsider, wg3, meeting_factory):
    decision = services.decision_record(actor=secretariat, meeting=meeting_factory(wg3), title="Guidance", text="Draft it.")
    item = services.action_item_create(actor=secretariat, decision=decision, title="Draft", due=days(60),
                                       owner_entity=Entity.objects.get(acronym="UNDP"))
    with pytest.raises(PermissionDenied):
        services.action_item_update(actor=outsider, item=item, status="done", evidence_note="Not ours")
    # An officer of the decision's body may close it (with evidence).
    assert services.action_item_update(actor=wg3_officer, item=item, status="dropped").status == "dropped"
