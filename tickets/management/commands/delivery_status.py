"""python manage.py delivery_status: the backlog, its oldest age, and whether a worker is alive."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tickets.delivery import backlog
from tickets.models import Submission


class Command(BaseCommand):
    help = (
        "Print how many submissions wait to be filed, the oldest one's age and whether a delivery "
        "worker is alive; exit 1 when none is (a health check)."
    )

    def handle(self, *args, **options):
        counts = backlog.counts()
        for state, label in Submission.State.choices:
            self.stdout.write(f"{label:16} {counts[state]}")
        now = timezone.now()
        oldest = backlog.oldest_waiting()
        age = f"{(now - oldest).total_seconds():.0f} s" if oldest else "none waiting"
        self.stdout.write(f"oldest waiting   {age}")
        seen = backlog.worker_seen()
        alive = backlog.worker_alive(seen)
        ago = f"{(now - seen).total_seconds():.0f} s ago" if seen else "never"
        self.stdout.write(
            f"worker           {'alive' if alive else 'NOT RUNNING'} (last seen {ago})"
        )
        if not alive:
            raise CommandError("No delivery worker is running: start manage.py delivery_worker.")
