"""``compact create-user``: create a user account affiliated with an entity of the registry.

    compact create-user --username amina.haddad --email amina.haddad@example.org --entity UNODA \\
        [--given-name Amina --family-name Haddad] [--function focal_point|representative] [--body wg-3] \\
        [--secretariat] [--no-password] [--reason "..."]

The password is asked twice (``getpass``), or read from the ``COMPACT_NEW_USER_PASSWORD`` environment
variable for scripts; ``--no-password`` creates an account that signs in only through single sign-on.
The account, its registry person (``account_services.person_create``), the link between them
(``services.person_link_user``) and the secretariat role (``services.secretariat_set``) are written
in one transaction through the services, each recorded in the change log as made by
"compact create-user": a failure writes nothing. This is also the way to create the first
secretariat account (``--secretariat``), instead of Django's ``createsuperuser``.

Exit status: 0 created, 1 refused input (unknown entity or body, user name taken, weak or mismatched
password, ...), 2 bad usage.
"""

from __future__ import annotations

import getpass
import os
import re
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

ACTOR_LABEL = "compact create-user"
PASSWORD_ENV = "COMPACT_NEW_USER_PASSWORD"


def _messages(exc: ValidationError) -> str:
    """A ValidationError as one readable line per field: ``username: The user name ... is taken.``"""
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(str(m) for m in errors)}" for field, errors in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    """Create a user account, its registry person and (optionally) the secretariat role, all or nothing."""

    help = (
        "Create a user account affiliated with an entity (through a person in the registry); the password is "
        f"asked twice, or read from {PASSWORD_ENV}. --secretariat makes the account a member of the secretariat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="the user name to sign in with (unique, ignoring case)")
        parser.add_argument("--email", required=True, help="the e-mail address (password reset, single sign-on)")
        parser.add_argument("--entity", default="", metavar="ACRONYM",
                            help="the acronym of the user's entity, e.g. UNODA (optional only with --secretariat)")
        parser.add_argument("--given-name", default="", help="given name of the person (default: from the user name)")
        parser.add_argument("--family-name", default="", help="family name of the person (default: from the user name)")
        parser.add_argument("--function", choices=["focal_point", "representative"], default="focal_point",
                            help="the person's function for the entity (default: focal_point)")
        parser.add_argument("--body", default="", metavar="KEY",
                            help="the key of the body the person represents the entity in, e.g. wg-3")
        parser.add_argument("--secretariat", action="store_true", help="make the account a member of the secretariat")
        parser.add_argument("--no-password", action="store_true",
                            help="create the account without a password (it signs in through single sign-on only)")
        parser.add_argument("--reason", default="", help="why the account is created, for the change log")

    def handle(self, *args, **options):
        from compact.access import account_services, services
        from compact.audit.context import audit_context
        from compact.registry.models import Body, Entity

        username = options["username"].strip()
        email = options["email"].strip()
        acronym = options["entity"].strip()
        if not username:
            raise CommandError("--username: the user name is empty.")
        if not email:
            raise CommandError("--email: the e-mail address is empty.")
        if not acronym and not options["secretariat"]:
            raise CommandError("--entity: give the acronym of the user's entity (it may be left out only with --secretariat).")

        entity = body = None
        if acronym:
            entity = Entity.objects.filter(acronym__iexact=acronym).first()
            if entity is None:
                known = ", ".join(Entity.objects.order_by("acronym").values_list("acronym", flat=True)) or "none yet"
                raise CommandError(f"--entity: no entity has the acronym {acronym!r} (known: {known}).")
        if options["body"].strip():
            if entity is None:
                raise CommandError("--body: give --entity too: the person represents an entity in the body.")
            body = Body.objects.filter(key__iexact=options["body"].strip()).first()
            if body is None:
                raise CommandError(f"--body: no body has the key {options['body'].strip()!r} (e.g. wg-3, committee).")
        given, family = options["given_name"].strip(), options["family_name"].strip()
        if entity is not None and not (given and family):
            parts = [p for p in re.split(r"[._\-\s]+", username) if p]
            if len(parts) < 2:
                raise CommandError("--given-name and --family-name: the user name does not show them (e.g. amina.haddad); "
                                   "give them.")
            given = given or parts[0].capitalize()
            family = family or " ".join(p.capitalize() for p in parts[1:])

        password = None if options["no_password"] else self._password()
        reason = options["reason"].strip() or f"Account created with {ACTOR_LABEL}"
        try:
            with audit_context(actor_label=ACTOR_LABEL), transaction.atomic():
                user = services.user_create(username=username, email=email, password=password, actor=None,
                                            actor_label=ACTOR_LABEL, reason=reason)
                if entity is not None:
                    person = account_services.person_create(
                        entity=entity, given_name=given, family_name=family, email=email, function=options["function"],
                        body=body, actor=None, actor_label=ACTOR_LABEL, reason=reason,
                    )
                    services.person_link_user(person=person, user=user, actor=None, actor_label=ACTOR_LABEL, reason=reason)
                if options["secretariat"]:
                    services.secretariat_set(user=user, member=True, actor=None, actor_label=ACTOR_LABEL, reason=reason)
        except ValidationError as exc:
            raise CommandError(f"{_messages(exc)} Nothing was written.") from exc
        except DatabaseError as exc:
            raise CommandError(f"the database refused the change ({exc}); nothing was written.") from exc

        what = [f"entity {entity.acronym} ({options['function'].replace('_', ' ')})"] if entity else []
        if body:
            what.append(f"in {body.key}")
        if options["secretariat"]:
            what.append("secretariat")
        self.stdout.write(f"Created user {user.username} <{email}>" + (f": {', '.join(what)}." if what else "."))

    def _password(self) -> str:
        """The new password: from ``COMPACT_NEW_USER_PASSWORD``, else asked twice on the terminal."""
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env is not None:
            if not from_env:
                raise CommandError(f"{PASSWORD_ENV} is set but empty.")
            return from_env
        if not sys.stdin.isatty():
            raise CommandError(f"No terminal to ask the password on: set {PASSWORD_ENV}, or use --no-password.")
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CommandError("The two passwords differ; nothing was written.")
        if not first:
            raise CommandError("The password is empty; nothing was written.")
        return first
