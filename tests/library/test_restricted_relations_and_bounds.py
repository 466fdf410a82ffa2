"""The library's answers around documents a user may not read, the owners a user may give a document,
the access log of related documents shown, and input the database cannot take.

In the library's world (``tests/library/conftest.py``), ``annex`` is a public wg-3 annex of
``confidential2`` (wg-2): UNODA's focal point (``unoda``, an officer of wg-3, not in wg-2) may change
the annex but may not read its parent; WCO's focal point (``wco``, in wg-2) may read both.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from compact.access.services import grant_create
from compact.audit.models import AccessEvent, ChangeEvent
from compact.library import api as library_api
from compact.library import services, views
from compact.library.models import Document
from compact.library.selectors import clean_query, document_list, search
from compact.registry.models import Body, Entity

DEPEND = "This document cannot be deleted: other documents depend on it."
NUL_MESSAGE = "The search text may not contain NUL characters (character code 0)."
PAGE_MESSAGE = "The page must be a whole number from 1 to 1,000,000."


def form_data(**values):
    data = {"title_en": "", "kind": "report", "owner_body": "", "owner_entity": "", "sensitivity": "internal",
            "document_date": "", "language": "", "annex_of": "", "reason": ""}
    data.update(values)
    return data


def text_of(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def annex_of_input(response) -> str:
    [tag] = re.findall(r'<input[^>]*name="annex_of"[^>]*>', response.content.decode())
    return tag


def api(client, method: str, url: str, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method.lower())(url, **kwargs)


def events_of(document) -> list[ChangeEvent]:
    return list(ChangeEvent.objects.filter(object_type="library.document", object_id=str(document.pk)).order_by("id"))


def last_access(user) -> AccessEvent | None:
    return AccessEvent.objects.filter(user=user).order_by("-id").first()


def secretariat_makes(library, title, sensitivity, *, body, annex_of=None) -> Document:
    return services.document_create(actor=library.users.secretariat, reason="filed", title=title, owner_body=body,
                                    sensitivity=sensitivity, annex_of=annex_of)


# --- 1. the edit form of an annex of a restricted document -------------------------------------


def test_the_edit_form_hides_the_number_of_a_parent_the_editor_may_not_read(library, client):
    annex, parent = library.docs.annex, library.docs.confidential2
    client.force_login(library.users.unoda)
    page = client.get(f"/documents/{annex.pk}/edit/")
    assert page.status_code == 200
    assert "value=" not in annex_of_input(page)
    assert "This document is an annex of a restricted document." in text_of(page)
    client.force_login(library.users.secretariat)
    page = client.get(f"/documents/{annex.pk}/edit/")
    assert f'value="{parent.pk}"' in annex_of_input(page)
    assert "annex of a restricted document" not in text_of(page)


def test_saving_the_form_of_an_annex_of_a_restricted_document_keeps_the_link(library, client):
    annex, parent = library.docs.annex, library.docs.confidential2
    client.force_login(library.users.unoda)
    response = client.post(f"/documents/{annex.pk}/edit/", form_data(
        title_en="Annex: customs contacts", owner_body=library.wg3.pk, kind="other", sensitivity="public",
        document_date="2024-04-02"))
    assert response.status_code == 302, text_of(response)
    annex.refresh_from_db()
    assert (annex.title_en, annex.annex_of_id) == ("Annex: customs contacts", parent.pk)
    changes = events_of(annex)[-1].changes
    assert changes["title_en"] == ["Annex: customs contact list", "Annex: customs contacts"]
    assert "annex_of" not in changes
    # Naming the restricted parent itself is refused as for any unknown document; another one moves it.
    response = client.post(f"/documents/{annex.pk}/edit/", form_data(
        title_en="Moved", owner_body=library.wg3.pk, kind="other", sensitivity="public", annex_of=parent.pk))
    assert response.status_code == 400 and "No such document." in text_of(response)
    response = client.post(f"/documents/{annex.pk}/edit/", form_data(
        title_en="Moved", owner_body=library.wg3.pk, kind="other", sensitivity="public",
        annex_of=library.docs.public3.pk))
    assert response.status_code == 302
    annex.refresh_from_db()
    assert (annex.title_en, annex.annex_of_id) == ("Moved", library.docs.public3.pk)


# --- 2. changing an annex of a restricted document ----------------------------------------------


def test_the_api_changes_an_annex_of_a_restricted_document_and_keeps_the_link(library, client):
    annex, parent = library.docs.annex, library.docs.confidential2
    client.force_login(library.users.unoda)
    response = api(client, "PATCH", f"/api/documents/{annex.pk}/", {"title": {"en": "x2"}})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["titles"]["en"], body["annex_of"], body["annex_of_title"], body["annex_of_restricted"]) == (
        "x2", None, None, True)
    annex.refresh_from_db()
    assert annex.annex_of_id == parent.pk
    assert len(events_of(annex)) == 2  # its creation and this change


def test_the_service_checks_annex_of_only_when_it_is_given(library):
    annex, parent = library.docs.annex, library.docs.confidential2
    unoda = library.users.unoda
    assert services.document_update(document=annex, actor=unoda, kind="note").changes == {"kind": ["other", "note"]}
    with pytest.raises(ValidationError) as error:
        services.document_update(document=Document.objects.get(pk=annex.pk), actor=unoda, annex_of=parent)
    assert error.value.message_dict == {"annex_of": ["No such document."]}
    services.document_update(document=Document.objects.get(pk=annex.pk), actor=unoda, annex_of=None)
    assert Document.objects.get(pk=annex.pk).annex_of_id is None


# --- 3. refusals that would tell about documents the actor may not read --------------------------


@pytest.fixture
def hidden_annex(library):
    """A confidential wg-2 annex of the public wg-3 report: UNODA's focal point may not read it."""
    return secretariat_makes(library, "Customs follow-up", "confidential", body=library.wg2,
                             annex_of=library.docs.public3)


