"""``compact serve``: serve the platform with the Waitress WSGI server (pure Python, any OS), with a task
worker beside it.

Long work (imports of IATI files) runs as tasks (django-tasks). When the task backend is the database one
(settings ``TASKS``, the default), ``compact serve`` starts a worker as a child process, ``compact
db_worker``, and stops it with the server: first asking it to finish the task it is running (for up to
``--worker-grace`` seconds), then stopping that task (an import then writes nothing and its job is marked
failed) and, as a last resort, killing it. ``--no-worker`` serves without one, when workers run on their
own (``compact db_worker``, docs/operator-guide.md "Tasks and the worker").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError

#: Seconds a stopped worker is given, after it was asked to stop its running task, before it is killed.
KILL_AFTER = 10


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError(value)
    return port


def uses_database_tasks() -> bool:
    """Whether the default task backend is django-tasks-db's (tasks wait in the database for a worker)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def worker_command() -> list[str]:
    """The command line of the worker: ``compact db_worker`` with this Python, without the autoreloader."""
    return [sys.executable, "-m", "compact.cli", "db_worker", "--no-reload", "--no-startup-delay"]


def start_worker() -> subprocess.Popen:
    """Start the worker in its own process group (so that Ctrl+C in a terminal reaches the server only, which
    then stops the worker as ``stop_worker`` says)."""
    options = {"start_new_session": True} if os.name == "posix" else {}
    return subprocess.Popen(worker_command(), env=os.environ.copy(), **options)


def stop_worker(worker: subprocess.Popen, *, grace: float) -> int:
    """Stop ``worker``: SIGTERM, to finish its running task and exit; after ``grace`` seconds a second
    SIGTERM, which stops the running task (django-tasks-db's worker exits at once on a second signal); after
    ``KILL_AFTER`` more, SIGKILL. Returns its exit status."""
    for wait in (grace, KILL_AFTER):
        if worker.poll() is not None:
            return worker.returncode
        worker.terminate()
        try:
            return worker.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    worker.kill()
    return worker.wait()


class Command(BaseCommand):
    help = ("Serve the platform over HTTP (Waitress), with a task worker for imports when tasks wait in the "
            "database. Static files are served by WhiteNoise.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="Address to listen on (default 127.0.0.1).")
        parser.add_argument(
            "--port", type=_port, default=None, help="Port to listen on (default: $PORT, else 8000)."
        )
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8).")
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start a task worker (when workers run on their own: compact db_worker).")
        parser.add_argument("--worker-grace", type=float, default=30.0,
                            help="Seconds the worker has to finish its running task when the server stops (default 30).")

    def handle(self, *args, host, port, threads, no_worker, worker_grace, **options):
        from waitress import serve

        from compact.wsgi import application

        if port is None:
            try:
                port = _port(os.environ.get("PORT", "8000"))
            except ValueError as exc:
                raise CommandError(f"PORT={os.environ.get('PORT')!r} is not a port number (1-65535).") from exc
        worker = None
        if not no_worker and uses_database_tasks():
            worker = start_worker()
            self.stdout.write(f"Task worker started (compact db_worker, process {worker.pid}).")
        self.stdout.write(f"Compact is serving at http://{host}:{port}/ (Ctrl+C to stop)")
        self.stdout.flush()
        # A SIGTERM (a service manager stopping the server) ends the server as Ctrl+C does, so that the
        # worker is stopped too.
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            serve(application, host=host, port=port, threads=threads, ident="compact")
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker is not None:
                self.stdout.write("Stopping the task worker...")
                self.stdout.flush()
                stop_worker(worker, grace=worker_grace)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt
