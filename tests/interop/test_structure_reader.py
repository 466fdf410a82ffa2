"""Bad structure files: each problem is reported with the file, the line and the field, every
problem is reported (not only the first), and the database is left exactly as it was.

Each case is a variant of the shipped default file, written to a temporary directory; the expected
line is where the variant's edited text stands, counted in the text itself.
"""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from compact.interop.structure import StructureError, read_structure_file, read_structure_text
from compact.interop.structure.writer import export_structure
from compact.registry.services import default_structure_file

DEFAULT = default_structure_file().read_text(encoding="utf-8")


def variant(tmp_path: Path, old: str, new: str, *, name: str = "variant.yaml") -> tuple[Path, int]:
    """Write the default file with the first ``old`` replaced by ``new``; return the path and the line
    of the first character where ``new`` differs from ``old``."""
    assert DEFAULT.count(old) >= 1, old
    text = DEFAULT.replace(old, new, 1)
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    line = text[: DEFAULT.index(old) + same].count("\n") + 1
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, line


def problems_of(path: Path) -> list[str]:
    with pytest.raises(StructureError) as caught:
        read_structure_file(path)
    return [str(p) for p in caught.value.problems]


def load_fails(path: Path) -> str:
    """Run ``compact load-structure`` on ``path``; it must exit with status 1. Returns its stderr."""
    stderr = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_structure", str(path), stderr=stderr, stdout=StringIO())
    assert caught.value.returncode == 1
    return stderr.getvalue()


ALIAS_LINE = "      - Bureau de la lutte contre le terrorisme   # [seed] WG 6 spells it so\n"
JPOW_FR = "          fr: Adoption de son premier programme de travail commun, pour 2019-2020\n"

