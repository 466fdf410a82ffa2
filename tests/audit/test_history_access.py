"""An item's history shows nothing a reader may not read: not its content from before it moved to a
body the reader takes part in, not the id of a related item they may not read, and not, to visitors,
the names of the people it is shared with."""

from __future__ import annotations

import pytest

from compact.access.services import grant_create
from compact.library.models import Document
from compact.library.services import document_create, document_update
from compact.registry.models import Body

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(seeded, make_user):
    return {
        "sec": make_user("sec", secretariat=True),
        "opcw": make_user("opcw", entity="OPCW", function="representative"),  # member of wg-3, not of wg-2
        "wanda": make_user("wanda", entity="WCO", function="representative"),
    }


def test_content_from_before_a_move_to_another_body_is_withheld(client, people):
    sec = people["sec"]
    doc = document_create(actor=sec, reason="Informants", title="Customs informant list", sensitivity="confidential",
                          summary="Names of three informants", owner_body=Body.objects.get(key="wg-2"))
    document_update(document=doc, actor=sec, reason="Retitle", title={"en": "Border list"}, summary={"en": "Redacted"})
    document_update(document=Document.objects.get(pk=doc.pk), actor=sec, reason="Handed over",
                    owner_body=Body.objects.get(key="wg-3"))
    client.force_login(people["opcw"])
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "Border list" in page  # what they may read now
    assert "informant" not in page and "Customs" not in page  # what the item was while wg-2's


def test_the_parent_of_an_annex_is_neither_named_nor_numbered_in_the_history(client, people):
    sec = people["sec"]
    parent = document_create(actor=sec, reason="Parent", title="Sealed parent", sensitivity="confidential",
                             owner_body=Body.objects.get(key="wg-2"))
    annex = document_create(actor=sec, reason="Annex", title="Public annex", sensitivity="public",
                            owner_body=Body.objects.get(key="wg-3"), annex_of=parent)
    client.force_login(people["opcw"])
    page = client.get(f"/documents/{annex.pk}/").content.decode()
    assert "Sealed parent" not in page
    assert f"→ {parent.pk}" not in page and f">{parent.pk}<" not in page


def test_visitors_do_not_see_who_an_item_is_shared_with(client, people):
    doc = document_create(actor=people["sec"], reason="Public note", title="Public note", sensitivity="public",
                          owner_body=Body.objects.get(key="wg-3"))
    grant_create(obj=doc, user=people["wanda"], level="change", actor=people["sec"], reason="Editor")
    visitor_page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "wanda" not in visitor_page
    client.force_login(people["opcw"])
    assert "wanda" in client.get(f"/documents/{doc.pk}/").content.decode()
