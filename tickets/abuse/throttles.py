"""Throttles on new tickets: per sender's address, per form, and for the whole portal.

Fixed windows, keyed as django-ratelimit keys them, are counted in the "throttle" cache (Redis
with REDIS_URL, else the database through counters.py), so every portal process and host sees
one count, and nothing is asked of the browser: no cookie, which a cross-site iframe would not
keep anyway. A ticket is counted in all its windows at once: in the database, one transaction of
three statements; in Redis, one script.

What counts is a new submission: a POST that is kept as a ticket. A form sent back with errors
costs nothing, so a person who corrects a mistake is never the one who runs out. The limits are
looked at before a POST is validated, by reading the counters only (a POST that is not counted
writes nothing, so a script cannot grow the store), and counted once the ticket is kept, as its
first attempt's request goes out (views/customer.py), never after the API's answer; under
concurrent POSTs from one address a few more than the limit can get through, never a flood.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import ALL

# django-ratelimit (pinned) counts with an add and an incr per limit, and has no read-only look
# (its get_usage(increment=False) adds an entry). The peek and the count use the very keys and
# windows it makes, by its own functions; counters.count writes every window at once.
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate

from . import counters

logger = logging.getLogger(__name__)

ADDRESS, FORM, PORTAL = "address", "form", "portal"
CACHE = "throttle"
RETURNING_SECONDS = 3600
_said_no_address: list[bool] = []


@dataclass(frozen=True)
class Limit:
    group: str  # the counter's name; one per scope (the unverified address has its own)
    scope: str  # ADDRESS, FORM or PORTAL: what the refusal says
    key: str  # whose count: the sender's keyed address, the form's slug, the portal
    rate: str  # django-ratelimit's "count/period": 20/h, 240/d, 5/10m


@dataclass(frozen=True)
class Refusal:
    scope: str
    retry_after: int  # seconds until the window that refused ends


class Sender:
    """The throttles as one POST meets them.

    `client` is the sender's keyed address (embedding.origin.client_key); `verified` says whether
    the POST carries a solved challenge: when the challenge is on, a POST without one (a script,
    or a person with JavaScript off) meets the stricter TICKETS_THROTTLE_ADDRESS_UNVERIFIED.
    """

    def __init__(self, client: str, slug: str, verified: bool = True):
        self.client = client
        if not client and not _said_no_address:
            # No address to read (a socket proxy, a misconfigured TICKETS_TRUSTED_PROXIES): one
            # shared bucket would throttle everyone together, so only the form and portal count.
            # Said once a process: it is the deployment's state, not this POST's.
            logger.warning("POSTs without a client address: the address throttles do not apply")
            _said_no_address.append(True)
        self.limits = self._limits(slug, verified)

    def _limits(self, slug: str, verified: bool) -> list[Limit]:
        address = settings.TICKETS_THROTTLE_ADDRESS if self.client else []
        if self.client and settings.TICKETS_CHALLENGE and not verified:
            unverified = settings.TICKETS_THROTTLE_ADDRESS_UNVERIFIED
        else:
            unverified = []
        return [
            *(Limit("tickets.address", ADDRESS, self.client, r) for r in address),
            *(Limit("tickets.address-unverified", ADDRESS, self.client, r) for r in unverified),
            *(Limit(f"tickets.form.{slug}", FORM, slug, r) for r in settings.TICKETS_THROTTLE_FORM),
            *(
                Limit("tickets.portal", PORTAL, "portal", r)
                for r in settings.TICKETS_THROTTLE_PORTAL
            ),
        ]

    def _windows(self) -> dict[str, tuple[Limit, int, int, int]]:
        """Each limit's counter now: its key (as django-ratelimit makes it), the limit, how many
        it allows, when its window ends and how long a window lasts."""
        windows = {}
        for limit in self.limits:
            allowed, period = _split_rate(limit.rate)
            window = _get_window(limit.key, period)
            key = _make_cache_key(limit.group, window, limit.rate, limit.key, ALL)
            windows[key] = (limit, allowed, window, period)
        return windows

    def refusal(self) -> Refusal | None:
        """The limit one more ticket would break, the longest wait first; None: go ahead."""
        windows = self._windows()
        try:
            counts = caches[CACHE].get_many(windows)  # one look at the store for every limit
        except Exception:
            logger.warning("The throttle store could not be read", exc_info=True)
            return None  # customers' tickets come first; the governor guards the helpdesk
        full = [
            Refusal(limit.scope, max(window - int(time.time()), 1))
            for key, (limit, allowed, window, _period) in windows.items()
            if counts.get(key, 0) >= allowed
        ]
        return max(full, key=lambda r: r.retry_after, default=None)

    def counted(self) -> None:
        """A new ticket was kept: it counts against every limit, and the sender is known."""
        store = caches[CACHE]
        try:
            # The database store writes them all in one transaction (Redis: in one script).
            with getattr(store, "batch", nullcontext)():
                periods = {key: w[3] + EXPIRATION_FUDGE for key, w in self._windows().items()}
                counters.count(store, periods)
                if self.client:
                    store.set(self._returning_key, True, RETURNING_SECONDS)
        except Exception:  # the ticket is kept: a store that cannot count lets it through
            logger.warning("The throttle store could not be written", exc_info=True)

    def returning(self) -> bool:
        """Whether this address filed a ticket in the last hour: a person who goes Back from the
        confirmation and sends a corrected form at once is not taken for a bot."""
        if not self.client:
            return False
        try:
            return bool(caches[CACHE].get(self._returning_key))
        except Exception:
            logger.warning("The throttle store could not be read", exc_info=True)
            return False

    @property
    def _returning_key(self) -> str:
        return f"tickets.returning.{self.client}"
