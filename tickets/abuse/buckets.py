"""The two stores the throttles count in, as pyrate-limiter buckets of sliding windows: a Redis
sorted set per bucket with REDIS_URL (redis_bucket.py), else the portal's own database
(ThrottleHit rows).

pyrate-limiter's own SQL buckets count every row of their table, whatever its name, so they
cannot hold a count per address in one table: DatabaseBucket counts the rows of its bucket.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from pyrate_limiter import AbstractBucket, Rate, RateItem, SlidingWindowLog

from ..models import ThrottleHit

SLIDING = SlidingWindowLog()


def bucket_for(name: str, rates: list[Rate]) -> AbstractBucket:
    """The bucket `name` (a limit and whose count: "address:<key>") holding `rates`, in the store
    every process shares: Redis with REDIS_URL, else the database."""
    if settings.REDIS_URL:
        # Imported here: a portal without Redis never loads its client (as the governor).
        from .redis_bucket import ExpiringRedisBucket, client

        return ExpiringRedisBucket(rates, client(settings.REDIS_URL), f"throttle:{name}")
    return DatabaseBucket(rates, name)


class DatabaseBucket(AbstractBucket):
    """A sliding-window log in the portal's database: a ThrottleHit row per item put."""

    is_async = False

    def __init__(self, rates: list[Rate], name: str):
        self.rates = rates  # sorted by period and checked by AbstractBucket
        self.name = name
        self.hits = ThrottleHit.objects.filter(bucket=name)

    def now(self) -> int:
        # Milliseconds since the epoch, as RedisBucket's: hits are compared across processes
        # and hosts (AbstractBucket's own clock is this machine's monotonic one).
        return time.time_ns() // 1_000_000

    def put(self, item: RateItem) -> bool:
        """Count the hits in each rate's window, and add the item where every rate has room."""
        now = item.timestamp
        windows = {
            f"rate{n}": Count("pk", filter=Q(at__gte=SLIDING.window_start(rate, now)))
            for n, rate in enumerate(self.rates)
        }
        # One transaction: on SQLite (IMMEDIATE) no other process counts between the count and
        # the insert. PostgreSQL's may both see the last free place, as the look before a POST
        # and the count after it can: a few more than a limit, never a flood.
        with transaction.atomic(savepoint=False):
            counted = self.hits.filter(
                at__gte=SLIDING.leak_bound(self.rates, now), at__lte=now
            ).aggregate(**windows)
            counts = [counted[window] for window in windows]
            decision = SLIDING.decide(self.rates, counts, item.weight, now, self.timestamp_at)
            if decision.allowed:
                ThrottleHit.objects.bulk_create(
                    ThrottleHit(bucket=self.name, at=now) for _ in range(item.weight)
                )
        # What AbstractBucket.waiting() reads (it finds the wait by peek()).
        self.failing_rate = decision.failing_rate
        return decision.allowed

    def timestamp_at(self, offset: int) -> int | None:
        """The time of the hit `offset` places before the newest, or None."""
        item = self.peek(offset)
        return None if item is None else item.timestamp

    def leak(self, current_timestamp: int | None = None) -> int:
        """Delete the hits no rate's window counts any more; how many went."""
        assert current_timestamp is not None
        bound = SLIDING.leak_bound(self.rates, current_timestamp)
        deleted, _by_model = self.hits.filter(at__lt=bound).delete()
        return deleted

    def flush(self) -> None:
        self.hits.delete()
        self.failing_rate = None

    def count(self) -> int:
        return self.hits.count()

    def count_since(self, start: int) -> int:
        """How many hits were put at or after `start` (milliseconds since the epoch)."""
        return self.hits.filter(at__gte=start).count()

    def peek(self, index: int) -> RateItem | None:
        """The item `index` places before the newest (0: the newest), or None."""
        at = self.hits.order_by("-at").values_list("at", flat=True)[index : index + 1].first()
        return None if at is None else RateItem(self.name, at)
