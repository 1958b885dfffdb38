"""python manage.py serve (`make serve`): the production stack on this machine, from .env.

Runs `migrate` (unless --no-migrate: on every host but one) and `collectstatic`, then gunicorn
(PORTAL_WEB_WORKERS processes of PORTAL_WEB_THREADS threads, on PORTAL_BIND, the application
loaded and checked once in its master) and PORTAL_DELIVERY_WORKERS delivery workers, each a
process of its own. Ctrl-C, SIGTERM or SIGHUP stops them all, gracefully; when any one of them
ends on its own, the others are stopped too and the command exits non-zero, so a supervisor
restarts the whole.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Command(BaseCommand):
    help = "Migrate, collect static files, then run gunicorn and the delivery workers together."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-migrate", action="store_true",
            help="Do not migrate first (every host but one, when several start together).",
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        stopping: list[int] = []
        for sig in STOP_SIGNALS:  # from now on, before any child exists: none is left behind
            signal.signal(sig, lambda number, _frame: stopping.append(number))
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the children open their own
        processes = [] if stopping else [self._start(command) for command in self._commands()]
        if processes:
            self.stdout.write(
                f"Portal on http://{settings.PORTAL_BIND}/ ({settings.PORTAL_WEB_WORKERS} x "
                f"{settings.PORTAL_WEB_THREADS} threads), {settings.PORTAL_DELIVERY_WORKERS} "
                "delivery worker(s). Ctrl-C stops all."
            )
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
        ended = [p for p in processes if p.poll() is not None]
        for sig in STOP_SIGNALS:  # a second Ctrl-C must not cut the stopping short
            signal.signal(sig, signal.SIG_IGN)
        self._stop(processes)
        if not stopping and ended:
            code = ended[0].returncode
            self.stderr.write(f"{' '.join(ended[0].args[:4])} ended ({code}): stopped the rest.")
            sys.exit(code if code and code > 0 else 1)

    def _commands(self) -> list[list[str]]:
        # Longer than any inline attempt: the governor's wait, connect retries and the read.
        timeout = int(3 * settings.TICKETS_API_CONNECT_TIMEOUT + settings.TICKETS_API_READ_TIMEOUT)
        web = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--preload",
               "--workers", str(settings.PORTAL_WEB_WORKERS),
               "--threads", str(settings.PORTAL_WEB_THREADS),
               "--bind", settings.PORTAL_BIND,
               "--timeout", str(max(60, timeout + 30)), "--graceful-timeout", "30",
               # No address, no query string, no referrer: they can carry a person's data.
               "--access-logfile", "-", "--access-logformat", '%(t)s "%(m)s %(U)s" %(s)s %(L)s']  # fmt: skip
        worker = [sys.executable, "manage.py", "delivery_worker"]
        return [web] + [worker] * settings.PORTAL_DELIVERY_WORKERS

    @staticmethod
    def _start(command: list[str]) -> subprocess.Popen:
        # A process group of its own: the terminal's Ctrl-C reaches this command alone, which
        # stops each group whole (gunicorn's workers with their master).
        return subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)

    @staticmethod
    def _stop(processes: list[subprocess.Popen]) -> None:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        # gunicorn finishes its requests (30 s); a worker its attempt (a permit's wait and one
        # exchange), so that nothing is left "sending" for the sweep to take over.
        deadline = time.monotonic() + 90
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
