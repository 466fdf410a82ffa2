"""A user's meeting preferences (time zone, e-mails) and their page, ``/meetings/preferences/``."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compact.audit.models import ChangeEvent
from compact.meetings import account_services, times
from compact.meetings.models import Preference

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(seeded, make_user):
    return make_user("ada", entity="UNDP")


def _events(user):
    return list(ChangeEvent.objects.filter(object_type="meetings.preference", actor=user).order_by("pk"))


def test_the_first_choice_creates_the_row_with_the_defaults_for_the_rest(ada):
    preference = account_services.preference_set(actor=ada, time_zone="America/New_York")
    assert (preference.time_zone, preference.notify_invitations, preference.notify_overdue) == (
        "America/New_York", True, True)
    (event,) = _events(ada)
    assert event.action == "create" and event.changes["time_zone"] == [None, "America/New_York"]
    assert event.reason == "Meeting preferences changed by the user"
    assert times.viewer_zone(ada).key == "America/New_York"


def test_a_change_is_one_event_and_no_change_none(ada):
    account_services.preference_set(actor=ada, notify_minutes=False)
    account_services.preference_set(actor=ada, notify_minutes=True, reason="Wants the minutes again")
    account_services.preference_set(actor=ada, notify_minutes=True)
    events = _events(ada)
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes == {"notify_minutes": [False, True]}
    assert Preference.objects.get(user=ada).notify_minutes is True


def test_the_viewer_zone_follows_a_change_on_the_same_user_object(ada):
    account_services.preference_set(actor=ada, time_zone="Asia/Tokyo")
    assert times.viewer_zone(ada).key == "Asia/Tokyo"
    account_services.preference_set(actor=ada, time_zone="")
    assert times.viewer_zone(ada).key == "UTC"


def test_an_unknown_zone_is_refused_on_its_field(ada):
    with pytest.raises(ValidationError) as caught:
        account_services.preference_set(actor=ada, time_zone="Europe/Atlantis")
    assert "Europe/Atlantis" in caught.value.message_dict["time_zone"][0]
    assert not Preference.objects.exists()


def test_only_the_user_or_the_secretariat_sets_them(ada, make_user):
    other = make_user("bob", entity="WCO")
    with pytest.raises(PermissionDenied):
        account_services.preference_set(actor=other, user=ada, notify_overdue=False)
    secretariat = make_user("sec", secretariat=True)
    account_services.preference_set(actor=secretariat, user=ada, notify_overdue=False, reason="Asked by phone")
    assert Preference.objects.get(user=ada).notify_overdue is False


def test_an_unknown_preference_is_a_programming_error(ada):
    with pytest.raises(TypeError):
        account_services.preference_set(actor=ada, colour="blue")


def test_the_language_of_a_users_e_mails(ada, settings):
    from compact.meetings.notifications import recipient_language

    assert settings.LANGUAGE_CODE == "en"
    assert recipient_language(ada) == "en"  # no preference: the site's default
    preference = account_services.preference_set(actor=ada, language="fr")
    assert preference.language == "fr" and recipient_language(ada) == "fr"
    assert _events(ada)[0].changes["language"] == [None, "fr"]
    account_services.preference_set(actor=ada, language="zh-hans")
    assert recipient_language(ada) == "zh-hans"
    account_services.preference_set(actor=ada, language="")
    assert Preference.objects.get(user=ada).language == "" and recipient_language(ada) == "en"
    for bad in ("de", "zh_hans", "FR"):
        with pytest.raises(ValidationError) as caught:
            account_services.preference_set(actor=ada, language=bad)
        assert list(caught.value.message_dict) == ["language"]
    assert Preference.objects.get(user=ada).language == ""


def test_the_page_shows_and_saves_them(client, ada):
    url = reverse("meetings:preferences")
    client.force_login(ada)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="Asia/Tokyo">' in html and 'name="notify_overdue"' in html
    saved = client.post(url, {"time_zone": "Asia/Kathmandu", "notify_invitations": "on", "notify_minutes": "on"})
    assert saved.status_code == 302 and saved["Location"] == url
    preference = Preference.objects.get(user=ada)
    # Unticked boxes are choices too: no e-mails about action items.
    assert (preference.time_zone, preference.notify_invitations, preference.notify_minutes,
            preference.notify_action_items, preference.notify_overdue) == ("Asia/Kathmandu", True, True, False, False)
    again = client.get(url).content.decode()
    assert '<option value="Asia/Kathmandu" selected>' in again


def test_the_page_names_a_bad_zone(client, ada):
    client.force_login(ada)
    response = client.post(reverse("meetings:preferences"), {"time_zone": "Mars/Base"})
    assert response.status_code == 400
    assert "Unknown time zone Mars/Base" in response.content.decode()
    assert not Preference.objects.exists()


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(reverse("meetings:preferences"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_page_in_arabic_is_right_to_left(client, ada):
    client.force_login(ada)
    html = client.get(reverse("meetings:preferences"), {"lang": "ar"}).content.decode()
    assert 'dir="rtl"' in html
