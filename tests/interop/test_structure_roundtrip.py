"""Export and load are inverse: export(load(export(x))) == export(x), and the rows agree."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest
from ruamel.yaml import YAML

from compact.interop.structure import read_structure_text, structure_schema
from compact.interop.structure.reader import json_data
from compact.interop.structure.writer import NothingToExport, export_structure
from compact.registry.models import (
    Body,
    Entity,
    EntityAlias,
    LeadershipRole,
    Milestone,
    Participation,
    Person,
    Pillar,
    Strategy,
    StrategyReview,
)
from compact.registry.services import default_structure_file, structure_apply

DEFAULT = default_structure_file().read_text(encoding="utf-8")

# Every optional feature of the format at least once: six languages, ended periods, an observer, a
# dissolved body, a body without parent, review notes, milestones (two on one day, one titled in French
# only, out of date order), people with and without a body.
RICH = DEFAULT.replace(
    "      en: Coordination Committee\n      fr: Comité de coordination\n",
    "      ar: لجنة التنسيق\n      en: Coordination Committee\n      es: Comité de Coordinación\n"
    "      fr: Comité de coordination\n      ru: Координационный комитет\n      zh-hans: 协调委员会\n",
) + """\
  - key: task-force-2017
    kind: committee
    title: {en: "Task force: the forerunner", fr: "Équipe spéciale"}
    established: 2005-07-01
    dissolved: 2018-02-22
    leadership:
      - {entity: UNOCT, role: chair, start: 2017-06-15, end: 2018-02-22, position: {en: Head}}
      - {entity: UNODC, role: vice_chair, start: 2005-07-01, end: 2017-06-14}
    participants:
      - {entity: UNDP, capacity: observer, start: 2005-07-01, end: 2010-12-31}
      - {entity: UNDP, capacity: member, start: 2011-01-01, end: 2018-02-22}
    milestones:
      - {date: 2018-02-22, title: {fr: "Dissolution, remplacée par le Pacte"}}
      - date: 2005-07-01
        title: {ar: إنشاء فرقة العمل, en: Established, es: Creación, fr: Création, ru: Создание, zh-hans: 成立}
      - {date: 2005-07-01, title: {en: First meeting}}
people:
  - given_name: Ada
    family_name: Example
    entity: UNOCT
    function: focal_point
    body: wg-5
    email: ada@example.org
    job_title: "Programme officer, Compact team"
  - {given_name: Zoë, family_name: Exemple, entity: ONU-Femmes, function: representative, sensitivity: confidential}
"""


def load(text: str, source: str = "test.yaml"):
    return structure_apply(document=read_structure_text(text, source=source), reason="round trip")


def empty_registry() -> None:
    """Test setup: remove every registry row (in dependency order)."""
    for model in (Person, Milestone, LeadershipRole, Participation, EntityAlias):
        model.objects.all().delete()
    for body in Body.objects.order_by("-established", "-pk"):
        Body.objects.filter(parent=body).update(parent=None)
    for model in (Body, Entity, Pillar, StrategyReview, Strategy):
        model.objects.all().delete()


@pytest.mark.parametrize("text", [DEFAULT, RICH], ids=["default", "rich"])
def test_export_loaded_into_an_empty_registry_exports_the_same_text_and_rows(db, registry_rows, text):
    load(text)
    first = export_structure()
    rows = registry_rows()
    empty_registry()
    assert registry_rows()["entity"] == []
    load(first, source="export.yaml")
    assert export_structure() == first
    assert registry_rows() == rows


@pytest.mark.parametrize("text", [DEFAULT, RICH], ids=["default", "rich"])
def test_loading_the_export_back_changes_nothing(db, text):
    load(text)
    report = load(export_structure(), source="export.yaml")
    assert report.changed == 0


def test_the_rich_file_keeps_every_language_period_and_person(db, registry_rows):
    load(RICH)
    rows = registry_rows()
    committee = next(b for b in rows["body"] if b[0] == "committee")
    assert committee[8] == ("لجنة التنسيق", "Coordination Committee", "Comité de Coordinación", "Comité de coordination",
                            "Координационный комитет", "协调委员会")
    assert ("task-force-2017", "UNDP", "observer", dt.date(2005, 7, 1), dt.date(2010, 12, 31)) in rows["participation"]
    assert ("UN-Women", "Zoë", "Exemple", "representative", None, "", "", "confidential") in rows["person"]
    text = export_structure()
    assert "zh-hans: 协调委员会" in text
    assert "dissolved: 2018-02-22" in text
    milestones = text[text.index("key: task-force-2017"):].partition("    milestones:\n")[2].partition("  - key:")[0]
    assert [line.strip() for line in milestones.splitlines() if line.strip().startswith("- date:")] == [
        "- date: 2005-07-01", "- date: 2005-07-01", "- date: 2018-02-22"]
    assert milestones.index("en: Established") < milestones.index("en: First meeting")


def test_the_export_is_valid_against_the_json_schema(seeded):
    data = json_data(YAML(typ="rt").load(export_structure()))
    jsonschema.Draft202012Validator(structure_schema(), format_checker=jsonschema.FormatChecker()).validate(data)


def test_the_shipped_file_is_valid_against_the_json_schema():
    jsonschema.Draft202012Validator.check_schema(structure_schema())
    data = json_data(YAML(typ="rt").load(DEFAULT))
    jsonschema.Draft202012Validator(structure_schema(), format_checker=jsonschema.FormatChecker()).validate(data)


def test_the_export_references_entities_by_acronym(seeded):
    text = export_structure()
    assert "entity: UNOCT, role: co_chair" in text
    assert "entity: Bureau de la lutte" not in text
    assert "- Bureau de la lutte contre le terrorisme" in text  # the alias itself is kept


def test_the_export_is_stable_and_ordered(seeded):
    text = export_structure()
    assert text == export_structure()
    assert text.index("key: compact") < text.index("key: committee") < text.index("key: wg-1") < text.index("key: wg-8")
    assert text.index("acronym: CTED") < text.index("acronym: UNOCT")


def test_an_empty_registry_has_nothing_to_export(db):
    with pytest.raises(NothingToExport):
        export_structure()
