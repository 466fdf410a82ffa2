"""The language of a user's e-mails, chosen on ``/meetings/preferences/``."""

from __future__ import annotations

import pytest

from compact.meetings.models import Preference

pytestmark = pytest.mark.django_db


def _post(**overrides) -> dict:
    data = {"time_zone": "", "language": "", "notify_invitations": "on", "notify_minutes": "on",
            "notify_action_items": "on", "notify_overdue": "on"}
    data.update(overrides)
    return data


def test_the_language_of_my_e_mails_is_chosen_on_the_preferences_page(world, member_fp, client):
    client.force_login(member_fp)
    page = client.get("/meetings/preferences/")
    html = page.content.decode()
    assert 'name="language"' in html and "Language of my e-mails" in html
    assert 'value="ar"' in html and "العربيّة" in html  # each language named in itself
    assert client.post("/meetings/preferences/", _post(language="fr")).status_code == 302
    assert Preference.objects.get(user=member_fp).language == "fr"
    assert 'value="fr" selected' in client.get("/meetings/preferences/").content.decode()
    response = client.post("/meetings/preferences/", _post(language="xx"))
    assert response.status_code == 400 and "language" in response.context["form"].errors
    assert client.post("/meetings/preferences/", _post(language="")).status_code == 302
    assert Preference.objects.get(user=member_fp).language == ""
