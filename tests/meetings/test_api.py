"""The meetings API: meetings, a meeting with its agenda and attendance, the decisions register filtered as
its page, a decision by its reference, action items; restricted as the pages are, checked against the
OpenAPI schema, with bounded query counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compact.meetings import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(wg3, secretariat, meeting_factory, decision_factory):
    """wg-3's meeting of 10 March 2025, 09:00-11:00 in Tokyo (00:00-02:00 UTC), with one agenda item and
    decision WG3/2025/1 tasking UNDP (due 1 April 2025, open: overdue today); and a confidential meeting on
    3 June 2024 with decision WG3/2024/1."""
    from compact.registry.models import Entity

    zone = zoneinfo.ZoneInfo("Asia/Tokyo")
    meeting = services.meeting_create(actor=secretariat, body=wg3, start=dt.datetime(2025, 3, 10, 9, tzinfo=zone),
                                      end=dt.datetime(2025, 3, 10, 11, tzinfo=zone), time_zone="Asia/Tokyo",
                                      title={"en": "Tokyo consultations", "fr": "Consultations de Tokyo"},
                                      reason="Scheduled")
    item = services.agenda_item_add(actor=secretariat, meeting=meeting, title="Cyber threats", expected_outcome="decision",
                                    presenter=Entity.objects.get(acronym="INTERPOL"), reason="Added")
    decision = decision_factory(meeting, title="Joint assessment", agenda_item=item,
                                adopted_by=[Entity.objects.get(acronym="OPCW"), Entity.objects.get(acronym="INTERPOL")])
    task = services.action_item_create(actor=secretariat, decision=decision, title="Draft the assessment",
                                       due=dt.date(2025, 4, 1), owner_entity=Entity.objects.get(acronym="UNDP"),
                                       reason="Tasked")
    closed = meeting_factory(wg3, title="Closed session", sensitivity="confidential", reason="Confidential")
    decision_factory(closed, title="Closed decision")
    return meeting, decision, task, closed


def test_meetings_are_listed_with_their_times_in_utc_and_in_their_zone(cycle, outsider, client):
    meeting = cycle[0]
    client.force_login(outsider)
    data = client.get("/api/meetings/").json()
    assert data["count"] == 1 and data["page"] == 1 and data["page_size"] == 50
    row = data["results"][0]
    assert row["id"] == meeting.pk and row["body"] == "wg-3" and row["number"] == 1
    assert row["title"] == "Tokyo consultations" and row["titles"] == {"en": "Tokyo consultations",
                                                                       "fr": "Consultations de Tokyo"}
    assert row["start"] == "2025-03-10T00:00:00Z" and row["end"] == "2025-03-10T02:00:00Z"
    assert row["local_start"] == "2025-03-10T09:00:00+09:00" and row["local_end"] == "2025-03-10T11:00:00+09:00"
    assert row["time_zone"] == "Asia/Tokyo" and row["status"] == "scheduled" and row["uid"] == meeting.uid
    assert client.get("/api/meetings/?lang=fr").json()["results"][0]["title"] == "Consultations de Tokyo"


def test_confidential_meetings_and_decisions_are_hidden_from_outsiders(cycle, outsider, member_fp, client):
    closed = cycle[3]
    client.force_login(outsider)
    assert client.get(f"/api/meetings/{closed.pk}/").status_code == 404
    assert client.get("/api/meetings/decisions/WG3/2024/1/").status_code == 404
    assert [d["reference"] for d in client.get("/api/meetings/decisions/").json()["results"]] == ["WG3/2025/1"]
    client.force_login(member_fp)
    assert client.get("/api/meetings/").json()["count"] == 2
    assert client.get(f"/api/meetings/{closed.pk}/").status_code == 200
    assert client.get("/api/meetings/decisions/").json()["count"] == 2


def test_a_meeting_with_its_agenda_attendance_and_decisions(cycle, member_fp, client):
    meeting = cycle[0]
    client.force_login(member_fp)
    data = client.get(f"/api/meetings/{meeting.pk}/").json()
    assert [(a["position"], a["kind"], a["title"], a["presenter"]) for a in data["agenda"]] == [
        (1, "matters_arising", "Matters arising", None), (2, "item", "Cyber threats", "INTERPOL")]
    assert data["agenda"][1]["expected_outcome"] == "decision"
    assert [(a["entity"], a["capacity"]) for a in data["attendance"]] == [
        ("IMF", "observer"), ("INTERPOL", "member"), ("OPCW", "member"), ("UNDP", "member"), ("UNICRI", "member"),
        ("UNODA", "member")]
    assert data["decisions"] == ["WG3/2025/1"] and data["minutes"] == []


def test_the_decisions_register_is_filtered_as_its_page(cycle, secretariat, client):
    client.force_login(secretariat)
    assert [d["reference"] for d in client.get("/api/meetings/decisions/").json()["results"]] == [
        "WG3/2025/1", "WG3/2024/1"]
    data = client.get("/api/meetings/decisions/?follow_up=overdue").json()
    assert [d["reference"] for d in data["results"]] == ["WG3/2025/1"]
    row = data["results"][0]
    assert row["adopted_by"] == ["INTERPOL", "OPCW"] and row["agenda_item"] == 2 and row["meeting_number"] == 1
    assert row["year"] == 2025 and row["number"] == 1 and row["follow_up"] == "overdue"
    assert [d["reference"] for d in client.get("/api/meetings/decisions/?year=2024").json()["results"]] == ["WG3/2024/1"]
    assert client.get("/api/meetings/decisions/?follow_up=none").json()["count"] == 1
    response = client.get("/api/meetings/decisions/?follow_up=late")
    assert response.status_code == 400 and "follow_up" in response.json()["error"]["fields"]


def test_a_decision_with_its_action_items(cycle, member_fp, client):
    task = cycle[2]
    client.force_login(member_fp)
    data = client.get("/api/meetings/decisions/WG3/2025/1/").json()
    assert data["reference"] == "WG3/2025/1" and data["title"] == "Joint assessment"
    assert [(a["id"], a["owner_entity"], a["due"], a["status"], a["overdue"]) for a in data["action_items"]] == [
        (task.pk, "UNDP", "2025-04-01", "open", True)]
    assert client.get("/api/meetings/decisions/WG3/2025/9/").status_code == 404


def test_action_items_mine_and_overdue(cycle, member_fp, outsider, client):
    client.force_login(member_fp)
    assert [a["title"] for a in client.get("/api/meetings/action-items/?show=entity").json()["results"]] == [
        "Draft the assessment"]
    assert client.get("/api/meetings/action-items/?show=overdue").json()["count"] == 1
    client.force_login(outsider)
    assert client.get("/api/meetings/action-items/?show=entity").json()["count"] == 0
    assert client.get("/api/meetings/action-items/?status=nonsense").status_code == 400


def test_bad_pages_answer_400(cycle, client):
    for url in ("/api/meetings/?page=0", "/api/meetings/decisions/?page=x", "/api/meetings/?body=wg-99"):
        assert client.get(url).status_code == 400, url


def test_answers_match_the_openapi_schema(cycle, member_fp, client):
    """Each answer validates against the schema the API publishes (openapi-core)."""
    from openapi_core import OpenAPI
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    spec = OpenAPI.from_dict(client.get("/api/schema/?format=json").json())
    client.force_login(member_fp)
    meeting = cycle[0]
    for url in ("/api/meetings/", f"/api/meetings/{meeting.pk}/", "/api/meetings/decisions/",
                "/api/meetings/decisions/WG3/2025/1/", "/api/meetings/action-items/", "/api/meetings/?body=wg-99",
                "/api/meetings/999999/"):
        response = client.get(url)
        spec.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))


@pytest.mark.parametrize("url", ["/api/meetings/", "/api/meetings/decisions/", "/api/meetings/action-items/", "detail"])
def test_api_lists_run_as_many_queries_for_twenty_rows_as_for_one(cycle, secretariat, wg3, meeting_factory,
                                                                  decision_factory, client, url,
                                                                  django_assert_max_num_queries):
    from compact.registry.models import Entity

    meeting, decision = cycle[0], cycle[1]
    url = f"/api/meetings/{meeting.pk}/" if url == "detail" else url
    client.force_login(secretariat)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    undp = Entity.objects.get(acronym="UNDP")
    for n in range(20):
        other = meeting_factory(wg3, day=dt.date(2024, 7, 1) + dt.timedelta(days=n), invite_participants=False)
        decision_factory(other, title=f"Decision {n}", adopted_by=[undp])
        services.action_item_create(actor=secretariat, decision=decision, title=f"Task {n}", due=dt.date(2025, 5, 1),
                                    owner_body=wg3, reason="Tasked")
        services.agenda_item_add(actor=secretariat, meeting=meeting, title=f"Item {n}", presenter=undp, reason="Added")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
