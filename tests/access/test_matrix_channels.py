"""The access matrix through the channels people use: pages, the API, the CSV export and search.

For every role and every document of the matrix world (three owner variants x four levels), each
channel's answer is compared with the written rule table (docs/access.md):

- view: ``/documents/<id>/`` and ``/api/documents/<id>/`` (200, or 404; never 403, which would tell
  that the item exists);
- list and count: ``/documents/`` and ``/api/documents/`` (the item listed; ``count`` equal to the
  number of items the table gives the role);
- export: ``/documents/export.csv`` (the item's row);
- search: ``/search/`` and ``/api/search/`` (the item found);
- change: ``/documents/<id>/edit/`` and ``PATCH /api/documents/<id>/`` (200; 403 when the role may read
  but not change; 404 when it may not read).

For contacts (people), the entity page and ``/api/entities/UNDP/contacts/`` (list and count).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from support.access_world import LEVELS, ROLES, VARIANTS, expected, rule_table

pytestmark = pytest.mark.django_db

DOCUMENT_VARIANTS = [v for v in VARIANTS if VARIANTS[v][0] == "document"]


def _client(user) -> Client:
    """A client signed in as ``user`` (a deactivated account stays signed out, as the platform treats it)."""
    client = Client()
    if getattr(user, "pk", None):
        client.force_login(user)
    return client


def _improper_refusal(status: int, readable: bool, role: str) -> bool:
    """A refusal that tells too much: an item the role may read is refused with 403, one it may not read
    with 404 (a visitor may instead be sent to sign in); anything else is improper."""
    if readable:
        return status != 403
    return not (status == 404 or (status == 302 and not ROLES[role].signed_in))


def test_documents_through_pages_api_export_and_search(matrix_world, access_matrix):
    table = rule_table()
    token = matrix_world.token
    for role, standing in ROLES.items():
        client = _client(matrix_world.users[role])
        docs = {(v, lvl): matrix_world.items[(v, lvl)] for v in DOCUMENT_VARIANTS for lvl in LEVELS}

        listed_html = client.get(f"/documents/?q={token}").content.decode()
        api_list = client.get(f"/api/documents/?q={token}").json()
        api_listed = {row["id"] for row in api_list["results"]}
        export = client.get(f"/documents/export.csv?q={token}")
        assert export.status_code == 200, role
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        exported = {int(r[0]) for r in rows[2:]}
        found_html = client.get(f"/search/?q={token}").content.decode()
        api_found = {row["id"] for row in client.get(f"/api/search/?q={token}").json()["documents"]}

        want_count = 0
        for (variant, level), doc in docs.items():
            _kind, body, entity = VARIANTS[variant]
            want = {a: expected(table, a, level, standing, body, entity) for a in ("view", "list", "count", "export", "search", "change")}
            want_count += want["count"]
            label = f"{role} {variant} {level}"
            link = f'href="/documents/{doc.pk}/"'

            page = client.get(f"/documents/{doc.pk}/")
            access_matrix.check(f"html/view {label}", page.status_code == 200, want["view"])
            if page.status_code != 200:
                access_matrix.check(f"html/view-refusal {label}", _improper_refusal(page.status_code, False, role), False)
            api = client.get(f"/api/documents/{doc.pk}/")
            access_matrix.check(f"api/view {label}", api.status_code == 200, want["view"])
            if api.status_code != 200:
                access_matrix.check(f"api/view-refusal {label}", api.status_code != 404, False)

            access_matrix.check(f"html/list {label}", link in listed_html, want["list"])
            access_matrix.check(f"api/list {label}", doc.pk in api_listed, want["list"])
            access_matrix.check(f"csv/export {label}", doc.pk in exported, want["export"])
            access_matrix.check(f"html/search {label}", link in found_html, want["search"])
            access_matrix.check(f"api/search {label}", doc.pk in api_found, want["search"])

            edit = client.get(f"/documents/{doc.pk}/edit/")
            access_matrix.check(f"html/change {label}", edit.status_code == 200, want["change"])
            if edit.status_code != 200:
                access_matrix.check(f"html/change-refusal {label}", _improper_refusal(edit.status_code, want["view"], role), False)
            patch = client.patch(f"/api/documents/{doc.pk}/", {"reason": "Matrix check", "kind": "note"},
                                 content_type="application/json")
            access_matrix.check(f"api/change {label}", patch.status_code == 200, want["change"])
            if patch.status_code != 200:
                access_matrix.check(f"api/change-refusal {label}", patch.status_code != (403 if want["view"] else 404), False)
        access_matrix.check(f"api/count {role}", api_list["count"] == want_count, True)
    access_matrix.assert_clean()


def test_contacts_through_the_entity_page_and_the_api(matrix_world, access_matrix):
    table = rule_table()
    people = {lvl: matrix_world.items[("person/entity+body", lvl)] for lvl in LEVELS}
    _kind, body, entity = VARIANTS["person/entity+body"]
    for role, standing in ROLES.items():
        client = _client(matrix_world.users[role])
        page = client.get("/entities/UNDP/").content.decode()
        api = client.get("/api/entities/UNDP/contacts/").json()
        listed = {(r["given_name"], r["family_name"]) for r in api["results"]}
        for level, person in people.items():
            want = expected(table, "list", level, standing, body, entity)
            access_matrix.check(f"html/list {role} person {level}", person.email in page, want)
            access_matrix.check(f"api/list {role} person {level}", (person.given_name, person.family_name) in listed, want)
        mine = sum(expected(table, "count", lvl, standing, body, entity) for lvl in LEVELS)
        others = sum(1 for r in api["results"] if r["given_name"] != matrix_world.token)
        access_matrix.check(f"api/count {role} person", api["count"] - others == mine, True)
    access_matrix.assert_clean()
