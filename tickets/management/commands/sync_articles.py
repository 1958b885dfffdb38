"""Bring the portal's copy of the helpdesk's public articles in step, at once."""

from django.core.management.base import BaseCommand, CommandError

from tickets.helpdesk.errors import ApiError
from tickets.knowledge import sync


class Command(BaseCommand):
    help = (
        "Read the helpdesk's public knowledge-base articles: what changed since the last pass, "
        "or with --full every one (articles no more public or gone are removed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true")

    def handle(self, *args, full: bool, **options):
        try:
            done = sync.sync(full=full, wait=30)
        except ApiError as error:
            raise CommandError(f"The knowledge base was not read: {error}") from None
        kind = "every public article" if done.full else "what changed"
        self.stdout.write(f"Read {kind}: {done.kept} kept, {done.removed} removed.")
