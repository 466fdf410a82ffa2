"""``compact serve``: serve the platform with the Waitress WSGI server (pure Python, any OS)."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError(value)
    return port


class Command(BaseCommand):
    help = "Serve the platform over HTTP (Waitress). Static files are served by WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="Address to listen on (default 127.0.0.1).")
        parser.add_argument(
            "--port", type=_port, default=None, help="Port to listen on (default: $PORT, else 8000)."
        )
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8).")

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from compact.wsgi import application

        if port is None:
            try:
                port = _port(os.environ.get("PORT", "8000"))
            except ValueError as exc:
                raise CommandError(f"PORT={os.environ.get('PORT')!r} is not a port number (1-65535).") from exc
        self.stdout.write(f"Compact is serving at http://{host}:{port}/ (Ctrl+C to stop)")
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="compact")
