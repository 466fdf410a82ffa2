"""Single sign-on (OpenID Connect): the backend's rules, with fabricated claims and no network, and the
sign-in page's button when single sign-on is configured."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.urls import include, path

from compact.audit.models import ChangeEvent

# Used by ``pytest.mark.urls(__name__)``: the site's URLs with single sign-on mounted, as when
# COMPACT_OIDC_RP_CLIENT_ID is set (the site's URL map is built once, at start-up).
urlpatterns = [
    path("account/oidc/", include("mozilla_django_oidc.urls")),
    path("", include("compact.urls")),
]


@pytest.fixture
def oidc(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "compact-test-client"
    settings.OIDC_RP_CLIENT_SECRET = "not-a-real-secret"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://login.example.org/tenant/oauth2/v2.0/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://login.example.org/tenant/oauth2/v2.0/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://graph.example.org/oidc/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://login.example.org/tenant/discovery/v2.0/keys"
    settings.OIDC_CREATE_USER = False
    return settings


@pytest.fixture
def backend(oidc):
    from compact.access.oidc import CompactOIDCBackend

    return CompactOIDCBackend()


def person(acronym: str, given: str, family: str, email: str, user=None):
    from compact.registry.models import Entity, Person

    return Person.objects.create(entity=Entity.objects.get(acronym=acronym), given_name=given, family_name=family,
                                 email=email, function="focal_point", user=user)


# --- verify_claims --------------------------------------------------------------------------

def test_claims_need_an_email_address_not_marked_unverified(backend):
    assert backend.verify_claims({"email": "amina.haddad@example.org"}) is True
    assert backend.verify_claims({"email": "amina.haddad@example.org", "email_verified": True}) is True
    assert backend.verify_claims({"preferred_username": "amina.haddad@example.org"}) is True  # Entra ID's usual claim
    assert backend.verify_claims({"email": "amina.haddad@example.org", "email_verified": False}) is False
    assert backend.verify_claims({"sub": "abc"}) is False
    assert backend.verify_claims({"preferred_username": "amina"}) is False
    assert backend.verify_claims({"email": "   "}) is False


# --- filter_users_by_claims ----------------------------------------------------------------

def test_existing_users_are_matched_by_email_ignoring_case(backend, make_user, db):
    amina = make_user("amina")
    amina.email = "Amina.Haddad@Example.org"
    amina.save()
    make_user("inactive", is_active=False).__class__.objects.filter(username="inactive").update(email="gone@example.org")

    assert list(backend.filter_users_by_claims({"email": "amina.haddad@example.org"})) == [amina]
    assert list(backend.filter_users_by_claims({"email": "AMINA.HADDAD@EXAMPLE.ORG"})) == [amina]
    assert list(backend.filter_users_by_claims({"preferred_username": "amina.haddad@example.org"})) == [amina]
    assert list(backend.filter_users_by_claims({"email": "gone@example.org"})) == []  # deactivated
    assert list(backend.filter_users_by_claims({"email": "nobody@example.org"})) == []
    assert list(backend.filter_users_by_claims({})) == []


def test_sign_in_of_an_existing_user_and_refusal_of_shared_addresses(backend, make_user, monkeypatch, db):
    amina = make_user("amina")
    claims = {"sub": "1", "email": "AMINA@example.org"}
    monkeypatch.setattr(backend, "get_userinfo", lambda access_token, id_token, payload: claims)
    assert backend.get_or_create_user("access", "id", {}) == amina

    other = make_user("amina2")
    other.email = "amina@example.org"
    other.save()
    with pytest.raises(SuspiciousOperation):
        backend.get_or_create_user("access", "id", {})

    claims["email_verified"] = False
    with pytest.raises(SuspiciousOperation):
        backend.get_or_create_user("access", "id", {})


# --- create_user -----------------------------------------------------------------------------

def test_unknown_users_are_refused_unless_creation_is_on(backend, seeded, monkeypatch):
    person("UNODA", "Amina", "Haddad", "amina.haddad@example.org")
    claims = {"sub": "1", "email": "amina.haddad@example.org"}
    monkeypatch.setattr(backend, "get_userinfo", lambda access_token, id_token, payload: claims)
    users, events = get_user_model().objects.count(), ChangeEvent.objects.count()

    assert backend.get_or_create_user("access", "id", {}) is None  # OIDC_CREATE_USER is off
    assert backend.create_user(claims) is None
    assert (get_user_model().objects.count(), ChangeEvent.objects.count()) == (users, events)


def test_creation_links_the_registry_person_through_the_services(backend, seeded, oidc, monkeypatch):
    from compact.access.principal import principal_for

    oidc.OIDC_CREATE_USER = True
    amina = person("UNODA", "Amina", "Haddad", "Amina.Haddad@example.org")
    claims = {"sub": "1", "email": "amina.haddad@EXAMPLE.org"}
    monkeypatch.setattr(backend, "get_userinfo", lambda access_token, id_token, payload: claims)
    before = ChangeEvent.objects.count()

    user = backend.get_or_create_user("access", "id", {})
    assert user is not None and user.username == "amina.haddad"
    assert user.email == "amina.haddad@example.org"  # the account model lower-cases the domain
    assert not user.has_usable_password()
    amina.refresh_from_db()
    assert amina.user_id == user.pk
    assert principal_for(user).entity_id == amina.entity_id and principal_for(user).is_focal_point

    events = list(ChangeEvent.objects.filter(actor_label="single sign-on").order_by("id"))
    assert ChangeEvent.objects.count() == before + 2
    assert [(e.object_type, e.action) for e in events] == [("auth.user", "create"), ("registry.person", "update")]
    assert all(e.actor_id is None and "Amina Haddad" in e.reason for e in events)

    # The next sign-in finds the account; nothing more is written.
    assert backend.get_or_create_user("access", "id", {}) == user
    assert ChangeEvent.objects.count() == before + 2


def test_creation_picks_a_free_user_name(backend, seeded, oidc, make_user):
    oidc.OIDC_CREATE_USER = True
    make_user("amina.haddad")
    make_user("Amina.Haddad2")
    person("UNODC", "Amina", "Haddad", "amina.haddad@unodc.example.org")
    user = backend.create_user({"email": "amina.haddad@unodc.example.org"})
    assert user.username == "amina.haddad3"


def test_creation_refuses_when_the_person_is_missing_ambiguous_or_taken(backend, seeded, oidc, make_user):
    oidc.OIDC_CREATE_USER = True
    users, events = get_user_model().objects.count(), ChangeEvent.objects.count()
    assert backend.create_user({"email": "stranger@example.org"}) is None

    person("UNODA", "Li", "Wei", "li.wei@example.org")
    person("UNODC", "Li", "Wei", "LI.WEI@example.org")
    assert backend.create_user({"email": "li.wei@example.org"}) is None

    owner = make_user("sam")
    person("UNODA", "Sam", "Okoro", "sam.okoro@example.org", user=owner)
    assert backend.create_user({"email": "sam.okoro@example.org"}) is None
    assert get_user_model().objects.count() == users + 1  # only the test's own "sam"
    assert ChangeEvent.objects.count() == events


# --- the sign-in page --------------------------------------------------------------------------

@pytest.mark.urls(__name__)
def test_sign_in_page_offers_single_sign_on_when_configured(client, oidc, db):
    page = client.get("/account/login/?next=/entities/")
    html = page.content.decode()
    assert "Sign in with your organisation" in html
    assert 'href="/account/oidc/authenticate/?next=%2Fentities%2F"' in html

    start = client.get("/account/oidc/authenticate/?next=/entities/")
    assert start.status_code == 302
    location = urlsplit(start["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == oidc.OIDC_OP_AUTHORIZATION_ENDPOINT
    query = parse_qs(location.query)
    assert query["client_id"] == ["compact-test-client"]
    assert query["redirect_uri"] == ["http://testserver/account/oidc/callback/"]
    assert query["scope"] == ["openid email profile"]


@pytest.mark.urls(__name__)
def test_a_refused_single_sign_on_comes_back_to_the_sign_in_page_with_a_message(client, oidc, db):
    page = client.get("/account/login/?sso=refused")
    assert "Single sign-on did not sign you in" in page.content.decode()


def test_settings_when_single_sign_on_is_configured(tmp_path):
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMPACT_VAR_DIR": str(tmp_path), "COMPACT_OIDC_RP_CLIENT_ID": "compact",
           "COMPACT_OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example.org/a",
           "COMPACT_OIDC_OP_TOKEN_ENDPOINT": "https://login.example.org/t",
           "COMPACT_OIDC_OP_USER_ENDPOINT": "https://login.example.org/u"}
    code = (
        "import json; from compact import settings as s; print(json.dumps([s.OIDC_ENABLED, s.OIDC_OP_JWKS_ENDPOINT,"
        " s.OIDC_CREATE_USER, s.LOGIN_REDIRECT_URL_FAILURE, s.AUTHENTICATION_BACKENDS, 'mozilla_django_oidc' in s.INSTALLED_APPS]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    enabled, jwks, create, failure, backends, installed = json.loads(out)
    assert enabled is True and jwks is None and create is False and installed is True
    assert failure == "/account/login/?sso=refused"
    assert backends[0] == "axes.backends.AxesStandaloneBackend" and backends[-1] == "compact.access.oidc.CompactOIDCBackend"
