"""Throttles on new tickets (per sender's address, per form, and for the whole portal), on
replies (per address, and per ticket), and on the helpdesk look-ups of a signed-in agent's pages.

Each limit counts in sliding windows (pyrate-limiter's SlidingWindowLog): at every moment it
holds the tickets of the last hour (or day, ...), so a burst across a window's edge never gets
past it, where a fixed window starting afresh on the hour lets twice the limit through. A limit
is one bucket of its rates (an address's "20/h,240/d": one bucket, two windows), in a store every
portal process and host shares (buckets.py: Redis with REDIS_URL, else the database), and nothing
is asked of the browser: no cookie, which a cross-site iframe would not keep anyway.

What counts is a new submission: a POST that is kept as a ticket. A form sent back with errors
costs nothing, so a person who corrects a mistake is never the one who runs out. The limits are
looked at before a POST is validated, by reading the buckets only (a POST that is not counted
writes nothing, so a script cannot grow the store), and counted once the ticket is kept, in all
its buckets at once; under concurrent POSTs from one address a few more than the limit can get
through, never a flood. A store that cannot answer lets tickets through, and says so in the log.

The limits per form and for the portal are hard: past them nothing is filed. The limit per
address is not, because an office or a school sends from one address: past it the form asks the
browser for a solved proof-of-work challenge (forms/challenge.py), harder with every few tickets
the address files past its limit (counted apart, `past_limit()`), and only a sender that cannot
solve one (a script, a browser without JavaScript) waits.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from math import ceil

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from pyrate_limiter import AbstractBucket, Duration, Rate, RateItem, WallClock

from ..models import ThrottleHit
from .buckets import SLIDING, bucket_for

logger = logging.getLogger(__name__)

ADDRESS, FORM, PORTAL, TICKET, USER = "address", "form", "portal", "ticket", "user"
CACHE = "throttle"  # where a returning sender is marked
RETURNING_SECONDS = 3600
# Milliseconds since the epoch: one time for every process and host. Tests set their own.
clock = WallClock()
_said_no_address: list[bool] = []


# The settings of the throttles, each a list of "count/period" rates.
THROTTLES = [
    "TICKETS_THROTTLE_ADDRESS",
    "TICKETS_THROTTLE_ADDRESS_UNVERIFIED",
    "TICKETS_THROTTLE_FORM",
    "TICKETS_THROTTLE_PORTAL",
    "TICKETS_THROTTLE_REPLIES",
    "TICKETS_THROTTLE_STAFF_LOOKUPS",
]
PERIODS = {"s": Duration.SECOND, "m": Duration.MINUTE, "h": Duration.HOUR, "d": Duration.DAY}


def parse_rate(rate: str) -> Rate:
    """pyrate-limiter's Rate for a throttle setting's "count/period" ("20/h", "5/10m")."""
    count, period = rate.split("/")
    return Rate(int(count), int(period[:-1] or 1) * PERIODS[period[-1]])


@dataclass(frozen=True)
class Limit:
    scope: str  # ADDRESS, FORM or PORTAL: what the refusal says
    bucket: str  # whose count: the limit and its key ("address:<keyed address>", "form:<slug>")
    rates: list[str]  # the setting's "count/period" rates, all in the one bucket


@dataclass(frozen=True)
class Refusal:
    scope: str
    retry_after: int  # seconds until the oldest hit that fills the window leaves it

    @property
    def hard(self) -> bool:
        """Whether nothing passes it: a form's or the portal's limit. An address's limit is
        passed by a browser that solves the challenge."""
        return self.scope != ADDRESS


class Limits:
    """The throttles as one sender's POST to one form meets them.

    `client` is the sender's keyed address (embedding.origin.client_key); `verified` says whether
    the POST carries a solved challenge: when the challenge is on, a POST without one (a script,
    or a person with JavaScript off) meets the stricter TICKETS_THROTTLE_ADDRESS_UNVERIFIED.
    """

    def __init__(self, client: str, slug: str, verified: bool = True, reply_to: str = ""):
        """`reply_to`: a reply on the ticket of this reference, not a new ticket: it counts
        against the address's limits and the ticket's own (TICKETS_THROTTLE_REPLIES)."""
        self.client = client
        if not client and not _said_no_address:
            # No address to read (a socket proxy, a misconfigured TICKETS_TRUSTED_PROXIES): one
            # shared bucket would throttle everyone together, so only the form and portal count.
            # Said once a process: it is the deployment's state, not this POST's.
            logger.warning("POSTs without a client address: the address throttles do not apply")
            _said_no_address.append(True)
        self.limits = self._limits(slug, verified)
        if reply_to:
            self.limits = [limit for limit in self.limits if limit.scope == ADDRESS]
            replies = Limit(TICKET, f"ticket:{reply_to}", settings.TICKETS_THROTTLE_REPLIES)
            self.limits += [replies] if replies.rates else []

    def _limits(self, slug: str, verified: bool) -> list[Limit]:
        address = settings.TICKETS_THROTTLE_ADDRESS if self.client else []
        if self.client and settings.TICKETS_CHALLENGE and not verified:
            unverified = settings.TICKETS_THROTTLE_ADDRESS_UNVERIFIED
        else:
            unverified = []
        limits = [
            Limit(ADDRESS, f"address:{self.client}", address),
            Limit(ADDRESS, f"address-unverified:{self.client}", unverified),
            Limit(FORM, f"form:{slug}", settings.TICKETS_THROTTLE_FORM),
            Limit(PORTAL, "portal", settings.TICKETS_THROTTLE_PORTAL),
        ]
        return [limit for limit in limits if limit.rates]

    def _buckets(self) -> list[tuple[Limit, AbstractBucket]]:
        return [
            (limit, bucket_for(limit.bucket, [parse_rate(rate) for rate in limit.rates]))
            for limit in self.limits
        ]

    def refusal(self) -> Refusal | None:
        """The limit one more ticket would break, a hard one and the longest wait first; None:
        go ahead. Only a look: it writes nothing."""
        now = clock.now()
        try:
            waits = [(limit.scope, wait_ms(bucket, now)) for limit, bucket in self._buckets()]
        except Exception:
            logger.warning("The throttle store could not be read", exc_info=True)
            return None  # customers' tickets come first; the governor guards the helpdesk
        full = [Refusal(scope, max(1, ceil(ms / 1000))) for scope, ms in waits if ms > 0]
        return max(full, key=lambda refusal: (refusal.hard, refusal.retry_after), default=None)

    def past_limit(self) -> int:
        """How many tickets this address filed past its limit (each with a solved challenge) in
        the limit's shortest window: what makes its next challenge harder."""
        past = self._past()
        if past is None:
            return 0
        bucket = past[1]
        try:
            return bucket.count_since(clock.now() - bucket.rates[0].interval)
        except Exception:
            logger.warning("The throttle store could not be read", exc_info=True)
            return 0

    def _past(self) -> tuple[str, AbstractBucket] | None:
        """The bucket of the address's tickets past its limit: its name and itself."""
        rates = [parse_rate(rate) for rate in settings.TICKETS_THROTTLE_ADDRESS]
        if not self.client or not rates:
            return None
        # Counted, never full: the ticket it counts has passed the limit already.
        name = f"address-past:{self.client}"
        return name, bucket_for(name, [Rate(2**31 - 1, min(rate.interval for rate in rates))])

    def counted(self, past_limit: bool = False) -> None:
        """A new ticket was kept: it counts against every limit, and the sender is known.
        `past_limit`: it was filed past its address's limit, and counts as such too."""
        now = clock.now()
        buckets = [(limit.bucket, bucket) for limit, bucket in self._buckets()]
        past = self._past() if past_limit else None
        buckets += [past] if past else []
        try:
            # In the database, every bucket's count and hit in one transaction (Redis: a script
            # each, and its key's trim and expiry).
            with nullcontext() if settings.REDIS_URL else transaction.atomic():
                for name, bucket in buckets:
                    bucket.put(RateItem(name, now))
            if self.client:
                caches[CACHE].set(self._returning_key, True, RETURNING_SECONDS)
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


