"""``compact check``: Django's system checks, then the data-quality checks of the registry.

This command takes the place of Django's ``check``: it accepts all of that command's options, runs the
system checks first (a failing system check stops it with exit status 1), then runs
``compact.registry.quality.run_checks`` and prints the findings. Exit status: 1 when any finding has
severity ``error``, 0 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentTypeError

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as SystemCheckCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compact.core.dates import InvalidDate, parse_as_of
from compact.registry.quality import ERROR, INFO, SEVERITIES, WARNING, Finding, at_least, run_checks


def _date(value: str) -> dt.date:
    """Argument type for ``--as-of``: a calendar date ``YYYY-MM-DD`` (argparse reports a bad one)."""
    if not value.strip():
        raise ArgumentTypeError(_("The date is empty; use the form YYYY-MM-DD."))
    try:
        return parse_as_of(value)
    except InvalidDate as exc:
        raise ArgumentTypeError(str(exc)) from exc


class Command(SystemCheckCommand):
    """Run Django's system checks, then the registry's data-quality rules."""

    help = (
        "Run Django's system checks, then check the registry's data quality "
        "(see docs/data-quality.md). Exit status 1 when a finding has severity error."
    )

    def add_arguments(self, parser):
        """Django's ``check`` options, plus ``--as-of``, ``--format`` and ``--severity``."""
        super().add_arguments(parser)
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="Check only the structure valid on this date (default: over all time).",
        )
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="text: one line per finding and a summary; json: {\"findings\": [...], \"counts\": {...}} on stdout.",
        )
        parser.add_argument(
            "--severity",
            choices=list(reversed(SEVERITIES)),
            default=INFO,
            help="Show findings of this severity or more severe (default: info, i.e. all).",
        )

    def handle(self, *app_labels, **options):
        """Run the system checks, then print the findings; raise ``CommandError`` (status 1) on errors."""
        if options["list_tags"]:
            return super().handle(*app_labels, **options)
        as_json = options["format"] == "json"
        stdout = self.stdout
        if as_json:
            # Keep stdout a single JSON document: the system checks report on stderr.
            self.stdout = self.stderr
        try:
            super().handle(*app_labels, **options)
        finally:
            self.stdout = stdout

        as_of = options["as_of"]
        findings = run_checks(as_of=as_of)
        shown = [f for f in findings if at_least(f.severity, options["severity"])]
        counts = {severity: sum(f.severity == severity for f in shown) for severity in SEVERITIES}
        if as_json:
            document = {
                "as_of": as_of.isoformat() if as_of else None,
                "findings": [f.to_dict() for f in shown],
                "counts": counts,
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            self._write_text(shown, counts, as_of)

        errors = sum(f.severity == ERROR for f in findings)
        if errors:
            raise CommandError(
                ngettext(
                    "The registry has %(count)d finding of severity error.",
                    "The registry has %(count)d findings of severity error.",
                    errors,
                )
                % {"count": errors},
                returncode=1,
            )

    def _write_text(self, findings: list[Finding], counts: dict[str, int], as_of: dt.date | None) -> None:
        """One aligned line per finding (severity, rule, body, entity, message), then the counts."""
        rows = [(f.severity, f.rule, f.body or "-", f.entity or "-", f.message) for f in findings]
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
        styles = {ERROR: self.style.ERROR, WARNING: self.style.WARNING, INFO: lambda text: text}
        for row in rows:
            columns = [value.ljust(width) for value, width in zip(row[:4], widths, strict=True)]
            columns[0] = styles[row[0]](columns[0])
            self.stdout.write("  ".join([*columns, row[4]]))
        scope = _("as of %(day)s") % {"day": as_of.isoformat()} if as_of else _("over all time")
        self.stdout.write(
            _("Data quality (%(scope)s): errors %(error)d, warnings %(warning)d, info %(info)d.") % {"scope": scope, **counts}
        )