# (old text, new text, field path, words of the message)
CASES = {
    "duplicate key": (
        "    kind: compact\n", "    kind: compact\n    kind: committee\n", "", "duplicate key"),
    "bad indentation": (
        "    kind: compact\n", "    kind: compact\n   title: misplaced\n", "", "not valid YAML"),
    "tab": ("    kind: compact\n", "    kind: compact\n\tkey: x\n", "", "not valid YAML"),
    "impossible date": (
        "  adopted: 2006-09-08\n", "  adopted: 2006-09-31\n", "strategy.adopted", "“2006-09-31” is not a valid date"),
    "impossible date in a flow mapping": (
        "{entity: ONU-Femmes, role: chair, start: 2019-04-16}", "{entity: ONU-Femmes, role: chair, start: 2019-02-30}",
        "bodies[9].leadership[0].start", "“2019-02-30” is not a valid date"),
    "date not in ISO form": (
        "      adopted: 2012-06-29\n", "      adopted: 29/06/2012\n", "strategy.reviews[2].adopted",
        "is not a date; write it YYYY-MM-DD"),
    "unknown field": (
        "    number: 8\n    pillar: 4\n", "    number: 8\n    pilar: 4\n", "bodies[9].pilar", "unknown field “pilar”"),
    "wrong type": ("    number: 3\n    pillar: 2\n", "    number: three\n    pillar: 2\n", "bodies[4].number",
                   "expected a whole number, found text"),
    "unknown role": (
        "{entity: Organisation mondiale des douanes, role: co_chair",
        "{entity: Organisation mondiale des douanes, role: copresident",
        "bodies[3].leadership[3].role", "“copresident” is not one of chair, co_chair, vice_chair"),
    "unknown capacity": (
        "      - {entity: UNOCT, capacity: member, start: 2018-02-23}",
        "      - {entity: UNOCT, capacity: guest, start: 2018-02-23}",
        "bodies[0].participants[0].capacity", "“guest” is not one of member, observer"),
    "unknown language code": (
        "      fr: ONU-Femmes\n", "      de: UN-Frauen\n", "entities[12].name.de", "unknown language code “de”"),
    "unsupported version": ("version: 1\n", "version: 2\n", "version", "unsupported version 2"),
    "unknown entity": (
        "{entity: Organisation mondiale des douanes, role: co_chair",
        "{entity: Organisation mondiale du commerce, role: co_chair",
        "bodies[3].leadership[3].entity", "unknown entity “Organisation mondiale du commerce”"),
    "unknown secretariat": (
        "    secretariat: UNOCT\n", "    secretariat: UNOTC\n", "bodies[1].secretariat", "unknown entity “UNOTC”"),
    "duplicate working-group number": (
        "    number: 6\n", "    number: 5\n", "bodies[7].number", "duplicate working-group number 5"),
    "end before start": (
        "{entity: ONU-Femmes, role: chair, start: 2019-04-16}",
        "{entity: ONU-Femmes, role: chair, start: 2019-04-16, end: 2019-04-15}",
        "bodies[9].leadership[0].end", "“end” 2019-04-15 is before “start” 2019-04-16"),
    "unknown pillar": (
        "    number: 8\n    pillar: 4\n", "    number: 8\n    pillar: 5\n", "bodies[9].pillar", "unknown pillar 5"),
    "unknown parent": (
        "    number: 8\n    pillar: 4\n    parent: committee\n", "    number: 8\n    pillar: 4\n    parent: comittee\n",
        "bodies[9].parent", "unknown body “comittee”"),
    "duplicate acronym": (
        "  - acronym: UNODA\n", "  - acronym: UNODC\n", "entities[8].acronym", "duplicate acronym “UNODC”"),
    "duplicate acronym in another case": (
        "  - acronym: UNODA\n", "  - acronym: unodc\n", "entities[8].acronym", "duplicate acronym “unodc”"),
    "one name for two entities": (
        "      fr: Bureau des affaires de désarmement\n", "      fr: Office des Nations Unies contre la drogue et le crime\n",
        "entities[8].name.fr", "is already the name of UNODC (line"),
    "alias colliding with another entity's acronym": (
        ALIAS_LINE, ALIAS_LINE + "      - cted\n",
        "entities[0].aliases[1]", "alias “cted” is already the acronym of CTED"),
    "alias colliding with another entity's name": (
        ALIAS_LINE, ALIAS_LINE + "      - Direction exécutive du Comité contre le terrorisme\n",
        "entities[0].aliases[1]", "is already the name of CTED"),
    "duplicate review number": (
        "    - number: 2\n      resolution: 64/297\n", "    - number: 1\n      resolution: 64/297\n",
        "strategy.reviews[1].number", "duplicate review number 1"),
    "acronym that is not URL-safe": (
        "  - acronym: UNODA\n", "  - acronym: UN/DESA\n", "entities[8].acronym",
        "“UN/DESA” is not a valid acronym: it must start with a letter or digit"),
    "acronym starting with a hyphen": (
        "  - acronym: UNODA\n", "  - acronym: -UNODA\n", "entities[8].acronym", "“-UNODA” is not a valid acronym"),
    "bell character": (
        "      en: Coordination Committee\n", "      en: Coordination\x07 Committee\n", "",
        "not valid YAML: the character U+0007 at column 23 is not allowed"),
    "NUL character": ("version: 1\n", "version: 1\x00\n", "", "not valid YAML: the character U+0000 at column 11"),
    "impossible milestone date": (
        "      - date: 2019-07-27", "      - date: 2019-02-30", "bodies[1].milestones[2].date",
        "“2019-02-30” is not a valid date"),
    "milestone date not in ISO form": (
        "      - date: 2019-07-27", "      - date: 27 July 2019", "bodies[1].milestones[2].date",
        "“27 July 2019” is not a date; write it YYYY-MM-DD"),
    "unknown milestone field": (
        JPOW_FR, JPOW_FR + "        place: New York\n",
        "bodies[1].milestones[2].place", "unknown field “place”; expected one of date, title"),
    "milestone listed twice": (
        JPOW_FR, JPOW_FR + "      - date: 2019-07-27\n        title:\n"
        "          en: adopted its first joint programme of work,  for 2019-2020\n",
        "bodies[1].milestones[3]", "the milestone of 2019-07-27 “adopted its first joint programme of work,  for "
        "2019-2020” is listed twice (first at line"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_reported_with_file_line_and_field(tmp_path, case):
    old, new, field, words = CASES[case]
    path, line = variant(tmp_path, old, new)
    problems = problems_of(path)
    prefix = f"{path}:{line}: {field}: " if field else f"{path}:{line}: "
    assert any(p.startswith(prefix) and words in p for p in problems), problems


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_leaves_the_database_unchanged(seeded, registry_counts, tmp_path, case):
    old, new, field, words = CASES[case]
    path, line = variant(tmp_path, old, new)
    counts, text = registry_counts(), export_structure()
    stderr = load_fails(path)
    assert f"{path}:{line}: " in stderr and words in stderr
    assert registry_counts() == counts
    assert export_structure() == text


def test_a_missing_required_field_is_reported_at_its_mapping(tmp_path):
    path, _ = variant(tmp_path, "    established: 2019-04-16\n", "", name="missing.yaml")
    body_line = DEFAULT[: DEFAULT.index("  - key: wg-1\n")].count("\n") + 1
    assert f"{path}:{body_line}: bodies[2].established: required field “established” is missing" in problems_of(path)


def test_every_semantic_problem_is_reported_not_only_the_first(tmp_path):
    text = (DEFAULT.replace("    number: 8\n    pillar: 4\n", "    number: 8\n    pillar: 5\n")
            .replace("    secretariat: UNOCT\n", "    secretariat: UNOTC\n")
            .replace("    number: 6\n", "    number: 5\n"))
    with pytest.raises(StructureError) as caught:
        read_structure_text(text, source="many.yaml")
    paths = {p.where.path for p in caught.value.problems}
    assert {"bodies[9].pillar", "bodies[1].secretariat", "bodies[7].number"} <= paths


def test_every_schema_problem_is_reported_not_only_the_first(tmp_path):
    text = DEFAULT.replace("role: co_chair", "role: cochair").replace("  adopted: 2006-09-08", "  adopted: 8 Sept 2006")
    with pytest.raises(StructureError) as caught:
        read_structure_text(text, source="many.yaml")
    paths = [p.where.path for p in caught.value.problems]
    assert "strategy.adopted" in paths
    assert paths.count("bodies[3].leadership[3].role") == 1
    assert {"bodies[7].leadership[0].role", "bodies[7].leadership[1].role"} <= set(paths)


def test_an_unreadable_file_is_a_located_problem(tmp_path):
    missing = tmp_path / "missing.yaml"
    assert problems_of(missing) == [f"{missing}:1: cannot read the file: No such file or directory"]


def test_a_file_that_is_not_utf8_is_reported_at_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("format: compact-structure\nversion: 1\n# Comité\n".encode("latin-1"))
    assert problems_of(path) == [f"{path}:3: the file is not UTF-8 text"]


def test_an_empty_file_is_a_problem(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing\n", encoding="utf-8")
    assert problems_of(path) == [f"{path}:1: the file is empty"]


def test_a_file_of_another_format_is_named_so(tmp_path):
    path, line = variant(tmp_path, "format: compact-structure\n", "format: iati-activities\n")
    assert any(p.startswith(f"{path}:{line}: format: not a compact structure file") for p in problems_of(path))


def test_a_working_group_needs_a_number(tmp_path):
    path, _ = variant(tmp_path, "    kind: working_group\n    number: 1\n", "    kind: working_group\n")
    assert any("bodies[2].number: required field “number” is missing" in p for p in problems_of(path))


def test_a_working_group_needs_a_pillar(tmp_path):
    path, _ = variant(tmp_path, "    number: 8\n    pillar: 4\n", "    number: 8\n")
    body_line = DEFAULT[: DEFAULT.index("  - key: wg-8\n")].count("\n") + 1
    assert problems_of(path) == [f"{path}:{body_line}: bodies[9].pillar: required field “pillar” is missing"]


def test_the_acronym_pattern_of_the_schema_is_the_registry_s():
    from compact.interop.structure import structure_schema
    from compact.registry.models import ACRONYM_PATTERN

    assert structure_schema()["$defs"]["acronym"]["pattern"] == ACRONYM_PATTERN


def test_milestones_are_read_in_date_order_and_an_absent_list_is_none():
    text = DEFAULT.replace("    established: 2019-04-16\n", "    established: 2019-04-16\n    milestones:\n"
                           "      - {date: 2020-05-01, title: {fr: Deuxième plan de travail}}\n"
                           "      - {date: 2019-05-01, title: {en: First workplan, fr: Premier plan de travail}}\n", 1)
    bodies = {b.key: b for b in read_structure_text(text, source="m.yaml").bodies}
    assert [(m.date.isoformat(), m.title) for m in bodies["wg-1"].milestones] == [
        ("2019-05-01", {"en": "First workplan", "fr": "Premier plan de travail"}),
        ("2020-05-01", {"fr": "Deuxième plan de travail"}),
    ]
    assert bodies["wg-1"].milestones[1].key == (bodies["wg-1"].milestones[1].date, "deuxième plan de travail")
    assert bodies["wg-2"].milestones is None
    assert [m.date.isoformat() for m in bodies["committee"].milestones] == ["2018-12-06", "2019-04-16", "2019-07-27"]


# --- Hostile files: each is refused quickly, with a located message, whatever its content --------


def billion_laughs(levels: int = 9) -> str:
    """The classic entity-expansion attack in YAML: 9 levels of 9 aliases, 9**9 (387 million) strings."""
    lines = ['format: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghij"
    for level in range(1, levels):
        lines.append(f"{names[level]}: &{names[level]} [" + ", ".join([f"*{names[level - 1]}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_file_is_refused_quickly(tmp_path):
    path = tmp_path / "lol.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    assert path.stat().st_size < 1024
    started = time.perf_counter()
    assert problems_of(path) == [
        f"{path}:1: the file holds more than 100,000 values once its YAML aliases (*name) are expanded; refused as "
        "too large"]
    assert time.perf_counter() - started < 5


def test_json_data_refuses_to_expand_a_billion_laughs():
    from ruamel.yaml import YAML

    from compact.interop.structure.reader import json_data

    with pytest.raises(ValueError, match="more than 100,000 values"):
        json_data(YAML(typ="rt").load(billion_laughs()))


def test_aliases_repeated_within_the_limit_are_read():
    # The shipped file shares the working groups' mandate through one anchor (&wg-mandate), used eight times.
    assert DEFAULT.count("*wg-mandate") == 7
    document = read_structure_text(DEFAULT, source="default.yaml")
    assert len({b.mandate["fr"] for b in document.bodies if b.kind == "working_group"}) == 1


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "format:\n" + "".join("  " * i + "- \n" for i in range(1, 2000)),
                                  "format: " + "{a: " * 40 + "x" + "}" * 40 + "\n"],
                         ids=["flow", "block", "flow-mapping"])
def test_deeply_nested_yaml_is_refused_quickly(text):
    started = time.perf_counter()
    with pytest.raises(StructureError) as caught:
        read_structure_text(text, source="deep.yaml")
    assert [p.message for p in caught.value.problems] == [
        "the file nests lists or mappings too deeply (at most 32 levels)"]
    assert time.perf_counter() - started < 2


def test_a_file_over_10_mb_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 1_000_001, encoding="utf-8")
    assert problems_of(path) == [
        f"{path}:1: the file is larger than 10,000,000 bytes (10 MB), the most a structure file may hold"]
    with pytest.raises(StructureError):
        read_structure_text("# é\n" * 2_600_000, source="huge.yaml")  # 2.6 M characters, 13 MB of UTF-8


def test_a_utf16_file_is_not_utf8(tmp_path):
    path = tmp_path / "utf16.yaml"
    path.write_bytes(DEFAULT.encode("utf-16"))
    assert problems_of(path) == [f"{path}:1: the file is not UTF-8 text"]


def test_a_second_document_in_the_file_is_a_located_yaml_error(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(DEFAULT + "---\nformat: compact-structure\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:") and "not valid YAML" in problem


def test_overlapping_participation_of_one_entity_in_one_body_is_reported(tmp_path):
    path, line = variant(
        tmp_path, "      - {entity: UN-Women, capacity: member, start: 2019-04-16}\n",
        "      - {entity: UN-Women, capacity: member, start: 2019-04-16}\n"
        "      - {entity: ONU-Femmes, capacity: observer, start: 2020-01-01}\n")
    assert any(p.startswith(f"{path}:{line}: bodies[9].participants[1]: UN-Women already takes part")
               for p in problems_of(path))


def test_a_body_cannot_report_to_its_own_descendant(tmp_path):
    path, line = variant(tmp_path, "    kind: committee\n    parent: compact\n", "    kind: committee\n    parent: wg-1\n")
    assert any(p.startswith(f"{path}:") and "in a circle" in p for p in problems_of(path))


def test_references_ignore_case_spacing_and_the_kind_of_apostrophe():
    text = DEFAULT.replace(
        "{entity: Alliance des civilisations de l’Organisation des Nations Unies, role: vice_chair",
        "{entity: \"  alliance des civilisations de l'Organisation des  Nations Unies \", role: vice_chair",
    ).replace("{entity: ONU-Femmes, role: chair", "{entity: un-women, role: chair")
    document = read_structure_text(text, source="loose.yaml")
    groups = {b.key: b for b in document.bodies}
    assert {r.entity for r in groups["wg-1"].leadership} == {"UNOCT", "UNAOC", "UNDP", "UNESCO"}
    assert groups["wg-8"].leadership[0].entity == "UN-Women"


def test_the_example_in_the_documentation_is_a_valid_file():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "structure-file.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    document = read_structure_text(example, source="structure-file.md")
    assert [(r.entity, r.role) for r in document.bodies[1].leadership] == [("UNOCT", "chair"), ("UNDP", "vice_chair")]


def test_the_file_languages_are_the_platform_s():
    from django.conf import settings

    from compact.interop.structure import LANGUAGES, structure_schema

    assert set(LANGUAGES) == set(settings.MODELTRANSLATION_LANGUAGES)
    assert set(structure_schema()["$defs"]["text"]["properties"]) == set(LANGUAGES)
    assert set(structure_schema()["$defs"]["longText"]["properties"]) == set(LANGUAGES)
