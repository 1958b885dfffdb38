"""The throttles' Redis store: pyrate-limiter's RedisBucket, one sorted set per bucket, used
with REDIS_URL (buckets.bucket_for)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import redis
from pyrate_limiter import Rate, RateItem, RedisBucket, SlidingWindowLog
from pyrate_limiter.buckets.redis_bucket import LuaScript

SLIDING = SlidingWindowLog()  # as the database store's windows (buckets.SLIDING)
# Redis names a script by its SHA1, and RedisBucket runs its script by that name: known here, the
# script is sent only to a Redis that lacks it.
PUT_SCRIPT = hashlib.sha1(LuaScript.PUT_ITEM.encode()).hexdigest()


@lru_cache(maxsize=4)
def client(url: str) -> redis.Redis:
    """The process's client (and its pool of connections) of the Redis at `url`, as the
    governor's."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


class ExpiringRedisBucket(RedisBucket):
    """pyrate-limiter's RedisBucket (one sorted set, one script for a put), whose key keeps only
    the hits its windows count and goes once its longest window is over: per-address keys do
    not pile up. Its script is loaded again where Redis has lost it (a restart)."""

    def __init__(self, rates: list[Rate], client: redis.Redis, key: str):
        super().__init__(rates, client, key, PUT_SCRIPT, SLIDING)

    def count_since(self, start: int) -> int:
        """How many hits were put at or after `start` (milliseconds since the epoch)."""
        return self.redis.zcount(self.bucket_key, start, "+inf")

    def put(self, item: RateItem) -> bool:
        try:
            admitted = super().put(item)
        except redis.exceptions.NoScriptError:  # a new or restarted Redis
            self.redis.script_load(LuaScript.PUT_ITEM)
            admitted = super().put(item)
        outside = SLIDING.leak_bound(self.rates, item.timestamp)  # no window counts these
        with self.redis.pipeline(transaction=False) as pipe:  # both in one round trip
            pipe.zremrangebyscore(self.bucket_key, 0, outside)
            pipe.pexpire(self.bucket_key, self.rates[-1].interval)
            pipe.execute()
        return admitted
