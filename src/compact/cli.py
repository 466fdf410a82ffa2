"""The ``compact`` command: the platform's management commands under friendly names.

``compact setup``, ``compact serve``, ``compact load-structure FILE``, ``compact export-structure``,
``compact check`` ... are Django management commands; a hyphen in the name stands for an underscore.
Any other Django command (``compact migrate``, ``compact shell``) works too, except Django's own account
commands, which would write accounts outside the audit trail (``REPLACED``).
Exit status: 0 success, 1 findings or errors, 2 bad usage.
"""

from __future__ import annotations

import os
import sys

#: Django commands that would write accounts, two-factor devices or content without the audit trail, and
#: what to use instead.
REPLACED = {
    "createsuperuser": "compact create-user --username NAME --email ADDRESS --secretariat",
    "changepassword": "the password reset by e-mail (/account/password/reset/) or the account's page for the secretariat",
    "addstatictoken": "the two-factor set-up page (/account/two-factor/setup/)",
    "loaddata": "compact load-structure for the structure, and the platform's pages for content",
    "flush": "a new database (records are never deleted outside the trail)",
}


def main(argv: list[str] | None = None) -> None:
    """Run ``compact <command> [options]``; ``argv`` defaults to ``sys.argv[1:]``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compact.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    import django
    from django.core.management import execute_from_command_line, get_commands
    from django.db import DatabaseError

    if args and args[0] in REPLACED:
        print(f"compact: '{args[0]}' would write outside the audit trail; use {REPLACED[args[0]]}.",
              file=sys.stderr)
        sys.exit(2)
    django.setup()
    if args and not args[0].startswith("-") and args[0] not in get_commands() and args[0] != "help":
        print(f"compact: unknown command '{args[0]}'. Type 'compact help' for the list.", file=sys.stderr)
        sys.exit(2)
    try:
        execute_from_command_line(["compact", *args])
    except DatabaseError as exc:
        print(
            f"compact: database error: {exc}\n"
            "Is the database reachable and set up? Check DATABASE_URL, then run 'compact setup'.",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
