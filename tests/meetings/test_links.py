"""The meetings list and the account page lead to the calendar feeds and the meeting preferences; a
meeting's page to its calendar file."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_meetings_list_and_the_account_page_link_to_feeds_and_preferences(world, member_fp, client):
    client.force_login(member_fp)
    for url in ("/meetings/", "/account/"):
        page = client.get(url).content.decode()
        assert 'href="/meetings/calendar/"' in page and 'href="/meetings/preferences/"' in page, url
    assert client.get("/meetings/calendar/").status_code == 200
    assert client.get("/meetings/preferences/").status_code == 200


def test_a_meeting_page_links_to_its_calendar_file(wg3, meeting_factory, member_fp, client):
    meeting = meeting_factory(wg3)
    client.force_login(member_fp)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/meetings/{meeting.pk}.ics"' in page
    response = client.get(f"/meetings/{meeting.pk}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
