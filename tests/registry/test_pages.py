"""The registry's web pages, read as a visitor reads them, in English, French and Arabic.

Expected values are typed from the seed (seeds/000_14bd83fab919f17c.txt) and DESIGN.md section 2,
not read from the code: e.g. working group 2 is chaired by CTED with INTERPOL and UNODC as
vice-chairs and WCO as co-chair; the groups took office on 2019-04-16.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders

AS_OF = "2019-07-27"  # the day the Committee adopted its first Joint Programme of Work: all eight groups exist

ALL_GROUPS = range(1, 9)
SEEDED_ENTITIES = {
    "CTED", "INTERPOL", "OHCHR", "OPCW", "UN-Women", "UNAOC", "UNDP", "UNESCO", "UNICRI", "UNOCT", "UNODA", "UNODC", "WCO",
}


class _Page(HTMLParser):
    """Reads a page into its visible text and its tables (caption -> rows of cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1
        elif tag == "table":
            self._stack.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._stack:
            self._stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = []
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "caption" and self._caption is not None and self._stack:
            self._stack[-1]["caption"] = _squash("".join(self._caption))
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._stack:
            self._stack[-1]["rows"][-1].append(_squash("".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)

    @property
    def text(self) -> str:
        return _squash(" ".join(self.chunks))

    def table(self, caption_starts: str) -> list[list[str]]:
        """The body rows (header row dropped) of the table whose caption starts with ``caption_starts``."""
        for table in self.tables:
            if table["caption"].startswith(caption_starts):
                return table["rows"][1:]
        raise AssertionError(f"no table captioned {caption_starts!r}; captions: {[t['caption'] for t in self.tables]}")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def get(client, path: str, **params):
    params = {"as_of": AS_OF, **params}
    return client.get(path, {k: v for k, v in params.items() if v is not None})


def html_root(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def hrefs(response) -> list[str]:
    return re.findall(r'href="([^"]*)"', response.content.decode())


PAGES = ["/", "/strategy/", "/committee/", "/working-groups/", "/working-groups/1/", "/entities/", "/entities/UNOCT/"]


# --- the layout: languages, direction, assets -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("lang", "root", "stylesheet"),
    [
        ("en", '<html lang="en" dir="ltr">', "bootstrap/css/bootstrap.min.css"),
        ("fr", '<html lang="fr" dir="ltr">', "bootstrap/css/bootstrap.min.css"),
        ("ar", '<html lang="ar" dir="rtl">', "bootstrap/css/bootstrap.rtl.min.css"),
    ],
)
def test_every_page_renders_in_the_language_asked_with_its_direction_and_stylesheet(seeded, client, path, lang, root, stylesheet):
    response = get(client, path, lang=lang)
    assert response.status_code == 200
    assert html_root(response) == root
    assert f"/static/{stylesheet}" in hrefs(response)


def test_bootstrap_and_the_site_stylesheet_are_served_from_installed_packages_not_a_cdn():
    for asset in ("bootstrap/css/bootstrap.min.css", "bootstrap/css/bootstrap.rtl.min.css", "compact/compact.css"):
        assert finders.find(asset), asset


@pytest.mark.django_db
def test_no_page_asks_for_anything_outside_the_site(seeded, client):
    for path in PAGES:
        body = get(client, path).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', body), path


@pytest.mark.django_db
def test_language_switcher_names_the_six_un_languages_in_their_own_names_and_keeps_the_date(seeded, client):
    response = get(client, "/working-groups/2/", lang="fr")
    page = read(response)
    for name in ("العربيّة", "简体中文", "English", "français", "Русский", "español"):
        assert name.lower() in page.text.lower()
    links = hrefs(response)
    for code in ("ar", "zh-hans", "en", "fr", "ru", "es"):
        assert f"?as_of={AS_OF}&amp;lang={code}" in links


@pytest.mark.django_db
def test_page_has_a_skip_link_and_an_as_of_form(seeded, client):
    body = get(client, "/").content.decode()
    assert 'href="#main"' in body and 'id="main"' in body
    assert re.search(r'<form method="get"[^>]*>.*?name="as_of" value="2019-07-27"', body, re.S)


@pytest.mark.django_db
def test_links_to_other_pages_keep_the_as_of_date_and_the_language(seeded, client):
    links = hrefs(get(client, "/", lang="fr"))
    assert f"/working-groups/1/?as_of={AS_OF}&amp;lang=fr" in links
    assert f"/entities/UNOCT/?as_of={AS_OF}&amp;lang=fr" in links
    assert f"/committee/?as_of={AS_OF}&amp;lang=fr" in links


@pytest.mark.django_db
def test_page_says_which_date_it_is_as_of(seeded, client):
    assert "As of 27 July 2019" in read(get(client, "/working-groups/", lang="en")).text
    assert "Situation au 27 juillet 2019" in read(get(client, "/working-groups/", lang="fr")).text


@pytest.mark.django_db
def test_fallback_text_is_marked_when_a_content_field_is_not_in_the_page_language(seeded, client):
    # The default data has English and French content only: an Arabic page shows English, marked.
    body = get(client, "/working-groups/2/", lang="ar").content.decode()
    assert '<span lang="en" dir="ltr" class="fallback">Border Management and Law Enforcement relating to Counter-Terrorism</span>' in body
    assert "[en]" in body


# --- home ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_the_strategy_committee_and_the_eight_groups_by_pillar(seeded, client):
    response = get(client, "/", lang="en")
    page = read(response)
    assert "UN Global Counter-Terrorism Strategy" in page.text
    assert "General Assembly resolution 60/288, adopted on 8 September 2006." in page.text
    for title in (
        "Measures to address the conditions conducive to the spread of terrorism",
        "Measures to prevent and combat terrorism",
        "Measures to ensure respect for human rights for all and the rule of law as the fundamental basis of the fight against terrorism",
    ):
        assert title in page.text
    links = hrefs(response)
    for number in ALL_GROUPS:
        assert f"/working-groups/{number}/?as_of={AS_OF}&amp;lang=en" in links
    body = response.content.decode()
    # Pillar II holds working groups 2, 3 and 4, in that order, and nothing else.
    pillar_2 = body[body.index('id="pillar-2"') : body.index('id="pillar-3"')]
    assert re.findall(r'/working-groups/(\d)/', pillar_2) == ["2", "3", "4"]
    assert "Chair UNOCT" in page.text  # the Committee's chair
    assert "Secretariat UNOCT — United Nations Office of Counter-Terrorism" in page.text


@pytest.mark.django_db
def test_home_groups_leadership_under_role_headings(seeded, client):
    body = get(client, "/", lang="en").content.decode()
    group_2 = body[body.index('id="group-2-heading"') : body.index('id="group-3-heading"')]
    group_2_text = _squash(re.sub(r"<[^>]+>", "", group_2))
    assert "Chair CTED" in group_2_text
    assert "Co-chair WCO" in group_2_text
    assert "Vice-chairs INTERPOL, UNODC" in group_2_text


@pytest.mark.django_db
def test_home_in_french_uses_the_seed_titles_and_role_labels(seeded, client):
    text = read(get(client, "/", lang="fr")).text
    assert "Prévenir et combattre l’extrémisme violent pouvant conduire au terrorisme" in text
    assert "Mesures visant à éliminer les conditions propices à la propagation du terrorisme" in text
    assert "Présidence" in text and "Vice-présidence" in text and "Coprésidence" in text
    assert "Groupes de travail" in text
    assert "Pilier I " in text


@pytest.mark.django_db
def test_home_in_arabic_is_right_to_left_with_arabic_interface_text(seeded, client):
    response = get(client, "/", lang="ar")
    text = read(response).text
    assert html_root(response) == '<html lang="ar" dir="rtl">'
    assert "الأفرقة العاملة" in text  # "Working groups"
    assert "الرئاسة" in text  # "Chair" (the function, as the French "Présidence")


@pytest.mark.django_db
def test_before_the_groups_took_office_the_home_page_shows_none(seeded, client):
    response = get(client, "/", as_of="2019-04-15", lang="en")
    assert response.status_code == 200
    assert not re.search(r"/working-groups/\d/", response.content.decode())
    assert "No working group existed on this date." in read(response).text


@pytest.mark.django_db
def test_on_the_day_of_the_first_joint_programme_the_home_page_shows_all_eight(seeded, client):
    response = get(client, "/", as_of="2019-07-27")
    assert sorted(set(re.findall(r"/working-groups/(\d)/", response.content.decode()))) == [str(n) for n in ALL_GROUPS]


# --- working groups -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_working_group_list_has_the_eight_groups_with_pillars(seeded, client):
    rows = read(get(client, "/working-groups/", lang="en")).table("8 working groups existed on this date.")
    assert [(row[0], row[2]) for row in rows] == [
        ("1", "I"), ("2", "II"), ("3", "II"), ("4", "II"), ("5", "III"), ("6", "III"), ("7", "IV"), ("8", "IV"),
    ]
    assert rows[1][1] == "Border Management and Law Enforcement relating to Counter-Terrorism"


@pytest.mark.django_db
def test_working_group_list_before_the_groups_existed_is_empty(seeded, client):
    text = read(get(client, "/working-groups/", as_of="2019-01-01", lang="en")).text
    assert "No working group existed on this date." in text


def leadership_rows(response, caption: str = "Chair, co-chairs and vice-chairs") -> list[tuple[str, str]]:
    """(role, entity acronym) for each row of a working group's leadership table."""
    return [(row[0], row[1].split(" ")[0]) for row in read(response).table(caption)]


@pytest.mark.django_db
def test_working_group_2_leadership(seeded, client):
    response = get(client, "/working-groups/2/", lang="en")
    assert leadership_rows(response) == [("Chair", "CTED"), ("Co-chair", "WCO"), ("Vice-chair", "INTERPOL"), ("Vice-chair", "UNODC")]
    rows = read(response).table("Members")
    assert [row[0] for row in rows] == ["CTED", "INTERPOL", "UNODC", "WCO"]
    assert rows[0][2] == "16 April 2019 – ongoing"


@pytest.mark.django_db
def test_working_group_6_is_led_by_two_co_chairs_only(seeded, client):
    assert leadership_rows(get(client, "/working-groups/6/", lang="en")) == [("Co-chair", "CTED"), ("Co-chair", "UNOCT")]


@pytest.mark.django_db
def test_working_group_5_shows_unoct_as_chair_and_as_vice_chair_as_the_seed_has_it(seeded, client):
    assert leadership_rows(get(client, "/working-groups/5/", lang="en")) == [
        ("Chair", "UNOCT"), ("Vice-chair", "CTED"), ("Vice-chair", "UNOCT"),
    ]


@pytest.mark.django_db
def test_working_group_1_in_french(seeded, client):
    response = get(client, "/working-groups/1/", lang="fr")
    text = read(response).text
    assert "Prévenir et combattre l’extrémisme violent pouvant conduire au terrorisme" in text
    assert "Pilier I — Mesures visant à éliminer les conditions propices à la propagation du terrorisme" in text
    assert "Mandat" in text
    assert "Les groupes de travail constituent une plateforme régulière de collaboration" in text
    assert leadership_rows(response, "La présidence, les coprésidences") == [
        ("Présidence", "UNOCT"), ("Vice-présidence", "UNAOC"), ("Vice-présidence", "UNDP"), ("Vice-présidence", "UNESCO"),
    ]
    members = read(response).table("Membres")
    assert members[0][1] == "Alliance des civilisations de l’Organisation des Nations Unies"
    assert members[0][2] == "16 avril 2019 – en cours"


@pytest.mark.django_db
def test_working_group_1_in_arabic(seeded, client):
    response = get(client, "/working-groups/1/", lang="ar")
    assert html_root(response) == '<html lang="ar" dir="rtl">'
    text = read(response).text
    assert "الفريق العامل 1" in text  # "Working group 1"
    assert "Preventing and Countering Violent Extremism Conducive to Terrorism" in text  # English, marked as fallback


@pytest.mark.django_db
def test_unknown_working_group_is_404(seeded, client):
    response = client.get("/working-groups/99/")
    assert response.status_code == 404
    assert "No working group numbered 99 existed on" in read(response).text


@pytest.mark.django_db
def test_working_group_not_yet_established_on_the_date_is_404(seeded, client):
    assert get(client, "/working-groups/1/", as_of="2019-04-15").status_code == 404
    assert get(client, "/working-groups/1/", as_of="2019-04-16").status_code == 200


# --- entities ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_entity_directory_lists_the_thirteen_seeded_entities(seeded, client):
    rows = read(get(client, "/entities/", lang="en")).table("13 entities")
    assert {row[0] for row in rows} == SEEDED_ENTITIES
    cted = next(row for row in rows if row[0] == "CTED")
    assert cted[2] == "UN entity"
    assert cted[3] == "Chair, WG 2 Vice-chair, WG 4 Vice-chair, WG 5 Co-chair, WG 6 Vice-chair, WG 8"
    assert cted[4] == "WG 2 (member) WG 4 (member) WG 5 (member) WG 6 (member) WG 8 (member)"


@pytest.mark.django_db
def test_entity_directory_filters_by_kind(seeded, client):
    rows = read(get(client, "/entities/", kind="non_un", lang="en")).table("3 entities")
    assert {row[0] for row in rows} == {"INTERPOL", "OPCW", "WCO"}


@pytest.mark.django_db
def test_entity_directory_search_finds_an_alias(seeded, client):
    rows = read(get(client, "/entities/", q="Bureau de la lutte", lang="fr")).table("1 entité")
    assert [row[0] for row in rows] == ["UNOCT"]


@pytest.mark.django_db
def test_entity_directory_in_arabic(seeded, client):
    response = get(client, "/entities/", lang="ar")
    assert html_root(response) == '<html lang="ar" dir="rtl">'
    assert "الكيانات" in read(response).text  # "Entities"


@pytest.mark.django_db
def test_entity_page_shows_names_aliases_kind_and_every_role(seeded, client):
    response = get(client, "/entities/UNOCT/", lang="en")
    page = read(response)
    assert page.table("The entity's name in each language") == [
        ["English", "United Nations Office of Counter-Terrorism"],
        ["French", "Bureau de lutte contre le terrorisme"],
    ]
    assert "Bureau de la lutte contre le terrorisme" in page.text  # the alias
    assert "UN entity" in page.text
    roles = [(row[0], row[1], row[-1]) for row in page.table("Every leadership role")]
    assert ("Coordination Committee", "Chair", "current") in roles
    assert sorted(r[:2] for r in roles if r[0].startswith("Working group")) == sorted(
        [
            ("Working group 1: Preventing and Countering Violent Extremism Conducive to Terrorism", "Chair"),
            ("Working group 4: Criminal Justice, Legal Responses and Countering the Financing of Terrorism", "Vice-chair"),
            ("Working group 5: Resource Mobilization and Monitoring and Evaluation", "Chair"),
            ("Working group 5: Resource Mobilization and Monitoring and Evaluation", "Vice-chair"),
            ("Working group 6: National and Regional Counter-Terrorism Strategies", "Co-chair"),
            (
                "Working group 7: Promoting and Protecting Human Rights and the Rule of Law while Countering Terrorism "
                "and Supporting Victims of Terrorism",
                "Vice-chair",
            ),
        ]
    )
    participation = page.table("Every body the entity has taken part in")
    assert ["UN Global Counter-Terrorism Coordination Compact", "Member", "23 February 2018 – ongoing", "current"] in participation


@pytest.mark.django_db
def test_entity_page_marks_roles_not_yet_begun_on_the_as_of_date(seeded, client):
    page = read(get(client, "/entities/CTED/", as_of="2019-01-01", lang="en"))
    statuses = {row[0].split(":")[0]: row[-1] for row in page.table("Every leadership role")}
    assert statuses["Working group 2"] == "not yet begun"
    participation = page.table("Every body the entity has taken part in")
    assert participation[0][3] == "current"  # the Compact, since 2018-02-23


@pytest.mark.django_db
def test_entity_page_in_french_and_arabic(seeded, client):
    text = read(get(client, "/entities/UNDP/", lang="fr")).text
    assert "Programme des Nations Unies pour le développement" in text
    assert "Groupe de travail 1 : Prévenir et combattre l’extrémisme violent pouvant conduire au terrorisme" in text
    assert "Entité des Nations Unies" in text
    assert "XM-DAC-41114" in text
    assert "Vice-présidence" in text
    response = get(client, "/entities/UNDP/", lang="ar")
    assert html_root(response) == '<html lang="ar" dir="rtl">'
    assert "كيان تابع للأمم المتحدة" in read(response).text  # "UN entity"


@pytest.mark.django_db
def test_entity_acronym_is_case_insensitive_and_unknown_is_404(seeded, client):
    assert get(client, "/entities/unoct/").status_code == 200
    response = client.get("/entities/NOPE/")
    assert response.status_code == 404
    assert "No entity has the acronym “NOPE”." in read(response).text


# --- Coordination Committee -------------------------------------------------------------------------


@pytest.mark.django_db
def test_committee_page_names_unoct_as_chair_and_secretariat(seeded, client):
    response = get(client, "/committee/", lang="en")
    text = read(response).text
    assert ("Chair UNOCT — United Nations Office of Counter-Terrorism Held by: Under-Secretary-General of the Office "
            "of Counter-Terrorism") in text
    assert "Secretariat UNOCT — United Nations Office of Counter-Terrorism" in text
    assert "This composition is derived from the registry" in text
    assert "6 December 2018" in text


def milestones_of(response) -> list[tuple[str, str]]:
    """The Milestones section of a Committee page as (datetime attribute, line text) pairs."""
    body = response.content.decode()
    section = body[body.index('id="milestones-heading"'):body.index('id="composition-heading"')]
    items = re.findall(r'<li[^>]*><time datetime="([0-9-]+)"[^>]*>.*?</li>', section, flags=re.S)
    texts = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", li))).strip()
             for li in re.findall(r"<li[^>]*>(.*?)</li>", section, flags=re.S)]
    return list(zip(items, texts, strict=True))


@pytest.mark.django_db
def test_committee_page_lists_its_milestones_up_to_the_date(seeded, client):
    # The seed: inaugurated on 6 December 2018; first joint programme of work adopted on 27 July 2019.
    assert milestones_of(get(client, "/committee/", lang="en")) == [
        ("2018-12-06", "6 December 2018 — Inaugurated by the Secretary-General"),
        ("2019-04-16", "16 April 2019 — Second meeting: approved the working groups' terms of reference and first "
                       "workplans"),
        ("2019-07-27", "27 July 2019 — Adopted its first joint programme of work, for 2019-2020"),
    ]
    earlier = milestones_of(get(client, "/committee/", as_of="2019-07-26", lang="en"))
    assert [date for date, _ in earlier] == ["2018-12-06", "2019-04-16"]


@pytest.mark.django_db
def test_committee_milestones_in_french(seeded, client):
    response = get(client, "/committee/", lang="fr")
    assert "Jalons" in read(response).text
    assert ("2019-07-27", "27 juillet 2019 — Adoption de son premier programme de travail commun, pour 2019-2020") in (
        milestones_of(response))


@pytest.mark.django_db
def test_committee_page_says_when_no_milestone_is_recorded_yet(seeded, client):
    from compact.registry.models import Milestone

    Milestone.objects.filter(date=dt.date(2018, 12, 6)).delete()
    response = get(client, "/committee/", as_of="2019-01-01", lang="en")
    assert milestones_of(response) == []
    assert "No milestone is recorded up to this date." in read(response).text


@pytest.mark.django_db
def test_committee_composition_gives_each_seat_its_basis_and_groups(seeded, client):
    rows = read(get(client, "/committee/", lang="en")).table("13 seats on this date.")
    seats = {row[0]: (row[2], row[3]) for row in rows}
    assert set(seats) == SEEDED_ENTITIES
    assert seats["CTED"] == ("Compact entity, Chair, Co-chair, Vice-chair", "WG 2, WG 4, WG 5, WG 6, WG 8")
    assert seats["WCO"] == ("Compact entity, Co-chair", "WG 2")
    assert seats["UNOCT"] == ("Compact entity, Chair, Co-chair, Vice-chair", "WG 1, WG 4, WG 5, WG 6, WG 7")


@pytest.mark.django_db
def test_committee_composition_before_the_groups_is_the_compact_entities_alone(seeded, client):
    rows = read(get(client, "/committee/", as_of="2019-01-01", lang="en")).table("13 seats on this date.")
    assert {row[2] for row in rows} == {"Compact entity"}


@pytest.mark.django_db
def test_committee_before_its_inauguration(seeded, client):
    response = get(client, "/committee/", as_of="2018-12-05", lang="en")
    assert response.status_code == 200
    assert "The Coordination Committee had not been established on this date." in read(response).text


@pytest.mark.django_db
def test_committee_page_in_french_and_arabic(seeded, client):
    text = read(get(client, "/committee/", lang="fr")).text
    assert "Comité de coordination" in text
    assert "Secrétaire général adjoint chargé du Bureau de lutte contre le terrorisme" in text
    assert "Présidence" in text and "Secrétariat" in text
    assert "Cette composition est déduite du registre" in text
    response = get(client, "/committee/", lang="ar")
    assert html_root(response) == '<html lang="ar" dir="rtl">'
    assert "لجنة التنسيق" in read(response).text


# --- Strategy ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_strategy_page_shows_the_resolution_pillars_and_review_timeline(seeded, client):
    page = read(get(client, "/strategy/", lang="en"))
    assert "resolution 60/288 on 8 September 2006" in page.text
    assert "Measures to prevent and combat terrorism" in page.text
    rows = page.table("The biennial reviews")
    assert [row[:3] for row in rows] == [
        ["Review 1", "62/272", "5 September 2008"],
        ["Review 2", "64/297", "8 September 2010"],
        ["Review 3", "66/282", "29 June 2012"],
        ["Review 4", "68/276", "13 June 2014"],
        ["Review 5", "70/291", "1 July 2016"],
        ["Review 6", "72/284", "26 June 2018"],
        ["Review 7", "75/291", "30 June 2021 after the as-of date"],
        ["Review 8", "77/298", "22 June 2023 after the as-of date"],
        ["Review 9", "—", "due in 2026"],
    ]
    assert rows[6][3] == "Delayed by the COVID-19 pandemic."


@pytest.mark.django_db
def test_strategy_page_in_french_and_arabic(seeded, client):
    text = read(get(client, "/strategy/", lang="fr")).text
    assert "Stratégie antiterroriste mondiale des Nations Unies" in text
    assert "résolution 60/288 le 8 septembre 2006" in text
    assert "prévu en 2026" in text
    assert "Mesures visant à prévenir et combattre le terrorisme" in text
    response = get(client, "/strategy/", lang="ar")
    assert html_root(response) == '<html lang="ar" dir="rtl">'
    assert "الاستراتيجية" in read(response).text


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_malformed_as_of_is_a_400_saying_what_is_wrong(seeded, client, path):
    response = client.get(path, {"as_of": "2019-02-30"})
    assert response.status_code == 400
    assert "“2019-02-30” is not a valid date; use the form YYYY-MM-DD, e.g. 2019-07-27." in read(response).text


@pytest.mark.django_db
def test_400_page_in_french_and_its_links_drop_the_bad_date(seeded, client):
    response = client.get("/committee/", {"as_of": "27/07/2019", "lang": "fr"})
    assert response.status_code == 400
    assert "n’est pas une date valide" in read(response).text
    assert "/?lang=fr" in hrefs(response)


@pytest.mark.django_db
def test_unknown_address_is_a_404_page_in_the_layout(seeded, client):
    response = client.get("/no-such-page/", {"lang": "ar"})
    assert response.status_code == 404
    assert html_root(response) == '<html lang="ar" dir="rtl">'


# --- query counts: constant whatever the data size --------------------------------------------


QUERY_COUNTS = [
    # working groups + their leadership + participants, pillars, strategy,
    # committee + its chair, Compact participations, working-group roles
    ("/", 9),
    ("/working-groups/", 4),  # groups (with pillar), leadership, participants, document counts per group
    # group, leadership, participants, its document count; history: events, entities, bodies, pillars named
    ("/working-groups/2/", 8),
    ("/entities/", 4),  # entities, their roles, participations, aliases
    # entity, aliases, roles, participations, contacts; history: events, entities, bodies named
    ("/entities/UNOCT/", 8),
    # committee (with secretariat), its chair, Compact participations, group roles, milestones;
    # history: events, entities, bodies named
    ("/committee/", 8),
    ("/strategy/", 3),  # strategy, reviews, pillars
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "queries"), QUERY_COUNTS)
def test_each_page_runs_a_fixed_number_of_queries(seeded, client, django_assert_num_queries, path, queries):
    with django_assert_num_queries(queries):
        assert get(client, path, lang="fr").status_code == 200


