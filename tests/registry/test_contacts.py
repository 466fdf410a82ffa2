"""An entity's contacts, on its page and in the API, go through the access policy."""

from __future__ import annotations

import pytest

from compact.audit.models import AccessEvent
from compact.registry.models import Entity, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(seeded):
    undp = Entity.objects.get(acronym="UNDP")
    made = {}
    for level in ("public", "internal", "confidential", "strictly_confidential"):
        made[level] = Person.objects.create(entity=undp, given_name="Contact", family_name=f"Level-{level}",
                                            function="representative", email=f"{level}@example.org", sensitivity=level)
    return made


def _names(response) -> set[str]:
    return {row["family_name"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "who, seen",
    [
        (None, {"Level-public"}),
        ({"username": "plain"}, {"Level-public", "Level-internal"}),
        ({"username": "wco", "entity": "WCO", "function": "representative"}, {"Level-public", "Level-internal"}),
        ({"username": "undp", "entity": "UNDP", "function": "representative"},
         {"Level-public", "Level-internal", "Level-confidential", "Example"}),  # and the reader's own entry
        ({"username": "sec", "secretariat": True},
         {"Level-public", "Level-internal", "Level-confidential", "Level-strictly_confidential"}),
    ],
)
def test_each_reader_sees_the_contacts_the_rules_give_them(client, contacts, make_user, who, seen):
    if who:
        client.force_login(make_user(who.pop("username"), **who))
    response = client.get("/api/entities/UNDP/contacts/")
    assert response.status_code == 200
    assert _names(response) == seen
    assert response.json()["count"] == len(seen)
    page = client.get("/entities/UNDP/").content.decode()
    for level, person in contacts.items():
        assert (person.email in page) == (person.family_name in seen), level


def test_listing_confidential_contacts_is_logged(client, contacts, make_user):
    client.force_login(make_user("undp", entity="UNDP", function="representative"))
    client.get("/api/entities/UNDP/contacts/")
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type, event.object_ids) == ("list", "registry.person", [contacts["confidential"].pk])
    client.get("/api/entities/WCO/contacts/")  # nothing protected there
    assert AccessEvent.objects.count() == 1


def test_unknown_entity_is_not_found(client, seeded):
    assert client.get("/api/entities/NOPE/contacts/").status_code == 404
