"""The API's rate limit: N requests a minute per account, then a 20-minute ban.

The documentation describes `X-Rate-Limit-Remaining` as what is left of the current minute, so
the sandbox counts calendar minutes by default, in Django's cache (several processes sharing one
cache share one limit). `SANDBOX_RATE_WINDOW = "sliding"` counts any 60 s instead, in this
process, with pyrate-limiter: tests that must not depend on where the minute turns use it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate

WINDOW_SECONDS = 60
BAN_SECONDS = 20 * 60
DEFAULT_LIMIT = 300
WINDOWS = ("minute", "sliding")


@dataclass(frozen=True)
class RateState:
    limit: int
    used: int
    banned: bool

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def ban_details(self) -> str:
        return f"Ban for 20 min. API limit reached ({self.limit} request per minute)."

    def add_headers(self, response: HttpResponse) -> None:
        if self.limit:
            response["X-Rate-Limit"] = str(self.limit)
            response["X-Rate-Limit-Remaining"] = str(0 if self.banned else self.remaining)


def current_limit() -> int:
    return int(getattr(settings, "SANDBOX_RATE_LIMIT", DEFAULT_LIMIT))


def this_minute() -> int:
    """The calendar minute now, as a number (minutes since the epoch)."""
    return int(time.time() // WINDOW_SECONDS)


def _in_this_minute(account: str) -> int:
    """Add one to `account`'s count of this calendar minute; the count so far."""
    key = f"sandbox:rate:{account}:{this_minute()}"
    cache.add(key, 0, 2 * WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, 2 * WINDOW_SECONDS)
        return 1


_limiters: dict[tuple[str, int], tuple[Limiter, InMemoryBucket]] = {}


def _sliding(account: str, limit: int) -> tuple[Limiter, InMemoryBucket]:
    if (account, limit) not in _limiters:
        bucket = InMemoryBucket([Rate(limit, Duration.MINUTE)])
        _limiters[account, limit] = (Limiter(bucket), bucket)
    return _limiters[account, limit]


def _in_the_last_60_seconds(account: str, limit: int) -> int:
    """Count one request of `account` in any 60 s; the count, past `limit` when refused."""
    limiter, bucket = _sliding(account, limit)
    if not limiter.try_acquire(account, blocking=False):
        return limit + 1
    since = bucket.now() - WINDOW_SECONDS * 1000
    return sum(1 for item in bucket.items if item.timestamp > since)


def hit(account: str) -> RateState:
    """Count one request of `account`; banned once it goes over the limit, for 20 minutes."""
    limit = current_limit()
    if limit <= 0:
        return RateState(0, 0, False)
    ban_key = f"sandbox:ban:{account}"
    if cache.get(ban_key):
        return RateState(limit, limit, True)
    if getattr(settings, "SANDBOX_RATE_WINDOW", "minute") == "sliding":
        used = _in_the_last_60_seconds(account, limit)
    else:
        used = _in_this_minute(account)
    if used > limit:
        cache.set(ban_key, True, BAN_SECONDS)
        return RateState(limit, used, True)
    return RateState(limit, used, False)


def forget() -> None:
    """Start the sliding counts afresh, as if a minute had passed (a ban stays until it ends)."""
    for limiter, _bucket in _limiters.values():
        limiter.close()
    _limiters.clear()
