"""``compact import-table projects|flows FILE [--dry-run] [--reason R] [--as USER] [--format text|json]``.

Imports a projects or funding flows file (CSV or XLSX with HXL hashtags, ``docs/exchange-files.md``),
all or nothing, through ``compact.interop.services``. Without ``--as`` the platform imports (every row
allowed, the change log naming ``compact import-table``); with ``--as USER`` each row is checked as that
user. Exit status 0 when the file was imported (or, with ``--dry-run``, could be); 1 when it has problems,
each written to standard error as ``FILE: row N, column C “name”, #hashtag 'value': reason``, nothing
written; 2 on bad usage (an unknown kind, a missing file, an unknown user).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from compact.audit.context import audit_context
from compact.interop.services import IMPORTERS, ImportReport
from compact.interop.tabular.reader import TableError, read_table

LABEL = "compact import-table"


class Command(BaseCommand):
    help = _("Import joint projects or funding flows from a CSV or XLSX file with HXL hashtags "
             "(see docs/exchange-files.md), all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS), help=_("what the file holds"))
        parser.add_argument("file", help=_("the CSV or XLSX file"))
        parser.add_argument("--dry-run", action="store_true", help=_("check every row and report, writing nothing"))
        parser.add_argument("--reason", default="", help=_("why, for the change log (default: the file's name)"))
        parser.add_argument("--as", dest="username", default="", metavar="USER",
                            help=_("check each row as this user (default: the platform)"))
        parser.add_argument("--format", choices=("text", "json"), default="text", help=_("output format"))

    def handle(self, *args, kind: str, file: str, dry_run: bool, reason: str, username: str, format: str, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}, returncode=2) from exc
        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("no active user '%(user)s'") % {"user": username}, returncode=2)
        try:
            table = read_table(data, path.name)
        except TableError as exc:
            for message in exc.messages:
                self.stderr.write(f"{file}: {message}")
            if format == "json":
                self.stdout.write(json.dumps({"problems": [{"row": None, "message": m} for m in exc.messages]},
                                             ensure_ascii=False, indent=2))
            raise CommandError(_("the file cannot be read; nothing was written"), returncode=1) from exc
        reason = reason.strip() or _("Table %(name)s imported with compact import-table") % {"name": path.name}
        with audit_context(actor_label="" if actor else LABEL):
            report = IMPORTERS[kind](actor=actor, table=table, dry_run=dry_run, reason=reason)
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._write_text(report)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(_("%(count)d problem(s) found; nothing was written.") % {"count": len(report.problems)},
                               returncode=1)

    def _write_text(self, report: ImportReport) -> None:
        counts = report.counts
        if report.dry_run:
            self.stdout.write(_("Dry run of %(source)s: nothing was written.") % {"source": report.source})
        elif report.ok:
            self.stdout.write(_("Imported %(source)s:") % {"source": report.source})
        else:
            self.stdout.write(_("%(source)s was not imported:") % {"source": report.source})
        self.stdout.write("  " + _("%(create)d to create, %(update)d to update, %(unchanged)d unchanged") % counts)
        for result in report.results:
            fields = f" ({', '.join(result.fields)})" if result.fields else ""
            self.stdout.write(f"  {_('row')} {result.row}: {result.action} {result.label}{fields}")
        for note in report.notes:
            self.stdout.write(f"  {_('note')}: {note}")
