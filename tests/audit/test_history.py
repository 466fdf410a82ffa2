"""Each object's own history: on the entity, working-group and Committee pages, and for access-controlled
content, shown only to those who may read the object."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from compact.audit.models import ChangeEvent
from compact.audit.selectors import object_history
from compact.audit.services import delete_with_audit, diff, record_change, save_with_audit, snapshot
from compact.registry.models import Body, Entity, EntityAlias, LeadershipRole, Participation, Person

CHILDREN = {
    "registry.entity": {"registry.entityalias": "entity_id", "registry.participation": "entity_id",
                        "registry.leadershiprole": "entity_id"},
    "registry.body": {"registry.participation": "body_id", "registry.leadershiprole": "body_id",
                      "registry.milestone": "body_id"},
}


def _expected_history(obj) -> list[int]:
    """The ids of the events of ``obj`` and of every row that ever pointed to it, newest first,
    worked out from the whole log in Python."""
    label = obj._meta.label_lower
    events = list(ChangeEvent.objects.all())
    children: set[tuple[str, str]] = set()
    for event in events:
        fk = CHILDREN[label].get(event.object_type)
        if fk and obj.pk in (event.changes.get(fk) or []):
            children.add((event.object_type, event.object_id))
    for child_type, fk in CHILDREN[label].items():
        model = {"registry.entityalias": EntityAlias, "registry.participation": Participation,
                 "registry.leadershiprole": LeadershipRole}.get(child_type)
        if model is not None:
            children |= {(child_type, str(pk)) for pk in model.objects.filter(**{fk: obj.pk}).values_list("pk", flat=True)}
    mine = [e for e in events if (e.object_type, e.object_id) == (label, str(obj.pk)) or (e.object_type, e.object_id) in children]
    return [e.pk for e in sorted(mine, key=lambda e: (e.time, e.pk), reverse=True)]


@pytest.fixture
def changed(seeded, secretariat):
    """UNODA leaves working group 3 (the participation is deleted), gains an alias, and its entity row
    changes; working group 3's mandate changes."""
    unoda = Entity.objects.get(acronym="UNODA")
    wg3 = Body.objects.get(key="wg-3")
    leaving = Participation.objects.get(entity=unoda, body=wg3)
    delete_with_audit(obj=leaving, reason="UNODA left the group (letter of 3 March)", actor=secretariat)
    save_with_audit(obj=EntityAlias(entity=unoda, name="Office for Disarmament Affairs"), reason="Spelling in reports",
                    actor=secretariat)
    unoda.iati_identifier = "XM-DAC-41999"
    save_with_audit(obj=unoda, reason="IATI registration", actor=secretariat)
    wg3.mandate_en = "A new mandate."
    save_with_audit(obj=wg3, reason="Mandate renewed", actor=secretariat)
    return unoda, wg3


@pytest.mark.django_db
def test_entity_history_includes_its_aliases_participations_and_roles(changed):
    unoda, _ = changed
    history = object_history(user=AnonymousUser(), obj=unoda)
    assert [row.event.pk for row in history] == _expected_history(unoda)
    kinds = [(row.event.object_type, row.event.action) for row in history[:3]]
    assert kinds == [("registry.entity", "update"), ("registry.entityalias", "create"), ("registry.participation", "delete")]
    assert [row.child for row in history[:3]] == [False, True, True]
    assert {(f.label, f.before, f.after) for f in history[0].fields} == {("IATI organisation identifier", "", "XM-DAC-41999")}
    assert any(r.event.object_type == "registry.leadershiprole" for r in history)  # its vice-chair role in wg-3


@pytest.mark.django_db
def test_body_history_includes_rows_that_left_it(changed):
    unoda, wg3 = changed
    history = object_history(user=AnonymousUser(), obj=wg3)
    assert [row.event.pk for row in history] == _expected_history(wg3)
    assert (history[0].event.object_type, history[0].event.action) == ("registry.body", "update")
    left = history[1]
    assert (left.event.object_type, left.event.action) == ("registry.participation", "delete")
    fields = {f.label: (f.before, f.after) for f in left.fields}
    assert fields["entity"] == ("UNODA", "")  # named, not numbered
    assert fields["capacity"] == ("member", "")


