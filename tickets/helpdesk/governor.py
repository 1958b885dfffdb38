"""The one rate governor of every portal process and worker.

The API allows an account 300 requests a minute and bans the whole account (every integration
of the helpdesk) for 20 minutes past that. The portal takes a share of it
(TICKETS_API_MAX_PER_MINUTE) and never sends more in any sliding 60 seconds, counted by
pyrate-limiter in a store every process shares: a SQLite file on this machine by default, Redis
with REDIS_URL. Background work (deliveries, the schema sync) stays TICKETS_API_RESERVE below the
share, so that a backlog never starves the staff's interactive look-ups; reading the
conversations people follow on their tickets' pages counts as background work and stays within a
share of its own (TICKETS_API_FOLLOW_PER_MINUTE), so that any number of open pages cannot starve
new tickets. A ban answer, or the API
saying that almost nothing is left this minute, pauses every process.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from pyrate_limiter import Duration, Limiter, Rate, RedisBucket, SQLiteBucket

from .errors import NotSent, RateStoreDown

logger = logging.getLogger(__name__)

# The API counts requests as they arrive; the governor, as it lets them go. A request let go at
# the start of one window may arrive later than the next one let go a window after it: counting
# 62 s instead of 60 leaves two seconds for that, so no 60 s at the API ever sees one too many.
WINDOW = Duration.MINUTE + 2 * Duration.SECOND
BACKGROUND, INTERACTIVE, FOLLOWING = "background", "interactive", "following"
LOCK_WAIT = 0.5  # seconds


class _SQLitePause:
    """A moment every process on this machine sees (a pause, the API's last outage), in a SQLite
    file beside the limiter's."""

    def __init__(self, path: Path, row: int = 1):
        self.path = path
        self.row = row
        self._lock = threading.Lock()  # every use of the one connection holds it
        self._db: sqlite3.Connection | None = None
        self._opened: tuple[int, int, int] = (0, 0, 0)
        self._connect()

    def _connect(self) -> sqlite3.Connection:
        # One connection a process, kept: opening one costs more than the read it serves, and
        # every person's POST reads the pause twice. Opened again in a forked child, and when the
        # file is not the one it opened (replaced: every process must see one file, or a ban
        # pause goes unseen). A write changes the file's ctime too: pauses are rare, reads not.
        if self._db is None or self._opened != self._identity():
            self._db = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
            with self._db:
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS pause (id INTEGER PRIMARY KEY, until REAL)"
                )
            self._opened = self._identity()
        return self._db

    def _identity(self) -> tuple[int, int, int]:
        try:
            found = self.path.stat()
        except FileNotFoundError:
            return (os.getpid(), 0, 0)
        return (os.getpid(), found.st_ino, found.st_ctime_ns)

    def until(self) -> float:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT until FROM pause WHERE id = ?", (self.row,)).fetchone()
        return row[0] if row else 0.0

    def extend(self, until: float) -> None:
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO pause (id, until) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET until = max(until, excluded.until)",
                (self.row, until),
            )


class _RedisPause:
    # Only ever later, in one step: a short pause never cuts a ban short, whoever writes first.
    LATER = """
    local current = tonumber(redis.call('GET', KEYS[1]) or '0')
    if tonumber(ARGV[1]) > current then
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
    end
    """

    def __init__(self, redis, key: str):
        self.redis = redis
        self.key = key
        self._later = redis.register_script(self.LATER)

    def until(self) -> float:
        value = self.redis.get(self.key)
        return float(value) if value else 0.0

    def extend(self, until: float) -> None:
        self._later(keys=[self.key], args=[until, max(1, int(until - time.time()) + 1)])


