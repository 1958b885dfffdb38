"""python manage.py sync_schema [--dry-run | --check]: the schema file follows the helpdesk."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tickets.helpdesk.client import TicketsClient, background_wait
from tickets.helpdesk.governor import BACKGROUND
from tickets.helpdesk.pacing import Pacer
from tickets.schema.sync import SyncError, sync


class Command(BaseCommand):
    help = (
        "Read the helpdesk's custom fields, their options and reference lists, and write them "
        "into the schema file, keeping the portal's own keys and forms."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
        mode.add_argument(
            "--check",
            action="store_true",
            help="exit 1 when the file is out of date; write nothing",
        )
        parser.add_argument("--file", type=Path, help="the schema file (TICKETS_SCHEMA_FILE)")
        parser.add_argument(
            "--force", action="store_true", help="write even when most fields would go"
        )
        parser.add_argument(
            "--per-minute",
            type=float,
            default=120,
            help="the most requests a minute this sync makes (default 120)",
        )

    def handle(
        self, *args, dry_run: bool, check: bool, file: Path | None, per_minute, force, **options
    ):
        path = Path(file or settings.TICKETS_SCHEMA_FILE)
        # Never faster than the portal's share of the API's minute (the governor would hold it).
        share = settings.TICKETS_API_MAX_PER_MINUTE
        per_minute = min(per_minute, share * 0.9) if share else per_minute
        client = TicketsClient.from_settings(
            pacer=Pacer(per_minute=per_minute), purpose=BACKGROUND, wait=background_wait()
        )
        try:
            result = sync(path, client, write=not (dry_run or check), force=force)
        except SyncError as error:
            raise CommandError(f"{path} was not changed: {error}") from None
        finally:
            client.session.close()
        for line in result.changes:
            self.stdout.write(f"  {line}")
        for note in result.notes:
            self.stderr.write(self.style.WARNING(f"  note: {note}"))
        if not result.changed:
            self.stdout.write(self.style.SUCCESS(f"{path} is up to date."))
        elif check:
            raise CommandError(f"{path} is out of date: {len(result.changes)} change(s).")
        elif dry_run:
            self.stdout.write(
                f"{path}: {len(result.changes)} change(s); nothing written (--dry-run)."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{path} updated: {len(result.changes)} change(s).")
            )