@pytest.fixture
def grown(seeded):
    """The seeded registry plus 20 entities, each a Compact member with an alias, a member of
    working group 2 and a vice-chair of it, 20 more Committee milestones, and UNOCT with 10 more past roles:
    more rows, same queries."""
    from compact.registry.models import Body, Entity, EntityAlias, LeadershipRole, Milestone, Participation

    compact_body = Body.objects.get(kind=Body.Kind.COMPACT)
    group_2 = Body.objects.get(kind=Body.Kind.WORKING_GROUP, number=2)
    for n in range(20):
        entity = Entity.objects.create(acronym=f"E{n:02d}", name_en=f"Entity {n}", kind=Entity.Kind.UN)
        EntityAlias.objects.create(entity=entity, name=f"Alias of entity {n}")
        Participation.objects.create(entity=entity, body=compact_body, capacity="member", start="2018-02-23")
        Participation.objects.create(entity=entity, body=group_2, capacity="member", start="2019-04-16")
        LeadershipRole.objects.create(entity=entity, body=group_2, role="vice_chair", start="2019-04-16")
    committee = Body.objects.get(kind=Body.Kind.COMMITTEE)
    for n in range(20):
        Milestone.objects.create(body=committee, date=f"2019-05-{n + 1:02d}", title_en=f"Meeting E{n:02d}")
    unoct = Entity.objects.get(acronym="UNOCT")
    for year in range(2008, 2018):
        LeadershipRole.objects.create(entity=unoct, body=group_2, role="co_chair", start=f"{year}-01-01", end=f"{year}-12-31")


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "queries"), QUERY_COUNTS)
def test_query_count_does_not_grow_with_the_data(grown, client, django_assert_num_queries, path, queries):
    with django_assert_num_queries(queries):
        response = get(client, path, lang="fr")
    assert response.status_code == 200
    if path in ("/", "/committee/", "/entities/", "/working-groups/2/"):
        assert "E19" in response.content.decode()
