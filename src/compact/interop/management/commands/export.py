"""``compact export iati [-o FILE] [--project ID ...] [--as USER] [--format text|json]``.

Writes the published joint projects as an IATI 2.03 activities file (``compact.interop.iati.writer``),
which ``compact import iati`` reads back to the same data. Without ``--as`` the platform exports every
published project; with ``--as USER`` only those that user may export. ``--project`` names projects by
id or IATI activity identifier (repeatable); one that is not a published project the user may export
stops the command before anything is written. Each export is written to the access log.

The XML goes to ``FILE`` (written whole or not at all) or to standard output; the summary (how many
activities, where), as text or JSON, goes to standard output when ``-o`` is given, else to standard
error. Exit status 0 when the file was written (with no activity when the user may read none); 1 when a
named project cannot be exported or the file cannot be written; 2 on bad usage (an unknown user).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compact.audit.context import audit_context
from compact.interop.iati.writer import export_activities, exportable, missing_refs

LABEL = "compact export iati"
#: What the command exports.
KINDS = ("iati",)


class Command(BaseCommand):
    help = _("Write the published joint projects as an IATI 2.03 activities file.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help=_("what to export"))
        parser.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE instead of standard output"))
        parser.add_argument("--project", dest="projects", action="extend", nargs="+", default=[], metavar="ID",
                            help=_("only this project: its id or IATI activity identifier (repeatable)"))
        parser.add_argument("--as", dest="username", default="", metavar="USER",
                            help=_("export what this user may export (default: every published project)"))
        parser.add_argument("--format", choices=("text", "json"), default="text", help=_("format of the summary"))

    def handle(self, *args, kind: str, output: str | None, projects: list[str], username: str, format: str, **options):
        user = None
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("no active user '%(user)s'") % {"user": username}, returncode=2)
        refs = [ref.strip() for ref in projects if ref.strip()]
        missing = missing_refs(user=user, refs=refs)
        if missing:
            for ref in missing:
                self.stderr.write(_("%(ref)s: no published joint project with this id or IATI identifier may be "
                                    "exported") % {"ref": ref})
            raise CommandError(ngettext("%(count)d project cannot be exported; nothing was written.",
                                        "%(count)d projects cannot be exported; nothing was written.",
                                        len(missing)) % {"count": len(missing)}, returncode=1)
        if not exportable(user=user, refs=refs).exists():
            raise CommandError(_("no published joint project to export: nothing was written (an IATI file needs at "
                                 "least one activity)"), returncode=1)
        detail = f"to {output or 'standard output'}"
        with audit_context(actor_label="" if user else LABEL):
            count = self._write_file(output, user, refs, detail) if output else self._write_stdout(user, refs, detail)
        self._summary(self.stdout if output else self.stderr, count=count, output=output, format=format)

    def _write_file(self, output: str, user, refs: list[str], detail: str) -> int:
        """Write into a temporary file beside ``output``, then put it in place: the file is whole or absent."""
        target = Path(output)
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent.resolve())
        except OSError as exc:
            raise CommandError(_("cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}) from exc
        try:
            with os.fdopen(handle, "wb") as out:
                count = export_activities(user=user, out=out, refs=refs, detail=detail)
            os.replace(temporary, target)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise CommandError(_("cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}) from exc
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return count

    def _write_stdout(self, user, refs: list[str], detail: str) -> int:
        """Stream to standard output's bytes when it has them; otherwise (a text stream) write the text."""
        binary = getattr(self.stdout, "buffer", None)
        if binary is not None:
            self.stdout.flush()
            count = export_activities(user=user, out=binary, refs=refs, detail=detail)
            binary.flush()
            return count
        buffer = io.BytesIO()
        count = export_activities(user=user, out=buffer, refs=refs, detail=detail)
        self.stdout.write(buffer.getvalue().decode("utf-8"), ending="")
        return count

    def _summary(self, stream, *, count: int, output: str | None, format: str) -> None:
        if format == "json":
            stream.write(json.dumps({"activities": count, "output": output}, ensure_ascii=False))
            return
        where = output or _("standard output")
        stream.write(ngettext("%(count)d IATI activity written to %(where)s.", "%(count)d IATI activities written to %(where)s.",
                              count) % {"count": count, "where": where})
