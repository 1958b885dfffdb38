"""How delivery stands, for people (`manage.py delivery_status`) and probes (`/readyz`): what
waits, the oldest of it, and when a delivery worker was last seen. No API call: the helpdesk's
state is what the last attempts found."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.utils import timezone

from ..models import Submission
from .tasks import SWEEP_EVERY, last_sweep

State = Submission.State
WAITING = (State.RECEIVED, State.QUEUED, State.SENDING, State.UNCERTAIN)
# A worker sweeps every SWEEP_EVERY seconds: three missed sweeps and it is taken for gone.
WORKER_GONE_AFTER = timedelta(seconds=3 * SWEEP_EVERY)


def counts() -> dict[str, int]:
    """How many submissions are in each state (every state named, 0 included)."""
    found = dict(Submission.objects.values_list("state").annotate(n=Count("pk")))
    return {state: found.get(state, 0) for state in State.values}


def oldest_waiting() -> datetime | None:
    """When the oldest submission not yet filed (nor given to a person) was received."""
    return Submission.objects.filter(state__in=WAITING).aggregate(at=Min("created_at"))["at"]


def worker_seen() -> datetime | None:
    """When a delivery worker last finished its sweep."""
    return last_sweep()


def worker_alive(seen: datetime | None) -> bool:
    return seen is not None and timezone.now() - seen < WORKER_GONE_AFTER
