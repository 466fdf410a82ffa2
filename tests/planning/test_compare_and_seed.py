"""Comparing two versions (expected differences written by hand), reading on what a user may read, and the
default programmes loaded by ``compact setup`` (facts from the seed and the design notes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import Http404

from compact.audit.models import ChangeEvent
from compact.planning import selectors
from compact.planning import services as s
from compact.planning.models import Activity, Programme, Workplan

from .conftest import REASON


def _shape(changes):
    """A hand-comparable form of ``Changes``: added/removed items by ``str``, changed ones by their
    field changes."""
    return {
        "added": [str(x) for x in changes.added],
        "removed": [str(x) for x in changes.removed],
        "changed": [(str(c.before), [(f.field, f.before, f.after) for f in c.fields]) for c in changes.changed],
    }


def test_compare_two_versions_lists_what_was_added_removed_and_changed(plan):
    sec, unoda = plan.users.secretariat, plan.users.unoda
    v2 = s.programme_new_version(actor=sec, programme=plan.v1, reason="Mid-term review")
    s.programme_update(actor=sec, programme=v2, period_end=dt.date(2025, 6, 30))
    s.priority_update(actor=sec, priority=v2.priorities.get(number=2), title="Financing the work")
    s.priority_create(actor=sec, programme=v2, number=3, title="Gender")
    workplan = v2.workplans.get()
    out1, out2 = workplan.outputs.get(number=1), workplan.outputs.get(number=2)
    s.output_update(actor=unoda, output=out2, title="Training courses")
    database = Activity.objects.get(output=out1, number=4)
    s.activity_update(actor=unoda, activity=database, title={"en": "Regional database", "fr": "Base régionale"},
                      participating_entities=[plan.entities["UNICRI"], plan.entities["OPCW"]],
                      end=dt.date(2025, 3, 31))
    s.activity_delete(actor=unoda, activity=Activity.objects.get(output=out1, number=3), reason="Dropped")
    s.activity_create(actor=unoda, output=out2, number=2, title="E-learning", lead_entity=plan.entities["UNODA"])
    s.workplan_create(actor=plan.users.wco, programme=v2, body=plan.wg2)

    result = selectors.compare(user=sec, a=plan.v1, b=v2)

    assert [(f.field, f.before, f.after) for f in result.fields] == [("period_end", "2024-12-31", "2025-06-30")]
    assert _shape(result.priorities) == {
        "added": ["3. Gender"], "removed": [],
        "changed": [("2. Financing", [("title_en", "Financing", "Financing the work")])],
    }
    assert [g.body.key for g in result.groups] == ["wg-2", "wg-3"]
    wg2, wg3 = result.groups
    assert wg2.before is None and wg2.after is not None and not wg2.outputs and not wg2.activities
    assert _shape(wg3.outputs) == {
        "added": [], "removed": [], "changed": [("2. Training", [("title_en", "Training", "Training courses")])]}
    assert _shape(wg3.activities) == {
        "added": ["E-learning"],
        "removed": ["Survey"],
        "changed": [("Database", [
            ("title_en", "Database", "Regional database"),
            ("title_fr", "", "Base régionale"),
            ("participating_entities", [], ["OPCW", "UNICRI"]),
            ("end", None, "2025-03-31"),
        ])],
    }
    assert not selectors.compare(user=sec, a=plan.v1, b=plan.v1).groups


def test_compare_two_programmes_matches_carried_activities_to_their_source(plan):
    sec = plan.users.secretariat
    target = s.programme_create(actor=sec, key="jpow-2025", title="Joint Programme of Work 2025",
                                period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
    workplan = s.workplan_create(actor=sec, programme=target, body=plan.wg3)
    s.output_create(actor=sec, workplan=workplan, number=1, title="Guidance")
    s.output_create(actor=sec, workplan=workplan, number=5, title="Training")
    s.activities_carry_over(actor=sec, source=plan.v1, target=target, reason=REASON)

    wg3 = selectors.compare(user=sec, a=plan.v1, b=target).groups[0]
    # The Course, carried from output 2 into the "Training" output numbered 5, is matched through
    # carried_from: it moved (output 2 -> 5) and restarted (delayed -> planned), it was not removed and added.
    assert _shape(wg3.activities) == {
        "added": [],
        "removed": ["Study", "Survey"],
        "changed": [
            ("Workshop", [("status", "ongoing", "planned")]),
            ("Course", [("output", 2, 5), ("status", "delayed", "planned")]),
        ],
    }
    # output 1 served priority 1 in v1; the new programme has no priorities yet
    assert _shape(wg3.outputs) == {"added": ["5. Training"], "removed": ["2. Training"],
                                   "changed": [("1. Guidance", [("priority", 1, None)])]}


def test_a_visitor_sees_neither_an_internal_draft_nor_its_comparison(plan):
    visitor = AnonymousUser()
    draft = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    assert list(selectors.programme_list(user=visitor)) == []
    assert set(selectors.programme_list(user=plan.users.outsider)) == {plan.v1, draft}
    with pytest.raises(Http404):
        selectors.programme_get(user=visitor, pk=draft.pk)
    with pytest.raises(Http404):
        selectors.compare(user=visitor, a=plan.v1, b=draft)


def test_compare_leaves_out_a_workplan_the_user_may_not_read(plan):
    sec = plan.users.secretariat
    v2 = s.programme_new_version(actor=sec, programme=plan.v1, reason=REASON)
    s.workplan_create(actor=sec, programme=v2, body=plan.wg2, sensitivity="confidential", reason="Restricted plan")
    assert [g.body.key for g in selectors.compare(user=sec, a=plan.v1, b=v2).groups] == ["wg-2"]
    assert selectors.compare(user=plan.users.unoda, a=plan.v1, b=v2).groups == ()  # UNODA is not in wg-2
    assert [g.body.key for g in selectors.compare(user=plan.users.wco, a=plan.v1, b=v2).groups] == ["wg-2"]


# --- The default programmes ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_setup_loads_the_adopted_programmes_into_an_empty_planning_table():
    call_command("setup", no_static=True, verbosity=0)
    # [seed] line 11: first joint programme of work, 2019-2020, adopted on 27 July 2019 by the Committee;
    # [design] 2024-2026 adopted on 24 January 2024.
    rows = list(Programme.objects.order_by("period_start").values_list(
        "key", "version", "status", "adopted_on", "decision", "sensitivity", "owner_body__key", "title_en", "title_fr"))
    assert rows == [
        ("jpow-2019-2020", 1, "adopted", dt.date(2019, 7, 27), "", "public", "committee",
         "Joint Programme of Work 2019-2020", "Programme de travail commun 2019-2020"),
        ("jpow-2024-2026", 1, "adopted", dt.date(2024, 1, 24), "", "public", "committee",
         "Joint Programme of Work 2024-2026", "Programme de travail commun 2024-2026"),
    ]
    first, second = Programme.objects.order_by("period_start")
    assert sorted(Workplan.objects.filter(programme=first).values_list("body__number", flat=True)) == list(range(1, 9))
    assert not first.workplans.filter(outputs__isnull=False).exists()  # no invented outputs
    assert not second.priorities.exists() and "five priorities" in second.summary_en  # titles not in our sources
    assert ChangeEvent.objects.filter(object_type="planning.programme", actor_label="compact setup").count() == 4

    events = ChangeEvent.objects.count()
    call_command("setup", no_static=True, verbosity=0)
    assert Programme.objects.count() == 2 and ChangeEvent.objects.count() == events
    assert s.load_default_programmes() == []


def test_the_public_programmes_are_read_by_visitors(seeded):
    s.load_default_programmes()
    visitor = AnonymousUser()
    assert [p.key for p in selectors.programme_list(user=visitor)] == ["jpow-2024-2026", "jpow-2019-2020"]
    programme = Programme.objects.get(key="jpow-2019-2020")
    assert len(selectors.workplan_list(user=visitor, programme=programme)) == 8
