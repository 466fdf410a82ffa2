"""Each library page and API call runs a fixed number of queries, whatever the number of documents,
annexes, owners and grants (no query per row).

The numbers, for a signed-in user, include the request's own work before the page starts: the session,
the user, the two-factor devices and the security policy (5 queries), the user's standing in the
registry (``principal_for``: their groups, person, participations, leadership and the Committee: 5),
and the session saved after the request (1). A visitor has none of these.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from compact.library.services import document_create


def url_of(library, page: str) -> str:
    d = library.docs
    return {
        "detail": f"/documents/{d.public3.pk}/",
        "annex": f"/documents/{d.annex.pk}/",
        "api-detail": f"/api/documents/{d.annex.pk}/",
    }.get(page, page)


# (page, visitor, OPCW representative in wg-3) -> queries
QUERIES = [
    # documents: count, page rows, bodies for the filter (+ access-log row when a protected row is listed)
    ("/documents/", 3, 18),
    ("/documents/?body=wg-3&q=customs", 3, 18),
    # export: rows, readable parents of annexes, access-log row (always)
    ("/documents/export.csv", 3, 16),
    # search: documents, working groups, entities (+ access-log row for a protected hit)
    ("/search/?q=customs", 3, 18),
    # working groups: groups, leadership, participants, document counts
    ("/working-groups/", 4, 18),
    # a working group: group, leadership, participants, document counts, its history
    ("/working-groups/3/", 8, 22),
    # a document: the document, its annexes, its history (+ the user's grant on it, to offer editing)
    ("detail", 4, 19),
    # an annex: as above, plus its parent
    ("annex", 5, 21),
    # API list: count, rows, readable parents (+ access-log row)
    ("/api/documents/", 3, 17),
    # API search: documents, working groups, entities, readable parents (+ access-log row)
    ("/api/search/?q=customs", 4, 18),
    # API document: the document, its readable parent
    ("api-detail", 2, 15),
]


@pytest.fixture
def base(library):
    """The library's world plus a confidential annex of wg-3 matching "customs", so that the searches
    and filtered lists below show a protected row (written to the access log) before and after growing."""
    document_create(actor=library.users.secretariat, reason="annexed", title="Customs annex", sensitivity="confidential",
                    owner_body=library.wg3, annex_of=library.docs.confidential3)
    return library


@pytest.fixture
def grown(base):
    """Thirty more documents in every body, level and owner, ten of them annexes (of readable and
    unreadable parents), and read grants to the OPCW representative on five confidential ones."""
    from compact.access.services import grant_create
    from compact.registry.models import Body, Entity

    bodies = list(Body.objects.filter(kind="working_group"))
    entities = list(Entity.objects.all())
    levels = ["public", "internal", "confidential", "strictly_confidential"]
    library = base
    secretariat = library.users.secretariat
    made = []
    for n in range(30):
        parent = made[n - 10] if n >= 20 else (library.docs.confidential2 if n % 2 else None)
        made.append(document_create(
            actor=secretariat, reason="grown", title={"en": f"Customs report {n}", "fr": f"Rapport {n}"},
            owner_body=bodies[n % len(bodies)], owner_entity=entities[n % len(entities)] if n % 3 else None,
            sensitivity=levels[n % 4], annex_of=parent if n % 5 != 4 else None,
        ))
    for document in [m for m in made if m.sensitivity == "confidential"][:5]:
        grant_create(obj=document, user=library.users.opcw, level="read", actor=secretariat, reason="grown")
    return base


def _check(world, client, django_assert_num_queries, page, visitor, member):
    for user, expected in ((AnonymousUser(), visitor), (world.users.opcw, member)):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        url = url_of(world, page)
        client.get(url)  # warm: the first request of a session may write it
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize(("page", "visitor", "member"), QUERIES)
def test_each_page_and_api_call_runs_a_fixed_number_of_queries(base, client, django_assert_num_queries,
                                                              page, visitor, member):
    _check(base, client, django_assert_num_queries, page, visitor, member)


@pytest.mark.parametrize(("page", "visitor", "member"), QUERIES)
def test_the_number_of_queries_does_not_grow_with_the_documents(grown, client, django_assert_num_queries,
                                                                page, visitor, member):
    _check(grown, client, django_assert_num_queries, page, visitor, member)


@pytest.mark.django_db
@pytest.mark.parametrize("world", ["base", "grown"])
def test_forms_downloads_and_api_writes_run_a_fixed_number_of_queries(request, world, client, settings, tmp_path,
                                                                       django_assert_num_queries):
    """For UNODA's focal point (an officer of wg-3), on a confidential wg-3 document with a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from compact.library.services import document_update

    library = request.getfixturevalue(world)
    settings.MEDIA_ROOT = tmp_path
    document = library.docs.confidential3
    document_update(document=document, actor=library.users.secretariat, reason="file",
                    upload=SimpleUploadedFile("minutes.txt", b"minutes"))
    client.force_login(library.users.unoda)
    pages = [
        # + the document, the user's grant, creatable bodies and entities, the form's two choice lists
        (f"/documents/{document.pk}/edit/", 20),
        # + the document, the user's grant, the grants on the document
        (f"/documents/{document.pk}/sharing/", 17),
        # + creatable bodies and entities, the form's two choice lists
        ("/documents/new/", 20),
        # + the document, the access-log row
        (f"/documents/{document.pk}/download", 16),
        (f"/api/documents/{document.pk}/file", 16),
    ]
    for url, expected in pages:
        client.get(url)
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200, url
    # create: body lookup, permission, insert, change-log row, readable parents
    with django_assert_num_queries(18):
        response = client.post("/api/documents/", {"title": {"en": "New minutes"}, "owner_body": "wg-3",
                                                   "sensitivity": "confidential", "reason": "new"},
                               content_type="application/json")
    assert response.status_code == 201
    pk = response.json()["id"]
    with django_assert_num_queries(22):
        response = client.patch(f"/api/documents/{pk}/", {"kind": "note", "reason": "kind"}, content_type="application/json")
    assert response.status_code == 200
    # + the links of joint projects and of meetings (agenda items, minutes, decision subjects, evidence of
    # action items) to the deleted document
    with django_assert_num_queries(27):
        response = client.delete(f"/api/documents/{pk}/", {"reason": "duplicate"}, content_type="application/json")
    assert response.status_code == 204
    other = document_create(actor=library.users.secretariat, reason="copy", title="Copy of the minutes",
                            owner_body=library.wg3, sensitivity="confidential")
    # the page's delete: as the API's
    with django_assert_num_queries(27):
        response = client.post(f"/documents/{other.pk}/delete/", {"reason": "duplicate"})
    assert response.status_code == 302
