"""Two-factor authentication: setting up an authenticator app, the second sign-in step, the secretariat's
requirement for everyone, removal, and the change log (one event per write, never the secret key)."""

from __future__ import annotations

import json
import re
from base64 import b32encode

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from compact.access import account_services
from compact.access.services import security_policy_set
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from support.people import PASSWORD

DEVICE_TYPE = "otp_totp.totpdevice"


def code(device: TOTPDevice, drift: int = 0) -> str:
    """The current 6-digit code of ``device`` (RFC 6238), computed from its key like an app would."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = {code(device, d) for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def device_events() -> list[ChangeEvent]:
    return list(ChangeEvent.objects.filter(object_type=DEVICE_TYPE).order_by("id"))


def confirmed_device(user) -> TOTPDevice:
    """A confirmed device, as if set up earlier (test set-up through the ORM, never used yet)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


@pytest.fixture
def no_throttle(settings):
    """django-otp slows down after a wrong code (1 s, then 2 s, ...); tests that follow a wrong code with the
    right one turn the delay off."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


# --- setting up ---------------------------------------------------------------------------------

def test_set_up_an_authenticator_app(client, seeded, make_user, no_throttle):
    user = make_user("amina", entity="UNODA")
    client.force_login(user)
    start_page = client.get("/account/two-factor/setup/")
    assert start_page.status_code == 200 and "Create my key" in start_page.content.decode()
    assert TOTPDevice.objects.count() == 0  # looking at the page writes nothing

    started = client.post("/account/two-factor/setup/", {"action": "start"})
    assert started.status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    [created] = device_events()
    assert created.action == "create" and created.actor_id == user.pk and created.object_id == str(device.pk)

    page = client.get(started["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "QR code for your authenticator app" in html  # drawn on the server, inline
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'<code class="secret-key[^"]*" dir="ltr">([^<]+)</code>', html).group(1)
    assert shown.replace(" ", "") == secret

    wrong = client.post("/account/two-factor/setup/", {"action": "confirm", "code": wrong_code(device)})
    assert wrong.status_code == 400 and "is not the current code of this key" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False and len(device_events()) == 1

    malformed = client.post("/account/two-factor/setup/", {"action": "confirm", "code": "12ab56"})
    assert malformed.status_code == 400 and "The code has 6 digits" in malformed.content.decode()

    done = client.post("/account/two-factor/setup/", {"action": "confirm", "code": code(device)})
    assert done.status_code == 302 and done["Location"] == "/account/"
    device.refresh_from_db()
    assert device.confirmed is True
    created, confirmed = device_events()
    assert confirmed.action == "update" and confirmed.changes == {"confirmed": [False, True]}

    account = client.get("/account/")  # this session is verified: no second step asked
    assert account.status_code == 200 and "Two-factor authentication is on." in account.content.decode()


def test_starting_again_replaces_the_unconfirmed_key(client, seeded, make_user):
    user = make_user("amina", entity="UNODA")
    client.force_login(user)
    client.post("/account/two-factor/setup/", {"action": "start"})
    first = TOTPDevice.objects.get(user=user)
    client.post("/account/two-factor/setup/", {"action": "start"})
    second = TOTPDevice.objects.get(user=user)
    assert second.pk != first.pk and second.key != first.key
    assert [(e.action, e.object_id) for e in device_events()] == [
        ("create", str(first.pk)), ("delete", str(first.pk)), ("create", str(second.pk)),
    ]


def test_the_secret_key_never_enters_the_change_log(client, seeded, make_user):
    user = make_user("amina", entity="UNODA")
    client.force_login(user)
    client.post("/account/two-factor/setup/", {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    client.post("/account/two-factor/setup/", {"action": "confirm", "code": code(device)})
    client.post("/account/two-factor/remove/", {"password": PASSWORD})
    events = device_events()
    assert [e.action for e in events] == ["create", "update", "delete"]
    secrets = {device.key, device.key.upper(), b32encode(device.bin_key).decode(), b32encode(device.bin_key).decode().lower()}
    for event in events:
        recorded = json.dumps(event.changes) + event.object_repr + event.reason
        assert not any(secret in recorded for secret in secrets)
    assert events[0].changes["key"] == [None, "hidden"]
    assert events[2].changes["key"] == ["hidden", None]


# --- the second sign-in step ------------------------------------------------------------------

def test_sign_in_with_a_device_asks_for_the_code(client, seeded, make_user, no_throttle):
    user = make_user("amina", entity="UNODA")
    device = confirmed_device(user)

    response = client.post("/account/login/", {"username": "amina", "password": PASSWORD, "next": "/entities/"})
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=%2Fentities%2F"

    # Signed in with the password only: every other page sends the user back to the code; the API answers 403.
    held = client.get("/entities/")
    assert held.status_code == 302 and held["Location"].startswith("/account/two-factor/?next=")
    assert client.get("/account/password/change/").status_code == 302
    api = client.get("/api/entities/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    assert client.get("/account/two-factor/setup/")["Location"].startswith("/account/two-factor/?next=")
    assert client.get("/account/two-factor/remove/")["Location"].startswith("/account/two-factor/?next=")

    step = client.get(response["Location"])
    assert step.status_code == 200 and 'autocomplete="one-time-code"' in step.content.decode()

    refused = client.post("/account/two-factor/", {"code": wrong_code(device), "next": "/entities/"})
    assert refused.status_code == 400 and "This code is not correct" in refused.content.decode()
    assert client.get("/entities/").status_code == 302

    accepted = client.post("/account/two-factor/", {"code": code(device), "next": "/entities/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/entities/"
    assert client.get("/entities/").status_code == 200
    assert client.get("/api/entities/").status_code == 200


def test_a_code_cannot_be_used_twice(client, seeded, make_user, no_throttle):
    user = make_user("amina", entity="UNODA")
    device = confirmed_device(user)
    used = code(device)
    client.post("/account/login/", {"username": "amina", "password": PASSWORD})
    assert client.post("/account/two-factor/", {"code": used})["Location"] == "/"
    client.post("/account/logout/")
    client.post("/account/login/", {"username": "amina", "password": PASSWORD})
    replay = client.post("/account/two-factor/", {"code": used})
    assert replay.status_code == 400


def test_repeated_wrong_codes_are_slowed_down(client, seeded, make_user):
    user = make_user("amina", entity="UNODA")
    device = confirmed_device(user)
    client.post("/account/login/", {"username": "amina", "password": PASSWORD})
    client.post("/account/two-factor/", {"code": wrong_code(device)})
    throttled = client.post("/account/two-factor/", {"code": code(device)})  # right, but too soon after a wrong one
    assert throttled.status_code == 400 and "Too many wrong codes" in throttled.content.decode()
    assert client.get("/entities/").status_code == 302


def test_the_two_factor_step_keeps_next_on_this_host(client, seeded, make_user):
    user = make_user("amina", entity="UNODA")
    device = confirmed_device(user)
    client.post("/account/login/", {"username": "amina", "password": PASSWORD})
    response = client.post("/account/two-factor/", {"code": code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_two_factor_step_needs_a_password_sign_in_first(client, db):
    response = client.get("/account/two-factor/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_two_factor_step_query_count(client, seeded, make_user, django_assert_num_queries):
    user = make_user("amina", entity="UNODA")
    confirmed_device(user)
    client.post("/account/login/", {"username": "amina", "password": PASSWORD})
    client.get("/account/two-factor/")
    with django_assert_num_queries(7):
        assert client.get("/account/two-factor/").status_code == 200
    confirmed_device(user)  # a second device: still the same number of queries
    with django_assert_num_queries(7):
        assert client.get("/account/two-factor/").status_code == 200


# --- required for everyone --------------------------------------------------------------------

def test_when_required_a_user_without_device_must_set_one_up(client, seeded, make_user):
    security_policy_set(require_two_factor=True, actor=None, actor_label="test", reason="Audit recommendation")
    user = make_user("amina", entity="UNODA")

    response = client.post("/account/login/", {"username": "amina", "password": PASSWORD, "next": "/committee/"})
    assert response["Location"] == "/account/two-factor/?next=%2Fcommittee%2F"
    to_setup = client.get(response["Location"])
    assert to_setup.status_code == 302 and to_setup["Location"] == "/account/two-factor/setup/?next=%2Fcommittee%2F"
    assert client.get("/committee/")["Location"].startswith("/account/two-factor/")
    assert client.get("/api/entities/").status_code == 403

    page = client.get(to_setup["Location"])
    assert "requires two-factor authentication for everyone" in page.content.decode()
    client.post("/account/two-factor/setup/", {"action": "start", "next": "/committee/"})
    device = TOTPDevice.objects.get(user=user)
    done = client.post("/account/two-factor/setup/", {"action": "confirm", "code": code(device), "next": "/committee/"})
    assert done["Location"] == "/committee/"
    assert client.get("/committee/").status_code == 200


def test_when_required_the_device_cannot_be_removed_by_its_user(client, seeded, make_user):
    user = make_user("amina", entity="UNODA")
    device = confirmed_device(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    security_policy_set(require_two_factor=True, actor=None, actor_label="test", reason="Audit recommendation")

    page = client.get("/account/two-factor/remove/")
    assert page.status_code == 403 and "cannot be removed" in page.content.decode()
    refused = client.post("/account/two-factor/remove/", {"password": PASSWORD})
    assert refused.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists() and device_events() == []
    with pytest.raises(PermissionDenied):
        account_services.two_factor_device_remove(device=device, actor=user)


# --- removing ----------------------------------------------------------------------------------

def test_remove_the_device_with_the_password(client, seeded, make_user):
    user = make_user("amina", entity="UNODA")
    device = confirmed_device(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    assert client.get("/account/two-factor/remove/").status_code == 200
    wrong = client.post("/account/two-factor/remove/", {"password": "not-mine"})
    assert wrong.status_code == 400 and "This is not your password." in wrong.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    done = client.post("/account/two-factor/remove/", {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/"
    assert not TOTPDevice.objects.filter(user=user).exists()
    [event] = device_events()
    assert event.action == "delete" and event.object_id == str(device.pk) and event.actor_id == user.pk
    assert "Two-factor authentication is off." in client.get("/account/").content.decode()

    # Sign-in asks for the password only again.
    client.post("/account/logout/")
    assert client.post("/account/login/", {"username": "amina", "password": PASSWORD})["Location"] == "/"


# --- the services directly ----------------------------------------------------------------------

def test_services_check_who_acts(seeded, make_user):
    user = make_user("amina", entity="UNODA")
    other = make_user("bruno", entity="UNODC")
    staff = make_user("chen", secretariat=True)
    with pytest.raises(PermissionDenied):
        account_services.two_factor_device_create(user=user, actor=other)
    device = account_services.two_factor_device_create(user=user, actor=user)
    with pytest.raises(PermissionDenied):
        account_services.two_factor_device_confirm(device=device, token=code(device), actor=other)
    account_services.two_factor_device_confirm(device=device, token=code(device), actor=user)
    assert device.confirmed is True
    with pytest.raises(ValidationError, match="already confirmed"):
        account_services.two_factor_device_confirm(device=device, token=code(device, 1), actor=user)
    with pytest.raises(ValidationError, match="already set up"):
        account_services.two_factor_device_create(user=user, actor=user)
    with pytest.raises(PermissionDenied):
        account_services.two_factor_device_remove(device=device, actor=other)
    with pytest.raises(ReasonRequired):
        account_services.two_factor_device_remove(device=device, actor=staff, reason="")
    assert [e.action for e in device_events()] == ["create", "update"]

    # The secretariat removes a lost phone's device, even while two-factor is required.
    security_policy_set(require_two_factor=True, actor=staff, reason="Audit recommendation")
    event = account_services.two_factor_device_remove(device=device, actor=staff, reason="Phone lost, ticket 1234")
    assert event.actor_id == staff.pk and event.reason == "Phone lost, ticket 1234"
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert [e.action for e in device_events()] == ["create", "update", "delete"]


def test_setup_and_remove_pages_query_count(client, seeded, make_user, django_assert_num_queries):
    user = make_user("amina", entity="UNODA")
    client.force_login(user)
    client.post("/account/two-factor/setup/", {"action": "start"})
    client.get("/account/two-factor/setup/")
    with django_assert_num_queries(8):
        assert client.get("/account/two-factor/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=user)
    client.post("/account/two-factor/setup/", {"action": "confirm", "code": code(device)})
    client.get("/account/two-factor/remove/")
    with django_assert_num_queries(9):
        assert client.get("/account/two-factor/remove/").status_code == 200
