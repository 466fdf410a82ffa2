"""The library's pages, read as each user reads them: lists, a document, its file, forms, sharing,
the CSV export, search, and the document counts on the working-group pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compact.access.models import Grant
from compact.audit.models import AccessEvent, ChangeEvent
from compact.library.models import Document


def signed_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def linked_documents(response) -> set[int]:
    return {int(n) for n in re.findall(r'href="/documents/(\d+)/', response.content.decode())}


READERS = ["anonymous", "outsider", "opcw", "unoda", "wco", "secretariat"]


# --- the list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_the_list_shows_and_counts_only_what_the_reader_may_list(library, client, who):
    user = None if who == "anonymous" else library.user(who)
    response = signed_in(client, user).get("/documents/")
    assert response.status_code == 200
    expected = {getattr(library.docs, name).pk for name in library.visible[who]}
    assert linked_documents(response) == expected
    count = len(expected)
    assert f"{count} document{'s' if count != 1 else ''}" in text_of(response)


def test_the_list_filters_and_keeps_the_count_restricted(library, client):
    response = signed_in(client, library.users.opcw).get("/documents/", {"body": "wg-3", "sensitivity": "confidential"})
    assert linked_documents(response) == {library.docs.confidential3.pk}
    assert "1 document" in text_of(response)
    assert 'href="/documents/export.csv?body=wg-3&amp;sensitivity=confidential"' in response.content.decode()


def test_an_invalid_filter_is_a_400_naming_it(library, client):
    response = client.get("/documents/", {"sensitivity": "secret", "date_from": "2024-02-30"})
    assert response.status_code == 400
    text = text_of(response)
    assert "Select a valid choice. secret is not one of the available choices." in text
    assert "Enter a valid date." in text


def test_the_list_is_paginated(library, client, django_assert_num_queries):
    from compact.library.services import document_create

    for n in range(30):
        document_create(actor=library.users.secretariat, title=f"Bulletin {n:02d}", owner_body=library.wg3, sensitivity="public")
    first = client.get("/documents/")
    assert len(linked_documents(first)) == 25
    assert "32 documents" in text_of(first) and "page 1 of 2" in text_of(first)
    second = client.get("/documents/", {"page": 2})
    assert len(linked_documents(second)) == 7


def test_listing_confidential_rows_is_written_to_the_access_log(library, client):
    signed_in(client, library.users.opcw).get("/documents/")
    event = AccessEvent.objects.get(action="list")
    assert event.user == library.users.opcw and event.object_ids == [library.docs.confidential3.pk]
    assert event.row_count == 4 and event.highest_sensitivity == "confidential"
    client.logout()
    client.get("/documents/")  # only public rows: nothing to log
    assert AccessEvent.objects.filter(action="list").count() == 1


# --- one document -----------------------------------------------------------------------------


def test_a_document_page_shows_its_title_badge_owners_and_annexes(library, client):
    response = signed_in(client, library.users.wco).get(f"/documents/{library.docs.confidential2.pk}/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Note on customs cooperation" in text and "Confidential" in text
    assert "Working group 2: Border Management" in text and "History of changes" in text
    assert linked_documents(response) >= {library.docs.annex.pk}
    event = AccessEvent.objects.get(action="view")
    assert event.object_ids == [library.docs.confidential2.pk] and event.user == library.users.wco


def test_a_title_missing_in_the_page_language_is_shown_with_the_fallback_marker(library, client):
    response = client.get(f"/documents/{library.docs.annex.pk}/", {"lang": "fr"})
    html = response.content.decode()
    assert '<span lang="en" dir="ltr" class="fallback">Annex: customs contact list</span>' in html
    assert "[en]</small>" in html
    french = client.get(f"/documents/{library.docs.public3.pk}/", {"lang": "fr"})
    assert "<h1>Rapport sur la sécurité des frontières</h1>" in french.content.decode()


def test_the_parent_of_an_annex_is_a_stub_for_a_reader_who_may_not_read_it(library, client):
    response = signed_in(client, library.users.opcw).get(f"/documents/{library.docs.annex.pk}/")
    text = text_of(response)
    assert "Annex of a restricted document" in text
    assert "Note on customs cooperation" not in text
    assert library.docs.confidential2.pk not in linked_documents(response)
    client.force_login(library.users.wco)
    assert "Note on customs cooperation" in text_of(client.get(f"/documents/{library.docs.annex.pk}/"))


@pytest.mark.parametrize("who", READERS)
def test_unreadable_documents_are_not_found(library, client, who):
    user = None if who == "anonymous" else library.user(who)
    signed_in(client, user)
    for name, document in vars(library.docs).items():
        status = client.get(f"/documents/{document.pk}/").status_code
        assert status == (200 if name in library.visible[who] else 404), name


def test_the_edit_link_shows_only_to_those_who_may_change(library, client):
    url = f"/documents/{library.docs.confidential3.pk}/"
    assert "/edit/" not in signed_in(client, library.users.opcw).get(url).content.decode()
    assert f"/documents/{library.docs.confidential3.pk}/edit/" in signed_in(client, library.users.unoda).get(url).content.decode()


# --- the file ---------------------------------------------------------------------------------


@pytest.fixture
def with_file(library, settings, tmp_path):
    from compact.library.services import document_update

    settings.MEDIA_ROOT = tmp_path
    document_update(document=library.docs.confidential3, actor=library.users.secretariat, reason="minutes file",
                    upload=SimpleUploadedFile("Minutes «March».txt", b"minutes text"))
    return library.docs.confidential3


def test_download_streams_the_file_under_its_name_and_logs_it(library, client, with_file):
    response = signed_in(client, library.users.opcw).get(f"/documents/{with_file.pk}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"minutes text"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Minutes" in response["Content-Disposition"]
    event = AccessEvent.objects.get(action="download")
    assert event.object_ids == [with_file.pk] and event.user == library.users.opcw


def test_download_is_not_found_for_those_who_may_not_read_or_when_there_is_no_file(library, client, with_file):
    assert signed_in(client, library.users.wco).get(f"/documents/{with_file.pk}/download").status_code == 404
    assert client.get(f"/documents/{library.docs.public3.pk}/download").status_code == 404
    assert not AccessEvent.objects.filter(action="download").exists()


def test_files_are_not_served_from_a_media_address(library, client, with_file):
    assert client.get("/media/" + with_file.file.name).status_code == 404
    assert client.get("/media-not-served/" + with_file.file.name).status_code == 404


# --- forms ------------------------------------------------------------------------------------


def form_data(**values):
    data = {"title_en": "", "kind": "report", "owner_body": "", "owner_entity": "", "sensitivity": "internal",
            "document_date": "", "language": "", "annex_of": "", "reason": ""}
    data.update(values)
    return data


def test_adding_a_document_through_the_form(library, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    signed_in(client, library.users.unoda)
    page = client.get("/documents/new/")
    assert page.status_code == 200
    html = page.content.decode()
    body_select = re.search(r'name="owner_body".*?</select>', html, re.S).group(0)
    entity_select = re.search(r'name="owner_entity".*?</select>', html, re.S).group(0)
    # UNODA's focal point representing it in wg-3: wg-3 (as its officer) and UNODA, nothing else
    assert {int(v) for v in re.findall(r'<option value="(\d+)"', body_select)} == {library.wg3.pk}
    assert {int(v) for v in re.findall(r'<option value="(\d+)"', entity_select)} == {library.unoda.pk}
    upload = SimpleUploadedFile("plan.pdf", b"%PDF plan")
    response = client.post("/documents/new/", {**form_data(title_en="Plan of action", title_fr="Plan d'action",
                                                           owner_body=library.wg3.pk, document_date="2024-07-01"),
                                               "upload": upload})
    document = Document.objects.get(title_en="Plan of action")
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    assert (document.title_fr, document.file_name, document.size, document.created_by) == (
        "Plan d'action", "plan.pdf", 9, library.users.unoda)
    assert ChangeEvent.objects.filter(object_type="library.document", object_id=str(document.pk)).count() == 1


def test_the_form_requires_a_reason_for_confidential_and_limits_owners(library, client):
    signed_in(client, library.users.unoda)
    response = client.post("/documents/new/", form_data(title_en="Secret minutes", owner_body=library.wg3.pk,
                                                        sensitivity="confidential"))
    assert response.status_code == 400
    assert "A reason is required for a confidential or strictly confidential document." in text_of(response)
    response = client.post("/documents/new/", form_data(title_en="Elsewhere", owner_body=library.wg2.pk))
    assert response.status_code == 400
    assert "Select a valid choice." in text_of(response)
    response = client.post("/documents/new/", form_data(owner_body=library.wg3.pk))
    assert "A title is required, in at least one language." in text_of(response)
    response = client.post("/documents/new/", form_data(title_en="Annex", owner_body=library.wg3.pk,
                                                        annex_of=library.docs.confidential2.pk))
    assert "No such document." in text_of(response)
    assert not Document.objects.filter(title_en__in=["Secret minutes", "Elsewhere", "Annex"]).exists()


@pytest.mark.parametrize("who", ["outsider", "opcw"])
def test_those_who_may_add_nothing_get_403_on_the_form(library, client, who):
    signed_in(client, library.user(who))
    assert client.get("/documents/new/").status_code == 403
    assert client.post("/documents/new/", form_data(title_en="x", owner_body=library.wg3.pk)).status_code == 403


def test_a_visitor_is_asked_to_sign_in_to_add_a_document(library, client):
    response = client.get("/documents/new/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/documents/new/"


def test_editing_is_404_when_unreadable_403_when_not_changeable(library, client):
    docs = library.docs
    signed_in(client, library.users.opcw)
    assert client.get(f"/documents/{docs.confidential2.pk}/edit/").status_code == 404
    assert client.get(f"/documents/{docs.confidential3.pk}/edit/").status_code == 403
    assert client.post(f"/documents/{docs.confidential3.pk}/edit/", form_data(title_en="x")).status_code == 403
    assert client.get(f"/documents/{docs.confidential3.pk}/sharing/").status_code == 403
    assert client.get(f"/documents/{docs.confidential2.pk}/sharing/").status_code == 404


def test_editing_through_the_form_records_the_reason(library, client):
    document = library.docs.confidential3
    signed_in(client, library.users.unoda)
    page = client.get(f"/documents/{document.pk}/edit/")
    assert 'value="Minutes of the March meeting"' in page.content.decode()
    response = client.post(f"/documents/{document.pk}/edit/", form_data(
        title_en="Minutes of the March meeting (approved)", owner_body=library.wg3.pk, kind="minutes",
        sensitivity="confidential", document_date="2024-03-05", reason="approved by the group"))
    assert response.status_code == 302
    event = ChangeEvent.objects.filter(object_id=str(document.pk), object_type="library.document").first()
    assert event.reason == "approved by the group" and event.actor == library.users.unoda
    assert event.changes["title_en"] == ["Minutes of the March meeting", "Minutes of the March meeting (approved)"]


def test_forms_are_protected_against_cross_site_requests(library):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(library.users.unoda)
    assert client.post("/documents/new/", form_data(title_en="x", owner_body=library.wg3.pk)).status_code == 403
    assert not Document.objects.filter(title_en="x").exists()


# --- sharing ----------------------------------------------------------------------------------


def test_sharing_adds_and_removes_a_named_user_with_a_reason(library, client):
    document = library.docs.confidential3
    signed_in(client, library.users.unoda)
    response = client.post(f"/documents/{document.pk}/sharing/", {"op": "add", "username": "WANDA", "level": "read",
                                                                  "reason": "needs the minutes"})
    assert response.status_code == 302
    grant = Grant.objects.get(user=library.users.wco, object_id=document.pk)
    assert grant.level == "read" and grant.granted_by == library.users.unoda
    page = client.get(f"/documents/{document.pk}/sharing/")
    assert "wanda" in text_of(page) and "1 user named" in text_of(page)
    client.force_login(library.users.wco)
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    client.force_login(library.users.unoda)
    response = client.post(f"/documents/{document.pk}/sharing/", {"op": "remove", "user": library.users.wco.pk,
                                                                  "reason": "no longer needed"})
    assert response.status_code == 302
    assert not Grant.objects.filter(object_id=document.pk, user=library.users.wco).exists()
    changes = [e.changes for e in ChangeEvent.objects.filter(object_id=str(document.pk), object_type="library.document")]
    assert {"grant:wanda": ["read", None]} in changes and {"grant:wanda": [None, "read"]} in changes


def test_sharing_says_what_is_wrong(library, client):
    signed_in(client, library.users.unoda)
    response = client.post(f"/documents/{library.docs.confidential3.pk}/sharing/", {"op": "add", "username": "nobody",
                                                                                    "level": "read", "reason": ""})
    assert response.status_code == 400
    text = text_of(response)
    assert "No active user has the user name “nobody”." in text and "This field is required." in text


# --- export -----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_has_hxl_hashtags_the_filters_and_only_exportable_rows(library, client):
    response = signed_in(client, library.users.opcw).get("/documents/export.csv", {"body": "wg-3"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0][:4] == ["id", "title", "kind", "date"]
    assert rows[1][:4] == ["#meta +id", "#meta +title", "#meta +type", "#date +document"]
    assert all(tag.startswith("#") for tag in rows[1])
    ids = {int(r[0]) for r in rows[2:]}
    assert ids == {library.docs.public3.pk, library.docs.internal3.pk, library.docs.confidential3.pk, library.docs.annex.pk}
    annex = next(r for r in rows[2:] if int(r[0]) == library.docs.annex.pk)
    assert annex[rows[0].index("annex_of")] == "restricted"
    assert annex[rows[0].index("owner_body")] == "wg-3"
    event = AccessEvent.objects.get(action="export")
    assert event.detail == "csv body=wg-3" and sorted(event.object_ids) == sorted(ids) and event.row_count == 4


def test_every_export_is_logged_even_of_public_rows_only(library, client):
    response = client.get("/documents/export.csv")
    assert len(read_csv(response)) == 2 + 2
    event = AccessEvent.objects.get(action="export")
    assert event.user is None and event.row_count == 2 and event.highest_sensitivity == "public"


def test_an_export_with_a_bad_filter_is_a_400(library, client):
    response = client.get("/documents/export.csv", {"kind": "poem"})
    assert response.status_code == 400
    assert "kind" in text_of(response)
    assert not AccessEvent.objects.filter(action="export").exists()


# --- search -----------------------------------------------------------------------------------


def test_search_page_finds_documents_groups_and_entities(library, client):
    response = signed_in(client, library.users.opcw).get("/search/", {"q": "customs"})
    assert response.status_code == 200
    assert linked_documents(response) == {library.docs.annex.pk}
    response = client.get("/search/", {"q": "border"})
    text = text_of(response)
    assert "Border security report" in text and "Working group 2: Border Management" in text
    assert "UNODA" in text_of(client.get("/search/", {"q": "disarmament"}))


def test_search_page_refuses_a_one_letter_query(library, client):
    response = client.get("/search/", {"q": " x "})
    assert response.status_code == 400
    assert "Type at least 2 characters to search." in text_of(response)
    assert client.get("/search/").status_code == 200


def test_search_of_confidential_documents_is_logged(library, client):
    signed_in(client, library.users.wco).get("/search/", {"q": "customs"})
    event = AccessEvent.objects.get(action="search")
    assert event.object_ids == [library.docs.confidential2.pk] and event.detail == "q=customs"


def test_the_navigation_has_documents_and_a_search_form(library, client):
    html = client.get("/").content.decode()
    assert 'href="/documents/"' in html and 'action="/search/"' in html


# --- document counts on the working-group pages ------------------------------------------------


def group_count(response, number: int | None = None) -> list[str]:
    return re.findall(r'href="/documents/\?body=(wg-\d)">Documents: (\d+)<', response.content.decode())


def test_working_group_pages_count_only_documents_the_reader_may_count(library, client):
    signed_in(client, library.users.opcw)
    counts = dict(group_count(client.get("/working-groups/")))
    # OPCW sits in wg-3 only: wg-2's confidential note is not counted.
    assert counts["wg-3"] == "4" and counts["wg-2"] == "0" and counts["wg-1"] == "0"
    assert group_count(client.get("/working-groups/2/")) == [("wg-2", "0")]
    assert group_count(client.get("/working-groups/3/")) == [("wg-3", "4")]
    client.force_login(library.users.wco)
    assert dict(group_count(client.get("/working-groups/")))["wg-2"] == "1"
    client.logout()
    assert dict(group_count(client.get("/working-groups/")))["wg-3"] == "2"


def test_deleting_from_the_edit_page(library, client):
    docs = library.docs
    signed_in(client, library.users.opcw)
    assert client.post(f"/documents/{docs.confidential3.pk}/delete/", {"reason": "x"}).status_code == 403
    assert client.post(f"/documents/{docs.confidential2.pk}/delete/", {"reason": "x"}).status_code == 404
    client.force_login(library.users.unoda)
    assert client.get(f"/documents/{docs.confidential3.pk}/delete/").status_code == 405
    response = client.post(f"/documents/{docs.confidential3.pk}/delete/", {"reason": ""})
    assert response.status_code == 400
    assert "A reason is required" in text_of(response)
    response = client.post(f"/documents/{docs.confidential3.pk}/delete/", {"reason": "duplicate"}, follow=True)
    assert response.redirect_chain == [("/documents/", 302)]
    assert "The document was deleted." in text_of(response)
    assert not Document.objects.filter(pk=docs.confidential3.pk).exists()
    event = ChangeEvent.objects.filter(object_id=str(docs.confidential3.pk), object_type="library.document").first()
    assert event.action == "delete" and event.reason == "duplicate"
    client.force_login(library.users.secretariat)
    response = client.post(f"/documents/{docs.confidential2.pk}/delete/", {"reason": "obsolete"})
    assert response.status_code == 400
    assert "This document has 1 annex(es)" in text_of(response)
    assert Document.objects.filter(pk=docs.confidential2.pk).exists()


def test_a_document_page_shows_its_history_with_the_reason_to_signed_in_readers(library, client):
    from compact.library.services import document_update

    document_update(document=library.docs.confidential3, actor=library.users.unoda, reason="approved by the group",
                    title={"en": "Approved minutes"})
    text = text_of(signed_in(client, library.users.opcw).get(f"/documents/{library.docs.confidential3.pk}/"))
    assert "History of changes" in text and "approved by the group" in text