def test_deleting_a_document_with_annexes_counts_only_the_readable_ones(library, hidden_annex, client):
    public3, unoda = library.docs.public3, library.users.unoda
    with pytest.raises(ValidationError) as error:
        services.document_delete(document=public3, actor=unoda, reason="x")
    assert error.value.message_dict == {"annex_of": [DEPEND]}
    client.force_login(unoda)
    response = api(client, "DELETE", f"/api/documents/{public3.pk}/", {"reason": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"annex_of": [DEPEND]}
    response = client.post(f"/documents/{public3.pk}/delete/", {"reason": "x"})
    assert response.status_code == 400 and DEPEND in text_of(response) and "annex(es)" not in text_of(response)
    secretariat_makes(library, "Readable annex", "public", body=library.wg3, annex_of=public3)
    with pytest.raises(ValidationError) as error:
        services.document_delete(document=public3, actor=unoda, reason="x")
    assert error.value.message_dict["annex_of"][0].startswith("This document has 1 annex(es):")
    with pytest.raises(ValidationError) as error:
        services.document_delete(document=public3, actor=library.users.secretariat, reason="x")
    assert error.value.message_dict["annex_of"][0].startswith("This document has 2 annex(es):")
    assert Document.objects.filter(pk=public3.pk).exists()


def test_an_annex_loop_through_a_document_the_actor_may_not_read_is_refused_as_unknown(library, hidden_annex):
    public3, unoda = library.docs.public3, library.users.unoda
    # public3 <- hidden_annex (unreadable) <- below (readable, public, wg-3)
    below = secretariat_makes(library, "Contact sheet", "public", body=library.wg3, annex_of=hidden_annex)
    with pytest.raises(ValidationError) as error:
        services.document_update(document=Document.objects.get(pk=public3.pk), actor=unoda, annex_of=below)
    assert error.value.message_dict == {"annex_of": ["No such document."]}
    with pytest.raises(ValidationError) as error:  # who may read the whole chain is told about the loop
        services.document_update(document=Document.objects.get(pk=public3.pk), actor=library.users.secretariat,
                                 annex_of=below)
    assert "annex of itself" in error.value.message_dict["annex_of"][0]
    # A loop through readable documents only is named as such.
    readable = secretariat_makes(library, "Readable annex", "public", body=library.wg3, annex_of=public3)
    with pytest.raises(ValidationError) as error:
        services.document_update(document=Document.objects.get(pk=public3.pk), actor=unoda, annex_of=readable)
    assert error.value.message_dict == {
        "annex_of": ["A document cannot be an annex of itself or of one of its annexes."]}
    assert Document.objects.get(pk=public3.pk).annex_of_id is None


# --- 4. the owners a user may give a document -----------------------------------------------------


def test_create_gives_only_owners_the_actor_may_add_documents_for(library):
    wco, unoda = library.users.wco, library.users.unoda
    with pytest.raises(ValidationError) as error:  # an officer of wg-2, not of wg-3
        services.document_create(actor=wco, title="Not mine", owner_body=library.wg3)
    assert list(error.value.message_dict) == ["owner_body"]
    with pytest.raises(ValidationError) as error:  # UNODA's focal point, for another entity
        services.document_create(actor=unoda, title="Not mine", owner_entity=Entity.objects.get(acronym="WCO"))
    assert list(error.value.message_dict) == ["owner_entity"]
    with pytest.raises(ValidationError) as error:  # its own entity, but with a body it is no officer of
        services.document_create(actor=unoda, title="Not mine", owner_body=library.wg2, owner_entity=library.unoda)
    assert list(error.value.message_dict) == ["owner_body"]
    with pytest.raises(PermissionDenied):  # a representative may add documents for no owner at all
        services.document_create(actor=library.users.opcw, title="Not mine", owner_body=library.wg3)
    assert not Document.objects.filter(title_en="Not mine").exists()
    assert services.document_create(actor=unoda, title="Mine", owner_body=library.wg3, owner_entity=library.unoda).pk
    committee = Body.objects.get(key="committee")
    assert services.document_create(actor=library.users.secretariat, title="Any", owner_body=committee).pk


def test_update_checks_new_owners_only(library):
    unoda, memo = library.users.unoda, library.docs.unoda_memo
    with pytest.raises(ValidationError) as error:
        services.document_update(document=memo, actor=unoda, reason="shared", owner_body=library.wg2)
    assert list(error.value.message_dict) == ["owner_body"]
    assert Document.objects.get(pk=memo.pk).owner_body_id is None
    services.document_update(document=Document.objects.get(pk=memo.pk), actor=unoda, reason="for the group",
                             owner_body=library.wg3)
    assert Document.objects.get(pk=memo.pk).owner_body_id == library.wg3.pk
    # A named editor keeps owners they could not give, and may change the rest.
    note = library.docs.confidential2
    grant_create(obj=note, user=unoda, level="change", actor=library.users.secretariat, reason="editing")
    services.document_update(document=note, actor=unoda, reason="typo", owner_body=library.wg2,
                             title={"en": "Note on customs cooperation (corrected)"})
    assert Document.objects.get(pk=note.pk).title_en == "Note on customs cooperation (corrected)"
    with pytest.raises(ValidationError) as error:
        services.document_update(document=Document.objects.get(pk=note.pk), actor=unoda, reason="x",
                                 owner_entity=Entity.objects.get(acronym="WCO"))
    assert list(error.value.message_dict) == ["owner_entity"]


def test_the_api_refuses_owners_beside_the_field_as_the_form_does(library, client):
    client.force_login(library.users.unoda)
    before = Document.objects.count()
    response = api(client, "POST", "/api/documents/", {"title": {"en": "Shared memo"}, "owner_body": "wg-2",
                                                       "owner_entity": "UNODA"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["owner_body"]
    response = api(client, "POST", "/api/documents/", {"title": {"en": "Shared memo"}, "owner_entity": "WCO"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["owner_entity"]
    memo = library.docs.unoda_memo
    response = api(client, "PATCH", f"/api/documents/{memo.pk}/", {"owner_body": "wg-2", "reason": "share"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["owner_body"]
    assert Document.objects.count() == before and Document.objects.get(pk=memo.pk).owner_body_id is None
    response = client.post(f"/documents/{memo.pk}/edit/", form_data(
        title_en="UNODA memo on export controls", owner_body=library.wg2.pk, owner_entity=library.unoda.pk,
        kind="note", sensitivity="confidential", reason="share"))
    assert response.status_code == 400 and Document.objects.get(pk=memo.pk).owner_body_id is None


# --- 5. the access log of related documents shown -------------------------------------------------


def test_a_document_page_logs_its_confidential_annexes_and_parent(library, client):
    public3, opcw = library.docs.public3, library.users.opcw
    annex = secretariat_makes(library, "Minutes annex", "confidential", body=library.wg3, annex_of=public3)
    client.force_login(opcw)
    assert client.get(f"/documents/{public3.pk}/").status_code == 200
    event = last_access(opcw)
    assert (event.action, event.object_ids, event.highest_sensitivity) == ("view", [annex.pk], "confidential")
    client.force_login(library.users.wco)
    assert client.get(f"/documents/{library.docs.annex.pk}/").status_code == 200
    event = last_access(library.users.wco)
    assert (event.action, event.object_ids) == ("view", [library.docs.confidential2.pk])
    # The same page for whom the parent is a stub logs nothing.
    client.force_login(library.users.unoda)
    count = AccessEvent.objects.count()
    assert client.get(f"/documents/{library.docs.annex.pk}/").status_code == 200
    assert AccessEvent.objects.count() == count


def test_the_api_and_the_export_log_the_parents_they_show(library, client):
    wco, annex, parent = library.users.wco, library.docs.annex, library.docs.confidential2
    client.force_login(wco)
    body = client.get(f"/api/documents/{annex.pk}/").json()
    assert body["annex_of_title"] == "Note on customs cooperation"
    event = last_access(wco)
    assert (event.action, event.object_ids, event.row_count) == ("view", [parent.pk], 2)
    body = client.get("/api/documents/?q=contact").json()
    assert [d["id"] for d in body["results"]] == [annex.pk] and body["results"][0]["annex_of"] == parent.pk
    event = last_access(wco)
    assert (event.action, event.object_ids, event.row_count, event.highest_sensitivity) == (
        "list", [parent.pk], 1, "confidential")
    body = client.get("/api/search/?q=contact").json()
    assert [d["id"] for d in body["documents"]] == [annex.pk]
    event = last_access(wco)
    assert (event.action, event.object_ids, event.row_count) == ("search", [parent.pk], 1)
    response = client.get("/documents/export.csv?q=contact")
    assert response.status_code == 200 and f",{parent.pk}," in response.content.decode()
    event = last_access(wco)
    assert (event.action, event.object_ids, event.row_count, event.highest_sensitivity) == (
        "export", sorted([annex.pk, parent.pk]), 1, "confidential")
    # Who may not read the parent is shown no id, and the log lists only the annex exported.
    client.force_login(library.users.opcw)
    assert ",restricted," in client.get("/documents/export.csv?q=contact").content.decode()
    event = last_access(library.users.opcw)
    assert (event.object_ids, event.highest_sensitivity) == ([annex.pk], "public")


def test_the_logged_pages_run_a_fixed_number_of_queries(library, client, django_assert_num_queries):
    """A document page and the API's calls log the related documents in one row, however many."""
    public3, opcw = library.docs.public3, library.users.opcw
    annex = secretariat_makes(library, "Minutes annex", "confidential", body=library.wg3, annex_of=public3)
    urls = [f"/documents/{public3.pk}/", f"/api/documents/{annex.pk}/", "/api/documents/?q=annex",
            "/api/search/?q=annex", "/documents/export.csv?q=annex"]
    client.force_login(opcw)
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    for n in range(5):
        parent = secretariat_makes(library, f"Minutes {n}", "confidential", body=library.wg3)
        secretariat_makes(library, f"Minutes annex {n}", "confidential", body=library.wg3, annex_of=parent)
        secretariat_makes(library, f"Report annex {n}", "confidential", body=library.wg3, annex_of=public3)
    for url in urls:
        events = AccessEvent.objects.count()
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200
        assert AccessEvent.objects.count() == events + 1, url
    assert counts == {f"/documents/{public3.pk}/": 20, f"/api/documents/{annex.pk}/": 17,
                      "/api/documents/?q=annex": 17, "/api/search/?q=annex": 18, "/documents/export.csv?q=annex": 16}


def test_the_edit_page_of_an_annex_runs_a_fixed_number_of_queries(library, client, django_assert_num_queries):
    client.force_login(library.users.unoda)
    url = f"/documents/{library.docs.annex.pk}/edit/"
    client.get(url)
    with django_assert_num_queries(22):  # the edit page's 20, plus the parent and the user's grant on it
        assert client.get(url).status_code == 200


# --- 6. input the database cannot take ------------------------------------------------------------


@pytest.mark.parametrize("page", ["99999999999999999999", "999999999999999999", "1000001", "0", "-1"])
def test_a_page_out_of_bounds_is_refused_with_400(library, client, page):
    response = client.get(f"/api/documents/?page={page}")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["page"]
    response = client.get(f"/documents/?page={page}")
    assert response.status_code == 400 and f"page: {PAGE_MESSAGE}" in text_of(response)


def test_the_last_allowed_page_answers(library, client):
    body = client.get("/api/documents/?page=1000000").json()
    assert (body["page"], body["results"], body["count"]) == (1000000, [], 2)
    response = client.get("/documents/?page=1000000")  # past the last page: the last one
    assert response.status_code == 200 and "Border security report" in text_of(response)
    assert client.get("/documents/?page=abc").status_code == 400
    assert client.get("/documents/?page=").status_code == 200


def test_a_search_text_with_a_nul_character_is_refused_with_the_same_words(library, client):
    """Over HTTP the request is refused before any view (``NulCharacterMiddleware``); the views and the
    selector refuse it too, in the same words on the page and in the API."""
    assert client.get("/search/?q=ab%00cd").status_code == 400
    assert client.get("/api/search/?q=ab%00cd").status_code == 400
    for q in ("ab\x00cd", "\x00\x00ab"):
        with pytest.raises(ValidationError) as error:
            clean_query(q)
        assert error.value.message_dict == {"q": [NUL_MESSAGE]}
        with pytest.raises(ValidationError):
            search(user=library.users.secretariat, q=q)
        request = RequestFactory().get("/search/", {"q": q})
        request.user = AnonymousUser()
        response = views.search(request)
        assert response.status_code == 400 and NUL_MESSAGE in text_of(response)
        request = RequestFactory().get("/api/search/", {"q": q})
        request.user = AnonymousUser()
        response = library_api.SearchApi.as_view()(request)
        response.render()
        assert response.status_code == 400
        assert json.loads(response.content)["error"]["fields"] == {"q": [NUL_MESSAGE]}


@pytest.mark.parametrize("parameter", ["q", "body", "entity"])
def test_every_free_text_filter_refuses_a_nul_character(library, client, parameter):
    """The filters of the list, the export and the API refuse a NUL character themselves (invalid
    filter, 400), whatever stands before them."""
    value = {"q": "cus\x00toms", "body": "wg\x00-3", "entity": "UN\x00ODA"}[parameter]
    with pytest.raises(ValidationError) as error:
        list(document_list(user=library.users.secretariat, filters={parameter: value}))
    assert list(error.value.message_dict) == [parameter]
    for view in (views.document_list, views.document_export, library_api.DocumentListApi.as_view()):
        request = RequestFactory().get("/documents/", {parameter: value})
        request.user = library.users.secretariat
        response = view(request)
        if hasattr(response, "render"):
            response.render()
        assert response.status_code == 400, view
        assert "Null characters are not allowed." in response.content.decode(), view
    assert client.get(f"/api/documents/?{parameter}=a%00b").status_code == 400
    assert not AccessEvent.objects.filter(action="export").exists()
