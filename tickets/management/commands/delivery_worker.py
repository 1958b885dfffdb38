"""python manage.py delivery_worker: the delivery worker (django-tasks' database worker), with the
periodic sweep scheduled. Run as many as you like: they share the queue in the database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tickets.delivery import tasks


class Command(BaseCommand):
    help = "Deliver submissions: run the task worker, with the delivery sweep scheduled."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
        parser.add_argument("--batch", action="store_true", help="run what is due, then stop")
        parser.add_argument("--reload", action="store_true", help="restart on code changes")

    def handle(self, *args, interval: float, batch: bool, reload: bool, **options):
        if not tasks.sweep_is_scheduled():
            tasks.sweep.enqueue()
        call_command(
            "db_worker",
            interval=interval,
            batch=batch,
            reload=reload,
            startup_delay=not batch,
            verbosity=options.get("verbosity", 1),
        )
