"""The admin is the secretariat's: others are refused, sign-in happens on the platform's page, and
opening confidential content there is written to the access log."""

from __future__ import annotations

import pytest

from compact.audit.models import AccessEvent
from compact.registry.models import Entity, Person

pytestmark = pytest.mark.django_db


def test_visitors_are_sent_to_the_platform_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")


def test_staff_outside_the_secretariat_are_refused(client, seeded, make_user):
    client.force_login(make_user("staffer", entity="UNDP", is_staff=True))
    assert client.get("/admin/").status_code in (302, 404)
    assert client.get("/admin/registry/entity/").status_code in (302, 403, 404)
    assert client.get("/admin/login/").status_code == 404


def test_the_secretariat_administers_and_its_reads_of_confidential_content_are_logged(client, seeded, make_user):
    client.force_login(make_user("sec", secretariat=True))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/registry/entity/").status_code == 200
    person = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Noor", family_name="Example",
                                   function="focal_point", sensitivity="confidential")
    assert client.get(f"/admin/registry/person/{person.pk}/change/").status_code == 200
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type, event.object_ids, event.user_label) == ("view", "registry.person", [person.pk], "sec")
    Person.objects.filter(pk=person.pk).update(sensitivity="internal")
    assert client.get(f"/admin/registry/person/{person.pk}/change/").status_code == 200
    assert AccessEvent.objects.count() == 1  # internal content: not logged
