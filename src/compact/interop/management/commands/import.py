"""``compact import iati FILE... [--dry-run] [--working-group KEY] [--lead-entity ACRONYM] [--select ...]``.

Imports IATI 2.01-2.03 activity files as joint projects and their funding, all or nothing, through
``compact.interop.iati_services.iati_import`` (see ``docs/iati.md``). Without ``--as`` the platform
imports (the change log naming ``compact import iati``); with ``--as USER`` each activity is checked as
that user. ``--counter-terrorism`` keeps only the activities relevant by the default criteria; the
``--sectors``, ``--sdg-targets``, ``--policy-markers`` and ``--keywords`` options replace them. A progress
bar on standard error follows the bytes read. Exit status 0 when the files were imported (or, with
``--dry-run``, could be); 1 when they have problems, each written to standard error as
``FILE:LINE: ELEMENT: reason``, nothing written; 2 on bad usage (a missing file, an unknown user, working
group or entity, a bad criterion).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from compact.audit.context import audit_context
from compact.interop.iati.selection import Selection
from compact.interop.iati_services import IatiReport, iati_import
from compact.registry.models import Body, Entity

LABEL = "compact import iati"


class Command(BaseCommand):
    help = _("Import IATI 2.01, 2.02 or 2.03 activity files as joint projects and their funding, all or nothing "
             "(see docs/iati.md).")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=("iati",), help=_("what the files hold"))
        parser.add_argument("files", nargs="+", metavar="FILE", help=_("IATI activity XML files"))
        parser.add_argument("--dry-run", action="store_true", help=_("check every activity and report, writing nothing"))
        parser.add_argument("--reason", default="", help=_("why, for the change log (default: the files' names)"))
        parser.add_argument("--as", dest="username", default="", metavar="USER",
                            help=_("check each activity as this user (default: the platform)"))
        parser.add_argument("--working-group", default="", metavar="KEY",
                            help=_("the lead working group of new projects (its key, e.g. wg-1)"))
        parser.add_argument("--lead-entity", default="", metavar="ACRONYM",
                            help=_("the lead entity of new projects whose reporting organisation is not a registry entity"))
        parser.add_argument("--counter-terrorism", action="store_true",
                            help=_("keep only counter-terrorism-relevant activities (default criteria)"))
        parser.add_argument("--sectors", default=None, help=_("relevant OECD DAC sector codes, comma-separated"))
        parser.add_argument("--sdg-targets", default=None, help=_("relevant SDG targets, comma-separated"))
        parser.add_argument("--policy-markers", default=None, help=_("relevant policy markers as vocabulary:code"))
        parser.add_argument("--keywords", default=None, help=_("relevant keywords, comma-separated"))
        parser.add_argument("--format", choices=("text", "json"), default="text", help=_("output format"))
        parser.add_argument("--no-progress", action="store_true", help=_("do not show the progress bar"))

    def _selection(self, options) -> Selection | None:
        given = {key: options[key] for key in ("sectors", "sdg_targets", "policy_markers", "keywords")
                 if options[key] is not None}
        if not given:
            return Selection.counter_terrorism() if options["counter_terrorism"] else None
        try:
            return Selection.parse(**given)
        except ValidationError as exc:
            messages = "; ".join(m for ms in exc.message_dict.values() for m in ms)
            raise CommandError(messages, returncode=2) from exc

    def handle(self, *args, files: list[str], dry_run: bool, reason: str, username: str, format: str, **options):
        paths = [Path(f) for f in files]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("cannot read %(file)s: no such file") % {"file": path}, returncode=2)
        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("no active user '%(user)s'") % {"user": username}, returncode=2)
        lead_body = None
        if options["working_group"]:
            lead_body = Body.objects.filter(key=options["working_group"], kind=Body.Kind.WORKING_GROUP).first()
            if lead_body is None:
                raise CommandError(_("no working group '%(key)s'") % {"key": options["working_group"]}, returncode=2)
        lead_entity = None
        if options["lead_entity"]:
            lead_entity = Entity.objects.filter(acronym__iexact=options["lead_entity"]).first()
            if lead_entity is None:
                raise CommandError(_("no entity '%(acronym)s'") % {"acronym": options["lead_entity"]}, returncode=2)
        selection = self._selection(options)
        reason = reason.strip() or _("IATI files %(names)s imported with compact import iati") % {
            "names": ", ".join(p.name for p in paths)}
        total = sum(p.stat().st_size for p in paths)
        bar = tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr,
                   disable=True if options["no_progress"] else None, desc=_("Reading"))

        def progress(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        with audit_context(actor_label="" if actor else LABEL):
            report = iati_import(actor=actor, files=[(p.name, p) for p in paths], dry_run=dry_run, reason=reason,
                                 lead_body=lead_body, lead_entity=lead_entity, selection=selection, progress=progress)
        bar.close()
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            self._write_text(report)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("%(count)d problem(s) found; nothing was written.") % {"count": len(report.problems)},
                               returncode=1)

    def _write_text(self, report: IatiReport) -> None:
        names = ", ".join(f["name"] for f in report.files)
        if report.dry_run:
            self.stdout.write(_("Dry run of %(files)s: nothing was written.") % {"files": names})
        elif report.ok:
            self.stdout.write(_("Imported %(files)s:") % {"files": names})
        else:
            self.stdout.write(_("%(files)s not imported:") % {"files": names})
        for info in report.files:
            self.stdout.write(_("  %(name)s: IATI %(version)s, %(count)d activities")
                              % {"name": info["name"], "version": info["version"] or "-", "count": info["activities"]})
        counts = report.counts
        self.stdout.write(_("  %(create)d to create, %(update)d to update, %(unchanged)d unchanged, %(skipped)d not "
                            "relevant") % counts)
        for result in report.activities:
            if result.action == "skipped":
                continue
            why = "; ".join(result.kept_because)
            self.stdout.write(f"  {result.action:9} {result.identifier}" + (f"  ({why})" if why else ""))
        for note in report.notes:
            self.stdout.write(_("  note: %(note)s") % {"note": note})
        for org in report.unknown_organisations:
            self.stdout.write(_("  unknown organisation: %(ref)s %(name)s (%(roles)s; %(count)d activities)")
                              % {"ref": org["ref"] or "-", "name": org["name"], "roles": ", ".join(org["roles"]),
                                 "count": org["activities"]})
        for gone in report.disappeared:
            self.stdout.write(_("  no longer in the files (kept): %(identifier)s") % gone)
