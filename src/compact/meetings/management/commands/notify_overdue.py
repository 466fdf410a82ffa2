"""``compact notify-overdue``: e-mail the focal points concerned about every action item still open or in
progress after its due date.

    compact notify-overdue [--date YYYY-MM-DD]

``--date`` is the day to judge by (default: today in the site's time zone); an item is overdue when its
due date is before that day. Each notice is sent once per user, item and due date
(``compact.meetings.notifications.notify_overdue``), so the command can run every day (e.g. from cron).
Prints how many notices it sent. Exit status 0, or 2 for a malformed date.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compact.audit.context import audit_context
from compact.meetings.notifications import notify_overdue

ACTOR_LABEL = "compact notify-overdue"


class Command(BaseCommand):
    help = _("E-mail the focal points concerned about overdue action items, once per item and due date.")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", default="", metavar="YYYY-MM-DD",
                            help=_("the day to judge by (default: today, site's time zone)"))

    def handle(self, *args, day: str, **options):
        if day:
            try:
                on = dt.date.fromisoformat(day)
            except ValueError as exc:
                raise CommandError(_("--date: %(value)r is not a date of the form YYYY-MM-DD.") % {"value": day},
                                   returncode=2) from exc
        else:
            on = timezone.localdate()
        with audit_context(actor_label=ACTOR_LABEL):
            sent = notify_overdue(on)
        self.stdout.write(ngettext("%(count)d overdue notice sent (as of %(day)s).",
                                   "%(count)d overdue notices sent (as of %(day)s).", sent)
                          % {"count": sent, "day": on.isoformat()})
