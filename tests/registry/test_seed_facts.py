"""The default structure holds the facts of the seed document, one by one.

Expected values are typed from seeds/000_14bd83fab919f17c.txt (French) and DESIGN.md section 2,
never read from the shipped YAML file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from compact.registry.models import (
    Body,
    Entity,
    EntityAlias,
    LeadershipRole,
    Milestone,
    Participation,
    Pillar,
    Strategy,
)

UNOCT_FR = "Bureau de lutte contre le terrorisme"
UNOCT_FR_OTHER = "Bureau de la lutte contre le terrorisme"
CTED_FR = "Direction exécutive du Comité contre le terrorisme"
INTERPOL_FR = "Organisation internationale de police criminelle"
UNODC_FR = "Office des Nations Unies contre la drogue et le crime"

# number: (pillar, French title, chairs, co-chairs, vice-chairs), as the seed lists them.
WORKING_GROUPS = {
    1: (1, "Prévenir et combattre l’extrémisme violent pouvant conduire au terrorisme",
        [UNOCT_FR], [],
        ["Alliance des civilisations de l’Organisation des Nations Unies",
         "Programme des Nations Unies pour le développement",
         "Organisation des Nations Unies pour l’éducation, la science et la culture"]),
    2: (2, "Gestion des frontières et application de la loi dans le contexte de la lutte contre le terrorisme",
        [CTED_FR], ["Organisation mondiale des douanes"], [INTERPOL_FR, UNODC_FR]),
    3: (2, "Menaces émergentes et protection des infrastructures critiques",
        [INTERPOL_FR], [],
        ["Bureau des affaires de désarmement",
         "Institut interrégional de recherche des Nations Unies sur la criminalité et la justice",
         "Organisation pour l’interdiction des armes chimiques"]),
    4: (2, "Justice pénale, réponses juridiques et lutte contre le financement du terrorisme",
        [UNODC_FR], [], [CTED_FR, UNOCT_FR]),
    5: (3, "Mobilisation des ressources et suivi et évaluation",
        [UNOCT_FR], [], [CTED_FR, UNOCT_FR]),
    6: (3, "Stratégies nationales et régionales de lutte contre le terrorisme",
        [], [UNOCT_FR_OTHER, CTED_FR], []),
    7: (4, "Promotion et la protection des droits de l’homme et de l’état de droit dans le contexte de la lutte "
           "antiterroriste",
        ["Haut-Commissariat des Nations Unies aux droits de l’homme"], [], [UNOCT_FR]),
    8: (4, "Adoption d’une démarche différenciée selon les sexes en matière de prévention et de répression du "
           "terrorisme",
        ["ONU-Femmes"], [], [CTED_FR]),
}

PILLARS_FR = {
    1: "Mesures visant à éliminer les conditions propices à la propagation du terrorisme",
    2: "Mesures visant à prévenir et combattre le terrorisme",
    3: "Mesures destinées à étoffer les moyens dont les États disposent pour prévenir et combattre le terrorisme "
       "et à renforcer le rôle joué en ce sens par le système des Nations Unies",
    4: "Mesures garantissant le respect des droits de l’homme et la primauté du droit en tant que base "
       "fondamentale de la lutte antiterroriste",
}


def entity_named(french: str) -> Entity:
    """The one entity whose French name or alias is ``french``, exactly as the seed writes it."""
    by_name = set(Entity.objects.filter(name_fr=french))
    by_alias = {a.entity for a in EntityAlias.objects.filter(name=french).select_related("entity")}
    found = by_name | by_alias
    assert len(found) == 1, f"{french!r} names {len(found)} entities"
    return found.pop()


def leaders(number: int, role: str) -> Counter:
    rows = LeadershipRole.objects.filter(body__kind="working_group", body__number=number, role=role)
    return Counter(row.entity_id for row in rows)


@pytest.mark.parametrize("number", sorted(WORKING_GROUPS))
def test_working_group_pillar_and_french_title_are_the_seed_s(seeded, number):
    pillar, title_fr, *_ = WORKING_GROUPS[number]
    group = Body.objects.get(kind="working_group", number=number)
    assert group.pillar.number == pillar
    assert group.title_fr == title_fr


@pytest.mark.parametrize("number", sorted(WORKING_GROUPS))
@pytest.mark.parametrize("role, column", [("chair", 2), ("co_chair", 3), ("vice_chair", 4)])
def test_working_group_leadership_is_the_seed_s(seeded, number, role, column):
    expected = Counter(entity_named(name).pk for name in WORKING_GROUPS[number][column])
    assert leaders(number, role) == expected


def test_there_are_eight_working_groups(seeded):
    assert sorted(Body.objects.filter(kind="working_group").values_list("number", flat=True)) == list(range(1, 9))


def test_working_group_2_is_co_chaired_by_the_wco_and_vice_chaired_by_interpol_and_unodc(seeded):
    wg2 = LeadershipRole.objects.filter(body__key="wg-2")
    assert {(r.entity.acronym, r.role) for r in wg2} == {
        ("CTED", "chair"), ("WCO", "co_chair"), ("INTERPOL", "vice_chair"), ("UNODC", "vice_chair")}


def test_working_group_5_keeps_unoct_as_chair_and_vice_chair(seeded):
    roles = sorted(LeadershipRole.objects.filter(body__key="wg-5", entity__acronym="UNOCT").values_list("role", flat=True))
    assert roles == ["chair", "vice_chair"]


def test_working_group_6_has_co_chairs_only(seeded):
    assert set(LeadershipRole.objects.filter(body__key="wg-6").values_list("role", flat=True)) == {"co_chair"}


def test_working_groups_were_established_by_the_committee_s_second_meeting(seeded):
    # DESIGN.md section 2: the 2nd meeting, 2019-04-16, approved their terms of reference and first workplans.
    for group in Body.objects.filter(kind="working_group"):
        assert group.established == dt.date(2019, 4, 16)
        assert group.parent.key == "committee"
        assert all(r.start == dt.date(2019, 4, 16) and r.end is None for r in group.leadership_roles.all())


def test_each_leading_entity_is_a_member_of_its_group(seeded):
    for role in LeadershipRole.objects.filter(body__kind="working_group"):
        assert Participation.objects.filter(body=role.body, entity=role.entity, capacity="member").exists()


def test_working_groups_mandate_is_the_seed_s_paragraph(seeded):
    sentence = ("Les groupes de travail constituent une plateforme régulière de collaboration et d’échange "
                "d’informations, de mobilisation conjointe de ressources et d’élaboration et de mise en œuvre de "
                "programmes et de projets communs.")
    for group in Body.objects.filter(kind="working_group"):
        assert group.mandate_fr == sentence
        assert group.mandate_en


def test_committee_was_inaugurated_on_6_december_2018(seeded):
    assert Body.objects.get(kind="committee").established == dt.date(2018, 12, 6)


def test_committee_was_inaugurated_by_the_secretary_general_antonio_guterres_on_6_december_2018(seeded):
    # Seed: "a été inauguré par le Secrétaire général, António Guterres, le 6 décembre 2018".
    inauguration = Milestone.objects.get(body__kind="committee", date=dt.date(2018, 12, 6))
    assert inauguration.title_fr == "Inauguration par le Secrétaire général, António Guterres"
    assert inauguration.title_en == "Inaugurated by the Secretary-General"


def test_committee_adopted_its_first_joint_programme_of_work_for_2019_2020_on_27_july_2019(seeded):
    # Seed: "a adopté le 27 juillet 2019 son premier programme de travail commun, pour 2019-2020".
    adoption = Milestone.objects.get(body__kind="committee", date=dt.date(2019, 7, 27))
    assert adoption.title_fr == "Adoption de son premier programme de travail commun, pour 2019-2020"
    assert adoption.title_en == "Adopted its first joint programme of work, for 2019-2020"
    assert not Milestone.objects.filter(body__kind="committee", title_fr__contains="programme de travail commun").exclude(
        pk=adoption.pk).exists()


def test_committee_milestones_are_the_seed_s_and_the_design_notes(seeded):
    # DESIGN.md section 2: the 2nd meeting, 2019-04-16, approved the working groups' terms of reference and first
    # workplans; the Compact was signed on 2018-02-23.
    committee = [(m.date, m.title_en) for m in Milestone.objects.filter(body__kind="committee")]
    assert committee == [
        (dt.date(2018, 12, 6), "Inaugurated by the Secretary-General"),
        (dt.date(2019, 4, 16), "Second meeting: approved the working groups' terms of reference and first workplans"),
        (dt.date(2019, 7, 27), "Adopted its first joint programme of work, for 2019-2020"),
    ]
    (signature,) = Milestone.objects.filter(body__kind="compact")
    assert signature.date == dt.date(2018, 2, 23)
    assert "36" in signature.title_en and "INTERPOL" in signature.title_en


def test_committee_is_chaired_by_the_under_secretary_general_of_unoct(seeded):
    committee = Body.objects.get(kind="committee")
    chair = committee.leadership_roles.get(role="chair")
    assert chair.entity == entity_named(UNOCT_FR)
    assert chair.position_fr == "Secrétaire général adjoint chargé du Bureau de lutte contre le terrorisme"
    assert chair.start == dt.date(2018, 12, 6)
    assert chair.end is None


def test_committee_secretariat_is_unoct(seeded):
    assert Body.objects.get(kind="committee").secretariat == entity_named(UNOCT_FR)


def test_committee_mandate_is_the_seed_s(seeded):
    assert Body.objects.get(kind="committee").mandate_fr == (
        "Il est chargé de la supervision et de l’orientation stratégique des groupes de travail inter-agences dans "
        "la mise en œuvre de la Stratégie antiterroriste mondiale des Nations Unies, conformément aux cadres de "
        "coordination et de mise en œuvre définis dans le Pacte mondial.")


def test_strategy_is_resolution_60_288_adopted_8_september_2006(seeded):
    strategy = Strategy.objects.get()
    assert strategy.resolution == "60/288"
    assert strategy.adopted == dt.date(2006, 9, 8)
    assert strategy.title_fr == "Stratégie antiterroriste mondiale des Nations Unies"


def test_strategy_reviews_are_those_of_the_design_notes(seeded):
    reviews = {r.number: (r.resolution, r.adopted, r.due_year) for r in Strategy.objects.get().reviews.all()}
    assert reviews == {
        1: ("62/272", dt.date(2008, 9, 5), None),
        2: ("64/297", dt.date(2010, 9, 8), None),
        3: ("66/282", dt.date(2012, 6, 29), None),
        4: ("68/276", dt.date(2014, 6, 13), None),
        5: ("70/291", dt.date(2016, 7, 1), None),
        6: ("72/284", dt.date(2018, 6, 26), None),
        7: ("75/291", dt.date(2021, 6, 30), None),
        8: ("77/298", dt.date(2023, 6, 22), None),
        9: ("", None, 2026),
    }
    assert "COVID-19" in Strategy.objects.get().reviews.get(number=7).note_en


@pytest.mark.parametrize("number", sorted(PILLARS_FR))
def test_pillar_french_title_is_the_seed_s(seeded, number):
    assert Pillar.objects.get(number=number).title_fr == PILLARS_FR[number]


def test_both_spellings_of_the_office_resolve_to_one_entity_unoct(seeded):
    assert entity_named(UNOCT_FR) == entity_named(UNOCT_FR_OTHER) == Entity.objects.get(acronym="UNOCT")
    assert Entity.objects.filter(acronym__in=["UNOCT"]).count() == 1
    wg6_co_chairs = {r.entity.acronym for r in LeadershipRole.objects.filter(body__key="wg-6")}
    assert wg6_co_chairs == {"UNOCT", "CTED"}


def test_the_seed_names_thirteen_entities_all_members_of_the_compact_since_its_signature(seeded):
    assert Entity.objects.count() == 13
    compact = Body.objects.get(kind="compact")
    members = Participation.objects.filter(body=compact, capacity="member", start=dt.date(2018, 2, 23), end=None)
    assert members.count() == 13
    assert {p.entity_id for p in members} == set(Entity.objects.values_list("pk", flat=True))


def test_interpol_wco_and_opcw_are_not_un_entities(seeded):
    assert set(Entity.objects.filter(kind="non_un").values_list("acronym", flat=True)) == {"INTERPOL", "WCO", "OPCW"}


def test_unoct_is_the_united_nations_office_of_counter_terrorism(seeded):
    # Its official English name; the seed gives the French "Bureau de lutte contre le terrorisme".
    unoct = Entity.objects.get(acronym="UNOCT")
    assert unoct.name_en == "United Nations Office of Counter-Terrorism"
    assert unoct.name_fr == UNOCT_FR


def test_un_women_is_onu_femmes_in_french(seeded):
    assert entity_named("ONU-Femmes").acronym == "UN-Women"


def test_only_undp_has_an_iati_identifier(seeded):
    identified = {e.acronym: e.iati_identifier for e in Entity.objects.exclude(iati_identifier="")}
    assert identified == {"UNDP": "XM-DAC-41114"}
