"""``compact export-table projects|flows [--format csv|xlsx] [-o FILE] [--as USER]``.

Writes the joint projects or funding flows as a CSV or XLSX file with the HXL hashtag row
(``docs/exchange-files.md``), which ``compact import-table`` reads back with no change. Without ``--as``
the platform exports everything; with ``--as USER`` only what that user may export. Each export is
written to the access log. CSV goes to standard output unless ``-o`` is given; XLSX needs ``-o``.
Exit status 0, or 2 on bad usage.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from compact.audit.context import audit_context
from compact.interop.selectors import FORMATS, export_table
from compact.interop.services import IMPORTERS

LABEL = "compact export-table"


class Command(BaseCommand):
    help = _("Write the joint projects or funding flows as a CSV or XLSX file with HXL hashtags.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS), help=_("what to export"))
        parser.add_argument("--format", choices=FORMATS, default="csv", help=_("file format"))
        parser.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE instead of standard output"))
        parser.add_argument("--as", dest="username", default="", metavar="USER",
                            help=_("export what this user may export (default: everything)"))

    def handle(self, *args, kind: str, format: str, output: str | None, username: str, **options):
        if format == "xlsx" and not output:
            raise CommandError(_("an XLSX file needs -o FILE"), returncode=2)
        user = None
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("no active user '%(user)s'") % {"user": username}, returncode=2)
        with audit_context(actor_label="" if user else LABEL):
            exported = export_table(user=user, kind=kind, file_format=format, detail=f"to {output or 'standard output'}")
        if output:
            try:
                Path(output).write_bytes(exported.content)
            except OSError as exc:
                raise CommandError(_("cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}) from exc
        else:
            self.stdout.write(exported.content.decode("utf-8"), ending="")
