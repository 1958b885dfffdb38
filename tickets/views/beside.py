"""Work a request does beside itself while the helpdesk answers it (helpdesk.client.meanwhile).

A person's POST waits tens or hundreds of milliseconds for the API; what it would do before or
after that wait but does not need the answer for (its status page, its count against the
throttles) is handed to a small pool of threads in each process, one for each of a worker's
request threads (PORTAL_WEB_THREADS), and done in the wait.

Each job runs in the place of the request that handed it over: its language, time zone,
script prefix (a portal served under a path) and URLconf, which Django keeps per thread. A job
that uses the database gets what a request gets: a connection that is unusable, or older than
CONN_MAX_AGE, is closed before and after it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections
from django.urls import (
    clear_script_prefix,
    get_script_prefix,
    get_urlconf,
    set_script_prefix,
    set_urlconf,
)
from django.utils import timezone, translation

T = TypeVar("T")
THREAD_NAME = "beside-request"
# Seconds a request waits for its work still being done beside it before it does it itself.
WAIT = 2.0


def submit(work: Callable[..., T], *args: Any) -> Future[T]:
    """`work(*args)` in a thread of the pool, in this request's place."""
    return _pool().submit(_run, _Place.here(), work, args)


@dataclass(frozen=True)
class _Place:
    """What of the request's own thread a job reads."""

    language: str | None
    zone: tzinfo
    script_prefix: str
    urlconf: str | None

    @classmethod
    def here(cls) -> _Place:
        zone = timezone.get_current_timezone()
        return cls(translation.get_language(), zone, get_script_prefix(), get_urlconf())

    @contextmanager
    def entered(self) -> Iterator[None]:
        set_script_prefix(self.script_prefix)
        set_urlconf(self.urlconf)
        try:
            with translation.override(self.language), timezone.override(self.zone):
                yield
        finally:
            clear_script_prefix()
            set_urlconf(None)


def _run(place: _Place, work: Callable[..., T], args: tuple) -> T:
    close_old_connections()
    try:
        with place.entered():
            return work(*args)
    finally:
        close_old_connections()


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """This process's pool: a worker forked from a process that had one starts its own (the
    threads stay behind in the parent)."""
    pid = os.getpid()
    pool = _pools.get(pid)
    if pool is None:
        with _pools_lock:
            pool = _pools.setdefault(
                pid, ThreadPoolExecutor(settings.PORTAL_WEB_THREADS, thread_name_prefix=THREAD_NAME)
            )
    return pool


def close() -> None:
    """Close every pool thread's database connections, then the pool (the tests do at their end:
    a connection left open keeps a test database from being dropped)."""
    pool = _pools.pop(os.getpid(), None)
    if pool is None:
        return
    threads = pool._max_workers
    each = threading.Barrier(threads)  # one job a thread: all of them are there at once

    def close_connections() -> None:
        each.wait(WAIT)
        connections.close_all()

    for job in [pool.submit(close_connections) for _ in range(threads)]:
        job.result()
    pool.shutdown()
