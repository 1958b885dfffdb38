"""Erase, at once, the content the retention would erase at the worker's next sweeps."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tickets.delivery import retention
from tickets.models import Submission


class Command(BaseCommand):
    help = (
        "Erase what people sent in settled submissions older than TICKETS_KEEP_CONTENT_DAYS "
        "(or --days), all at once; the worker does it in small batches by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="instead of TICKETS_KEEP_CONTENT_DAYS")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        if days is not None:
            settings.TICKETS_KEEP_CONTENT_DAYS = days
        days = settings.TICKETS_KEEP_CONTENT_DAYS
        if dry_run:
            before = timezone.now() - timedelta(days=days)
            count = Submission.objects.content_expired(before).count()
            self.stdout.write(f"Would erase the content of {count} submission(s) over {days} days.")
            return
        count = retention.erase_expired(limit=None)
        self.stdout.write(f"Erased the content of {count} submission(s) over {days} days.")
