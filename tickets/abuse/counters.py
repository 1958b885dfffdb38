"""The store throttles count in when there is no Redis: Django's database cache, made atomic.

django-ratelimit counts with `cache.add()` then `cache.incr()`. Django's DatabaseCache implements
incr as a get and a set: two processes can both read N and write N + 1, and the set moves the
entry's expiry to the cache's default timeout, so a day's count could vanish after minutes. Here
incr locks the row and updates the value alone, in one transaction, so every process's POST counts
once and a window lasts as long as it was made to; add and set are one upsert each, and count()
counts a ticket in every window at once (three statements, where add and incr take three per
window). Past MAX_ENTRIES Django's set deletes a third of all entries, live ones too: here no
write culls, and only expired entries go, deleted by the delivery worker's sweep, so no flood of
new keys can wipe the counts of others (and a throttled POST writes nothing).
"""

from __future__ import annotations

import base64
import pickle
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.functional import cached_property


def count(store: Any, periods: dict[str, int]) -> None:
    """One more in each counter of `periods` (key: seconds a counter made now lives), in any
    cache: the database's in one transaction, Redis's in one script; another as
    django-ratelimit counts."""
    if callable(counting := getattr(store, "count", None)):  # also through a cache proxy
        counting(periods)
        return
    for key, period in sorted(periods.items()):  # one order for every process
        if not store.add(key, 1, period):
            with suppress(ValueError):  # it expired between the two: the window is over
                store.incr(key)


FOREVER = datetime.max.replace(microsecond=0)


