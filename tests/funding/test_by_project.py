"""The funding gap of each joint project: the "By joint project" table of ``/funding/`` (largest gap
first, 50 a page, only the projects the user may count, a bounded number of queries) and
``/api/funding/totals/?by=project`` (labels in the language asked for).

Figures by hand, from the world of ``conftest.py`` (US dollars):

====  ========================  ======  ============  ===========  ===========================
      project                   lead    requirement   funded       funding gap
====  ========================  ======  ============  ===========  ===========================
p1    Border security ...       UNDP    1,000,000     450,000      550,000
p3    Victims' associations     OHCHR   800,000       300,000      500,000
p2    Financial intelligence .. UNODC   500,000       200,000 *    300,000 * (no EUR 2026-03)
p4    Youth engagement ...      CTED    250,000       100,006.67   149,993.33
====  ========================  ======  ============  ===========  ===========================
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.test import Client

from compact.audit.models import AccessEvent
from compact.funding.models import Flow
from compact.projects.models import Project

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _rows(html: str) -> list[dict]:
    """The rows of the "By joint project" table: link, title, lead entity, the three figures (amount,
    marked incomplete) and the conversion column."""
    table = re.search(r'<table class="table table-striped align-middle funding-project">.*?</table>', html, re.S)
    if table is None:
        return []
    rows = []
    pattern = r'<tr><th scope="row"><a href="([^"]+)">(.*?)</a></th><td>(.*?)</td>(.*?)</tr>'
    for link, title, lead, rest in re.findall(pattern, table.group(0), re.S):
        figures = re.findall(r'<td class="text-end"><bdi>(.*?)</bdi>(.*?)</td>', rest, re.S)
        conversion = re.findall(r"<td>(.*?)</td>", rest, re.S)[-1]
        rows.append({"link": link, "title": title, "lead": lead,
                     "figures": [(amount, "incomplete-mark" in mark) for amount, mark in figures],
                     "conversion": re.sub(r"<[^>]+>", "", conversion).strip()})
    return rows


def test_the_table_lists_each_project_by_funding_gap(world):
    rows = _rows(_client(world.secretariat).get("/funding/").content.decode())
    assert [r["title"] for r in rows] == ["Border security in the Sahel", "Victims&#x27; associations",
                                          "Financial intelligence units", "Youth engagement in Africa"]
    assert [r["lead"] for r in rows] == ["UNDP", "OHCHR", "UNODC", "CTED"]
    assert rows[0]["link"] == f"/funding/projects/{world.p1.pk}/"
    assert rows[0]["figures"] == [("$1,000,000.00", False), ("$450,000.00", False), ("$550,000.00", False)]
    assert rows[0]["conversion"] == "complete"
    # p2: 30,000,000 JPY / 150 = 200,000 funded; its EUR 2026-03 commitment has no rate.
    assert rows[2]["figures"] == [("$500,000.00", False), ("$200,000.00", True), ("$300,000.00", True)]
    assert rows[2]["conversion"] == "* incomplete: no rate for EUR 2026-03"
    assert rows[3]["figures"] == [("$250,000.00", False), ("$100,006.67", False), ("$149,993.33", False)]


def test_only_the_projects_the_user_may_count_appear(world):
    rows = _rows(_client(world.wco).get("/funding/").content.decode())
    assert [r["lead"] for r in rows] == ["UNDP", "UNODC", "CTED"]  # never p3 (confidential, wg-5)
    assert [r["title"] for r in _rows(_client().get("/funding/").content.decode())] == ["Youth engagement in Africa"]
    # The confidential project shown (p2) is written to the access log, with the page.
    event = AccessEvent.objects.filter(user=world.wco, object_type="projects.project").latest("id")
    assert event.object_ids == [world.p2.pk] and event.row_count == 3
    assert event.detail == "funding by joint project, page 1"


def _projects_with_gaps(world, n: int) -> list[Project]:
    """``n`` internal projects of UNODA in wg-3; project i requires 1,000 x (i + 1) USD and has 100 USD
    committed: gap 1,000 x (i + 1) - 100."""
    projects = []
    for i in range(n):
        project = Project.objects.create(title=f"Extra {i:02d}", lead_body=world.bodies["wg-3"],
                                         lead_entity=world.entities["UNODA"], sensitivity="internal")
        Flow.objects.create(project=project, kind="requirement", amount=D(1000 * (i + 1)), currency="USD",
                            date=dt.date(2026, 1, 1))
        Flow.objects.create(project=project, kind="commitment", amount=D(100), currency="USD", date=dt.date(2026, 1, 1),
                            provider_name="Japan")
        projects.append(project)
    return projects


def test_fifty_projects_a_page(world):
    _projects_with_gaps(world, 60)  # gaps 900 ... 59,900: all below p4's 149,993.33
    client = _client(world.secretariat)
    first = client.get("/funding/").content.decode()
    rows = _rows(first)
    assert len(rows) == 50
    assert [r["title"] for r in rows[:5]] == ["Border security in the Sahel", "Victims&#x27; associations",
                                              "Financial intelligence units", "Youth engagement in Africa", "Extra 59"]
    assert rows[4]["figures"][2] == ("$59,900.00", False)
    assert rows[-1]["title"] == "Extra 14"  # 4 + 46 extras: 59 down to 14
    assert 'href="?page=2#by-project"' in first and "1 / 2" in first
    second = _rows(client.get("/funding/?page=2").content.decode())
    assert [r["title"] for r in second] == [f"Extra {i:02d}" for i in range(13, -1, -1)]
    assert second[-1]["figures"] == [("$1,000.00", False), ("$100.00", False), ("$900.00", False)]
    assert _rows(client.get("/funding/?page=9").content.decode()) == second  # beyond the end: the last page
    bad = client.get("/funding/?page=two")
    assert bad.status_code == 400 and "The page must be a whole number" in bad.content.decode()


def test_the_queries_do_not_grow_with_the_projects(seeded, make_user, django_assert_max_num_queries):
    """The same number of queries at 2 and at 60 projects (a page of 50 rows)."""
    from compact.registry.models import Body, Entity

    world = type("World", (), {"bodies": {b.key: b for b in Body.objects.all()},
                               "entities": {e.acronym: e for e in Entity.objects.all()}})
    _projects_with_gaps(world, 2)
    client = _client(make_user("reader", entity="WCO", function="representative"))
    client.get("/funding/")
    with django_assert_max_num_queries(27) as two:
        assert len(_rows(client.get("/funding/").content.decode())) == 2
    _projects_with_gaps(world, 58)
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert len(_rows(client.get("/funding/").content.decode())) == 50
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert len(_rows(client.get("/funding/?page=2").content.decode())) == 10


def test_the_api_names_each_project_in_the_language_asked_for(world):
    Project.objects.filter(pk=world.p1.pk).update(title_fr="Sécurité des frontières au Sahel")
    client = _client(world.wco)
    for request in ({"path": "/api/funding/totals/?by=project&lang=fr"},
                    {"path": "/api/funding/totals/?by=project", "HTTP_ACCEPT_LANGUAGE": "fr"}):
        response = client.get(**request)
        assert response.status_code == 200
        rows = {r["key"]: r for r in response.json()["results"]}
        assert set(rows) == {str(world.p1.pk), str(world.p2.pk), str(world.p4.pk)}  # not p3
        assert rows[str(world.p1.pk)]["label"] == "Sécurité des frontières au Sahel"
        assert rows[str(world.p4.pk)]["label"] == "Youth engagement in Africa"  # no French title: the English one
        assert rows[str(world.p1.pk)]["gap"] == {"usd": "550000.00", "complete": True, "not_converted": []}
        assert rows[str(world.p2.pk)]["gap"] == {"usd": "300000.00", "complete": False, "not_converted": ["EUR 2026-03"]}
    english = {r["key"]: r["label"] for r in client.get("/api/funding/totals/?by=project&lang=en").json()["results"]}
    assert english[str(world.p1.pk)] == "Border security in the Sahel"
    event = AccessEvent.objects.filter(user=world.wco, detail="funding totals by joint project").latest("id")
    assert event.object_ids == [world.p2.pk] and event.row_count == 3  # the confidential one, of three shown
    page = _client(world.wco).get("/funding/?lang=fr").content.decode()
    assert _rows(page)[0]["title"] == "Sécurité des frontières au Sahel"