@pytest.mark.django_db
def test_visitors_see_what_changed_but_not_who_or_why(changed, client, focal_point):
    unoda, wg3 = changed
    for path in ("/entities/UNODA/", "/working-groups/3/"):
        html = client.get(path).content.decode()
        section = html[html.index('id="history-heading"'):]
        assert "Sign in to see who made each change and why." in section
        assert "amara" not in section and "UNODA left the group" not in section
        assert "deleted" in section.lower()
    client.force_login(focal_point)
    html = client.get("/working-groups/3/").content.decode()
    section = html[html.index('id="history-heading"'):]
    assert "amara" in section and "UNOCT" in section
    assert "UNODA left the group (letter of 3 March)" in section
    assert "A new mandate." in section


@pytest.mark.django_db
def test_committee_page_shows_its_history(changed, client):
    committee = Body.objects.get(kind=Body.Kind.COMMITTEE)
    response = client.get("/committee/")
    assert [row.event.pk for row in response.context["history"]] == _expected_history(committee)[:50]
    assert 'id="history-heading"' in response.content.decode()


@pytest.mark.django_db
def test_history_is_limited_and_its_queries_do_not_grow(changed, events, client, django_assert_num_queries):
    unoda, wg3 = changed
    client.get("/entities/UNODA/")  # warm caches (content types, translations)
    with django_assert_num_queries(8):  # entity, aliases, roles, participations, contacts, history events, entities, bodies
        short = client.get("/entities/UNODA/")
    for i in range(100):
        events.change_at(events.at("2025-01-01") + dt.timedelta(minutes=i), object_id=str(unoda.pk), object_repr="UNODA",
                         changes={"name_en": [f"n{i}", f"n{i + 1}"]})
        events.change_at(events.at("2025-01-01") + dt.timedelta(minutes=i, seconds=1), action="create",
                         object_type="registry.participation", object_id=str(5000 + i), object_repr=f"UNODA member of {i}",
                         changes={"entity_id": [None, unoda.pk], "body_id": [None, wg3.pk], "capacity": [None, "observer"]})
    with django_assert_num_queries(8):
        long = client.get("/entities/UNODA/")
    assert len(short.context["history"]) < 50
    assert len(long.context["history"]) == 50 and long.context["history"].truncated
    assert "older ones are in the full log" in long.content.decode()


# --- access-controlled content -----------------------------------------------------------------------


def _person_with_history(*, secretariat, levels: list[str]) -> Person:
    """A person of UNODC written at each of ``levels`` in turn, every write recorded."""
    person = Person(entity=Entity.objects.get(acronym="UNODC"), given_name="Ilse", family_name="Varga",
                    function="representative", sensitivity=levels[0], email="ilse@example.org")
    save_with_audit(obj=person, reason="Contact added", actor=secretariat)
    for n, level in enumerate(levels[1:], start=1):
        before = snapshot(person)
        person.sensitivity = level
        person.job_title = f"Officer {n}"
        person.save()
        record_change(action="update", obj=person, changes=diff(before, snapshot(person)), reason=f"Step {n}",
                      actor=secretariat)
    return person


@pytest.mark.django_db
def test_history_of_a_confidential_object_is_hidden_from_those_who_may_not_read_it(seeded, secretariat, focal_point,
                                                                                   make_user):
    person = _person_with_history(secretariat=secretariat, levels=["confidential", "confidential"])
    colleague = make_user("nadia", entity="UNODC", function="representative")
    assert len(object_history(user=secretariat, obj=person)) == 2
    assert len(object_history(user=colleague, obj=person)) == 2  # an affiliate of the owning entity
    assert list(object_history(user=focal_point, obj=person)) == []  # UNODA's focal point may not read it
    assert list(object_history(user=AnonymousUser(), obj=person)) == []


@pytest.mark.django_db
def test_changes_made_while_an_item_was_more_sensitive_are_withheld(seeded, secretariat, focal_point):
    person = _person_with_history(secretariat=secretariat, levels=["strictly_confidential", "internal", "internal"])
    history = object_history(user=focal_point, obj=person)  # internal now: any signed-in user may read it
    assert [row.reason for row in reversed(history)] == ["", "", "Step 2"]
    assert [row.withheld for row in reversed(history)] == [True, True, False]
    assert reversed(history).__next__().fields == []
    assert {(f.field, f.before, f.after) for f in history[0].fields} == {("job_title", "Officer 1", "Officer 2")}
    assert not any(row.withheld for row in object_history(user=secretariat, obj=person))
    assert list(object_history(user=AnonymousUser(), obj=person)) == []  # internal: not for visitors