class Governor:
    """Takes a permit before every request; raises NotSent instead of sending too many."""

    def __init__(
        self, share: int, reserve: int, store: str, redis_url: str = "", following: int = 1
    ):
        self.share = share
        self.background_share = max(1, share - reserve)
        self.following_share = max(1, min(following, self.background_share))
        self._warned = False
        self.store = store
        if redis_url:
            import redis

            client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
            self._every = self._redis_limiter(client, "tickets-api:every", share)
            self._background = self._redis_limiter(client, "tickets-api:bg", self.background_share)
            self._following = self._redis_limiter(
                client, "tickets-api:following", self.following_share
            )
            self.pause = _RedisPause(client, "tickets-api:pause-until")
            self.down = _RedisPause(client, "tickets-api:down-until")
        else:
            path = Path(store)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._every = self._sqlite_limiter(path, "every", share)
            self._background = self._sqlite_limiter(path, "background", self.background_share)
            self._following = self._sqlite_limiter(path, "following", self.following_share)
            # Its own file: a schema change in the limiter's file would stall the limiter.
            moments = path.with_name(f"{path.stem}-pause{path.suffix}")
            self.pause = _SQLitePause(moments)
            self.down = _SQLitePause(moments, row=2)

    @staticmethod
    def _sqlite_limiter(path: Path, table: str, limit: int) -> Limiter:
        bucket = SQLiteBucket.init_from_file(
            [Rate(limit, WINDOW)], table=table, db_path=str(path), use_file_lock=True
        )
        return Limiter(bucket)

    @staticmethod
    def _redis_limiter(client, key: str, limit: int) -> Limiter:
        return Limiter(RedisBucket.init([Rate(limit, WINDOW)], client, key))

    # --- Before a request -------------------------------------------------------------------------
    def take(self, purpose: str = INTERACTIVE, wait: float = 0) -> None:
        """A permit for one request, waiting up to `wait` seconds for one; NotSent otherwise."""
        try:
            paused = self.pause.until() - time.time()
            if paused > 0:
                raise NotSent("the API is paused for the account (a ban or no budget left)", paused)
            if purpose == FOLLOWING and not self._acquire(self._following, wait):
                raise NotSent("the portal's share of the API for conversations is used", 5)
            if purpose in (BACKGROUND, FOLLOWING) and not self._acquire(self._background, wait):
                raise NotSent("the portal's share of the API for background work is used", 5)
            if not self._acquire(self._every, wait):
                raise NotSent("the portal's share of the API's minute is used up", 5)
        except NotSent:
            raise
        except Exception as error:  # sqlite3.Error, redis.RedisError, a lock timeout
            logger.error("The portal's API rate store cannot be used: %s", type(error).__name__)
            raise RateStoreDown("the portal's rate store cannot be used", 30) from None

    @staticmethod
    def _acquire(limiter: Limiter, wait: float) -> bool:
        # Never quite non-blocking: another process (or the limiter's own clean-up) may hold the
        # store's lock for a moment, which is no reason to refuse.
        return limiter.try_acquire("api", blocking=True, timeout=max(wait, LOCK_WAIT))

    # --- After an answer --------------------------------------------------------------------------
    def note_ban(self) -> None:
        seconds = settings.TICKETS_API_BAN_SECONDS
        logger.error("The API banned the account: no process sends for %s s", seconds)
        self.pause.extend(time.time() + seconds)

    def note_down(self, seconds: float = 10) -> None:
        """The API could not be reached: for a few seconds a person's POST does not wait for it
        (it is kept and queued at once); workers go on trying on their own schedule."""
        self.down.extend(time.time() + seconds)

    def down_for(self) -> float:
        """Seconds until the API's last outage is worth trying again from a person's request."""
        try:
            return max(0.0, self.down.until() - time.time())
        except Exception:
            return 0.0  # the rate store itself is down: take() will say so

    def note_too_many(self) -> None:
        """A 429: every process waits a minute (quick retries would only prolong it)."""
        logger.warning("The API answered 429: no process sends for 60 s")
        self.pause.extend(time.time() + 60)

    def note_answer(self, limit: int | None, remaining: int | None) -> None:
        """The API's word on the account's minute: its limit, and what is left for every
        integration of the account."""
        if limit is not None and limit < self.share and not self._warned:
            self._warned = True
            logger.error(
                "The account's API limit is %s a minute, below TICKETS_API_MAX_PER_MINUTE=%s: "
                "lower the setting; until then the portal pauses when the API says little is left",
                limit,
                self.share,
            )
        if remaining is not None and remaining <= settings.TICKETS_API_LOW_WATER:
            logger.warning("API budget low (%s left this minute): pausing a minute", remaining)
            self.pause.extend(time.time() + 60)


@lru_cache(maxsize=4)
def _governor(share: int, reserve: int, store: str, redis_url: str, following: int) -> Governor:
    return Governor(share, reserve, store, redis_url, following)


def get_governor() -> Governor:
    """The governor for the configured share (RateStoreDown when its store cannot be opened)."""
    try:
        return _governor(
            settings.TICKETS_API_MAX_PER_MINUTE,
            settings.TICKETS_API_RESERVE,
            str(settings.TICKETS_API_RATE_FILE),
            settings.REDIS_URL,
            settings.TICKETS_API_FOLLOW_PER_MINUTE,
        )
    except Exception as error:  # Redis down at start, an unwritable file: not cached, tried again
        logger.error("The portal's API rate store cannot be opened: %s", type(error).__name__)
        raise RateStoreDown("the portal's rate store cannot be opened", 30) from None
