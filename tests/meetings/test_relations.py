"""No leaks through relations (docs/access.md): a public decision taken at a confidential meeting shows
neither the meeting's title nor its agenda item's title (nor, in the API, the meeting's id and number) to
someone who may not read the meeting; an action item given to an entity outside the body, of a
confidential decision, does not name that decision to the entity's people. Every channel: the decision
page, the register and its downloads, the API, the action item page and list, and the e-mails.

Standing (``conftest.py``): WCO (``outsider``) takes no part in wg-3; UNDP (``member_fp``) is a member.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from compact.meetings import notifications, services
from compact.registry.models import Entity

pytestmark = pytest.mark.django_db

MEETING_TITLE = "Closed strategy session"
ITEM_TITLE = "Hidden agenda topic"
DECISION_TITLE = "Secret decision wording"


@pytest.fixture
def public_decision(wg3, secretariat, meeting_factory, decision_factory):
    meeting = meeting_factory(wg3, title=MEETING_TITLE, sensitivity="confidential")
    item = services.agenda_item_add(actor=secretariat, meeting=meeting, title=ITEM_TITLE, reason="Test")
    return decision_factory(meeting, title="Open outcome", agenda_item=item, sensitivity="public")


@pytest.fixture
def hidden_decision_item(wg3, secretariat, meeting_factory, decision_factory):
    meeting = meeting_factory(wg3, title="Open meeting", sensitivity="internal", day=dt.date(2024, 6, 10))
    decision = decision_factory(meeting, title=DECISION_TITLE, sensitivity="confidential")
    return services.action_item_create(actor=secretariat, decision=decision, title="Visible task", due=dt.date(2999, 1, 1),
                                       owner_entity=Entity.objects.get(acronym="WCO"), sensitivity="internal",
                                       reason="Test")


def _leaks(text: str) -> bool:
    return MEETING_TITLE in text or ITEM_TITLE in text


def test_the_decision_page_hides_an_unreadable_meeting(public_decision, outsider, member_fp, client):
    url = f"/meetings/decisions/{public_decision.reference}/"
    for user in (None, outsider):
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get(url).content.decode()
        assert "Open outcome" in page and not _leaks(page)
        assert f"/meetings/{public_decision.meeting_id}/" not in page
    client.force_login(member_fp)
    page = client.get(url).content.decode()
    assert MEETING_TITLE in page and ITEM_TITLE in page


def test_the_register_and_its_downloads_hide_an_unreadable_meeting(public_decision, outsider, member_fp, client):
    client.force_login(outsider)
    page = client.get("/meetings/decisions/").content.decode()
    assert public_decision.reference in page and not _leaks(page)
    assert f"/meetings/{public_decision.meeting_id}/" not in page
    rows = list(csv.reader(io.StringIO(client.get("/meetings/decisions/register.csv").content.decode("utf-8-sig"))))
    header, (row,) = rows[0], rows[2:]
    values = dict(zip(header, row, strict=True))
    assert values["reference"] == public_decision.reference
    assert (values["meeting"], values["meeting_title"], values["agenda_item"]) == ("", "", "")
    xlsx = client.get("/meetings/decisions/register.xlsx")
    assert xlsx.status_code == 200
    import openpyxl
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [str(c.value or "") for r in sheet.iter_rows() for c in r]
    assert not any(_leaks(c) for c in cells)
    # A participant of wg-3 sees it all.
    client.force_login(member_fp)
    rows = list(csv.reader(io.StringIO(client.get("/meetings/decisions/register.csv").content.decode("utf-8-sig"))))
    values = dict(zip(rows[0], rows[2], strict=True))
    assert values["meeting_title"] == MEETING_TITLE and values["agenda_item"] == f"2. {ITEM_TITLE}"


def test_the_api_nulls_an_unreadable_meeting(public_decision, outsider, member_fp, client):
    client.force_login(outsider)
    (listed,) = client.get("/api/meetings/decisions/").json()["results"]
    one = client.get(f"/api/meetings/decisions/{public_decision.reference}/").json()
    for data in (listed, one):
        assert (data["meeting"], data["meeting_number"], data["agenda_item"]) == (None, None, None)
        assert not _leaks(str(data))
    client.force_login(member_fp)
    one = client.get(f"/api/meetings/decisions/{public_decision.reference}/").json()
    assert (one["meeting"], one["meeting_number"], one["agenda_item"]) == (
        public_decision.meeting_id, public_decision.meeting.number, 2)


def test_an_action_item_does_not_name_an_unreadable_decision(hidden_decision_item, outsider, member_fp, client):
    reference = hidden_decision_item.decision.reference
    client.force_login(outsider)
    page = client.get(f"/meetings/actions/{hidden_decision_item.pk}/").content.decode()
    assert "Visible task" in page and DECISION_TITLE not in page and reference not in page
    assert "a decision you may not read" in page
    listing = client.get("/meetings/actions/").content.decode()
    assert "Visible task" in listing and reference not in listing and DECISION_TITLE not in listing
    (row,) = client.get("/api/meetings/action-items/").json()["results"]
    assert row["decision"] is None
    client.force_login(member_fp)
    page = client.get(f"/meetings/actions/{hidden_decision_item.pk}/").content.decode()
    assert reference in page and DECISION_TITLE in page


def test_the_e_mail_of_an_action_item_does_not_name_an_unreadable_decision(hidden_decision_item, make_user,
                                                                           mailoutbox):
    make_user("wco_fp", entity="WCO")
    assert notifications.notify_action_item(hidden_decision_item) == 1
    body = mailoutbox[0].body
    assert "Visible task" in body and DECISION_TITLE not in body
    assert hidden_decision_item.decision.reference not in body


def test_matters_arising_in_the_page_the_pack_and_the_api_do_not_name_an_unreadable_decision(
        hidden_decision_item, wg3, meeting_factory, outsider, member_fp, client):
    from compact.meetings.pack import pack_html

    reference = hidden_decision_item.decision.reference
    later = meeting_factory(wg3, title="Next meeting", day=dt.date(2024, 9, 2))
    html = pack_html(user=outsider, meeting=later, language="en")
    assert "Visible task" in html and reference not in html and DECISION_TITLE not in html
    client.force_login(outsider)
    page = client.get(f"/meetings/{later.pk}/").content.decode()
    assert "Visible task" in page and reference not in page
    agenda = client.get(f"/api/meetings/{later.pk}/").json()["agenda"]
    (arising,) = [a for item in agenda for a in item["action_items"]]
    assert arising["decision"] is None
    assert reference in pack_html(user=member_fp, meeting=later, language="en")
