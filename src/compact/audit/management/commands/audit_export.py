"""``compact audit-export``: write the change log or the access log to standard output, for the
operators' archives and as evidence.

    compact audit-export [--log changes|access] [--format csv|jsonl] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                         [--object-type app.model]

Events come oldest first: CSV with a header row (the columns of ``compact.audit.selectors``), or one
JSON object per line. Dates are calendar days in the site's time zone, both inclusive. The export
itself is written to the access log (user label "compact audit-export"), before the first row.
Exit status 0, or 2 when an option is malformed (nothing is written then).
"""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from compact.audit import selectors
from compact.audit.context import audit_context
from compact.audit.models import AccessEvent, ChangeEvent
from compact.audit.services import record_access

ACTOR_LABEL = "compact audit-export"


class Command(BaseCommand):
    help = _(
        "Write the change log or the access log to standard output (CSV or JSON lines), oldest first, "
        "for archiving; the export is itself recorded in the access log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--log", choices=("changes", "access"), default="changes", help=_("which log (default: changes)"))
        parser.add_argument("--format", choices=("csv", "jsonl"), default="csv", help=_("output format (default: csv)"))
        parser.add_argument("--from", dest="date_from", default="", metavar="YYYY-MM-DD",
                            help=_("only events on or after this day (site's time zone)"))
        parser.add_argument("--to", dest="date_to", default="", metavar="YYYY-MM-DD",
                            help=_("only events on or before this day (site's time zone)"))
        parser.add_argument("--object-type", default="", metavar="APP.MODEL",
                            help=_("only events about this type of object, e.g. registry.entity"))

    def handle(self, *args, log: str, format: str, date_from: str, date_to: str, object_type: str, **options):
        filters = {"date_from": date_from, "date_to": date_to, "object_type": object_type}
        list_selector = selectors.change_event_list if log == "changes" else selectors.access_event_list
        try:
            queryset = list_selector(user=selectors.OPERATOR, filters=filters)
        except selectors.InvalidFilters as exc:
            options_named = {"date_from": "--from", "date_to": "--to", "object_type": "--object-type"}
            lines = [f"{options_named.get(name, name)}: {' '.join(messages)}" for name, messages in exc.errors.items()]
            raise CommandError("\n".join(lines), returncode=2) from exc
        export = selectors.log_export(log=log, queryset=queryset)
        with audit_context(actor_label=ACTOR_LABEL):
            record_access(
                user=None, action=AccessEvent.Action.EXPORT, model=ChangeEvent if log == "changes" else AccessEvent,
                rows=[], row_count=export.count, always=True,
                detail=f"{format.upper()}; {selectors.filters_summary(filters, ('date_from', 'date_to', 'object_type'))}",
            )
        if format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(export.columns)
            for row in export.rows():
                writer.writerow([selectors.csv_cell(column, row[column]) for column in export.columns])
        else:
            for row in export.rows():
                row["time"] = row["time"].isoformat()
                self.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=False))
