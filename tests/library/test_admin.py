"""Documents in the admin: the secretariat only, every save audited with its reason."""

from __future__ import annotations

from compact.audit.models import ChangeEvent
from compact.core.i18n import field_name


def admin_form(document, **overrides) -> dict:
    data = {}
    for code in ("ar", "en", "es", "fr", "ru", "zh-hans"):
        for field in ("title", "summary"):
            data[field_name(field, code)] = getattr(document, field_name(field, code)) or ""
    data.update({
        "sensitivity": document.sensitivity, "kind": document.kind,
        "owner_body": document.owner_body_id or "", "owner_entity": document.owner_entity_id or "",
        "document_date": document.document_date.isoformat() if document.document_date else "",
        "language": document.language, "annex_of": document.annex_of_id or "",
    })
    data.update(overrides)
    return data


def test_the_secretariat_edits_a_document_with_a_reason_recorded_once(library, client):
    library.users.secretariat.is_staff = True
    library.users.secretariat.save()
    client.force_login(library.users.secretariat)
    document = library.docs.confidential3
    url = f"/admin/library/document/{document.pk}/change/"
    assert client.get("/admin/library/document/").status_code == 200
    assert client.get(url).status_code == 200
    before = ChangeEvent.objects.count()
    response = client.post(url, admin_form(document, kind="report", change_reason="minutes reclassified"))
    assert response.status_code == 302, response.content[:3000]
    assert ChangeEvent.objects.count() == before + 1
    event = ChangeEvent.objects.order_by("-id").first()
    assert event.changes == {"kind": ["minutes", "report"]}
    assert event.reason == "minutes reclassified" and event.actor == library.users.secretariat
    response = client.post(url, admin_form(document, kind="note"))
    assert response.status_code == 200 and ChangeEvent.objects.count() == before + 1


def test_other_staff_cannot_see_documents_in_the_admin(library, client, make_user):
    staff = make_user("stella", entity="OPCW", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/library/document/").status_code in (302, 403)
    assert client.get(f"/admin/library/document/{library.docs.public3.pk}/change/").status_code in (302, 403)
