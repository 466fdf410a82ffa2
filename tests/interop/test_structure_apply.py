"""Applying a structure file to the registry: natural keys, exact participation and leadership,
kept absentees, the change log, idempotence, dry runs, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from compact.audit.models import ChangeEvent
from compact.interop.structure import StructureError, read_structure_text
from compact.interop.structure.writer import export_structure
from compact.registry import services
from compact.registry.models import Body, Entity, EntityAlias, LeadershipRole, Milestone, Participation, Person
from compact.registry.services import default_structure_file, structure_apply

DEFAULT = default_structure_file().read_text(encoding="utf-8")
ALIAS_LINE = "      - Bureau de la lutte contre le terrorisme   # [seed] WG 6 spells it so\n"


def apply(text: str, **kwargs):
    kwargs.setdefault("reason", "test")
    return structure_apply(document=read_structure_text(text, source="test.yaml"), **kwargs)


def test_first_load_creates_every_row_of_the_file(db):
    report = apply(DEFAULT)
    created = {kind: counts.created for kind, counts in report.counts.items()}
    # 1 strategy, 9 reviews, 4 pillars, 13 entities, 1 alias, 10 bodies; 13 members of the Compact plus
    # 4+4+4+3+2+2+2+2 members of the working groups; 1 committee chair plus 4+4+4+3+3+2+2+2 group roles;
    # milestones: the Compact's signature, the Committee's inauguration, 2nd meeting and first JPoW.
    assert created == {"strategy": 1, "review": 9, "pillar": 4, "entity": 13, "alias": 1, "body": 10,
                       "participation": 36, "leadership": 25, "milestone": 4, "person": 0}
    assert ChangeEvent.objects.count() == report.changed == 103
    assert set(ChangeEvent.objects.values_list("action", flat=True)) == {"create"}


def test_second_load_of_the_same_file_changes_nothing_and_logs_nothing(seeded):
    events = ChangeEvent.objects.count()
    report = apply(DEFAULT)
    assert report.changed == 0
    assert report.changes == []
    assert all(c.created == c.updated == c.deleted == 0 for c in report.counts.values())
    assert report.counts["participation"].unchanged == 36
    assert ChangeEvent.objects.count() == events


def test_second_load_under_another_active_language_changes_nothing(seeded):
    events = ChangeEvent.objects.count()
    with translation.override("fr"):
        report = apply(DEFAULT)
    assert report.changed == 0
    assert ChangeEvent.objects.count() == events


def test_every_change_event_names_the_actor_label_reason_and_one_request_id(db):
    report = apply(DEFAULT, actor_label="compact load-structure", reason="first load")
    events = ChangeEvent.objects.all()
    assert {e.actor_label for e in events} == {"compact load-structure"}
    assert {e.reason for e in events} == {"first load"}
    assert {e.request_id for e in events} == {report.request_id}
    unoct = ChangeEvent.objects.get(object_type="registry.entity", object_repr="UNOCT")
    assert unoct.changes["name_fr"] == [None, "Bureau de lutte contre le terrorisme"]


def test_dry_run_reports_what_would_change_and_writes_nothing(db, registry_counts):
    before = registry_counts()
    report = apply(DEFAULT, dry_run=True)
    assert report.dry_run
    assert report.counts["entity"].created == 13
    assert registry_counts() == before


def test_dry_run_of_a_changed_file_leaves_the_registry_as_it_was(seeded, registry_counts, registry_rows):
    counts, rows = registry_counts(), registry_rows()
    text = DEFAULT.replace("      en: Coordination Committee\n", "      en: The Coordination Committee\n")
    report = apply(text, dry_run=True)
    assert report.counts["body"].updated == 1
    assert [c.label for c in report.changes] == ["body committee"]
    assert registry_counts() == counts
    assert registry_rows() == rows


def test_a_changed_title_is_one_update_with_its_before_and_after(seeded):
    events = ChangeEvent.objects.count()
    text = DEFAULT.replace("      en: Coordination Committee\n", "      en: The Coordination Committee\n")
    report = apply(text)
    assert report.changed == 1 and report.counts["body"].updated == 1
    assert Body.objects.get(key="committee").title_en == "The Coordination Committee"
    event = ChangeEvent.objects.order_by("-id").first()
    assert ChangeEvent.objects.count() == events + 1
    assert event.action == "update"
    assert event.changes["title_en"] == ["Coordination Committee", "The Coordination Committee"]


def test_a_leadership_role_absent_from_the_file_is_deleted_and_logged(seeded):
    text = DEFAULT.replace(
        "      - {entity: \"Organisation des Nations Unies pour l’éducation, la science et la culture\", "
        "role: vice_chair, start: 2019-04-16}\n", "")
    report = apply(text)
    assert report.counts["leadership"].deleted == 1 and report.changed == 1
    assert not LeadershipRole.objects.filter(body__key="wg-1", entity__acronym="UNESCO").exists()
    event = ChangeEvent.objects.order_by("-id").first()
    assert (event.action, event.object_type) == ("delete", "registry.leadershiprole")
    assert event.changes["role"] == ["vice_chair", None]


def test_an_ended_participation_is_an_update_of_the_same_row(seeded):
    row = Participation.objects.get(body__key="wg-8", entity__acronym="CTED")
    text = DEFAULT.replace("      - {entity: CTED, capacity: member, start: 2019-04-16}\n\n  - key: wg-3",
                           "      - {entity: CTED, capacity: member, start: 2019-04-16, end: 2023-12-31}\n\n  - key: wg-3")
    text = text.replace(
        "      - {entity: UN-Women, capacity: member, start: 2019-04-16}\n      - {entity: CTED, capacity: member, "
        "start: 2019-04-16}\n",
        "      - {entity: UN-Women, capacity: member, start: 2019-04-16}\n      - {entity: CTED, capacity: member, "
        "start: 2019-04-16, end: 2023-12-31}\n      - {entity: CTED, capacity: observer, start: 2024-01-01}\n")
    report = apply(text)
    assert report.counts["participation"].updated == 1
    assert report.counts["participation"].created == 1
    row.refresh_from_db()
    assert row.end == dt.date(2023, 12, 31)
    assert Participation.objects.get(body__key="wg-8", entity__acronym="CTED", start=dt.date(2024, 1, 1)).capacity == "observer"


def test_entities_and_bodies_absent_from_the_file_are_kept_and_reported(seeded):
    head, _, _ = DEFAULT.partition("  - key: wg-8\n")
    text = head.replace("  - acronym: UN-Women\n", "  - acronym: UN-Women-removed\n").replace(
        "      - {entity: UN-Women, capacity: member, start: 2018-02-23}\n", "")
    text = text.replace("  - acronym: UN-Women-removed\n    kind: un\n    name:\n      en: United Nations Entity for Gender "
                        "Equality and the Empowerment of Women\n      fr: ONU-Femmes\n", "")
    report = apply(text)
    assert report.absent["entity"] == ["UN-Women"]
    assert report.absent["body"] == ["wg-8"]
    assert Entity.objects.filter(acronym="UN-Women").exists()
    assert Body.objects.filter(key="wg-8").exists()
    # The Compact's participants are exactly the file's: UN-Women's membership of the Compact is ended by deletion.
    assert report.counts["participation"].deleted == 1


def test_an_alias_moves_from_one_entity_to_another(seeded):
    text = DEFAULT.replace("    aliases:\n      - Bureau de la lutte contre le terrorisme   # [seed] WG 6 spells it so\n", "")
    text = text.replace("    iati_identifier: XM-DAC-41114\n",
                        "    iati_identifier: XM-DAC-41114\n    aliases: [Bureau de la lutte contre le terrorisme]\n")
    text = text.replace("{entity: Bureau de la lutte contre le terrorisme, role: co_chair",
                        "{entity: UNOCT, role: co_chair")
    report = apply(text)
    assert report.counts["alias"].deleted == 1 and report.counts["alias"].created == 1
    assert EntityAlias.objects.get(name="Bureau de la lutte contre le terrorisme").entity.acronym == "UNDP"


def test_working_groups_can_swap_numbers(seeded):
    wg1 = Body.objects.get(key="wg-1")
    text = DEFAULT.replace("    number: 1\n    pillar: 1\n", "    number: 2\n    pillar: 1\n", 1).replace(
        "    number: 2\n    pillar: 2\n", "    number: 1\n    pillar: 2\n", 1)
    report = apply(text)
    assert report.counts["body"].updated == 2
    wg1.refresh_from_db()
    assert wg1.number == 2 and Body.objects.get(key="wg-2").number == 1
    event = ChangeEvent.objects.filter(object_type="registry.body", object_id=str(wg1.pk)).order_by("-id").first()
    assert event.changes["number"] == [1, 2]


def test_an_alias_held_by_an_entity_outside_the_file_is_a_located_conflict(seeded, registry_counts):
    text = DEFAULT.replace("  - acronym: UNODA\n", "  - acronym: UNODA-2\n").replace(
        "{entity: UNODA, capacity", "{entity: UNODA-2, capacity")
    # UNODA stays in the registry, outside the file, holding an alias the file gives to UNOCT.
    EntityAlias.objects.filter(entity__acronym="UNOCT").delete()
    EntityAlias.objects.create(entity=Entity.objects.get(acronym="UNODA"), name="Bureau de la lutte contre le terrorisme")
    counts = registry_counts()
    with pytest.raises(StructureError) as caught:
        apply(text)
    line = text[: text.index("      - Bureau de la lutte contre le terrorisme")].count("\n") + 1
    # UNODA-2 also takes UNODA's names: a reference by name would point to two entities.
    name_en = text[: text.index("      en: United Nations Office for Disarmament Affairs")].count("\n") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"test.yaml:{line}: entities[0].aliases[0]: alias “Bureau de la lutte contre le terrorisme” is already the "
        "alias of UNODA in the registry, and this file does not describe UNODA",
        f"test.yaml:{name_en}: entities[8].name.en: name “United Nations Office for Disarmament Affairs” is already "
        "the name of UNODA in the registry, and this file does not describe UNODA",
        f"test.yaml:{name_en + 1}: entities[8].name.fr: name “Bureau des affaires de désarmement” is already the name "
        "of UNODA in the registry, and this file does not describe UNODA",
    ]
    assert registry_counts() == counts


def test_a_working_group_number_held_by_a_body_outside_the_file_is_a_located_conflict(seeded, registry_counts):
    text = DEFAULT.replace("  - key: wg-8\n", "  - key: wg-eight\n")
    counts = registry_counts()
    with pytest.raises(StructureError) as caught:
        apply(text)
    (problem,) = caught.value.problems
    assert problem.where.path == "bodies[9].number"
    assert problem.where.line == text[: text.index("    number: 8\n")].count("\n") + 1
    assert "already held by body “wg-8”" in problem.message
    assert registry_counts() == counts


def test_a_failure_midway_writes_nothing(db, registry_counts, monkeypatch):
    counts = registry_counts()
    calls = []
    real = services.record_change

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 50:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "record_change", failing)
    with pytest.raises(RuntimeError):
        apply(DEFAULT)
    assert registry_counts() == counts


def test_people_are_upserted_by_entity_and_name_and_never_deleted(seeded):
    text = DEFAULT + (
        "people:\n"
        "  - {given_name: Ada, family_name: Example, entity: UNOCT, function: focal_point, body: wg-5,"
        " email: ada@example.org}\n"
        "  - {given_name: Ben, family_name: Example, entity: ONU-Femmes, function: representative}\n")
    report = apply(text)
    assert report.counts["person"].created == 2
    assert Person.objects.get(given_name="Ada").body.key == "wg-5"
    assert Person.objects.get(given_name="Ben").entity.acronym == "UN-Women"
    again = apply(text.replace("function: representative", "function: focal_point").replace(
        "  - {given_name: Ada, family_name: Example, entity: UNOCT, function: focal_point, body: wg-5,"
        " email: ada@example.org}\n", ""))
    assert again.counts["person"].updated == 1
    assert again.absent["person"] == ["UNOCT Ada Example"]
    assert Person.objects.count() == 2


def test_a_file_without_people_leaves_people_alone(seeded):
    Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Cy", family_name="Example",
                          function="focal_point")
    report = apply(DEFAULT)
    assert report.changed == 0 and "person" not in report.absent
    assert Person.objects.count() == 1


def test_the_report_sums_up_in_one_line(db):
    assert apply(DEFAULT).summary() == "103 created, 0 updated, 0 deleted, 0 unchanged"


def test_a_reason_is_required(db):
    with pytest.raises(ValueError):
        apply(DEFAULT, reason="  ")
    assert not ChangeEvent.objects.exists()


# --- Acronyms ignore case: a change of case is a rename of the same entity ---------------------------


def test_an_acronym_in_another_case_renames_the_entity_and_logs_it(seeded):
    events = ChangeEvent.objects.count()
    unwomen = Entity.objects.get(acronym="UN-Women")
    text = DEFAULT.replace("  - acronym: UN-Women\n", "  - acronym: UN-WOMEN\n")
    report = apply(text, dry_run=True)
    assert [(c.action, c.label, c.fields) for c in report.changes] == [
        ("update", "entity UN-WOMEN (was UN-Women)", ("acronym",))]
    report = apply(text)
    assert report.changed == 1 and report.counts["entity"].updated == 1 and report.counts["entity"].created == 0
    unwomen.refresh_from_db()
    assert unwomen.acronym == "UN-WOMEN"
    assert Entity.objects.count() == 13
    assert "entity" not in report.absent
    event = ChangeEvent.objects.order_by("-id").first()
    assert ChangeEvent.objects.count() == events + 1
    assert (event.action, event.object_id, event.changes) == ("update", str(unwomen.pk), {"acronym": ["UN-Women", "UN-WOMEN"]})


def test_after_a_rename_by_case_export_and_load_still_round_trip(seeded):
    apply(DEFAULT.replace("  - acronym: UN-Women\n", "  - acronym: UN-WOMEN\n"))
    exported = export_structure()
    assert "acronym: UN-WOMEN" in exported and "UN-Women" not in exported
    assert apply(exported).changed == 0
    assert export_structure() == exported


# --- Names and aliases must not clash with entities outside the file -----------------------------------


def test_an_alias_that_is_the_acronym_of_an_entity_outside_the_file_is_a_located_conflict(seeded, registry_counts):
    Entity.objects.create(acronym="DESA", name_en="Department of Economic and Social Affairs", kind="un")
    text = DEFAULT.replace(ALIAS_LINE, ALIAS_LINE + "      - desa\n")
    counts = registry_counts()
    with pytest.raises(StructureError) as caught:
        apply(text)
    line = text[: text.index("      - desa\n")].count("\n") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"test.yaml:{line}: entities[0].aliases[1]: alias “desa” is already the acronym of DESA in the registry, "
        "and this file does not describe DESA"]
    assert registry_counts() == counts


def test_a_name_that_is_the_alias_of_an_entity_outside_the_file_is_a_located_conflict(seeded, registry_counts):
    desa = Entity.objects.create(acronym="DESA", name_en="Department of Economic and Social Affairs", kind="un")
    EntityAlias.objects.create(entity=desa, name="UN DESA")
    text = DEFAULT.replace("      en: United Nations Office for Disarmament Affairs\n", "      en: un  desa\n")
    counts = registry_counts()
    with pytest.raises(StructureError) as caught:
        apply(text)
    line = text[: text.index("      en: un  desa")].count("\n") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"test.yaml:{line}: entities[8].name.en: name “un  desa” is already the alias of DESA in the registry, and "
        "this file does not describe DESA"]
    assert registry_counts() == counts


def test_an_acronym_that_is_the_name_of_an_entity_outside_the_file_is_a_located_conflict(seeded):
    Entity.objects.create(acronym="DESA", name_en="UNDESA", kind="un")
    text = DEFAULT.replace("  - acronym: UNODA\n", "  - acronym: UNDESA\n").replace(
        "{entity: UNODA, capacity", "{entity: UNDESA, capacity")
    with pytest.raises(StructureError) as caught:
        apply(text)
    assert [(p.where.path, p.message) for p in caught.value.problems if p.where.path == "entities[8].acronym"] == [
        ("entities[8].acronym", "acronym “UNDESA” is already the name of DESA in the registry, and this file does "
                                "not describe DESA")]


# --- Milestones -------------------------------------------------------------------------------------

JPOW = ("      - date: 2019-07-27                    # [seed] paragraph 3\n        title:\n"
        "          en: Adopted its first joint programme of work, for 2019-2020\n"
        "          fr: Adoption de son premier programme de travail commun, pour 2019-2020\n")


def committee_milestones() -> list[tuple[str, str, str]]:
    return [(m.date.isoformat(), m.title_en or "", m.title_fr or "")
            for m in Milestone.objects.filter(body__key="committee").order_by("date", "pk")]


def test_a_changed_translation_of_a_milestone_is_one_update(seeded):
    row = Milestone.objects.get(body__key="committee", date=dt.date(2019, 7, 27))
    text = DEFAULT.replace("          fr: Adoption de son premier programme de travail commun, pour 2019-2020\n",
                           "          fr: Adoption de son premier programme de travail commun (2019-2020)\n"
                           "          es: Aprobó su primer programa de trabajo conjunto, para 2019-2020\n")
    report = apply(text)
    assert [(c.action, c.label, c.fields) for c in report.changes] == [
        ("update", "milestone committee 2019-07-27 Adopted its first joint programme of work, for 2019-2020",
         ("title_es", "title_fr"))]
    row.refresh_from_db()
    assert row.title_fr == "Adoption de son premier programme de travail commun (2019-2020)"
    assert row.title_es == "Aprobó su primer programa de trabajo conjunto, para 2019-2020"
    event = ChangeEvent.objects.order_by("-id").first()
    assert (event.object_type, event.action) == ("registry.milestone", "update")


def test_a_changed_date_or_english_title_replaces_the_milestone(seeded):
    text = DEFAULT.replace("      - date: 2019-07-27", "      - date: 2019-07-28").replace(
        "          en: Inaugurated by the Secretary-General\n", "          en: Inaugurated by the Secretary-General, António Guterres\n")
    report = apply(text)
    assert report.counts["milestone"].created == 2 and report.counts["milestone"].deleted == 2
    assert committee_milestones()[0][1] == "Inaugurated by the Secretary-General, António Guterres"
    assert committee_milestones()[2][0] == "2019-07-28"
    assert Milestone.objects.count() == 4


def test_a_milestone_left_out_of_the_list_is_deleted_and_logged(seeded):
    report = apply(DEFAULT.replace(JPOW, ""))
    assert [(c.action, c.label) for c in report.changes] == [
        ("delete", "milestone committee 2019-07-27 Adopted its first joint programme of work, for 2019-2020")]
    assert [m[0] for m in committee_milestones()] == ["2018-12-06", "2019-04-16"]
    event = ChangeEvent.objects.order_by("-id").first()
    assert (event.object_type, event.action) == ("registry.milestone", "delete")
    assert event.changes["date"] == ["2019-07-27", None]


def test_an_empty_milestone_list_deletes_them_all_and_no_list_leaves_them_alone(seeded):
    head, sep, tail = DEFAULT.partition("    milestones:\n      - date: 2018-12-06")
    without_key = head + sep.partition("    milestones:\n")[0] + tail.partition(JPOW)[2]
    assert without_key.count("milestones:") == 1  # the Compact's
    report = apply(without_key)
    assert report.changed == 0
    assert len(committee_milestones()) == 3
    emptied = DEFAULT.replace("    milestones:\n      - date: 2018-12-06", "    milestones: []\n    old_milestones:\n"
                              "      - date: 2018-12-06")
    emptied = emptied.partition("    old_milestones:\n")[0] + emptied.partition(JPOW)[2]
    report = apply(emptied)
    assert report.counts["milestone"].deleted == 3 and report.changed == 3
    assert committee_milestones() == []


def test_a_milestone_titled_in_french_only_is_loaded_and_matched_by_its_french_title(seeded):
    text = DEFAULT.replace(JPOW, JPOW + '      - {date: 2020-08-28, title: {fr: "Cinquième réunion, virtuelle"}}\n')
    assert apply(text).counts["milestone"].created == 1
    row = Milestone.objects.get(date=dt.date(2020, 8, 28))
    assert (row.title_fr, row.title_en) == ("Cinquième réunion, virtuelle", None)
    assert apply(text.replace("Cinquième réunion, virtuelle", "cinquième réunion,  virtuelle")).counts[
        "milestone"].updated == 1
    assert Milestone.objects.filter(date=dt.date(2020, 8, 28)).count() == 1
