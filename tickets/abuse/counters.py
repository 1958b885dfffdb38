"""The store throttles count in when there is no Redis: Django's database cache, made atomic.

django-ratelimit counts with `cache.add()` then `cache.incr()`. Django's DatabaseCache implements
incr as a get and a set: two processes can both read N and write N + 1, and the set moves the
entry's expiry to the cache's default timeout, so a day's count could vanish after minutes. Here
incr locks the row and updates the value alone, in one transaction, so every process's POST counts
once and a window lasts as long as it was made to; add is one upsert. Past MAX_ENTRIES Django's
cache deletes a third of all entries, live ones too: here only expired ones go (the sweep deletes
them as well), so no flood of new keys can wipe the counts of others.
"""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


class CountingDatabaseCache(DatabaseCache):
    """DatabaseCache whose incr is atomic and keeps the entry's expiry, and whose add is one
    statement."""

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version=None) -> bool:
        """Django's add, in one upsert: a new entry, or one in place of an expired entry. Django's
        counts the table, reads the entry and, when it is live (at every count but a window's
        first), tries an INSERT that fails: six statements for each count of each limit. Expired
        entries are deleted by the sweep, so there is nothing to cull here."""
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key_column, expires = quote(self._table), quote("cache_key"), quote("expires")
        now = timezone.now().replace(microsecond=0)
        timeout = self.get_backend_timeout(timeout)
        until = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {quote('value')}, {expires}) "
                f"VALUES (%s, %s, %s) ON CONFLICT ({key_column}) DO UPDATE SET "
                f"{quote('value')} = excluded.{quote('value')}, {expires} = excluded.{expires} "
                f"WHERE {table}.{expires} < %s",
                [key, self._encode(value), adapt(until.replace(microsecond=0)), adapt(now)],
            )
            return cursor.rowcount == 1

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, value_column, key_column = quote(self._table), quote("value"), quote("cache_key")
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
