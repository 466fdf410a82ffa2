"""Reads of the library through the access policy: lists, counts, annexes and stubs, search."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from compact.access.policy import Action
from compact.library import selectors

READERS = ["anonymous", "outsider", "opcw", "unoda", "wco", "secretariat"]


@pytest.mark.parametrize("who", READERS)
def test_each_reader_lists_exactly_the_documents_the_rules_let_them_read(library, who):
    listed = library.names(selectors.document_list(user=library.user(who)))
    assert listed == library.visible[who]


@pytest.mark.parametrize("who", READERS)
def test_each_document_opens_for_its_readers_and_is_not_found_for_the_others(library, who):
    user = library.user(who)
    for name, document in vars(library.docs).items():
        if name in library.visible[who]:
            assert selectors.document_get(user=user, pk=document.pk).pk == document.pk
        else:
            with pytest.raises(Http404):
                selectors.document_get(user=user, pk=document.pk)


def test_a_reader_who_may_not_change_gets_permission_denied_for_change(library):
    with pytest.raises(PermissionDenied):
        selectors.document_get(user=library.users.opcw, pk=library.docs.confidential3.pk, action=Action.CHANGE)
    assert selectors.document_get(user=library.users.unoda, pk=library.docs.confidential3.pk, action=Action.CHANGE)


def test_a_missing_document_is_not_found(library):
    with pytest.raises(Http404):
        selectors.document_get(user=library.users.secretariat, pk=999999)


def test_filters_narrow_the_restricted_list(library):
    opcw = library.users.opcw
    assert library.names(selectors.document_list(user=opcw, filters={"kind": "minutes"})) == {"confidential3"}
    assert library.names(selectors.document_list(user=opcw, filters={"body": "WG-2"})) == set()
    assert library.names(selectors.document_list(user=library.users.wco, filters={"body": "wg-2"})) == {"confidential2"}
    assert library.names(selectors.document_list(user=opcw, filters={"sensitivity": "confidential"})) == {"confidential3"}
    dated = selectors.document_list(user=opcw, filters={"date_from": "2024-02-01", "date_to": "2024-04-02"})
    assert library.names(dated) == {"internal3", "confidential3", "annex"}
    assert library.names(selectors.document_list(user=opcw, filters={"q": "RAPPORT SUR"})) == {"public3"}
    assert library.names(selectors.document_list(user=library.users.unoda, filters={"entity": "unoda"})) == {"unoda_memo"}


def test_an_invalid_filter_names_the_parameter(library):
    with pytest.raises(ValidationError) as error:
        selectors.document_list(user=library.users.opcw, filters={"sensitivity": "secret", "date_from": "2024-13-01"})
    assert set(error.value.message_dict) == {"sensitivity", "date_from"}


def test_annexes_are_listed_only_when_readable(library, make_user):
    from compact.library.services import document_create

    docs = library.docs
    hidden = document_create(actor=library.users.secretariat, reason="restricted annex", title="Hidden annex",
                             owner_body=library.wg2, sensitivity="confidential", annex_of=docs.confidential2)
    assert {d.pk for d in selectors.document_annexes(user=library.users.wco, document=docs.confidential2)} == {
        docs.annex.pk, hidden.pk}
    # OPCW cannot read confidential2 itself, but may read the public annex and not the confidential one
    assert [d.pk for d in selectors.document_annexes(user=library.users.opcw, document=docs.confidential2)] == [docs.annex.pk]


def test_the_parent_of_an_annex_is_a_stub_for_those_who_may_not_read_it(library):
    docs = library.docs
    stub = selectors.annex_parent(user=library.users.opcw, document=docs.annex)
    assert isinstance(stub, selectors.RestrictedDocument)
    assert not hasattr(stub, "title") and not hasattr(stub, "pk") and not hasattr(stub, "owner_body")
    assert str(stub) == "a restricted document"
    assert selectors.annex_parent(user=library.users.wco, document=docs.annex).pk == docs.confidential2.pk
    assert selectors.annex_parent(user=library.users.wco, document=docs.public3) is None


def test_counts_by_body_count_only_what_the_user_may_count(library):
    wg2, wg3 = library.wg2.pk, library.wg3.pk
    # OPCW sits in wg-3 only: wg-2's confidential note is not counted for it.
    assert selectors.document_counts_by_body(user=library.users.opcw) == {wg3: 4}
    assert selectors.document_counts_by_body(user=library.users.wco) == {wg3: 3, wg2: 1}
    assert selectors.document_counts_by_body(user=library.user("anonymous")) == {wg3: 2}
    assert selectors.document_counts_by_body(user=library.users.secretariat) == {wg3: 5, wg2: 1}


def test_counts_by_body_is_one_query(library, django_assert_num_queries):
    from compact.access.principal import principal_for

    principal_for(library.users.opcw)  # the user's standing is read once per request, before
    with django_assert_num_queries(1):
        selectors.document_counts_by_body(user=library.users.opcw)


def test_search_finds_documents_the_user_may_search_and_public_structure(library):
    results = selectors.search(user=library.users.opcw, q="  customs ")
    assert results.query == "customs"
    assert [d.pk for d in results.documents] == [library.docs.annex.pk]  # not the confidential wg-2 note
    wco = selectors.search(user=library.users.wco, q="CUSTOMS")
    assert {d.pk for d in wco.documents} == {library.docs.annex.pk, library.docs.confidential2.pk}
    assert [r.kind for r in wco.results][:2] == ["document", "document"]


def test_search_finds_working_groups_by_title_or_number_and_entities_by_acronym_name_or_alias(library):
    results = selectors.search(user=library.user("anonymous"), q="border")
    assert [g.key for g in results.working_groups] == ["wg-2"]
    assert [d.pk for d in results.documents] == [library.docs.public3.pk]
    assert [g.number for g in selectors.search(user=None, q=" 03").working_groups] == [3]
    by_name = selectors.search(user=library.user("anonymous"), q="office of counter")
    assert "UNOCT" in [e.acronym for e in by_name.entities]
    assert [e.acronym for e in selectors.search(user=library.user("anonymous"), q="opcw").entities] == ["OPCW"]


def test_search_refuses_a_query_shorter_than_two_characters(library):
    for q in ("", " ", " a ", None):
        with pytest.raises(ValidationError) as error:
            selectors.search(user=library.users.opcw, q=q)
        assert error.value.message_dict["q"] == ["Type at least 2 characters to search."]


def test_search_limit_and_more_flag(library):
    # "an" is in "Annex: customs contact list" and "Workplan 2024" only
    results = selectors.search(user=library.users.secretariat, q="an", limit=1)
    assert len(results.documents) == 1 and results.more_documents
    results = selectors.search(user=library.users.secretariat, q="an", limit=2)
    assert len(results.documents) == 2 and not results.more_documents
