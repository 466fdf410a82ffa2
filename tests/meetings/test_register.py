"""The decisions register: its filters, and its downloads (CSV and XLSX with the HXL hashtag row) holding
exactly the filtered decisions the user may see.

Four decisions, by hand (references: body code / year of the meeting's date / number in the body and year):

- ``WG3/2024/1`` "Terms of reference approved" (wg-3, 3 June 2024), subject: the group's terms of
  reference (a library document); no action item -> follow-up ``none``;
- ``WG3/2024/2`` "Workshop series" (same meeting), one action item due 1 July 2024 still open -> ``overdue``;
- ``WG3/2024/3`` "Closed briefing" (same meeting), *confidential*, one action item done -> ``done``; seen by
  the secretariat and wg-3's participants (UNDP), not by the WCO representative;
- ``WG4/2025/1`` "Border data exchange" (wg-4, 10 February 2025), one action item due in 2999 -> ``pending``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from compact.meetings import services

pytestmark = pytest.mark.django_db

ALL = ["WG4/2025/1", "WG3/2024/3", "WG3/2024/2", "WG3/2024/1"]
NOT_CONFIDENTIAL = ["WG4/2025/1", "WG3/2024/2", "WG3/2024/1"]
HASHTAGS = ["#meta +ref", "#org +body +code", "#date +year", "#meta +num", "#date +adopted", "#event +num",
            "#event +name", "#meta +agenda_item", "#description +title", "#description +text", "#activity +subject",
            "#org +adopting", "#status +follow_up", "#meta +sensitivity"]


@pytest.fixture
def register(wg3, wg4, secretariat, meeting_factory, decision_factory):
    from compact.library.models import Document
    from compact.registry.models import Entity

    tor = Document.objects.create(title_en="Terms of reference of working group 3", title="Terms of reference of working group 3",
                                  kind="terms_of_reference", owner_body=wg3, sensitivity="public")
    june = meeting_factory(wg3, title="Third meeting")
    item = services.agenda_item_add(actor=secretariat, meeting=june, title="Terms of reference", reason="Added")
    interpol = Entity.objects.get(acronym="INTERPOL")
    decision_factory(june, title="Terms of reference approved", text="The group approves its terms of reference.",
                     agenda_item=item, subjects=[tor], adopted_by=[interpol, Entity.objects.get(acronym="OPCW")])
    workshops = decision_factory(june, title="Workshop series")
    services.action_item_create(actor=secretariat, decision=workshops, title="Hold the workshops",
                                due=dt.date(2024, 7, 1), owner_entity=Entity.objects.get(acronym="UNODA"), reason="Tasked")
    closed = decision_factory(june, title="Closed briefing", sensitivity="confidential", reason="Confidential")
    done = services.action_item_create(actor=secretariat, decision=closed, title="Brief the chair", due=dt.date(2024, 6, 10),
                                       owner_body=wg3, reason="Tasked")
    services.action_item_update(actor=secretariat, item=done, status="done", evidence_note="Briefed", reason="Done")
    february = meeting_factory(wg4, day=dt.date(2025, 2, 10), title="Border meeting")
    border = decision_factory(february, title="Border data exchange")
    services.action_item_create(actor=secretariat, decision=border, title="Draft the exchange protocol",
                                due=dt.date(2999, 1, 1), owner_body=wg4, reason="Tasked")
    return tor


def _references(client, query: str = "") -> list[str]:
    response = client.get(f"/meetings/decisions/{query}")
    assert response.status_code == 200
    return [d.reference for d in response.context["page"].object_list]


def _csv(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/meetings/decisions/register.csv{query}")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(client, query: str = "") -> list[list[str]]:
    from openpyxl import load_workbook

    response = client.get(f"/meetings/decisions/register.xlsx{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ALL),
    ("?body=wg-3", ["WG3/2024/3", "WG3/2024/2", "WG3/2024/1"]),
    ("?year=2025", ["WG4/2025/1"]),
    ("?follow_up=none", ["WG3/2024/1"]),
    ("?follow_up=overdue", ["WG3/2024/2"]),
    ("?follow_up=pending", ["WG4/2025/1"]),
    ("?follow_up=done", ["WG3/2024/3"]),
    ("?subject=terms_of_reference", ["WG3/2024/1"]),
    ("?subject=project", []),
    ("?q=workshop", ["WG3/2024/2"]),
    ("?q=wg4/2025", ["WG4/2025/1"]),
    ("?q=approves+its+terms", ["WG3/2024/1"]),
    ("?body=wg-3&follow_up=overdue", ["WG3/2024/2"]),
])
def test_the_register_filters(register, secretariat, client, query, expected):
    client.force_login(secretariat)
    assert _references(client, query) == expected
    assert [row[0] for row in _csv(client, query)[2:]] == expected


def test_the_register_leaves_out_what_the_user_may_not_see(register, outsider, member_fp, client):
    client.force_login(outsider)
    assert _references(client) == NOT_CONFIDENTIAL
    html = client.get("/meetings/decisions/").content.decode()
    assert "3 decisions" in html and "Closed briefing" not in html
    assert client.get("/meetings/decisions/WG3/2024/3/").status_code == 404
    assert _references(client, "?follow_up=done") == []
    client.force_login(member_fp)  # UNDP, a member of wg-3
    assert _references(client) == ALL


def test_a_visitor_sees_no_internal_decision(register, client):
    assert _references(client) == []
    assert _csv(client)[2:] == []


def test_the_csv_holds_exactly_the_visible_filtered_rows_with_hxl_hashtags(register, outsider, client):
    client.force_login(outsider)
    rows = _csv(client, "?body=wg-3")
    assert rows[0] == ["reference", "body", "year", "number", "adopted_on", "meeting", "meeting_title", "agenda_item",
                       "title", "text", "subjects", "adopted_by", "follow_up", "sensitivity"]
    assert rows[1] == HASHTAGS
    assert rows[2:] == [
        ["WG3/2024/2", "wg-3", "2024", "2", "2024-06-03", "1", "Third meeting", "", "Workshop series",
         "Workshop series: the text.", "", "", "overdue", "internal"],
        ["WG3/2024/1", "wg-3", "2024", "1", "2024-06-03", "1", "Third meeting", "2. Terms of reference",
         "Terms of reference approved", "The group approves its terms of reference.",
         "Terms of reference: Terms of reference of working group 3", "INTERPOL; OPCW", "none", "internal"],
    ]
    from compact.interop.tabular.hxl import is_hashtag_row

    assert is_hashtag_row(rows[1])


def test_the_xlsx_holds_the_same_rows_as_the_csv(register, outsider, secretariat, client):
    for user in (outsider, secretariat):
        client.force_login(user)
        for query in ("", "?follow_up=overdue", "?year=2024"):
            assert _xlsx(client, query) == _csv(client, query)


def test_downloads_are_written_to_the_access_log(register, secretariat, client):
    from compact.audit.models import AccessEvent
    from compact.meetings.models import Decision

    client.force_login(secretariat)
    client.get("/meetings/decisions/register.csv?year=2024")
    event = AccessEvent.objects.filter(action="export").latest("time")
    assert event.object_type == "meetings.decision" and event.row_count == 3
    assert sorted(event.object_ids) == sorted(Decision.objects.filter(year=2024).values_list("pk", flat=True))
    assert event.detail == "csv year=2024"


def test_an_invalid_filter_answers_400(register, secretariat, client):
    client.force_login(secretariat)
    for url in ("/meetings/decisions/?follow_up=late", "/meetings/decisions/?year=twenty",
                "/meetings/decisions/register.csv?body=wg-99", "/meetings/decisions/register.xlsx?subject=budget"):
        assert client.get(url).status_code == 400, url


def test_the_page_links_to_downloads_of_its_filters(register, secretariat, client):
    client.force_login(secretariat)
    html = client.get("/meetings/decisions/?body=wg-3&follow_up=overdue&page=1").content.decode()
    assert 'href="/meetings/decisions/register.csv?body=wg-3&amp;follow_up=overdue"' in html
    assert 'href="/meetings/decisions/register.xlsx?body=wg-3&amp;follow_up=overdue"' in html


def test_the_register_runs_as_many_queries_for_twenty_decisions_as_for_one(wg3, secretariat, meeting_factory,
                                                                           decision_factory, client,
                                                                           django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compact.registry.models import Entity

    meeting = meeting_factory(wg3)
    interpol = Entity.objects.get(acronym="INTERPOL")
    decision_factory(meeting, title="Decision 0", adopted_by=[interpol])
    client.force_login(secretariat)
    counts = {}
    for url in ("/meetings/decisions/", "/meetings/decisions/register.csv"):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    for n in range(1, 20):
        decision = decision_factory(meeting, title=f"Decision {n}", adopted_by=[interpol])
        services.action_item_create(actor=secretariat, decision=decision, title=f"Task {n}", due=dt.date(2024, 9, 1),
                                    owner_body=wg3, reason="Tasked")
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
