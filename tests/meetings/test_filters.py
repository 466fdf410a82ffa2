"""The numeric filters refuse what is not a whole number in range, on the register's page, its CSV and the
API: a 400 naming the parameter, never a server error (SQLite raises OverflowError past 64 bits) nor a
silent truncation (``2.5`` read as 2)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BAD = [("meeting", "2.5"), ("meeting", "1e30"), ("meeting", "99999999999999999999"), ("meeting", "0"),
       ("year", "2024.5"), ("year", "2e3"), ("year", "99999999999999999999")]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_a_bad_number_is_a_400_on_the_page_the_csv_and_the_api(world, client, name, value):
    page = client.get("/meetings/decisions/", {name: value})
    assert page.status_code == 400 and name in page.context["filter"].errors
    assert client.get("/meetings/decisions/register.csv", {name: value}).status_code == 400
    api = client.get("/api/meetings/decisions/", {name: value})
    assert api.status_code == 400 and name in api.content.decode()


def test_whole_numbers_in_range_are_read(wg3, meeting_factory, decision_factory, client):
    meeting = meeting_factory(wg3, sensitivity="public")
    decision = decision_factory(meeting, sensitivity="public")
    for params in ({"meeting": str(meeting.pk)}, {"year": "2024"}, {"meeting": str(2**63 - 1)}):
        response = client.get("/api/meetings/decisions/", params)
        assert response.status_code == 200
        expected = [] if params.get("meeting") == str(2**63 - 1) else [decision.reference]
        assert [d["reference"] for d in response.json()["results"]] == expected
        assert client.get("/meetings/decisions/register.csv", params).status_code == 200


def test_a_search_for_a_non_ascii_digit_is_text(world, client):
    assert client.get("/meetings/", {"q": "²"}).status_code == 200
    assert client.get("/api/meetings/", {"q": "٣"}).status_code == 200
