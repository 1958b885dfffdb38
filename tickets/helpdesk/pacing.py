"""Keeping the helpdesk's account under its rate limit: the API bans the whole account for 20
minutes past 300 requests a minute, which stops every integration of the helpdesk.

- Pacer: one bulk job (the schema sync) spaces its requests and backs off when the API says few
  are left. The governor (governor.py) keeps every process together under the portal's share.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import requests

from ..lib.values import as_int

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
