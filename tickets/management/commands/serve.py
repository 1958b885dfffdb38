"""python manage.py serve (`make serve`): the production stack on this machine, from .env.

Runs `migrate` and `collectstatic`, then gunicorn (PORTAL_WEB_WORKERS processes of
PORTAL_WEB_THREADS threads, on PORTAL_BIND) and PORTAL_DELIVERY_WORKERS delivery workers, each a
process of its own. Ctrl-C (or SIGTERM) stops them all; when any one of them dies, the others are
stopped too and the command exits with its code, so a supervisor restarts the whole.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, collect static files, then run gunicorn and the delivery workers together."

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        processes = [self._start(command) for command in self._commands()]
        self.stdout.write(
            f"Portal on http://{settings.PORTAL_BIND}/ ({settings.PORTAL_WEB_WORKERS} x "
            f"{settings.PORTAL_WEB_THREADS} threads), {settings.PORTAL_DELIVERY_WORKERS} "
            "delivery worker(s). Ctrl-C stops all."
        )
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        code = next((p.returncode for p in processes if p.poll() not in (None, 0)), 0)
        self._stop(processes)
        if code:
            sys.exit(code)

    def _commands(self) -> list[list[str]]:
        web = [sys.executable, "-m", "gunicorn", "portal.wsgi",
               "--workers", str(settings.PORTAL_WEB_WORKERS),
               "--threads", str(settings.PORTAL_WEB_THREADS),
               "--bind", settings.PORTAL_BIND,
               "--access-logfile", "-"]  # fmt: skip
        worker = [sys.executable, "manage.py", "delivery_worker"]
        return [web] + [worker] * settings.PORTAL_DELIVERY_WORKERS

    @staticmethod
    def _start(command: list[str]) -> subprocess.Popen:
        # Their own process group: Ctrl-C in the terminal reaches this command, which stops them.
        return subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)

    @staticmethod
    def _stop(processes: list[subprocess.Popen]) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