class CountingDatabaseCache(DatabaseCache):
    """DatabaseCache whose incr is atomic and keeps the entry's expiry, whose add and set are one
    statement each, and which counts several windows at once."""

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version=None) -> bool:
        """Django's add, in one upsert: a new entry, or one in place of an expired entry. Django's
        counts the table, reads the entry and, when it is live (at every count but a window's
        first), tries an INSERT that fails: six statements for each count of each limit. Expired
        entries are deleted by the sweep, so there is nothing to cull here."""
        key = self.make_and_validate_key(key, version=version)
        return self._upsert({key: (value, self._expiry(timeout))}, only_expired=True) == 1

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version=None) -> None:
        """Django's set, in one upsert (Django's counts the table, reads the entry, then writes)."""
        key = self.make_and_validate_key(key, version=version)
        self._upsert({key: (value, self._expiry(timeout))})

    def count(self, periods: dict[str, int]) -> None:
        """One more in each counter (key: seconds a counter made now lives), in one transaction:
        make the missing and expired ones at 0, read them all locked, write them all back."""
        if not periods:
            return
        made = {self.make_and_validate_key(k): self._expiry(s) for k, s in periods.items()}
        keys = sorted(made)
        db, connection, table, key_column, value_column, _expires = self._table_sql()
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Sorted keys: two transactions lock the same rows in the same order (no deadlock).
        with transaction.atomic(using=db, savepoint=False):
            self._upsert({key: (0, made[key]) for key in keys}, only_expired=True)
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(keys))
                cursor.execute(
                    f"SELECT {key_column}, {value_column} FROM {table} "
                    f"WHERE {key_column} IN ({marks}) ORDER BY {key_column}{lock}",
                    keys,
                )
                counts = {k: pickle.loads(base64.b64decode(v.encode())) for k, v in cursor}
            self._upsert({k: (counts[k] + 1, FOREVER) for k in keys}, keep_expiry=True)

    def _table_sql(self) -> tuple[str, Any, str, str, str, str]:
        """The database this cache writes to, its connection, and its table's and columns' names
        quoted for it: (db, connection, table, cache_key, value, expires)."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        names = (quote(self._table), quote("cache_key"), quote("value"), quote("expires"))
        return (db, connection, *names)

    def _expiry(self, timeout: Any) -> datetime:
        timeout = self.get_backend_timeout(timeout)
        return (
            FOREVER
            if timeout is None
            else datetime.fromtimestamp(timeout, tz=UTC).replace(microsecond=0)
        )

    def _upsert(
        self,
        rows: dict[str, tuple[Any, datetime]],
        only_expired: bool = False,
        keep_expiry: bool = False,
    ) -> int:
        """Write each row (key: value, expiry) in one statement; how many were written.
        `only_expired` leaves a live entry as it is; `keep_expiry` leaves an entry's expiry."""
        _db, connection, table, key_column, value_column, expires = self._table_sql()
        adapt = connection.ops.adapt_datetimefield_value
        params: list[Any] = []
        for key, (value, until) in rows.items():
            params += [key, self._encode(value), adapt(until)]
        updates = f"{value_column} = excluded.{value_column}"
        if not keep_expiry:
            updates += f", {expires} = excluded.{expires}"
        condition = ""
        if only_expired:
            condition = f" WHERE {table}.{expires} < %s"
            params.append(adapt(timezone.now().replace(microsecond=0)))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {value_column}, {expires}) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(rows))
                + f" ON CONFLICT ({key_column}) DO UPDATE SET {updates}{condition}",
                params,
            )
            return cursor.rowcount

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db, connection, table, key_column, value_column, _expires = self._table_sql()
        # FOR UPDATE holds the row on PostgreSQL; SQLite takes the write lock at BEGIN (the
        # portal opens SQLite transactions IMMEDIATE), which serialises the same way. Within a
        # batch no savepoint is needed: the batch is one transaction.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db, savepoint=False), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value_column} FROM {table} WHERE {key_column} = %s{lock}", [key]
            )
            row = cursor.fetchone()
            if row is not None:
                value = pickle.loads(base64.b64decode(row[0].encode())) + delta
                cursor.execute(
                    f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s",
                    [self._encode(value), key],
                )
        if row is None:  # raised outside the transaction, which stays usable
            raise ValueError(f"Key '{key}' not found")
        return value

    def _encode(self, value: Any) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def batch(self) -> transaction.Atomic:
        """Several writes in one transaction: one commit, and on SQLite one wait for the lock."""
        return transaction.atomic(using=router.db_for_write(self.cache_model_class))

    def _cull(self, db: str, cursor: Any, now: Any, num: int) -> None:
        self._delete_expired(db, cursor, now)

    def delete_expired(self) -> int:
        """Delete the entries whose time is over; how many went."""
        db = router.db_for_write(self.cache_model_class)
        with connections[db].cursor() as cursor:
            return self._delete_expired(db, cursor, timezone.now().replace(microsecond=0))

    def _delete_expired(self, db: str, cursor: Any, now: Any) -> int:
        connection = connections[db]
        table, expires = (
            connection.ops.quote_name(self._table),
            connection.ops.quote_name("expires"),
        )
        cursor.execute(
            f"DELETE FROM {table} WHERE {expires} < %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount


# Each key: made at 0 with its window's lifetime where there is none, then one more. A script runs
# at once and sees one moment (no key expires between the two), as no MULTI of Redis 6 promises.
_COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  redis.call('INCR', key)
end
"""


class CountingRedisCache(RedisCache):
    """Django's RedisCache, which counts several windows at once: one round trip, where
    django-ratelimit's add and incr take three for each live window (SET NX, then Django's incr:
    EXISTS and INCR), twelve for a ticket's four. Keys and values are RedisCache's own (a count
    is a plain integer), so its get_many reads them."""

    def count(self, periods: dict[str, int]) -> None:
        if not periods:
            return
        keys = sorted(periods)  # the same order as the other stores (no reason of Redis's own)
        client = self._cache.get_client(write=True)
        made = [self.make_and_validate_key(key) for key in keys]
        self._count_script(
            keys=made, args=[max(1, int(periods[key])) for key in keys], client=client
        )

    @cached_property
    def _count_script(self) -> Any:
        # Made once (its SHA1 with it); redis-py sends the script again where Redis lost it.
        return self._cache.get_client(write=True).register_script(_COUNT_SCRIPT)
