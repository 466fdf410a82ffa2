"""Calendar feeds over HTTP: who sees which meeting, the secret in private addresses, and the answers.

Standing on the default structure (see ``tests/meetings/conftest.py``): UNDP (``member_fp``) is a member
of wg-3; WCO (``outsider``) takes no part in wg-3; a confidential meeting of wg-3 is read by the
secretariat, wg-3's participants and those holding a read grant on it (``docs/access.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from compact.audit.models import AccessEvent, ChangeEvent
from compact.meetings import account_services, services
from compact.meetings.models import FeedToken
from compact.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def wg3_meetings(meeting_factory, wg3):
    """Three meetings of wg-3, one per sensitivity, by title; participants invited."""
    return {level: meeting_factory(wg3, day=dt.date(2025, 6, day), title=f"{level} meeting", sensitivity=level,
                                   reason="Scheduled for the test")
            for day, level in ((2, "public"), (3, "internal"), (4, "confidential"))}


def _summaries(response) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]) for event in cal.walk("VEVENT")}


def _secret_for(user) -> str:
    _token, secret = account_services.feed_token_create(actor=user)
    return secret


def _private(client, secret, body_key="wg-3"):
    return client.get(reverse("meetings:feed-private", kwargs={"secret": secret, "body_key": body_key}))


def _mine(client, secret):
    return client.get(reverse("meetings:feed-mine", kwargs={"secret": secret}))


def test_the_public_feed_holds_public_meetings_only(client, wg3_meetings):
    response = client.get(reverse("meetings:feed-public", kwargs={"body_key": "wg-3"}))
    assert _summaries(response) == {"public meeting"}
    assert "public" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'inline; filename="wg-3.ics"'


def test_the_public_feed_is_the_same_for_a_signed_in_participant(client, wg3_meetings, member_fp):
    client.force_login(member_fp)
    assert _summaries(client.get(reverse("meetings:feed-public", kwargs={"body_key": "wg-3"}))) == {"public meeting"}


def test_a_confidential_meeting_is_absent_from_an_outsiders_private_feeds(client, wg3_meetings, outsider):
    secret = _secret_for(outsider)
    assert _summaries(_private(client, secret)) == {"public meeting", "internal meeting"}
    assert "confidential meeting" not in _summaries(_mine(client, secret))


def test_a_participant_sees_the_confidential_meeting_in_both_private_feeds(client, wg3_meetings, member_fp):
    secret = _secret_for(member_fp)
    response = _private(client, secret)
    assert _summaries(response) == {"public meeting", "internal meeting", "confidential meeting"}
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    # UNDP is a wg-3 member on 2025-06: invited through its entity's attendance to all three.
    assert _summaries(_mine(client, secret)) == {"public meeting", "internal meeting", "confidential meeting"}


def test_an_outsider_invited_by_name_sees_the_confidential_meeting_in_their_feed(client, wg3_meetings, outsider,
                                                                                   secretariat):
    meeting = wg3_meetings["confidential"]
    services.attendee_invite(actor=secretariat, meeting=meeting, person=Person.objects.get(user=outsider),
                             reason="Briefing on customs data")
    secret = _secret_for(outsider)
    assert _summaries(_mine(client, secret)) == {"confidential meeting"}
    assert "confidential meeting" in _summaries(_private(client, secret))


def test_my_feed_leaves_out_meetings_i_am_not_invited_to(client, meeting_factory, wg4, wg3_meetings, member_fp):
    # UNDP takes no part in wg-4: its meeting is readable (internal) but UNDP is not invited.
    meeting_factory(wg4, day=dt.date(2025, 6, 5), title="wg-4 meeting")
    secret = _secret_for(member_fp)
    assert "wg-4 meeting" not in _summaries(_mine(client, secret))
    assert _summaries(_private(client, secret, "wg-4")) == {"wg-4 meeting"}


def test_the_secretariat_sees_everything_in_the_body_feed(client, wg3_meetings, secretariat):
    assert _summaries(_private(client, _secret_for(secretariat))) == {
        "public meeting", "internal meeting", "confidential meeting"}


def test_a_cancelled_meeting_stays_in_the_feed_with_its_uid_and_a_raised_sequence(client, wg3_meetings, secretariat):
    meeting = wg3_meetings["public"]
    services.meeting_cancel(actor=secretariat, meeting=meeting, reason="No quorum")
    cal = icalendar.Calendar.from_ical(client.get(reverse("meetings:feed-public", kwargs={"body_key": "wg-3"})).content)
    (event,) = cal.walk("VEVENT")
    assert (str(event["UID"]), event.decoded("SEQUENCE"), str(event["STATUS"])) == (meeting.uid, 1, "CANCELLED")


def test_unknown_and_revoked_secrets_get_the_same_404_and_a_new_secret_works(client, wg3_meetings, member_fp):
    token, secret = account_services.feed_token_create(actor=member_fp)
    assert _private(client, secret).status_code == 200
    account_services.feed_token_revoke(actor=member_fp, token=token)
    revoked = _private(client, secret)
    unknown = _private(client, "A" * 43)
    malformed = _private(client, "not-a-secret")
    assert revoked.status_code == unknown.status_code == malformed.status_code == 404
    assert revoked.content == unknown.content
    assert _mine(client, secret).status_code == 404
    new_secret = _secret_for(member_fp)
    assert new_secret != secret
    assert _summaries(_private(client, new_secret))


def test_making_a_new_secret_revokes_the_old_one(client, wg3_meetings, member_fp):
    old = _secret_for(member_fp)
    new = _secret_for(member_fp)
    assert _private(client, old).status_code == 404
    assert _private(client, new).status_code == 200
    assert FeedToken.objects.filter(user=member_fp, revoked__isnull=True).count() == 1


def test_a_deactivated_users_secret_answers_404(client, wg3_meetings, member_fp):
    secret = _secret_for(member_fp)
    member_fp.is_active = False
    member_fp.save(update_fields=["is_active"])
    assert _private(client, secret).status_code == 404


def test_the_secret_is_never_stored(client, wg3_meetings, member_fp):
    token, secret = account_services.feed_token_create(actor=member_fp)
    _private(client, secret)
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert not FeedToken.objects.filter(digest__contains=secret).exists()
    stored = [str(e.changes) + e.object_repr for e in ChangeEvent.objects.all()]
    stored += [e.path + e.detail for e in AccessEvent.objects.all()]
    assert stored and not any(secret in text for text in stored)


def test_a_read_of_a_confidential_meeting_through_a_feed_is_logged_as_the_feeds_user(client, wg3_meetings, member_fp):
    secret = _secret_for(member_fp)
    _private(client, secret)
    (event,) = AccessEvent.objects.all()
    assert event.user == member_fp
    assert event.action == "list" and event.object_type == "meetings.meeting"
    assert event.object_ids == [wg3_meetings["confidential"].pk]
    assert event.row_count == 3
    assert event.path == "/meetings/calendar/<secret>/wg-3.ics"


def test_a_feed_without_confidential_meetings_leaves_no_access_event(client, wg3_meetings, outsider):
    _private(client, _secret_for(outsider))
    assert not AccessEvent.objects.exists()


def test_last_used_is_written_at_most_once_a_minute(client, wg3_meetings, member_fp):
    token, secret = account_services.feed_token_create(actor=member_fp)
    _private(client, secret)
    token.refresh_from_db()
    first = token.last_used
    assert first is not None
    _mine(client, secret)
    token.refresh_from_db()
    assert token.last_used == first
    FeedToken.objects.filter(pk=token.pk).update(last_used=first - dt.timedelta(seconds=61))
    _mine(client, secret)
    token.refresh_from_db()
    assert token.last_used > first - dt.timedelta(seconds=61)
    assert timezone.now() - token.last_used < dt.timedelta(seconds=60)


def test_an_unknown_body_answers_404(client, member_fp):
    assert client.get(reverse("meetings:feed-public", kwargs={"body_key": "wg-99"})).status_code == 404
    assert _private(client, _secret_for(member_fp), "wg-99").status_code == 404


def test_titles_in_the_language_asked(client, meeting_factory, wg3):
    meeting_factory(wg3, title={"en": "Border security", "fr": "Sécurité des frontières"}, sensitivity="public")
    url = reverse("meetings:feed-public", kwargs={"body_key": "wg-3"})
    assert _summaries(client.get(url, {"lang": "fr"})) == {"Sécurité des frontières"}
    assert _summaries(client.get(url, {"lang": "en"})) == {"Border security"}


def test_feeds_read_a_fixed_number_of_queries(client, meeting_factory, wg3, member_fp, django_assert_max_num_queries):
    secret = _secret_for(member_fp)

    def count_for(n: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert len(_summaries(_mine(client, secret))) == n
        return len(captured.captured_queries)

    meeting_factory(wg3, day=dt.date(2025, 6, 1), title="m0")
    one = count_for(1)
    for day in range(2, 21):
        meeting_factory(wg3, day=dt.date(2025, 6, day), title=f"m{day}")
    assert count_for(20) == one
    with django_assert_max_num_queries(one):
        _private(client, secret)


def test_one_meeting_as_a_calendar_file(client, wg3_meetings, member_fp, outsider):
    meeting = wg3_meetings["confidential"]
    url = reverse("meetings:meeting-ics", args=[meeting.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(member_fp)
    response = client.get(url)
    assert _summaries(response) == {"confidential meeting"}
    assert response["Content-Disposition"] == f'inline; filename="meeting-{meeting.pk}.ics"'
    assert "no-store" in response["Cache-Control"]
    assert AccessEvent.objects.get(action="download").object_ids == [meeting.pk]
    client.logout()
    public = wg3_meetings["public"]
    assert _summaries(client.get(reverse("meetings:meeting-ics", args=[public.pk]))) == {"public meeting"}


def test_the_settings_page_shows_a_new_address_once(client, wg3_meetings, member_fp):
    url = reverse("meetings:calendar-settings")
    client.force_login(member_fp)
    page = client.get(url)
    assert page.status_code == 200
    assert "You have no private feed address yet" in page.content.decode()
    made = client.post(url, {"action": "make"})
    assert made.status_code == 200
    token = FeedToken.objects.get(user=member_fp, revoked__isnull=True)
    html = made.content.decode()
    # The secret is in the answer (and only there): find it by its digest among the page's addresses.
    import re

    secrets_shown = set(re.findall(r"/meetings/calendar/([A-Za-z0-9_-]{43})/mine\.ics", html))
    assert len(secrets_shown) == 1
    (secret,) = secrets_shown
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    assert f"/meetings/calendar/{secret}/wg-3.ics" in html
    assert "no-store" in made["Cache-Control"] or "no-cache" in made["Cache-Control"]
    again = client.get(url).content.decode()
    assert secret not in again and "You have a private feed address" in again
    assert _summaries(_mine(client, secret))
    revoked = client.post(url, {"action": "revoke"}, follow=True)
    assert "revoked" in revoked.content.decode()
    assert _mine(client, secret).status_code == 404
    assert client.post(url, {"action": "steal"}).status_code == 400


def test_the_settings_page_needs_a_signed_in_user(client):
    response = client.get(reverse("meetings:calendar-settings"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_settings_page_lists_the_compact_the_committee_then_the_groups_by_number(client, member_fp):
    client.force_login(member_fp)
    html = client.get(reverse("meetings:calendar-settings")).content.decode()
    positions = [html.index(f"/meetings/calendar/{key}.ics") for key in ("compact", "committee", "wg-1", "wg-2", "wg-8")]
    assert positions == sorted(positions)
