"""``compact setup``: apply migrations, then load the default data into an empty registry.

Safe to run on every start: an existing registry is left as it is.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand

from compact.registry.models import Body, Entity


class Command(BaseCommand):
    help = "Apply database migrations, then load the Compact's default structure when the registry is empty."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-default-data", action="store_true", help="Do not load the default structure, even into an empty registry."
        )
        parser.add_argument("--no-static", action="store_true", help="Do not collect static files.")

    def handle(self, *args, no_default_data=False, no_static=False, verbosity=1, **options):
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if not no_static:
            call_command("collectstatic", interactive=False, verbosity=0)
        if no_default_data:
            return
        if Entity.objects.exists() or Body.objects.exists():
            self.stdout.write("Registry already holds data; default structure not loaded.")
        else:
            from compact.registry.services import load_default_structure

            report = load_default_structure(actor_label="compact setup", reason="Default data: the Compact's founding structure.")
            self.stdout.write(self.style.SUCCESS(f"Default structure loaded: {report.summary()}"))
        self._load_programmes()
        self._load_meetings()

    def _load_programmes(self) -> None:
        """The joint programmes of work adopted by the Committee, into an empty planning table."""
        from compact.planning.models import Programme
        from compact.planning.services import load_default_programmes

        if Programme.objects.exists():
            self.stdout.write("Planning already holds programmes; default programmes not loaded.")
            return
        if not Body.objects.filter(kind=Body.Kind.COMMITTEE).exists():
            self.stdout.write("No Coordination Committee in the registry; default programmes not loaded.")
            return
        try:
            programmes = load_default_programmes(actor_label="compact setup")
        except ValidationError as exc:
            self.stderr.write(f"Default programmes not loaded: {' '.join(exc.messages)}")
            return
        self.stdout.write(self.style.SUCCESS(f"Default joint programmes of work loaded: {len(programmes)}."))

    def _load_meetings(self) -> None:
        """The Coordination Committee's known meetings, into an empty meetings table (after the programmes,
        whose workplans the 2nd meeting's decision names)."""
        from compact.meetings.models import Meeting
        from compact.meetings.services import load_default_meetings

        if Meeting.objects.exists():
            self.stdout.write("Meetings already recorded; default meetings not loaded.")
            return
        if not Body.objects.filter(kind=Body.Kind.COMMITTEE).exists():
            self.stdout.write("No Coordination Committee in the registry; default meetings not loaded.")
            return
        try:
            meetings = load_default_meetings(actor_label="compact setup")
        except ValidationError as exc:
            self.stderr.write(f"Default meetings not loaded: {' '.join(exc.messages)}")
            return
        self.stdout.write(self.style.SUCCESS(f"Default meetings of the Coordination Committee loaded: {len(meetings)}."))
