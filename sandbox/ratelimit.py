"""The API's rate limit: N requests a minute per account, then a 20-minute ban.

Counters live in Django's cache, so several processes sharing one cache share one limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

WINDOW_SECONDS = 60
BAN_SECONDS = 20 * 60
DEFAULT_LIMIT = 300


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


def _count(key: str) -> int:
    """Add one to the counter of the current window (which starts with its first request)."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def hit(account: str) -> RateState:
    """Count one request of `account`; banned once it goes over the limit, for 20 minutes."""
    limit = current_limit()
    if limit <= 0:
        return RateState(0, 0, False)
    ban_key = f"sandbox:ban:{account}"
    if cache.get(ban_key):
        return RateState(limit, limit, True)
    used = _count(f"sandbox:rate:{account}")
    if used > limit:
        cache.set(ban_key, True, BAN_SECONDS)
        return RateState(limit, used, True)
    return RateState(limit, used, False)
