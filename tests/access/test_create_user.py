"""``compact create-user`` end to end: an account, its registry person, the link and the secretariat role,
all through the services; refused input writes nothing and exits with status 1."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from compact.access.principal import is_secretariat, principal_for
from compact.audit.models import ChangeEvent
from compact.registry.models import Body, Entity, Person

GOOD_PASSWORD = "granite-orchard-sparrow-73"


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("COMPACT_NEW_USER_PASSWORD", GOOD_PASSWORD)


def rows() -> tuple[int, int, int]:
    return get_user_model().objects.count(), Person.objects.count(), ChangeEvent.objects.count()


def create(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_create_a_focal_point_in_a_working_group(seeded, password_env):
    before = ChangeEvent.objects.count()
    out = create("--username", "amina.haddad", "--email", "amina.haddad@example.org", "--entity", "unoda",
                 "--body", "wg-3", "--reason", "New focal point, note 2024/17")
    assert out.strip() == "Created user amina.haddad <amina.haddad@example.org>: entity UNODA (focal point), in wg-3."

    user = get_user_model().objects.get(username="amina.haddad")
    assert user.password.startswith("argon2") and user.check_password(GOOD_PASSWORD)
    assert user.is_active and not user.is_superuser and not is_secretariat(user)
    person = Person.objects.get(user=user)
    assert (person.entity.acronym, person.given_name, person.family_name, person.function, person.body.key, person.email) == (
        "UNODA", "Amina", "Haddad", "focal_point", "wg-3", "amina.haddad@example.org",
    )
    principal = principal_for(user)
    assert principal.entity_id == Entity.objects.get(acronym="UNODA").pk and principal.is_focal_point
    assert principal.officer_body_ids == {Body.objects.get(key="wg-3").pk}  # UNODA is vice-chair of wg-3

    events = list(ChangeEvent.objects.order_by("id")[before:])
    assert [(e.object_type, e.action) for e in events] == [
        ("auth.user", "create"), ("registry.person", "create"), ("registry.person", "update"),
    ]
    assert all(e.actor_id is None and e.actor_label == "compact create-user" for e in events)
    assert all(e.reason == "New focal point, note 2024/17" for e in events)
    assert GOOD_PASSWORD not in str([e.changes for e in events])


def test_create_a_secretariat_member_without_entity(seeded, password_env):
    before = ChangeEvent.objects.count()
    out = create("--username", "sec-admin", "--email", "sec.admin@example.org", "--secretariat")
    assert out.strip() == "Created user sec-admin <sec.admin@example.org>: secretariat."
    user = get_user_model().objects.get(username="sec-admin")
    assert is_secretariat(user)
    assert not Person.objects.filter(user=user).exists()
    events = list(ChangeEvent.objects.order_by("id")[before:])
    assert [(e.object_type, e.action, e.changes.get("secretariat")) for e in events] == [
        ("auth.user", "create", None), ("auth.user", "update", [False, True]),
    ]
    assert events[0].reason == "Account created with compact create-user"


def test_create_a_representative_with_given_names(seeded, password_env):
    create("--username", "lw", "--email", "li.wei@example.org", "--entity", "UNODC", "--function", "representative",
           "--given-name", "Li", "--family-name", "Wei")
    person = Person.objects.get(user__username="lw")
    assert (person.given_name, person.family_name, person.function, person.body) == ("Li", "Wei", "representative", None)
    assert not principal_for(person.user).is_focal_point


def test_password_asked_twice_on_the_terminal(seeded, monkeypatch):
    import sys

    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.delenv("COMPACT_NEW_USER_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    create("--username", "amina.haddad", "--email", "amina.haddad@example.org", "--entity", "UNODA")
    assert get_user_model().objects.get(username="amina.haddad").check_password(GOOD_PASSWORD)


def test_no_password_for_single_sign_on(seeded, monkeypatch):
    monkeypatch.delenv("COMPACT_NEW_USER_PASSWORD", raising=False)
    create("--username", "amina.haddad", "--email", "amina.haddad@example.org", "--entity", "UNODA", "--no-password")
    assert not get_user_model().objects.get(username="amina.haddad").has_usable_password()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "x.y", "--email", "x@example.org", "--entity", "NOPE"], "no entity has the acronym 'NOPE'"),
        (["--username", "x.y", "--email", "x@example.org", "--entity", "UNODA", "--body", "wg-99"], "no body has the key 'wg-99'"),
        (["--username", "x.y", "--email", "x@example.org"], "--entity: give the acronym"),
        (["--username", "x.y", "--email", "x@example.org", "--body", "wg-3", "--secretariat"], "--body: give --entity too"),
        (["--username", "xy", "--email", "x@example.org", "--entity", "UNODA"], "--given-name and --family-name"),
        (["--username", "x.y", "--email", "not-an-address", "--entity", "UNODA"], "email: Enter a valid email address."),
        (["--username", "  ", "--email", "x@example.org", "--entity", "UNODA"], "--username: the user name is empty."),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(seeded, password_env, args, message):
    before = rows()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        create(*args)
    assert rows() == before


def test_taken_user_name_ignoring_case(seeded, password_env, make_user):
    make_user("Amina.Haddad")
    before = rows()
    with pytest.raises(CommandError, match="username: The user name 'amina.haddad' is already taken"):
        create("--username", "amina.haddad", "--email", "a@example.org", "--entity", "UNODA")
    assert rows() == before


def test_weak_and_mismatched_passwords(seeded, monkeypatch):
    import sys

    before = rows()
    monkeypatch.setenv("COMPACT_NEW_USER_PASSWORD", "password")
    with pytest.raises(CommandError, match="This password is too common"):
        create("--username", "amina.haddad", "--email", "a@example.org", "--entity", "UNODA")
    monkeypatch.setenv("COMPACT_NEW_USER_PASSWORD", "")
    with pytest.raises(CommandError, match="is set but empty"):
        create("--username", "amina.haddad", "--email", "a@example.org", "--entity", "UNODA")

    monkeypatch.delenv("COMPACT_NEW_USER_PASSWORD")
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    with pytest.raises(CommandError, match="The two passwords differ"):
        create("--username", "amina.haddad", "--email", "a@example.org", "--entity", "UNODA")

    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    with pytest.raises(CommandError, match="set COMPACT_NEW_USER_PASSWORD"):
        create("--username", "amina.haddad", "--email", "a@example.org", "--entity", "UNODA")
    assert rows() == before


def test_a_failure_after_the_first_writes_leaves_no_rows(seeded, password_env, monkeypatch):
    def refuse(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("compact.access.services.secretariat_set", refuse)
    before = rows()
    with pytest.raises(CommandError, match=r"the database refused the change \(disk full\); nothing was written"):
        create("--username", "amina.haddad", "--email", "a@example.org", "--entity", "UNODA", "--secretariat")
    assert rows() == before
    assert not get_user_model().objects.filter(username="amina.haddad").exists()


def test_exit_status_through_the_compact_command(seeded, password_env, capsys, monkeypatch):
    from django.db import connections

    from compact.cli import main

    # A command run from the command line closes the database connections when it ends; here the
    # connection is the test's own, kept open to roll back afterwards.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as refused:
        main(["create-user", "--username", "x.y", "--email", "x@example.org", "--entity", "NOPE"])
    assert refused.value.code == 1
    assert "no entity has the acronym 'NOPE'" in capsys.readouterr().err

    with pytest.raises(SystemExit) as usage:
        main(["create-user", "--email", "x@example.org"])
    assert usage.value.code == 2
    assert "--username" in capsys.readouterr().err

    main(["create-user", "--username", "x.y", "--email", "x@example.org", "--entity", "UNODA"])
    assert "Created user x.y" in capsys.readouterr().out
