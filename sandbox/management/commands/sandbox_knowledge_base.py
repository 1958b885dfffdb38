"""`manage.py sandbox_knowledge_base [--file PATH]`: replace the sandbox's knowledge base with its
seed file's content (SANDBOX_KNOWLEDGE_BASE, sandbox/knowledge_base.json by default), undoing
what was edited, unpublished or deleted in the admin. `migrate` and `flush` seed the file only
into an empty knowledge base (sandbox/knowledge_base.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sandbox import knowledge_base


class Command(BaseCommand):
    help = (
        "Replace the sandbox's knowledge base with its seed file's categories and articles "
        "(every change made in the admin is lost)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help=f"the seed file (default: SANDBOX_KNOWLEDGE_BASE, {knowledge_base.DEFAULT_FILE})",
        )

    def handle(self, *args, **options) -> None:
        try:
            seed = knowledge_base.replace(options["file"])
        except knowledge_base.SeedError as exc:
            raise CommandError(str(exc)) from None
        for problem in seed.problems:
            self.stderr.write(f"Skipped: {problem}")
        self.stdout.write(
            f"The knowledge base now holds {len(seed.categories)} categories and "
            f"{len(seed.articles)} articles."
        )
