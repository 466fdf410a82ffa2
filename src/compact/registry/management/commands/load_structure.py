"""``compact load-structure FILE``: make the registry match a structure file, all or nothing.

Exit status 0 when the file was applied (or, with ``--dry-run``, could be); 1 when the file has
problems or conflicts with the registry: each problem goes to standard error as
``file:line: field.path: message`` and the database is left unchanged; 2 on bad usage. Without
``--reason`` (or with a blank one), the change log gives the file's name as the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from compact.interop.structure.reader import StructureError, read_structure_file
from compact.registry.services import ApplyReport, structure_apply


class Command(BaseCommand):
    help = _(
        "Load a compact structure file (YAML, see docs/structure-file.md) into the registry. Rows are "
        "matched by natural key and created, updated or (participation and leadership of the bodies in "
        "the file) deleted; entities and bodies absent from the file are kept and listed. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the structure file to load"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("check the file and report what would change, writing nothing"))
        parser.add_argument("--reason", default="", help=_("why the change is made, for the change log"))
        parser.add_argument("--format", choices=("text", "json"), default="text", help=_("output format"))

    def handle(self, *args, file: str, dry_run: bool, reason: str, format: str, **options):
        path = Path(file)
        try:
            document = read_structure_file(path)
            report = structure_apply(
                document=document,
                actor_label="compact load-structure",
                reason=reason.strip() or _("Structure file %(name)s loaded with compact load-structure")
                % {"name": path.name},
                dry_run=dry_run,
            )
        except StructureError as exc:
            self._fail(exc, format)
        except DatabaseError as exc:
            raise CommandError(_("the database refused the change (%(error)s); nothing was written")
                               % {"error": exc}) from exc
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._write_text(report, verbose=options.get("verbosity", 1) >= 2)

    def _fail(self, exc: StructureError, format: str):
        for problem in exc.problems:
            self.stderr.write(str(problem))
        if format == "json":
            self.stdout.write(json.dumps({"problems": [p.as_dict() for p in exc.problems]}, ensure_ascii=False, indent=2))
        raise CommandError(
            _("%(count)d problem(s) found; nothing was written.") % {"count": len(exc.problems)}, returncode=1
        )

    def _write_text(self, report: ApplyReport, *, verbose: bool) -> None:
        if report.dry_run:
            self.stdout.write(_("Dry run of %(source)s: nothing was written. It would make:") % {"source": report.source})
        else:
            self.stdout.write(_("Loaded %(source)s:") % {"source": report.source})
        for kind, counts in report.counts.items():
            self.stdout.write(
                "  " + _("%(kind)-13s %(created)4d created %(updated)4d updated %(deleted)4d deleted "
                         "%(unchanged)4d unchanged") % {"kind": kind, **vars(counts)})
        if verbose or report.dry_run:
            for change in report.changes:
                fields = f" ({', '.join(change.fields)})" if change.action == "update" else ""
                self.stdout.write(f"  {change.action} {change.label}{fields}")
        for kind, labels in report.absent.items():
            self.stdout.write(_("Kept, not in the file: %(kind)s %(labels)s") % {"kind": kind, "labels": ", ".join(labels)})
        if report.changed == 0:
            self.stdout.write(_("No changes: the registry already matches the file."))
