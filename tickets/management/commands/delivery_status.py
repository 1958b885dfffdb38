"""python manage.py delivery_status: the backlog, its oldest age, and whether a worker is alive."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Min
from django.utils import timezone

from tickets.delivery.tasks import SWEEP_EVERY, last_sweep
from tickets.models import Submission

State = Submission.State
WAITING = (State.RECEIVED, State.QUEUED, State.SENDING, State.UNCERTAIN)


class Command(BaseCommand):
    help = (
        "Print how many submissions wait to be filed, the oldest one's age and whether a delivery "
        "worker is alive; exit 1 when none is (a health check)."
    )

    def handle(self, *args, **options):
        counts = dict(
            Submission.objects.values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        for state, label in State.choices:
            self.stdout.write(f"{label:16} {counts.get(state, 0)}")
        oldest = Submission.objects.filter(state__in=WAITING).aggregate(at=Min("created_at"))["at"]
        now = timezone.now()
        age = f"{(now - oldest).total_seconds():.0f} s" if oldest else "none waiting"
        self.stdout.write(f"oldest waiting   {age}")
        swept = last_sweep()
        alive = swept is not None and (now - swept).total_seconds() < 3 * SWEEP_EVERY
        seen = f"{(now - swept).total_seconds():.0f} s ago" if swept else "never"
        self.stdout.write(
            f"worker           {'alive' if alive else 'NOT RUNNING'} (last seen {seen})"
        )
        if not alive:
            raise CommandError("No delivery worker is running: start manage.py delivery_worker.")
