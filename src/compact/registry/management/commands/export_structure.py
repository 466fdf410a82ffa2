"""``compact export-structure [-o FILE]``: write the registry as a structure file (YAML).

The output is the format ``compact load-structure`` reads (docs/structure-file.md); the same
registry always gives the same text. The file carries people's contact details, so each export is
written to the access log (as every export is). Exit status 0, or 1 when the registry holds no strategy.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from compact.audit.context import audit_context
from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.interop.structure.writer import NothingToExport, export_structure
from compact.registry.models import Person


class Command(BaseCommand):
    help = _("Write the registry as a compact structure file (YAML) to standard output or to a file.")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE instead of standard output"))

    def handle(self, *args, output: str | None, **options):
        try:
            text = export_structure()
        except NothingToExport as exc:
            raise CommandError(_("the registry holds no strategy; there is no structure to export")) from exc
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(_("cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}) from exc
        else:
            self.stdout.write(text, ending="")
        with audit_context(actor_label="compact export-structure"):
            record_access(user=None, action=AccessEvent.Action.EXPORT, model=Person, rows=list(Person.objects.all()),
                          always=True, detail=f"structure file to {output or 'standard output'}")
