"""`manage.py sandbox_down on|off|status`: the sandbox's "helpdesk down" switch (also in the admin).
While it is on, every sandbox API endpoint answers 503, so the portal queues the tickets it is sent;
off, its worker files them. Every process on the same database sees the change at its next request."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sandbox.models import SandboxSwitch

SAID = {
    True: "The sandbox helpdesk is down: every API request is answered 503.",
    False: "The sandbox helpdesk is up.",
}


class Command(BaseCommand):
    help = (
        "Switch the sandbox helpdesk down (every API request answered 503, so the portal queues "
        "tickets) or up again (the worker files them); status prints where it stands."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("state", choices=["on", "off", "status"],
                            help="on: the helpdesk is down; off: it is up; status: say which")  # fmt: skip

    def handle(self, *args, **options) -> None:
        if options["state"] != "status":
            SandboxSwitch.set_down(options["state"] == "on")
        self.stdout.write(SAID[SandboxSwitch.is_down()])
