"""The registry's read-only REST API (docs/api.md): content, dates, languages, errors, query counts.

Expected values are typed from the founding text (/work/shared/seeds/000_14bd83fab919f17c.txt) and
the design notes (four pillars, Committee inaugurated 2018-12-06 and chaired by UNOCT, Compact
signed 2018-02-23, working groups approved 2019-04-16), never read from the code under test.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from compact.registry.models import Body, Entity, EntityAlias, LeadershipRole, Milestone, Participation, Pillar

pytestmark = pytest.mark.django_db

ENTITIES = {
    "UNOCT", "UNAOC", "UNDP", "UNESCO", "CTED", "INTERPOL", "UNODC",
    "WCO", "UNODA", "UNICRI", "OPCW", "OHCHR", "UN-Women",
}
NON_UN = {"INTERPOL", "WCO", "OPCW"}

# Leadership of the eight working groups in the seed (2019), in the API's order: chair, co-chairs,
# vice-chairs, each role by acronym. WG 5 names UNOCT as chair and vice-chair (kept, not rejected);
# WG 6 is led by co-chairs only.
LEADERSHIP = {
    1: [("UNOCT", "chair"), ("UNAOC", "vice_chair"), ("UNDP", "vice_chair"), ("UNESCO", "vice_chair")],
    2: [("CTED", "chair"), ("WCO", "co_chair"), ("INTERPOL", "vice_chair"), ("UNODC", "vice_chair")],
    3: [("INTERPOL", "chair"), ("OPCW", "vice_chair"), ("UNICRI", "vice_chair"), ("UNODA", "vice_chair")],
    4: [("UNODC", "chair"), ("CTED", "vice_chair"), ("UNOCT", "vice_chair")],
    5: [("UNOCT", "chair"), ("CTED", "vice_chair"), ("UNOCT", "vice_chair")],
    6: [("CTED", "co_chair"), ("UNOCT", "co_chair")],
    7: [("OHCHR", "chair"), ("UNOCT", "vice_chair")],
    8: [("UN-Women", "chair"), ("CTED", "vice_chair")],
}
PILLAR_OF_GROUP = {1: 1, 2: 2, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4}

# The Committee: "all Compact entities, plus the chairs and vice-chairs of the working groups",
# worked out by hand from LEADERSHIP above: entity -> (basis, working groups).
COMPOSITION = {
    "CTED": (["compact_entity", "chair", "co_chair", "vice_chair"], [2, 4, 5, 6, 8]),
    "INTERPOL": (["compact_entity", "chair", "vice_chair"], [2, 3]),
    "OHCHR": (["compact_entity", "chair"], [7]),
    "OPCW": (["compact_entity", "vice_chair"], [3]),
    "UN-Women": (["compact_entity", "chair"], [8]),
    "UNAOC": (["compact_entity", "vice_chair"], [1]),
    "UNDP": (["compact_entity", "vice_chair"], [1]),
    "UNESCO": (["compact_entity", "vice_chair"], [1]),
    "UNICRI": (["compact_entity", "vice_chair"], [3]),
    "UNOCT": (["compact_entity", "chair", "co_chair", "vice_chair"], [1, 4, 5, 6, 7]),
    "UNODA": (["compact_entity", "vice_chair"], [3]),
    "UNODC": (["compact_entity", "chair", "vice_chair"], [2, 4]),
    "WCO": (["compact_entity", "co_chair"], [2]),
}

# Titles of the seed (French) and of the Strategy (design notes, EN / FR).
WG3_FR = "Menaces émergentes et protection des infrastructures critiques"
WG1_FR = "Prévenir et combattre l’extrémisme violent pouvant conduire au terrorisme"
PILLAR_1_EN = "Measures to address the conditions conducive to the spread of terrorism"
PILLAR_1_FR = "Mesures visant à éliminer les conditions propices à la propagation du terrorisme"
PILLAR_2_EN = "Measures to prevent and combat terrorism"
PILLAR_2_FR = "Mesures visant à prévenir et combattre le terrorisme"

ROLE_ORDER = {"chair": 0, "co_chair": 1, "vice_chair": 2}
AFTER_GROUPS = "2020-01-01"  # the working groups exist and their 2019 leadership is in force


def get_json(client, url, status=200, **headers):
    """GET ``url`` and return its JSON body, after checking the status and the JSON content type."""
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def pairs(leadership):
    return [(row["entity"], row["role"]) for row in leadership]


# --- Pillars ---------------------------------------------------------------------------------------


def test_pillars_are_the_four_of_the_strategy_with_roman_numerals(client, seeded):
    body = get_json(client, "/api/pillars/")
    assert [(p["number"], p["roman"]) for p in body] == [(1, "I"), (2, "II"), (3, "III"), (4, "IV")]
    assert body[0]["title"] == PILLAR_1_EN
    assert body[1]["title"] == PILLAR_2_EN
    assert set(body[0]) == {"number", "roman", "title"}


@pytest.mark.parametrize("how", ["lang", "accept-language"])
def test_pillar_titles_follow_the_language_asked_for(client, seeded, how):
    if how == "lang":
        body = get_json(client, "/api/pillars/?lang=fr")
    else:
        body = get_json(client, "/api/pillars/", accept_language="fr")
    assert [p["title"] for p in body[:2]] == [PILLAR_1_FR, PILLAR_2_FR]


# --- Working groups --------------------------------------------------------------------------------


def test_working_groups_are_the_eight_of_the_seed_with_their_pillars(client, seeded):
    body = get_json(client, f"/api/working-groups/?as_of={AFTER_GROUPS}")
    assert [g["number"] for g in body] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert {g["number"]: g["pillar"] for g in body} == PILLAR_OF_GROUP
    assert all(g["established"] == "2019-04-16" for g in body)
    assert all(g["dissolved"] is None for g in body)
    assert all(isinstance(g["title"], str) and g["title"] for g in body)
    assert all(isinstance(g["mandate"], str) for g in body)


def test_each_working_group_has_the_seed_leadership_chair_first_then_co_chairs_then_vice_chairs(client, seeded):
    body = get_json(client, f"/api/working-groups/?as_of={AFTER_GROUPS}")
    assert {g["number"]: pairs(g["leadership"]) for g in body} == LEADERSHIP


def test_working_group_2_detail_has_chair_co_chair_and_vice_chairs_with_open_periods(client, seeded):
    group = get_json(client, f"/api/working-groups/2/?as_of={AFTER_GROUPS}")
    assert group["number"] == 2
    assert group["pillar"] == 2
    assert group["established"] == "2019-04-16"
    assert pairs(group["leadership"]) == [
        ("CTED", "chair"), ("WCO", "co_chair"), ("INTERPOL", "vice_chair"), ("UNODC", "vice_chair"),
    ]
    for row in group["leadership"]:
        assert set(row) == {"entity", "role", "start", "end"}
        assert dt.date.fromisoformat(row["start"]) <= dt.date(2020, 1, 1)
        assert row["end"] is None


def test_working_group_6_is_led_by_co_chairs_only(client, seeded):
    group = get_json(client, f"/api/working-groups/6/?as_of={AFTER_GROUPS}")
    assert {row["role"] for row in group["leadership"]} == {"co_chair"}
    assert sorted(pairs(group["leadership"])) == [("CTED", "co_chair"), ("UNOCT", "co_chair")]


def test_working_group_participants_name_an_entity_and_a_capacity(client, seeded):
    for group in get_json(client, f"/api/working-groups/?as_of={AFTER_GROUPS}"):
        for row in group["participants"]:
            assert row["entity"] in ENTITIES
            assert row["capacity"] in {"member", "observer"}
            dt.date.fromisoformat(row["start"])


def test_working_groups_can_be_narrowed_to_one_pillar(client, seeded):
    body = get_json(client, f"/api/working-groups/?pillar=2&as_of={AFTER_GROUPS}")
    assert [g["number"] for g in body] == [2, 3, 4]


def test_before_the_working_groups_were_established_there_are_none(client, seeded):
    assert get_json(client, "/api/working-groups/?as_of=2019-01-01") == []
    assert get_json(client, "/api/working-groups/?as_of=2019-04-15") == []
    assert len(get_json(client, "/api/working-groups/?as_of=2019-04-16")) == 8


def test_a_working_group_that_did_not_exist_on_as_of_is_404(client, seeded):
    body = get_json(client, "/api/working-groups/3/?as_of=2019-01-01", status=404)
    assert body["error"]["status"] == 404
    assert "2019-01-01" in body["error"]["detail"]


def test_an_unknown_working_group_number_is_404_with_a_json_body(client, seeded):
    body = get_json(client, "/api/working-groups/99/", status=404)
    assert set(body) == {"error"}
    assert body["error"]["status"] == 404
    assert body["error"]["detail"]


def test_working_group_leadership_ended_before_as_of_is_not_shown(client, seeded):
    group = Body.objects.get(kind=Body.Kind.WORKING_GROUP, number=2)
    wco = LeadershipRole.objects.get(body=group, entity__acronym="WCO")
    wco.end = dt.date(2021, 12, 31)
    wco.save()
    before = get_json(client, "/api/working-groups/2/?as_of=2021-12-31")
    after = get_json(client, "/api/working-groups/2/?as_of=2022-01-01")
    assert ("WCO", "co_chair") in pairs(before["leadership"])
    assert [row["end"] for row in before["leadership"] if row["entity"] == "WCO"] == ["2021-12-31"]
    assert ("WCO", "co_chair") not in pairs(after["leadership"])


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/api/working-groups/3/?lang=fr", {}),
        ("/api/working-groups/3/", {"accept_language": "fr"}),
        ("/api/working-groups/3/", {"accept_language": "fr-FR,fr;q=0.9,en;q=0.5"}),
        ("/api/working-groups/3/?lang=fr", {"accept_language": "en"}),
    ],
)
def test_working_group_titles_come_in_french_when_french_is_asked_for(client, seeded, url, headers):
    group = get_json(client, url, **headers)
    assert group["title"] == WG3_FR


def test_working_group_titles_default_to_english(client, seeded):
    group = get_json(client, "/api/working-groups/3/")
    assert group["title"] != WG3_FR
    assert "threats" in group["title"].lower()


def test_french_list_of_working_groups_has_the_seed_titles(client, seeded):
    body = get_json(client, f"/api/working-groups/?lang=fr&as_of={AFTER_GROUPS}")
    titles = {g["number"]: g["title"] for g in body}
    assert titles[1] == WG1_FR
    assert titles[3] == WG3_FR


# --- Entities --------------------------------------------------------------------------------------


def test_entity_list_is_the_thirteen_default_entities(client, seeded):
    body = get_json(client, "/api/entities/")
    assert {e["acronym"] for e in body} == ENTITIES
    assert len(body) == 13
    assert {e["acronym"] for e in body if not e["is_un"]} == NON_UN
    assert {e["acronym"] for e in body if e["kind"] == "non_un"} == NON_UN


def test_entity_list_filters_by_kind(client, seeded):
    assert {e["acronym"] for e in get_json(client, "/api/entities/?kind=non_un")} == NON_UN
    assert {e["acronym"] for e in get_json(client, "/api/entities/?kind=un")} == ENTITIES - NON_UN


def test_entity_list_searches_acronyms_names_and_the_second_spelling_of_unoct(client, seeded):
    assert [e["acronym"] for e in get_json(client, "/api/entities/?q=unoct")] == ["UNOCT"]
    # The seed spells UNOCT's French name in two ways; both find it.
    for spelling in ("Bureau de lutte contre le terrorisme", "Bureau de la lutte contre le terrorisme"):
        found = [e["acronym"] for e in get_json(client, "/api/entities/?" + urlencode({"q": spelling}))]
        assert found == ["UNOCT"], spelling
    assert get_json(client, "/api/entities/?q=no-such-entity") == []


def test_entity_list_shows_roles_valid_on_as_of(client, seeded):
    unoct = next(e for e in get_json(client, f"/api/entities/?as_of={AFTER_GROUPS}") if e["acronym"] == "UNOCT")
    group_roles = sorted((r["working_group"], r["role"]) for r in unoct["leadership"] if r["working_group"] is not None)
    assert group_roles == [
        (1, "chair"), (4, "vice_chair"), (5, "chair"), (5, "vice_chair"), (6, "co_chair"), (7, "vice_chair"),
    ]
    assert all(r["current"] for r in unoct["leadership"])
    assert [(r["working_group"], r["role"]) for r in unoct["leadership"] if r["working_group"] is None] == [(None, "chair")]

    early = next(e for e in get_json(client, "/api/entities/?as_of=2019-01-01") if e["acronym"] == "UNOCT")
    assert [r["working_group"] for r in early["leadership"]] == [None]  # only the Committee's chair
    assert early["leadership"][0]["role"] == "chair"


def test_every_entity_participates_in_the_compact_from_its_signature(client, seeded):
    for entity in get_json(client, "/api/entities/?as_of=2018-02-23"):
        starts = [p["start"] for p in entity["participation"] if p["working_group"] is None]
        assert "2018-02-23" in starts, entity["acronym"]
        assert all(p["capacity"] in {"member", "observer"} for p in entity["participation"])
    assert all(e["participation"] == [] for e in get_json(client, "/api/entities/?as_of=2018-02-22"))


def test_entity_detail_is_case_insensitive_and_holds_every_role_past_and_present(client, seeded):
    entity = get_json(client, "/api/entities/unoct/?as_of=2019-01-01")
    assert entity["acronym"] == "UNOCT"
    assert entity["is_un"] is True
    assert entity["kind"] == "un"
    assert entity["names"]["en"] == entity["name"]
    assert "fr" in entity["names"]
    assert isinstance(entity["aliases"], list)
    assert isinstance(entity["iati_identifier"], str)
    group_roles = sorted((r["working_group"], r["role"]) for r in entity["leadership"] if r["working_group"] is not None)
    assert group_roles == [
        (1, "chair"), (4, "vice_chair"), (5, "chair"), (5, "vice_chair"), (6, "co_chair"), (7, "vice_chair"),
    ]
    # On 2019-01-01 only the Committee's chair was in force; the groups' roles began on 2019-04-16.
    current = [(r["working_group"], r["role"]) for r in entity["leadership"] if r["current"]]
    assert current == [(None, "chair")]
    for row in entity["leadership"]:
        assert set(row) == {"body", "body_title", "working_group", "role", "start", "end", "current"}


def test_entity_detail_of_a_non_un_entity(client, seeded):
    entity = get_json(client, "/api/entities/Interpol/")
    assert entity["acronym"] == "INTERPOL"
    assert entity["is_un"] is False
    assert entity["kind"] == "non_un"
    assert sorted((r["working_group"], r["role"]) for r in entity["leadership"]) == [(2, "vice_chair"), (3, "chair")]


def test_entity_names_follow_the_language_asked_for(client, seeded):
    english = get_json(client, "/api/entities/UNOCT/")
    french = get_json(client, "/api/entities/UNOCT/?lang=fr")
    assert french["name"] == english["names"]["fr"]
    assert english["name"] == english["names"]["en"]
    assert french["name"] != english["name"]


def test_an_unknown_acronym_is_404_with_a_json_body(client, seeded):
    body = get_json(client, "/api/entities/NOPE/", status=404)
    assert body == {"error": {"status": 404, "detail": body["error"]["detail"]}}
    assert "NOPE" in body["error"]["detail"]


def test_an_invalid_kind_is_400_naming_the_parameter(client, seeded):
    body = get_json(client, "/api/entities/?kind=ngo", status=400)
    assert body["error"]["status"] == 400
    assert set(body["error"]["fields"]) == {"kind"}


# --- Coordination Committee ------------------------------------------------------------------------


def test_committee_is_chaired_by_unoct_which_is_its_secretariat(client, seeded):
    committee = get_json(client, f"/api/committee/?as_of={AFTER_GROUPS}")
    assert committee["chair"]["entity"] == "UNOCT"
    # The seed: "présidé par le Secrétaire général adjoint chargé du Bureau de lutte contre le terrorisme".
    assert "Under-Secretary-General" in committee["chair"]["position"]
    assert committee["chair"]["start"] == "2018-12-06"
    assert [c["entity"] for c in committee["chairs"]] == ["UNOCT"]
    assert committee["secretariat"] == "UNOCT"
    assert committee["established"] == "2018-12-06"
    assert committee["as_of"] == AFTER_GROUPS


def test_committee_composition_is_the_thirteen_entities_with_the_bases_of_their_seats(client, seeded):
    committee = get_json(client, f"/api/committee/?as_of={AFTER_GROUPS}")
    composition = {seat["entity"]: (seat["basis"], seat["working_groups"]) for seat in committee["composition"]}
    assert composition == COMPOSITION
    assert [seat["entity"] for seat in committee["composition"]] == sorted(COMPOSITION)


def test_before_the_working_groups_every_seat_is_held_as_a_compact_entity(client, seeded):
    committee = get_json(client, "/api/committee/?as_of=2019-01-01")
    assert {seat["entity"] for seat in committee["composition"]} == ENTITIES
    assert all(seat["basis"] == ["compact_entity"] for seat in committee["composition"])
    assert all(seat["working_groups"] == [] for seat in committee["composition"])
    assert committee["chair"]["entity"] == "UNOCT"


def test_a_vice_chair_from_outside_the_compact_sits_as_vice_chair_only(client, seeded):
    outsider = Entity.objects.create(acronym="IPU", name="Inter-Parliamentary Union", kind=Entity.Kind.NON_UN)
    group = Body.objects.get(kind=Body.Kind.WORKING_GROUP, number=8)
    LeadershipRole.objects.create(entity=outsider, body=group, role="vice_chair", start=dt.date(2019, 4, 16))
    committee = get_json(client, f"/api/committee/?as_of={AFTER_GROUPS}")
    seat = next(s for s in committee["composition"] if s["entity"] == "IPU")
    assert seat == {"entity": "IPU", "basis": ["vice_chair"], "working_groups": [8]}


def test_committee_milestones_are_those_up_to_the_date_oldest_first(client, seeded):
    # The seed: inaugurated on 2018-12-06; first joint programme of work, for 2019-2020, adopted on 2019-07-27.
    # The design notes: the 2nd meeting, on 2019-04-16, approved the groups' terms of reference and workplans.
    milestones = get_json(client, "/api/committee/?as_of=2019-07-27")["milestones"]
    assert milestones == [
        {"date": "2018-12-06", "title": "Inaugurated by the Secretary-General"},
        {"date": "2019-04-16", "title": "Second meeting: approved the working groups' terms of reference and first workplans"},
        {"date": "2019-07-27", "title": "Adopted its first joint programme of work, for 2019-2020"},
    ]
    assert [m["date"] for m in get_json(client, "/api/committee/?as_of=2019-07-26")["milestones"]] == [
        "2018-12-06", "2019-04-16"]
    assert [m["date"] for m in get_json(client, "/api/committee/?as_of=2018-12-06")["milestones"]] == ["2018-12-06"]


def test_committee_milestones_follow_the_language(client, seeded):
    french = get_json(client, "/api/committee/?lang=fr")["milestones"]
    assert french[0] == {"date": "2018-12-06", "title": "Inauguration par le Secrétaire général, António Guterres"}
    assert french[2]["title"] == "Adoption de son premier programme de travail commun, pour 2019-2020"


def test_the_committee_did_not_exist_before_its_inauguration(client, seeded):
    body = get_json(client, "/api/committee/?as_of=2017-01-01", status=404)
    assert body["error"]["status"] == 404
    get_json(client, "/api/committee/?as_of=2018-12-05", status=404)
    get_json(client, "/api/committee/?as_of=2018-12-06")


def test_committee_title_and_chair_position_follow_the_language(client, seeded):
    assert get_json(client, "/api/committee/", accept_language="en")["title"] == "Coordination Committee"
    french = get_json(client, "/api/committee/?lang=fr")
    assert french["title"] == "Comité de coordination"
    assert "Secrétaire général adjoint" in french["chair"]["position"]


def test_the_api_is_stateless_about_language_a_lang_parameter_is_not_remembered(client, seeded):
    get_json(client, "/api/committee/?lang=fr")
    assert get_json(client, "/api/committee/", accept_language="en")["title"] == "Coordination Committee"


# --- Errors ----------------------------------------------------------------------------------------

AS_OF_ENDPOINTS = [
    "/api/entities/",
    "/api/entities/UNOCT/",
    "/api/working-groups/",
    "/api/working-groups/1/",
    "/api/committee/",
]


@pytest.mark.parametrize("url", AS_OF_ENDPOINTS)
@pytest.mark.parametrize("as_of", ["2019-02-30", "27/07/2019", "2019-7-27", "yesterday", "2019-13-01"])
def test_a_malformed_as_of_is_400_with_a_json_body_naming_as_of(client, seeded, url, as_of):
    body = get_json(client, f"{url}?as_of={as_of}", status=400)
    assert body["error"]["status"] == 400
    assert body["error"]["detail"]
    assert list(body["error"]["fields"]) == ["as_of"]
    assert all(isinstance(message, str) for message in body["error"]["fields"]["as_of"])


@pytest.mark.parametrize("pillar", ["two", "0", "-1"])
def test_an_invalid_pillar_filter_is_400(client, seeded, pillar):
    body = get_json(client, f"/api/working-groups/?pillar={pillar}", status=400)
    assert list(body["error"]["fields"]) == ["pillar"]


def test_the_api_is_read_only(client, seeded):
    response = client.post("/api/entities/", data={}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405


# --- Health probes ---------------------------------------------------------------------------------


def test_health_probes_answer_beside_the_api(client, seeded):
    assert get_json(client, "/healthz") == {"status": "ok"}
    assert get_json(client, "/readyz") == {"status": "ok"}


# --- Query counts: constant whatever the size of the structure (no N+1) ----------------------------

# endpoint -> queries: pillars 1; entity list 4 (entities, roles, participations, aliases); entity
# detail 4 (the same for one entity); working groups 3 (groups with pillars, roles, participants);
# committee 5 (the body, its chair roles, Compact participations, working-group roles, milestones).
QUERY_COUNTS = [
    ("/api/pillars/", 1),
    (f"/api/entities/?as_of={AFTER_GROUPS}", 4),
    ("/api/entities/?kind=un&q=united", 4),
    ("/api/entities/UNOCT/", 4),
    (f"/api/working-groups/?as_of={AFTER_GROUPS}", 3),
    (f"/api/working-groups/5/?as_of={AFTER_GROUPS}", 3),
    (f"/api/committee/?as_of={AFTER_GROUPS}", 5),
]


def add_structure(size: int = 5) -> None:
    """Grow the default structure: ``size`` more entities (with aliases, Compact membership and roles
    in WG 1 and WG 5), a ninth working group they lead and sit in, a second Committee chair and
    ``size`` more Committee milestones."""
    compact = Body.objects.get(kind=Body.Kind.COMPACT)
    committee = Body.objects.get(kind=Body.Kind.COMMITTEE)
    start = dt.date(2019, 4, 16)
    group = Body.objects.create(
        key="wg-9", kind=Body.Kind.WORKING_GROUP, number=9, title="Extra group", title_fr="Groupe supplémentaire",
        pillar=Pillar.objects.get(number=4), parent=committee, established=start,
    )
    for i in range(size):
        entity = Entity.objects.create(acronym=f"XE{i}", name=f"United extra entity {i}", kind=Entity.Kind.UN)
        EntityAlias.objects.create(entity=entity, name=f"Extra alias {i}")
        EntityAlias.objects.create(entity=entity, name=f"Another alias {i}")
        Participation.objects.create(entity=entity, body=compact, capacity="member", start=dt.date(2018, 2, 23))
        Participation.objects.create(entity=entity, body=group, capacity="member" if i % 2 else "observer", start=start)
        for number in (1, 5):
            Participation.objects.create(
                entity=entity, body=Body.objects.get(kind=Body.Kind.WORKING_GROUP, number=number),
                capacity="member", start=start,
            )
        LeadershipRole.objects.create(
            entity=entity, body=group, role="chair" if i == 0 else "vice_chair", start=start,
        )
        LeadershipRole.objects.create(
            entity=entity, body=Body.objects.get(kind=Body.Kind.WORKING_GROUP, number=5), role="vice_chair", start=start,
        )
    LeadershipRole.objects.create(
        entity=Entity.objects.get(acronym="UNOCT"), body=group, role="co_chair", start=start,
    )
    LeadershipRole.objects.create(entity=Entity.objects.get(acronym="XE1"), body=committee, role="chair", start=start)
    for i in range(size):
        Milestone.objects.create(body=committee, date=start + dt.timedelta(days=i), title=f"Extra milestone {i}")


@pytest.mark.parametrize("url, queries", QUERY_COUNTS)
def test_each_endpoint_runs_a_fixed_number_of_queries(client, seeded, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        small = client.get(url)
    assert small.status_code == 200
    add_structure()
    with django_assert_num_queries(queries):
        large = client.get(url)
    assert large.status_code == 200
    assert large.content != small.content or url.startswith("/api/pillars/")


def test_the_grown_structure_shows_up_in_the_api(client, seeded):
    add_structure()
    groups = get_json(client, f"/api/working-groups/?as_of={AFTER_GROUPS}")
    assert [g["number"] for g in groups] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert pairs(groups[8]["leadership"])[:2] == [("XE0", "chair"), ("UNOCT", "co_chair")]
    committee = get_json(client, f"/api/committee/?as_of={AFTER_GROUPS}")
    assert [c["entity"] for c in committee["chairs"]] == sorted(["UNOCT", "XE1"])
    assert len(committee["composition"]) == 13 + 5


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/working-groups/abc/", "/api/no-such-endpoint/", "/api/entities/UNOCT/extra/"])
def test_unknown_api_paths_answer_404_with_the_json_error_body(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["status"] == 404
    assert path in response.json()["error"]["detail"]


@pytest.mark.django_db
def test_api_language_parameter_sets_no_cookie(client, seeded):
    response = client.get("/api/working-groups/1/?lang=fr")
    assert response.json()["title"] == "Prévenir et combattre l’extrémisme violent pouvant conduire au terrorisme"
    assert "compact_language" not in response.cookies
