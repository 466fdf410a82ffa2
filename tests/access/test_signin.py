"""Signing in and out, lock-out, sessions, CSRF, passwords (change and reset by e-mail), the account page
and the secretariat's security settings, as a user meets them in the browser."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from compact.access.models import SecurityPolicy
from compact.audit.models import ChangeEvent
from support.people import PASSWORD

NEW_PASSWORD = "quiet-meadow-copper-1987"


class _Texts(HTMLParser):
    """Collects the text inside elements carrying a given class."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif self.css_class in classes:
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts(response, css_class: str) -> list[str]:
    parser = _Texts(css_class)
    parser.feed(response.content.decode())
    return [" ".join(t.split()) for t in parser.found]


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/account/login/", {"username": username, "password": password, **extra})


# --- passwords are Argon2 ----------------------------------------------------------------------------

def test_password_is_stored_with_argon2(db):
    from compact.access.services import user_create

    user = user_create(username="lena.okafor", email="lena.okafor@example.org", password=PASSWORD, actor_label="test",
                       reason="test")
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password


# --- sign in and out -----------------------------------------------------------------------------------

def test_sign_in_page_then_sign_in_and_out(client, seeded, make_user):
    user = make_user("amina", entity="UNODA", body="wg-3")
    page = client.get("/account/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode() and 'name="password"' in page.content.decode()
    assert "Sign in with your organisation" not in page.content.decode()  # single sign-on is off

    response = sign_in(client, "amina")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user_id(client) == str(user.pk)

    home = client.get("/")
    assert "amina" in texts(home, "user-menu")[0] and "Sign out" in texts(home, "user-menu")[0]

    confirm = client.get("/account/logout/")
    assert confirm.status_code == 200 and 'action="/account/logout/"' in confirm.content.decode()
    assert signed_in_user_id(client) == str(user.pk)  # GET does not sign out

    out = client.post("/account/logout/")
    assert out.status_code == 302
    assert signed_in_user_id(client) is None
    assert "Sign in" in texts(client.get("/"), "user-menu")[0]


def test_wrong_password_says_so_and_does_not_sign_in(client, seeded, make_user):
    make_user("amina", entity="UNODA")
    response = sign_in(client, "amina", "not-the-password")
    assert response.status_code == 200
    assert "The user name or the password is not correct" in response.content.decode()
    assert signed_in_user_id(client) is None

    unknown = sign_in(client, "nobody-here", PASSWORD)
    assert "The user name or the password is not correct" in unknown.content.decode()
    assert signed_in_user_id(client) is None


def test_inactive_account_cannot_sign_in(client, seeded, make_user):
    make_user("amina", entity="UNODA", is_active=False)
    sign_in(client, "amina")
    assert signed_in_user_id(client) is None


def test_lock_out_after_the_failure_limit_then_reset(client, seeded, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("amina", entity="UNODA")
    statuses = [sign_in(client, "amina", f"wrong-{i}").status_code for i in range(3)]
    assert statuses == [200, 200, 429]

    locked = sign_in(client, "amina", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "locked after 3 failed attempts" in locked.content.decode()
    assert "Try again in 30 minutes" in locked.content.decode()
    assert signed_in_user_id(client) is None

    # Another user name from the same address is not locked.
    make_user("bruno", entity="UNODC")
    assert sign_in(client, "bruno").status_code == 302
    client.post("/account/logout/")

    call_command("axes_reset_username", "amina")
    assert sign_in(client, "amina", PASSWORD).status_code == 302
    assert signed_in_user_id(client) is not None


def test_axes_reset_unlocks_everyone(client, seeded, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("amina", entity="UNODA")
    for _ in range(2):
        sign_in(client, "amina", "wrong")
    assert sign_in(client, "amina").status_code == 429
    call_command("axes_reset")
    assert sign_in(client, "amina").status_code == 302


# --- next ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/entities/", "/entities/"),
        ("/working-groups/3/?as_of=2020-01-01", "/working-groups/3/?as_of=2020-01-01"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("http://testserver.evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_honoured_only_on_this_host(client, seeded, make_user, next_url, expected):
    make_user("amina", entity="UNODA")
    response = sign_in(client, "amina", next=next_url)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_sign_in_page_keeps_next_in_the_form(client, db):
    page = client.get("/account/login/?next=/entities/")
    assert '<input type="hidden" name="next" value="/entities/">' in page.content.decode()


# --- sessions and CSRF -----------------------------------------------------------------------------

def test_session_lasts_the_configured_hours_then_the_user_is_anonymous(client, seeded, make_user, settings):
    make_user("amina", entity="UNODA")
    before = timezone.now()
    sign_in(client, "amina")
    session = Session.objects.get(session_key=client.session.session_key)
    expected = before + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60
    assert settings.SESSION_COOKIE_AGE == 8 * 3600  # COMPACT_SESSION_HOURS defaults to 8

    assert client.get("/account/").status_code == 200
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/?next=/account/")
    assert "Sign in" in texts(client.get("/"), "user-menu")[0]


def test_csrf_token_is_required_to_sign_in_and_out(seeded, make_user):
    user = make_user("amina", entity="UNODA")
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post("/account/login/", {"username": "amina", "password": PASSWORD})
    assert refused.status_code == 403
    assert signed_in_user_id(browser) is None

    page = browser.get("/account/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    accepted = browser.post("/account/login/", {"username": "amina", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302 and signed_in_user_id(browser) == str(user.pk)

    assert browser.post("/account/logout/").status_code == 403
    assert signed_in_user_id(browser) == str(user.pk)


# --- password change -------------------------------------------------------------------------------

def _events(obj_type: str, obj_id) -> list[ChangeEvent]:
    return list(ChangeEvent.objects.filter(object_type=obj_type, object_id=str(obj_id)).order_by("id"))


def test_password_change_keeps_the_session_and_records_one_event(client, seeded, make_user):
    user = make_user("amina", entity="UNODA")
    client.force_login(user)
    assert client.get("/account/password/change/").status_code == 200

    wrong = client.post("/account/password/change/", {"old_password": "nope", "new_password1": NEW_PASSWORD,
                                                      "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    weak = client.post("/account/password/change/", {"old_password": PASSWORD, "new_password1": "12345678",
                                                     "new_password2": "12345678"})
    assert weak.status_code == 200 and "This password is too common" in weak.content.decode()
    assert _events("auth.user", user.pk) == []

    done = client.post("/account/password/change/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                     "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.password.startswith("argon2")
    assert client.get("/account/").status_code == 200  # still signed in
    [event] = _events("auth.user", user.pk)
    assert event.actor_id == user.pk and event.reason == "Password changed by the user"
    assert list(event.changes) == ["password"]
    assert NEW_PASSWORD not in str(event.changes) and user.password not in str(event.changes)


def test_password_change_needs_sign_in(client, db):
    response = client.get("/account/password/change/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


# --- password reset ----------------------------------------------------------------------------------

def test_password_reset_by_email(client, seeded, make_user, mailoutbox):
    user = make_user("amina", entity="UNODA")
    form = client.get("/account/password/reset/")
    assert form.status_code == 200

    sent = client.post("/account/password/reset/", {"email": "AMINA@example.org"})
    assert sent.status_code == 302 and sent["Location"] == "/account/password/reset/done/"
    assert client.get(sent["Location"]).status_code == 200
    [mail] = mailoutbox
    assert mail.to == ["amina@example.org"]
    assert mail.subject == "Compact: reset your password"
    assert "Hello amina" in mail.body
    link = re.search(r"http://testserver(/account/password/reset/[^/\s]+/[^/\s]+/)", mail.body).group(1)

    opened = client.get(link, follow=True)
    assert opened.status_code == 200
    set_url = opened.redirect_chain[-1][0]
    assert 'name="new_password1"' in opened.content.decode()

    mismatch = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 200 and "didn’t match" in mismatch.content.decode()
    assert _events("auth.user", user.pk) == []

    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/password/reset/complete/"
    assert client.get(done["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    [event] = _events("auth.user", user.pk)
    assert event.actor_id is None and event.actor_label == "password reset"
    assert event.reason == "Password reset by e-mail" and list(event.changes) == ["password"]

    # The link works once.
    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()
    assert sign_in(client, "amina", NEW_PASSWORD).status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, seeded, mailoutbox):
    response = client.post("/account/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/done/"
    assert mailoutbox == []
    bad = client.post("/account/password/reset/", {"email": "not an address"})
    assert bad.status_code == 200 and "Enter an e-mail address such as name@example.org." in bad.content.decode()


# --- the account page -----------------------------------------------------------------------------

def test_account_page_shows_standing_from_the_registry(client, seeded, make_user):
    # UNODA is vice-chair of working group 3 and a member of it; its focal point for wg-3 acts as an officer there.
    user = make_user("amina", entity="UNODA", body="wg-3")
    client.force_login(user)
    page = client.get("/account/")
    assert page.status_code == 200
    assert texts(page, "account-username") == ["amina"]
    assert texts(page, "account-entity")[0].startswith("UNODA — United Nations Office for Disarmament Affairs")
    assert 'href="/entities/UNODA/"' in page.content.decode()
    assert texts(page, "account-focal-point") == ["Yes, focal point of my entity"]
    assert texts(page, "account-secretariat") == ["No"]
    member = texts(page, "standing-member")[0]
    assert "Coordination Committee" in member and "Working group 3" in member
    assert texts(page, "standing-officer")[0].startswith("Working group 3")
    assert "Working group 1" not in texts(page, "standing-officer")[0]
    assert texts(page, "two-factor-status") == ["Two-factor authentication is off."]
    assert "/account/two-factor/setup/" in page.content.decode()
    assert "/account/security/" not in page.content.decode()


def test_account_page_for_a_representative_and_the_secretariat(client, seeded, make_user):
    rep = make_user("bruno", entity="UNODA", function="representative", body="wg-3")
    client.force_login(rep)
    page = client.get("/account/")
    assert texts(page, "account-focal-point") == ["No, representative of my entity"]
    assert texts(page, "standing-officer") == ["—"]

    staff = make_user("chen", secretariat=True)
    client.force_login(staff)
    page = client.get("/account/")
    assert texts(page, "account-secretariat") == ["Yes: you administer the platform"]
    assert texts(page, "standing-member") == ["—"]
    assert "/account/security/" in page.content.decode()


def test_account_page_needs_sign_in(client, db):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"] == "/account/login/?next=/account/"


def test_account_page_query_count_does_not_grow(client, seeded, make_user, django_assert_num_queries):
    from compact.registry.models import Body, Entity, Participation

    user = make_user("amina", entity="UNODA", body="wg-3")
    client.force_login(user)
    client.get("/account/")  # content types and the like are cached after the first request
    with django_assert_num_queries(18):
        first = client.get("/account/")
    assert first.status_code == 200

    unoda = Entity.objects.get(acronym="UNODA")
    compact_body = Body.objects.get(key="compact")
    for n in range(9, 12):
        body = Body.objects.create(key=f"wg-{n}", kind=Body.Kind.WORKING_GROUP, number=n, title=f"Group {n}",
                                   pillar=Body.objects.get(key="wg-3").pillar, parent=compact_body,
                                   established=dt.date(2020, 1, 1))
        Participation.objects.create(body=body, entity=unoda, capacity=Participation.Capacity.MEMBER,
                                     start=dt.date(2020, 1, 1))
    with django_assert_num_queries(18):
        more = client.get("/account/")
    assert "Group 11" in texts(more, "standing-member")[0]


def test_sign_in_query_count(client, seeded, make_user, django_assert_num_queries):
    make_user("amina", entity="UNODA")
    client.get("/account/login/")
    with django_assert_num_queries(0):  # a visitor without a session: no query at all
        assert client.get("/account/login/").status_code == 200
    with django_assert_num_queries(16):
        assert sign_in(client, "amina").status_code == 302


# --- security settings (secretariat) --------------------------------------------------------------

def test_security_page_is_for_the_secretariat_only(client, seeded, make_user):
    client.force_login(make_user("amina", entity="UNODA"))
    assert client.get("/account/security/").status_code == 404
    assert client.post("/account/security/", {"require_two_factor": "on", "reason": "x"}).status_code == 404
    assert SecurityPolicy.current().require_two_factor is False


def test_security_page_requires_a_reason_and_records_one_event(client, seeded, make_user, django_assert_num_queries):
    staff = make_user("chen", secretariat=True)
    client.force_login(staff)
    client.get("/account/security/")
    with django_assert_num_queries(12):
        page = client.get("/account/security/")
    assert page.status_code == 200 and "Two-factor authentication is now optional" in page.content.decode()

    no_reason = client.post("/account/security/", {"require_two_factor": "on", "reason": "  "})
    assert no_reason.status_code == 400 and "Give a reason" in no_reason.content.decode()
    assert ChangeEvent.objects.filter(object_type="access.securitypolicy").count() == 0
    assert SecurityPolicy.current().require_two_factor is False

    saved = client.post("/account/security/", {"require_two_factor": "on", "reason": "Audit recommendation 4"})
    assert saved.status_code == 302
    assert SecurityPolicy.current().require_two_factor is True
    [event] = ChangeEvent.objects.filter(object_type="access.securitypolicy")
    assert event.reason == "Audit recommendation 4" and event.actor_id == staff.pk
    assert event.changes == {"require_two_factor": [None, True]}
    # The secretariat member has no authenticator app yet: the policy now applies to them too.
    held = client.get("/account/security/")
    assert held.status_code == 302 and held["Location"] == "/account/two-factor/?next=%2Faccount%2Fsecurity%2F"


def test_password_of_a_new_user_is_argon2_through_the_model_too(db):
    user = get_user_model().objects.create_user("dara", password=PASSWORD)
    assert user.password.startswith("argon2$")


def test_grants_and_security_policy_are_read_only_in_the_admin(client, seeded, make_user):
    from compact.access.services import security_policy_set

    security_policy_set(require_two_factor=False, actor=None, actor_label="test", reason="initial row")
    staff = make_user("chen", secretariat=True)
    client.force_login(staff)
    listing = client.get("/admin/access/securitypolicy/")
    assert listing.status_code == 200
    assert client.get("/admin/access/grant/").status_code == 200
    assert client.get("/admin/access/grant/add/").status_code == 403
    assert client.get("/admin/access/securitypolicy/add/").status_code == 403
    refused = client.post("/admin/access/securitypolicy/1/change/", {"require_two_factor": "on"})
    assert refused.status_code in (200, 403)
    assert SecurityPolicy.current().require_two_factor is False
    assert client.post("/admin/access/securitypolicy/1/delete/", {"post": "yes"}).status_code == 403
    assert SecurityPolicy.objects.filter(pk=1).exists()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_account_pages_render_in_other_languages(client, seeded, make_user, lang):
    page = client.get(f"/account/login/?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page.content.decode()
    client.force_login(make_user("amina", entity="UNODA", body="wg-3"))
    for url in ("/account/", "/account/two-factor/setup/", "/account/password/change/", "/account/logout/"):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        assert f'<html lang="{lang}"' in response.content.decode()
