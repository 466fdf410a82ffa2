"""Reading the change log shows the values of what changed: for confidential content that is a read, and
it is written to the access log. A date at the end of the calendar is a filter like any other."""

from __future__ import annotations

import pytest

from compact.audit.models import AccessEvent
from compact.library.services import document_create
from compact.registry.models import Entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec(seeded, make_user):
    return make_user("sec", secretariat=True)


@pytest.mark.parametrize("path", ["/audit/?object_type=library.document", "/api/audit/changes/?object_type=library.document"])
def test_showing_changes_of_confidential_content_is_logged(client, sec, path):
    secret = document_create(actor=sec, reason="Assessment", title="Threat assessment", sensitivity="strictly_confidential",
                             owner_entity=Entity.objects.get(acronym="UNDP"))
    document_create(actor=sec, reason="Note", title="Open note", sensitivity="public", owner_entity=Entity.objects.get(acronym="UNDP"))
    client.force_login(sec)
    response = client.get(path)
    assert response.status_code == 200 and "Threat assessment" in response.content.decode()
    event = AccessEvent.objects.get(action="list")
    assert (event.object_type, event.object_ids, event.highest_sensitivity) == (
        "library.document", [secret.pk], "strictly_confidential")


@pytest.mark.parametrize("path", ["/audit/?date_to=9999-12-31", "/api/audit/changes/?date_to=9999-12-31",
                                  "/audit/access/?date_to=9999-12-31", "/audit/export.csv?date_to=9999-12-31"])
def test_the_last_day_of_the_calendar_is_a_valid_end(client, sec, path):
    client.force_login(sec)
    assert client.get(path).status_code == 200
