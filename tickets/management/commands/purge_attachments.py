"""Delete uploads that never joined a submission (a form abandoned after an error)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from tickets.delivery import storage


class Command(BaseCommand):
    help = "Delete attachments no submission took, older than --days (default 2). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=2.0)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days: float, dry_run: bool, **options):
        age = timedelta(days=days)
        count = storage.abandoned(age).count() if dry_run else storage.purge_abandoned(age)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} attachment(s) older than {days:g} days.")
