"""`manage.py sandbox_reply <ticket id or unique_id> --text "..." [--file PATH] [--agent 2]
[--close] [--comment]`: answer a sandbox ticket as one of the helpdesk's agents, as the admin's
"Reply as agent" does (both call sandbox.store.reply_as_agent)."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from sandbox.models import Ticket
from sandbox.store import DEFAULT_AGENT_ID, ReplyRefused, reply_as_agent


def find_ticket(key: str) -> Ticket:
    """The ticket with this id (a number) or unique_id (any case, e.g. "SBX-0007")."""
    key = key.strip()
    found = Ticket.objects.filter(pk=int(key)) if key.isdigit() else Ticket.objects.none()
    ticket = found.first() or Ticket.objects.filter(unique_id__iexact=key).first()
    if ticket is None:
        raise CommandError(f"The sandbox has no ticket {key!r} (give its id or unique_id).")
    return ticket


class Command(BaseCommand):
    help = (
        "Answer a sandbox ticket as an agent: a public post (or, with --comment, an internal "
        "comment) with an optional file; --close closes the ticket. Without --text and --file, "
        "--close only closes it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("ticket", help="the ticket's id or unique_id (e.g. 7 or SBX-0007)")
        parser.add_argument("--text", default="", help="the reply, HTML as agents write it")
        parser.add_argument("--file", action="append", default=[], metavar="PATH",
                            help="a file to attach (may be given more than once)")  # fmt: skip
        parser.add_argument("--agent", type=int, default=DEFAULT_AGENT_ID,
                            help=f"the staff user answering (default {DEFAULT_AGENT_ID})")  # fmt: skip
        parser.add_argument("--close", action="store_true", help="close the ticket")
        parser.add_argument("--comment", action="store_true",
                            help="an internal comment, never shown to the client")  # fmt: skip

    def handle(self, *args, **options) -> None:
        ticket = find_ticket(options["ticket"])
        paths = [Path(p) for p in options["file"]]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}.")
        handles = [p.open("rb") for p in paths]
        try:
            post = reply_as_agent(
                ticket,
                options["text"],
                agent_id=options["agent"],
                files=[File(h, name=p.name) for h, p in zip(handles, paths, strict=True)],
                close=options["close"],
                comment=options["comment"],
            )
        except ReplyRefused as exc:
            raise CommandError(str(exc)) from None
        finally:
            for handle in handles:
                handle.close()
        ticket.refresh_from_db()
        what = "no post" if post is None else f"{post} by user {post.user_id}"
        self.stdout.write(f"{ticket.unique_id}: {what}; status {ticket.status_id}.")