def lookup(user_id: int) -> Refusal | None:
    """One helpdesk look-up of a signed-in agent's page (a client, a follower, a parent ticket),
    counted against their own limit (TICKETS_THROTTLE_STAFF_LOOKUPS): the refusal when it is
    past it, so that no one session spends the portal's share of the API. None: go ahead."""
    rates = [parse_rate(rate) for rate in settings.TICKETS_THROTTLE_STAFF_LOOKUPS]
    if not rates:
        return None
    name = f"user:{user_id}"
    bucket = bucket_for(name, rates)
    now = clock.now()
    try:
        if bucket.put(RateItem(name, now)):
            return None
        return Refusal(USER, max(1, ceil(wait_ms(bucket, now) / 1000)))
    except Exception:
        logger.warning("The throttle store could not be used", exc_info=True)
        return None  # the governor still guards the helpdesk


def wait_ms(bucket: AbstractBucket, now: int) -> int:
    """Milliseconds until `bucket` has room for one more hit at `now` (0: it has), read with
    peek() alone: in each rate's window, the hit that fills it (if one does) and when it leaves."""
    waits = [0]
    for rate in bucket.rates:
        filling = bucket.peek(SLIDING.blocking_offset(rate, 1))
        if filling is not None and filling.timestamp >= SLIDING.window_start(rate, now):
            waits.append(SLIDING.retry_after(rate, now, filling.timestamp))
    return max(waits)


def sweep() -> int:
    """Delete the database's hits that no throttle's window counts any more (older than the
    longest period configured); how many went. Redis trims and expires its own."""
    periods = [parse_rate(rate).interval for name in THROTTLES for rate in getattr(settings, name)]
    outlived = ThrottleHit.objects.filter(at__lt=clock.now() - max(periods, default=0))
    deleted, _by_model = outlived.delete()
    return deleted
