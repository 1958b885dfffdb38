"""Keeping the helpdesk's account under its rate limit: the API bans the whole account for 20
minutes past 300 requests a minute, which stops every integration of the helpdesk.

- Pacer: one bulk job (the schema sync) spaces its requests and backs off when the API says few
  are left.
- Budget: the portal's share of the minute, counted across every portal process, and a remembered
  ban.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import requests
from django.conf import settings
from django.core.cache import caches

from ..lib.values import as_int
from .errors import ApiUnavailable

logger = logging.getLogger(__name__)


class Pacer:
    """Keeps one client's requests well under the account's per-minute limit.

    The API bans the whole account for 20 minutes past its limit (300 a minute by default), which
    stops every integration of the helpdesk, so a bulk job spaces its requests (`per_minute`) and,
    when `X-Rate-Limit-Remaining` says only `reserve` requests of the minute are left for everyone
    else, waits a whole window before the next one.
    """

    def __init__(
        self,
        per_minute: float = 120,
        reserve: int = 100,
        window: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.reserve = reserve
        self.window = window
        self.sleep = sleep
        self.clock = clock
        self._next = 0.0
        self.waits = 0  # how often the remaining budget made it wait a window

    def before(self) -> None:
        delay = self._next - self.clock()
        if delay > 0:
            self.sleep(delay)
        self._next = self.clock() + self.interval

    def after(self, response: requests.Response) -> None:
        remaining = as_int(response.headers.get("X-Rate-Limit-Remaining"))
        if remaining is not None and remaining <= self.reserve:
            logger.info("API budget low (%s left this minute): pausing %gs", remaining, self.window)
            self.waits += 1
            self._next = max(self._next, self.clock() + self.window)


class Budget:
    """The portal's share of the account's API minute, counted across every portal process.

    Counted in Django's cache (Redis in a deployment). A request past the share is not sent;
    a ban answer is remembered, so no process knocks again until it is over.
    """

    BAN_KEY = "tickets-api:banned"
    BAN_SECONDS = 20 * 60

    def __init__(self, cache_alias: str = "default"):
        self.cache_alias = cache_alias

    @property
    def cache(self):
        return caches[self.cache_alias]

    def take(self) -> None:
        if self.cache.get(self.BAN_KEY):
            raise ApiUnavailable("the API has banned the account for a while; nothing was sent")
        limit = settings.TICKETS_API_MAX_PER_MINUTE
        if not limit:
            return
        key = f"tickets-api:minute:{int(time.time() // 60)}"
        used = 1
        if not self.cache.add(key, used, timeout=120):
            try:
                used = self.cache.incr(key)
            except ValueError:  # the key expired between add and incr
                self.cache.set(key, used, timeout=120)
        if used > limit:
            logger.error("The portal's share of the API (%s a minute) is used up", limit)
            raise ApiUnavailable("the portal's share of the API's minute is used up")

    def note_ban(self) -> None:
        logger.error("The API banned the account: no requests for %s s", self.BAN_SECONDS)
        self.cache.set(self.BAN_KEY, True, timeout=self.BAN_SECONDS)
