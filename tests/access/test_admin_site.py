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
    assert client.get("/admin/registry/person/").status_code == 200
    listed = AccessEvent.objects.latest("id")
    assert (listed.action, listed.object_ids) == ("list", [person.pk])
    Person.objects.filter(pk=person.pk).update(sensitivity="internal")
    assert client.get(f"/admin/registry/person/{person.pk}/change/").status_code == 200
    assert client.get("/admin/registry/person/").status_code == 200
    assert AccessEvent.objects.count() == 2  # internal content: not logged


def test_two_factor_devices_and_sign_in_attempts_are_read_only_in_the_admin(client, seeded, make_user):
    from django_otp.plugins.otp_static.models import StaticDevice

    target = make_user("target", entity="UNDP")
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get("/admin/otp_static/staticdevice/").status_code == 200
    assert client.post("/admin/otp_static/staticdevice/add/", {"user": target.pk, "name": "x", "confirmed": "on"}).status_code == 403
    assert not StaticDevice.objects.exists()
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200 and device.key not in page.content.decode()  # the secret is never shown
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    assert client.get("/admin/axes/accessattempt/1/delete/").status_code in (403, 302)
