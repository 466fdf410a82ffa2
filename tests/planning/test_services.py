"""The rules of the planning services: a version is locked once adopted, adopting a version supersedes the
one it revises, a new version copies everything, the carry-over takes each unfinished activity once,
and only the right people write (world in ``conftest.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from compact.planning import services as s
from compact.planning.models import Activity, Output, Priority, Programme, Workplan

from .conftest import REASON


def _messages(exc: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


# --- Locks ---------------------------------------------------------------------------------------------


def test_an_adopted_version_is_locked_and_says_to_make_a_new_version(plan):
    sec = plan.users.secretariat
    with pytest.raises(ValidationError) as exc:
        s.programme_update(actor=sec, programme=plan.v1, title="Renamed", reason=REASON)
    assert "make a new version" in _messages(exc, "status")
    with pytest.raises(ValidationError):
        s.priority_create(actor=sec, programme=plan.v1, number=3, title="Gender", reason=REASON)
    with pytest.raises(ValidationError):
        s.output_create(actor=sec, workplan=plan.workplan, number=3, title="Outreach", reason=REASON)
    with pytest.raises(ValidationError):
        s.activity_update(actor=sec, activity=plan.acts.database, title="Regional database", reason=REASON)
    with pytest.raises(ValidationError):
        s.workplan_create(actor=sec, programme=plan.v1, body=plan.wg2, reason=REASON)
    plan.v1.refresh_from_db()
    assert plan.v1.title_en == "Joint Programme of Work (test)"


def test_the_status_of_an_activity_of_an_adopted_programme_changes_with_a_reason(plan):
    unoda = plan.users.unoda
    with pytest.raises(ReasonRequired):
        s.activity_update(actor=unoda, activity=plan.acts.database, status="ongoing")
    event = s.activity_update(actor=unoda, activity=plan.acts.database, status="ongoing", reason="Started in March")
    assert event.changes == {"status": ["planned", "ongoing"]}
    plan.acts.database.refresh_from_db()
    assert plan.acts.database.status == "ongoing"


def test_validation_names_the_field_and_what_is_wrong(plan):
    sec = plan.users.secretariat
    with pytest.raises(ValidationError) as exc:
        s.programme_create(actor=sec, key="jpow-bad", title="", period_start=dt.date(2025, 12, 31),
                           period_end=dt.date(2025, 1, 1))
    assert set(exc.value.message_dict) == {"title", "period_end"}
    assert "2025-01-01" in _messages(exc, "period_end") and "2025-12-31" in _messages(exc, "period_end")
    with pytest.raises(ValidationError) as exc:
        s.programme_create(actor=sec, key="jpow-test", title="Again", period_start=dt.date(2025, 1, 1),
                           period_end=dt.date(2025, 12, 31))
    assert "new version" in _messages(exc, "key")

    draft = s.programme_new_version(actor=sec, programme=plan.v1, reason=REASON)
    output = draft.workplans.get().outputs.get(number=1)
    with pytest.raises(ValidationError) as exc:
        s.activity_create(actor=sec, output=output, number=1, title="Clash", lead_entity=plan.entities["UNODA"],
                          participating_entities=[plan.entities["UNODA"]], start=dt.date(2025, 3, 1),
                          end=dt.date(2025, 2, 1))
    assert set(exc.value.message_dict) == {"number", "end", "participating_entities"}
    assert "already has an activity 1" in _messages(exc, "number")
    with pytest.raises(ValidationError) as exc:
        s.priority_create(actor=sec, programme=draft, number=0, title="Zero")
    assert "1 to 32767" in _messages(exc, "number")


# --- Adoption and versions ------------------------------------------------------------------------------


def test_adopting_a_new_version_supersedes_the_one_it_revises_in_one_step(plan):
    sec = plan.users.secretariat
    v2 = s.programme_new_version(actor=sec, programme=plan.v1, reason="Mid-term review")
    with pytest.raises(ReasonRequired):
        s.programme_adopt(actor=sec, programme=v2, adopted_on=dt.date(2024, 7, 1), reason="")
    with pytest.raises(ValidationError) as exc:
        s.programme_adopt(actor=sec, programme=v2, adopted_on=dt.date(2023, 12, 31), reason=REASON)
    assert "2024-01-24" in _messages(exc, "adopted_on")

    before = ChangeEvent.objects.count()
    s.programme_adopt(actor=sec, programme=v2, adopted_on=dt.date(2024, 7, 1), decision="CC/2024/7", reason=REASON)
    plan.v1.refresh_from_db()
    v2.refresh_from_db()
    assert (plan.v1.status, v2.status) == ("superseded", "adopted")
    assert (v2.adopted_on, v2.decision, v2.version, v2.supersedes_id) == (dt.date(2024, 7, 1), "CC/2024/7", 2, plan.v1.pk)
    events = ChangeEvent.objects.order_by("pk")[before:]
    assert [(e.object_id, e.changes["status"]) for e in events] == [
        (str(plan.v1.pk), ["adopted", "superseded"]), (str(v2.pk), ["draft", "adopted"])]
    with pytest.raises(ValidationError):
        s.programme_new_version(actor=sec, programme=plan.v1, reason=REASON)  # superseded: revise v2


def test_a_new_version_copies_priorities_workplans_outputs_and_activities(plan):
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason="Mid-term review")
    assert (v2.key, v2.version, v2.status, v2.supersedes_id) == ("jpow-test", 2, "draft", plan.v1.pk)
    assert (v2.title_en, v2.title_fr) == ("Joint Programme of Work (test)", "Programme de travail commun (essai)")
    assert list(v2.priorities.values_list("number", "title_en")) == [(1, "Border security"), (2, "Financing")]
    workplan = v2.workplans.get()
    assert (workplan.body_id, workplan.summary_en) == (plan.wg3.pk, "Working group 3's workplan")
    outputs = list(workplan.outputs.order_by("number"))
    assert [(o.number, o.title_en) for o in outputs] == [(1, "Guidance"), (2, "Training")]
    assert outputs[0].priority.programme_id == v2.pk and outputs[0].priority.number == 1
    rows = sorted((a.output.number, a.number, a.title_en, a.lead_entity.acronym, a.status, a.start, a.end)
                  for a in Activity.objects.filter(output__workplan=workplan))
    assert rows == [
        (1, 1, "Workshop", "UNODA", "ongoing", dt.date(2024, 2, 1), dt.date(2024, 6, 30)),
        (1, 2, "Study", "UNODA", "completed", None, None),
        (1, 3, "Survey", "UNICRI", "cancelled", None, None),
        (1, 4, "Database", "UNODA", "planned", None, None),
        (2, 1, "Course", "UNODC", "delayed", None, None),
    ]
    workshop = Activity.objects.get(output__workplan=workplan, title_en="Workshop")
    assert [e.acronym for e in workshop.participating_entities.all()] == ["OPCW"]
    # the copy is a draft: it changes while the adopted version stays as it was
    s.activity_update(actor=plan.users.unoda, activity=workshop, title="Regional workshop")
    plan.acts.workshop.refresh_from_db()
    assert plan.acts.workshop.title_en == "Workshop"


# --- Carry-over -----------------------------------------------------------------------------------------


@pytest.fixture
def next_programme(plan):
    """A draft programme for 2025 with wg-3's workplan and an output 1 "Guidance" already in it."""
    sec = plan.users.secretariat
    target = s.programme_create(actor=sec, key="jpow-2025", title="Joint Programme of Work 2025",
                                period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
    workplan = s.workplan_create(actor=sec, programme=target, body=plan.wg3)
    s.output_create(actor=sec, workplan=workplan, number=1, title="Guidance")
    return target


def test_carry_over_takes_each_unfinished_activity_and_skips_finished_ones(plan, next_programme):
    carried = s.activities_carry_over(actor=plan.users.secretariat, source=plan.v1, target=next_programme,
                                      reason="Unfinished work of 2024")
    # unfinished: Workshop (ongoing), Database (planned), Course (delayed); Study completed, Survey cancelled
    assert sorted((a.output.number, a.output.title_en, a.number, a.title_en, a.status, a.carried_from_id) for a in carried) == [
        (1, "Guidance", 1, "Workshop", "planned", plan.acts.workshop.pk),
        (1, "Guidance", 4, "Database", "planned", plan.acts.database.pk),
        (2, "Training", 1, "Course", "planned", plan.acts.course.pk),
    ]
    assert Workplan.objects.filter(programme=next_programme).count() == 1  # the existing one was used
    assert Output.objects.filter(workplan__programme=next_programme).count() == 2  # "Training" created

    events = ChangeEvent.objects.count()
    again = s.activities_carry_over(actor=plan.users.secretariat, source=plan.v1, target=next_programme,
                                    reason="Unfinished work of 2024")
    assert again == []
    assert ChangeEvent.objects.count() == events
    assert Activity.objects.filter(output__workplan__programme=next_programme).count() == 3


def test_carry_over_creates_the_missing_workplan_and_needs_a_draft_target_and_a_reason(plan):
    sec = plan.users.secretariat
    target = s.programme_create(actor=sec, key="jpow-2025", title="Joint Programme of Work 2025",
                                period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
    with pytest.raises(ReasonRequired):
        s.activities_carry_over(actor=sec, source=plan.v1, target=target, reason="")
    with pytest.raises(ValidationError):
        s.activities_carry_over(actor=sec, source=target, target=plan.v1, reason=REASON)
    carried = s.activities_carry_over(actor=sec, source=plan.v1, target=target, reason=REASON)
    assert len(carried) == 3
    assert list(Workplan.objects.filter(programme=target).values_list("body__key", flat=True)) == ["wg-3"]


# --- Who may write ---------------------------------------------------------------------------------------


def test_a_workplan_is_changed_by_its_groups_officers_and_not_by_another_groups(plan):
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    workplan = v2.workplans.get()
    output = s.output_create(actor=plan.users.unoda, workplan=workplan, number=3, title="Outreach", reason="")
    assert output.workplan_id == workplan.pk
    for user in (plan.users.wco, plan.users.outsider):
        with pytest.raises(PermissionDenied):
            s.output_create(actor=user, workplan=workplan, number=4, title="Outreach 2")
        with pytest.raises(PermissionDenied):
            s.workplan_update(actor=user, workplan=workplan, summary="Hijacked")
    with pytest.raises(PermissionDenied):
        s.workplan_create(actor=plan.users.unoda, programme=v2, body=plan.wg2)
    s.workplan_create(actor=plan.users.wco, programme=v2, body=plan.wg2)


def test_only_the_secretariat_or_committee_officers_write_programmes(plan):
    for user in (plan.users.unoda, plan.users.wco, plan.users.outsider):
        with pytest.raises(PermissionDenied):
            s.programme_create(actor=user, key="jpow-x", title="X", period_start=dt.date(2025, 1, 1),
                               period_end=dt.date(2025, 12, 31))
        with pytest.raises(PermissionDenied):
            s.programme_new_version(actor=user, programme=plan.v1, reason=REASON)
    assert not Programme.objects.filter(key="jpow-x").exists()
    assert Priority.objects.filter(programme=plan.v1).count() == 2
