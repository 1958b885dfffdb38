"""Delete uploads that never joined a submission (a form abandoned after an error)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from tickets.delivery import storage
from tickets.models import Attachment


class Command(BaseCommand):
    help = "Delete attachments no submission took, older than --days (default 2). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=2.0)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days: float, dry_run: bool, **options):
        if dry_run:
            cutoff = timezone.now() - timedelta(days=days)
            count = Attachment.objects.filter(
                submission__isnull=True, created_at__lt=cutoff
            ).count()
        else:
            count = storage.purge_abandoned(timedelta(days=days))
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} attachment(s) older than {days:g} days.")
