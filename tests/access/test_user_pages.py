"""The secretariat's pages for people and accounts (``/account/users/``): who may open them, the list
and its filters, creating an account, the actions on one account with their change events, and the
admin, which only shows users and groups."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import PASSWORD

from compact.access import services
from compact.access.models import Grant
from compact.access.principal import SECRETARIAT_GROUP, is_secretariat
from compact.audit.models import AccessEvent, ChangeEvent
from compact.registry.models import Body, Entity, Person

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG = "quiet-meadow-copper-91"


def rows(response) -> dict[str, dict[str, str]]:
    """The account list as ``{user name: {column: text}}``, read from the HTML."""
    html = response.content.decode()
    found = {}
    for row in re.findall(r'<tr class="account-row".*?</tr>', html, re.S):
        cells = dict(re.findall(r'<td class="account-([a-z-]+)[^"]*">(.*?)</td>', row, re.S))
        text = {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in cells.items()}
        found[text["username"]] = text
    return found


def counts() -> tuple[int, int, int, int]:
    return User.objects.count(), Person.objects.count(), ChangeEvent.objects.count(), Group.objects.count()


@pytest.fixture
def sec(seeded, make_user):
    return make_user("sec", secretariat=True)


@pytest.fixture
def signed_in(client, sec):
    client.force_login(sec)
    return client


# --- Who may open the pages ---------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/account/users/", "/account/users/new/", "/account/users/{pk}/"])
def test_visitors_sign_in_and_others_get_404(client, seeded, make_user, path):
    focal = make_user("farid", entity="UNODA", body="wg-3")
    url = path.format(pk=focal.pk)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/account/login/?next=")
    client.force_login(focal)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "active", "active-active": "no", "active-reason": "x"}).status_code == 404
    assert User.objects.get(pk=focal.pk).is_active


def test_unknown_account_is_404(signed_in):
    assert signed_in.get("/account/users/999999/").status_code == 404


def test_links_to_the_pages_for_the_secretariat_only(client, sec, make_user):
    client.force_login(sec)
    for path in ("/account/", "/"):
        assert 'href="/account/users/"' in client.get(path).content.decode()
    client.force_login(make_user("farid", entity="UNODA"))
    for path in ("/account/", "/"):
        assert 'href="/account/users/"' not in client.get(path).content.decode()


# --- The list -------------------------------------------------------------------------------------

@pytest.fixture
def population(sec, make_user):
    """Five more accounts: two of UNODA, one of INTERPOL (secretariat), one inactive, one unlinked."""
    amina = make_user("amina", entity="UNODA", body="wg-3")
    bilal = make_user("bilal", entity="UNODA", function="representative")
    make_user("chen", entity="INTERPOL", secretariat=True)
    make_user("dana", entity="UNDP", is_active=False)
    make_user("emil")
    TOTPDevice.objects.create(user=amina, name="Authenticator app", confirmed=True)
    TOTPDevice.objects.create(user=bilal, name="Authenticator app", confirmed=False)
    return amina


def test_the_list_shows_every_account_with_its_facts(signed_in, population):
    response = signed_in.get("/account/users/")
    assert response.status_code == 200
    listed = rows(response)
    assert list(listed) == ["amina", "bilal", "chen", "dana", "emil", "sec"]
    assert listed["amina"] == {
        "username": "amina", "name": "Amina Example", "email": "amina@example.org", "entity": "UNODA",
        "function": "focal point", "secretariat": "no", "two-factor": "yes", "active": "yes", "last-login": "never",
    }
    assert (listed["bilal"]["function"], listed["bilal"]["two-factor"]) == ("representative", "no")  # unconfirmed device
    assert (listed["chen"]["entity"], listed["chen"]["secretariat"]) == ("INTERPOL", "yes")
    assert listed["dana"]["active"] == "no"
    assert (listed["emil"]["entity"], listed["emil"]["name"], listed["emil"]["function"]) == ("—", "—", "—")
    assert '<a href="/entities/UNODA/">UNODA</a>' in response.content.decode() or "/UNODA" in response.content.decode()
    assert "6 accounts match these filters." in response.content.decode()


@pytest.mark.parametrize("query, expected", [
    ("entity=UNODA", ["amina", "bilal"]),
    ("entity=none", ["emil", "sec"]),
    ("secretariat=yes", ["chen", "sec"]),
    ("secretariat=no", ["amina", "bilal", "dana", "emil"]),
    ("active=no", ["dana"]),
    ("q=AMI", ["amina"]),
    ("q=example.org&entity=UNODA&active=yes", ["amina", "bilal"]),
    ("secretariat=yes&entity=INTERPOL", ["chen"]),
])
def test_filters(signed_in, population, query, expected):
    response = signed_in.get(f"/account/users/?{query}")
    assert response.status_code == 200
    assert list(rows(response)) == expected


def test_a_superuser_counts_as_secretariat(signed_in, population):
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    assert list(rows(signed_in.get("/account/users/?secretariat=yes"))) == ["chen", "root", "sec"]


@pytest.mark.parametrize("query, field", [("entity=NOPE", "entity"), ("active=maybe", "active"), ("page=zero", "page")])
def test_bad_filters_answer_400_with_the_field(signed_in, population, query, field):
    response = signed_in.get(f"/account/users/?{query}")
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()
    assert rows(response) == {}


def test_the_list_is_paginated(signed_in, make_user):
    for i in range(52):
        User.objects.create_user(f"user{i:02d}", f"user{i:02d}@example.org")
    first = signed_in.get("/account/users/")
    assert len(rows(first)) == 50 and "Page 1 of 2" in first.content.decode()
    second = signed_in.get("/account/users/?page=2")
    assert list(rows(second)) == ["user49", "user50", "user51"]  # "sec" comes first
    assert signed_in.get("/account/users/?page=3").status_code == 404


def test_the_list_takes_a_fixed_number_of_queries(signed_in, make_user, django_assert_num_queries):
    make_user("amina", entity="UNODA")
    signed_in.get("/account/users/")  # warm the content types and the session

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert signed_in.get("/account/users/?active=yes").status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for i, entity in enumerate(["UNDP", "UNODC", "UNICRI", "OPCW", "UNODA", "INTERPOL"]):
        user = make_user(f"more{i}", entity=entity, secretariat=i % 2 == 0)
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    after = queries()
    assert before == after
    with django_assert_num_queries(after):
        signed_in.get("/account/users/?active=yes")
    assert after == 15  # session, user, devices x 2 and policy (two-factor check), role (page), role and person
    # (selector), entities (filter), count, page, footer role, session save (3)


def test_confidential_people_listed_are_written_to_the_access_log(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    Person.objects.filter(user=amina).update(sensitivity="confidential")
    signed_in.get("/account/users/")
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type, event.object_ids, event.user_label) == (
        "list", "registry.person", [amina.person.pk], "sec")


# --- Creating an account --------------------------------------------------------------------------

def create_data(**extra) -> dict[str, str]:
    data = {"username": "layla.example", "email": "layla@example.org", "password": STRONG,
            "person_choice": "new", "entity": "UNODC", "given_name": "Layla", "family_name": "Example",
            "function": "focal_point", "body": "wg-3", "reason": "New focal point named by UNODC"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_the_create_page_offers_people_without_an_account(signed_in, make_user):
    make_user("amina", entity="UNODA")
    free = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Omar", family_name="Example",
                                 function="representative")
    html = signed_in.get("/account/users/new/").content.decode()
    assert f'value="{free.pk}"' in html and "UNDP — Omar Example (representative)" in html
    assert "Amina Example" not in html


def test_create_with_a_new_person(signed_in):
    since = last_id()
    response = signed_in.post("/account/users/new/", create_data(secretariat="on"))
    user = User.objects.get(username="layla.example")
    assert response.status_code == 302 and response["Location"] == f"/account/users/{user.pk}/"
    assert user.check_password(STRONG) and user.email == "layla@example.org" and user.is_active
    person = Person.objects.get(user=user)
    assert (person.entity.acronym, person.given_name, person.family_name, person.function, person.body.key, person.email) == (
        "UNODC", "Layla", "Example", "focal_point", "wg-3", "layla@example.org")
    assert is_secretariat(user)
    events = [(e.object_type, e.object_id, e.action, e.reason, e.actor_label) for e in new_events(since)]
    reason = "New focal point named by UNODC"
    assert events == [
        ("auth.user", str(user.pk), "create", reason, "sec"),
        ("registry.person", str(person.pk), "create", reason, "sec"),
        ("registry.person", str(person.pk), "update", reason, "sec"),
        ("auth.user", str(user.pk), "update", reason, "sec"),
    ]
    assert new_events(since)[-1].changes == {"secretariat": [False, True]}
    page = signed_in.get(response["Location"]).content.decode()
    assert "The account layla.example is created." in page


def test_create_with_an_existing_person_and_no_password(signed_in):
    free = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Omar", family_name="Example",
                                 function="representative")
    since = last_id()
    data = create_data(username="omar", email="omar@example.org", password="", no_password="on",
                       person_choice="existing", existing_person=str(free.pk), entity="", given_name="", family_name="")
    response = signed_in.post("/account/users/new/", data)
    assert response.status_code == 302
    user = User.objects.get(username="omar")
    assert not user.has_usable_password() and not is_secretariat(user)
    free.refresh_from_db()
    assert free.user == user
    assert Person.objects.count() == 1
    events = new_events(since)
    assert [(e.object_type, e.action) for e in events] == [("auth.user", "create"), ("registry.person", "update")]
    assert events[1].changes == {"user_id": [None, user.pk]}


def test_create_without_a_person(signed_in):
    since = last_id()
    response = signed_in.post("/account/users/new/", create_data(person_choice="none", entity="", given_name=""))
    assert response.status_code == 302
    assert not Person.objects.filter(user__username="layla.example").exists()
    assert [(e.object_type, e.action) for e in new_events(since)] == [("auth.user", "create")]


def field_errors(response) -> dict[str, str]:
    html = response.content.decode()
    return {name: re.sub(r"<[^>]+>", "", text).strip()
            for name, text in re.findall(r'id="id_([a-z_-]+?)-errors">(.*?)</div>', html, re.S)}


@pytest.mark.parametrize("extra, field, message", [
    ({"password": "password123"}, "password", "too common"),
    ({"password": "short"}, "password", "too short"),
    ({"password": "", "no_password": None}, "password", "Give a password, or tick"),
    ({"no_password": "on"}, "password", "not both"),
    ({"reason": "   "}, "reason", "Give a reason"),
    ({"reason": None}, "reason", "Give a reason"),
    ({"email": "not-an-address"}, "email", "name@example.org"),
    ({"given_name": ""}, "given_name", "given name of the new person"),
    ({"entity": "NOPE"}, "entity", "Choose an entity of the list"),
    ({"person_choice": "existing"}, "existing_person", "Choose the existing person"),
    ({"username": "bad name!"}, "username", "Enter a valid username"),
])
def test_create_refusals_write_nothing(signed_in, extra, field, message):
    before = counts()
    response = signed_in.post("/account/users/new/", create_data(**extra))
    assert response.status_code == 400
    errors = field_errors(response)
    assert field in errors and message in errors[field], errors
    assert counts() == before


def test_a_taken_user_name_is_refused_whatever_its_case(signed_in, make_user):
    make_user("Layla.Example")
    before = counts()
    response = signed_in.post("/account/users/new/", create_data())
    assert response.status_code == 400
    assert "already taken" in field_errors(response)["username"]
    assert counts() == before


def test_a_failure_at_the_last_step_writes_nothing(signed_in, monkeypatch):
    def refuse(**kwargs):
        raise services.ReasonRequired("A reason is required for this change.")

    monkeypatch.setattr(services, "secretariat_set", refuse)
    before = counts()
    response = signed_in.post("/account/users/new/", create_data(secretariat="on"))
    assert response.status_code == 400
    assert "reason" in field_errors(response)
    assert counts() == before


def test_a_person_taken_meanwhile_is_refused(signed_in, make_user):
    free = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Omar", family_name="Example",
                                 function="representative")
    free.user = make_user("someone")
    free.save()
    before = counts()
    response = signed_in.post("/account/users/new/", create_data(person_choice="existing", existing_person=str(free.pk)))
    assert response.status_code == 400
    assert "already has an account" in field_errors(response)["existing_person"]
    assert counts() == before


# --- One account and its actions ------------------------------------------------------------------

def act(client, user, action, **fields):
    data = {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/account/users/{user.pk}/", data)


def new_events(since: int) -> list[ChangeEvent]:
    return list(ChangeEvent.objects.filter(pk__gt=since).order_by("id"))


def last_id() -> int:
    return ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_the_account_page_shows_facts_standing_grants_and_changes(signed_in, make_user):
    amina = make_user("amina", entity="INTERPOL", body="wg-3")
    services.user_set_active(user=amina, active=False, actor=None, actor_label="test", reason="Left the entity")
    services.user_set_active(user=amina, active=True, actor=None, actor_label="test", reason="Came back")
    from compact.library.models import Document

    document = Document.objects.create(title="Threat assessment 2025", owner_entity=Entity.objects.get(acronym="INTERPOL"),
                                       sensitivity="strictly_confidential")
    person = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Omar", family_name="Example",
                                   function="representative")
    services.grant_create(obj=document, user=amina, level="change", actor=None, actor_label="test", reason="Co-author")
    services.grant_create(obj=person, user=amina, actor=None, actor_label="test", reason="Contact list")
    response = signed_in.get(f"/account/users/{amina.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Amina Example" in html and "INTERPOL" in html
    wg3 = Body.objects.get(key="wg-3")
    standing = re.search(r'standing-officer">(.*?)</dd>', html, re.S).group(1)
    assert f"/working-groups/{wg3.number}/" in standing
    grants = re.findall(r'<tr class="grant-row">(.*?)</tr>', html, re.S)
    assert len(grants) == 2
    assert f'<a href="/documents/{document.pk}/">Threat assessment 2025</a>' in grants[0] and "read and change" in grants[0]
    assert "Omar Example (UNDP)" in grants[1] and "<a " not in grants[1]
    reasons = re.findall(r'<td class="event-reason">(.*?)</td>', html, re.S)
    assert reasons == ["Contact list", "Co-author", "Came back", "Left the entity"]
    # The strictly confidential document named on the page is written to the access log.
    event = AccessEvent.objects.get(object_type="library.document")
    assert (event.object_ids, event.user_label) == ([document.pk], "sec")


def test_deactivate_and_reactivate(signed_in, client, make_user):
    amina = make_user("amina", entity="UNODA")
    since = last_id()
    response = act(signed_in, amina, "active", active="no", reason="Left UNODA")
    assert response.status_code == 302
    amina.refresh_from_db()
    assert not amina.is_active
    [event] = new_events(since)
    assert (event.object_type, event.object_id, event.action, event.changes, event.reason, event.actor_label) == (
        "auth.user", str(amina.pk), "update", {"is_active": [True, False]}, "Left UNODA", "sec")
    other = fresh_client()
    assert other.post("/account/login/", {"username": "amina", "password": PASSWORD}).status_code == 200  # refused
    response = act(signed_in, amina, "active", active="yes", reason="Back at UNODA")
    assert response.status_code == 302
    [event] = new_events(event.pk)
    assert (event.changes, event.reason) == ({"is_active": [False, True]}, "Back at UNODA")
    assert User.objects.get(pk=amina.pk).is_active


def fresh_client():
    """A browser of its own, not signed in."""
    from django.test import Client

    return Client()


def test_one_cannot_deactivate_oneself(signed_in, sec):
    since = last_id()
    response = act(signed_in, sec, "active", active="no", reason="Tidying")
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.content.decode()
    assert new_events(since) == [] and User.objects.get(pk=sec.pk).is_active


def test_give_and_take_the_secretariat_role(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    since = last_id()
    assert act(signed_in, amina, "secretariat", member="yes", reason="Joins the secretariat").status_code == 302
    assert is_secretariat(User.objects.get(pk=amina.pk))
    assert act(signed_in, amina, "secretariat", member="no", reason="Leaves the secretariat").status_code == 302
    assert not is_secretariat(User.objects.get(pk=amina.pk))
    assert [(e.object_type, e.object_id, e.changes, e.reason) for e in new_events(since)] == [
        ("auth.user", str(amina.pk), {"secretariat": [False, True]}, "Joins the secretariat"),
        ("auth.user", str(amina.pk), {"secretariat": [True, False]}, "Leaves the secretariat"),
    ]


def test_removing_ones_own_role_is_refused_with_the_services_message(signed_in, sec):
    since = last_id()
    response = act(signed_in, sec, "secretariat", member="no", reason="Stepping down")
    assert response.status_code == 400
    assert "You cannot remove your own secretariat role" in response.content.decode()
    assert new_events(since) == [] and is_secretariat(User.objects.get(pk=sec.pk))


def test_link_to_another_person(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    old = amina.person
    new = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Amina", family_name="Example",
                                function="representative")
    since = last_id()
    assert act(signed_in, amina, "person", person=str(new.pk), reason="Moved to UNDP").status_code == 302
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.user_id == amina.pk and old.user_id is None
    assert [(e.object_type, e.object_id, e.changes, e.reason) for e in new_events(since)] == [
        ("registry.person", str(old.pk), {"user_id": [amina.pk, None]}, "Moved to UNDP"),
        ("registry.person", str(new.pk), {"user_id": [None, amina.pk]}, "Moved to UNDP"),
    ]
    page = signed_in.get(f"/account/users/{amina.pk}/").content.decode()
    assert re.search(r'account-entity"><a href="[^"]*UNDP', page)


def test_remove_a_lost_two_factor_device(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    device = TOTPDevice.objects.create(user=amina, name="Authenticator app", confirmed=True)
    assert "Remove the two-factor device" in signed_in.get(f"/account/users/{amina.pk}/").content.decode()
    since = last_id()
    assert act(signed_in, amina, "two_factor", reason="Phone lost, ticket 4411").status_code == 302
    assert not TOTPDevice.objects.filter(user=amina).exists()
    [event] = new_events(since)
    assert (event.object_type, event.object_id, event.action, event.reason) == (
        "otp_totp.totpdevice", str(device.pk), "delete", "Phone lost, ticket 4411")
    assert event.changes["key"] == ["hidden", None]
    page = signed_in.get(f"/account/users/{amina.pk}/").content.decode()
    assert "No two-factor device is set up." in page and "Phone lost, ticket 4411" in page
    # The user signs in again with the password alone.
    other = fresh_client()
    assert other.post("/account/login/", {"username": "amina", "password": PASSWORD})["Location"] == "/"


@pytest.mark.parametrize("action, fields", [
    ("active", {"active": "no"}),
    ("secretariat", {"member": "yes"}),
    ("person", {"person": "__free__"}),
    ("two_factor", {}),
])
def test_every_action_needs_a_reason(signed_in, make_user, action, fields):
    amina = make_user("amina", entity="UNODA")
    TOTPDevice.objects.create(user=amina, name="Authenticator app", confirmed=True)
    free = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Omar", family_name="Example",
                                 function="representative")
    fields = {k: (str(free.pk) if v == "__free__" else v) for k, v in fields.items()}
    since = last_id()
    for reason in ("", "   "):
        response = act(signed_in, amina, action, reason=reason, **fields)
        assert response.status_code == 400
        assert "Give a reason" in field_errors(response)[f"{action}-reason"]
    assert new_events(since) == []
    amina.refresh_from_db()
    assert amina.is_active and not is_secretariat(amina) and TOTPDevice.objects.filter(user=amina).exists()
    free.refresh_from_db()
    assert free.user_id is None


def test_unknown_action_is_400(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    assert signed_in.post(f"/account/users/{amina.pk}/", {"action": "delete"}).status_code == 400


def test_send_a_password_link(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    amina.set_unusable_password()
    amina.save()
    since = last_id()
    response = act(signed_in, amina, "password_link")
    assert response.status_code == 302
    assert new_events(since) == []
    [message] = mail.outbox
    assert message.to == ["amina@example.org"] and "set the password" in message.subject
    uid = urlsafe_base64_encode(str(amina.pk).encode())
    link = re.search(r"http://testserver(/account/password/reset/\S+/)", message.body).group(1)
    assert link.startswith(f"/account/password/reset/{uid}/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert default_token_generator.check_token(User.objects.get(pk=amina.pk), token)
    # The user follows the link and sets a password; the change log records it as a password reset.
    other = fresh_client()
    form_url = other.get(link)["Location"]
    assert other.post(form_url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302
    assert User.objects.get(pk=amina.pk).check_password(STRONG)
    assert ChangeEvent.objects.order_by("-id").first().reason == "Password reset by e-mail"


def test_no_password_link_without_an_address(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    User.objects.filter(pk=amina.pk).update(email="")
    response = act(signed_in, amina, "password_link")
    assert response.status_code == 400 and "no e-mail address" in response.content.decode()
    assert mail.outbox == []


def test_the_account_page_takes_a_fixed_number_of_queries(signed_in, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    amina = make_user("amina", entity="INTERPOL", body="wg-3")
    signed_in.get(f"/account/users/{amina.pk}/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert signed_in.get(f"/account/users/{amina.pk}/").status_code == 200
        return len(ctx.captured_queries)

    from compact.library.models import Document

    entity = Entity.objects.get(acronym="INTERPOL")
    services.grant_create(obj=Document.objects.create(title="D0", owner_entity=entity), user=amina, actor=None,
                          actor_label="test", reason="r")
    before = queries()
    for i in range(1, 5):
        services.grant_create(obj=Document.objects.create(title=f"D{i}", owner_entity=entity), user=amina, actor=None,
                              actor_label="test", reason="r")
        services.user_set_active(user=amina, active=i % 2 == 0, actor=None, actor_label="test", reason=f"r{i}")
    assert queries() == before
    assert before == 24


# --- The admin only shows users and groups -----------------------------------------------------------

def test_the_admin_shows_users_and_groups_without_changing_them(signed_in, make_user):
    amina = make_user("amina", entity="UNODA")
    group = Group.objects.get(name=SECRETARIAT_GROUP)
    listing = signed_in.get("/admin/auth/user/")
    assert listing.status_code == 200
    assert 'href="/account/users/"' in listing.content.decode() and "amina" in listing.content.decode()
    page = signed_in.get(f"/admin/auth/user/{amina.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'href="/account/users/"' in html
    before = counts()
    refused = signed_in.post(f"/admin/auth/user/{amina.pk}/change/",
                             {"username": "amina", "email": "new@example.org", "is_active": "", "is_superuser": "on"})
    assert refused.status_code == 403
    amina.refresh_from_db()
    assert (amina.email, amina.is_active, amina.is_superuser) == ("amina@example.org", True, False)
    assert signed_in.post(f"/admin/auth/user/{amina.pk}/password/",
                          {"password1": STRONG, "password2": STRONG}).status_code == 403
    assert signed_in.get("/admin/auth/user/add/").status_code == 403
    assert signed_in.post(f"/admin/auth/user/{amina.pk}/delete/", {"post": "yes"}).status_code == 403
    assert signed_in.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200
    assert signed_in.post(f"/admin/auth/group/{group.pk}/change/", {"name": "renamed"}).status_code == 403
    assert signed_in.post("/admin/auth/group/add/", {"name": "editors"}).status_code == 403
    assert signed_in.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Group.objects.get(pk=group.pk).name == SECRETARIAT_GROUP
    assert counts() == before
    assert not Grant.objects.exists()
