"""One person's data in the portal, by their email address: listed, exported, erased."""

import json

from django.core.management.base import BaseCommand, CommandError

from tickets.delivery import retention


class Command(BaseCommand):
    help = (
        "List every submission and reply that carries an email address (as the person's, the "
        "client's or in cc); --export FILE writes what the portal holds of them as JSON ('-': "
        "standard output); --erase erases it and withdraws their pages' links. The helpdesk's "
        "own copy is not touched: erase it there."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--export", metavar="FILE")
        parser.add_argument("--erase", action="store_true")

    def handle(self, *args, email: str, export: str | None, erase: bool, **options):
        if "@" not in email:
            raise CommandError(f"{email!r} is not an email address.")
        found = retention.submissions_of(email)
        if export:
            data = json.dumps(retention.export(found), ensure_ascii=False, indent=2)
            if export == "-":
                self.stdout.write(data)
            else:
                with open(export, "w", encoding="utf-8") as out:
                    out.write(data + "\n")
        if not export or export != "-":
            for submission in found:
                replies = submission.replies.count()
                self.stdout.write(
                    f"{submission.reference}  {submission.unique_id or '-':12}  "
                    f"{submission.state:10}  {submission.created_at:%Y-%m-%d}  "
                    f"{replies} repl{'y' if replies == 1 else 'ies'}"
                    + ("  (content erased)" if submission.content_erased_at else "")
                )
            self.stdout.write(f"{len(found)} submission(s) carry this address.")
        if erase:
            count = retention.erase_person(email)
            if export != "-":
                self.stdout.write(f"Erased {count} submission(s); their links are withdrawn.")
