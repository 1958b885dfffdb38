"""/healthz and /readyz, as JSON.

/healthz: the process answers; nothing else is asked, so a busy database never restarts it.
/readyz: it can take and deliver tickets: the database, the caches, the API rate store, the
schema, a delivery worker seen lately and a backlog younger than TICKETS_READY_BACKLOG_SECONDS.
It says up or down and how many checks failed; each check's finding to signed-in staff alone.
No probe calls the API: the helpdesk's state is what the last attempts found (a ban, an outage),
reported as a warning that does not fail the probe.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ..delivery import backlog
from ..helpdesk.governor import get_governor
from ..models import Submission
from ..schema.parsing import SchemaError
from ..schema.service import get_schema

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class Finding(Exception):
    """What a check found wrong, as the report says it ("Unavailable: the cache ...")."""

    kind = "Unavailable"

    def __str__(self) -> str:
        return f"{self.kind}: {self.args[0]}"


class ServiceUnavailable(Finding):
    """The part cannot be used: the probe fails."""


class ServiceWarning(Finding):
    """Reported, but the portal can still take tickets: the probe does not fail."""

    kind = "Warning"


@dataclasses.dataclass
class HealthCheck:
    """One readiness check: run() returns when its part is usable, else raises a Finding. Its
    repr names it in the report."""

    def run(self) -> None:
        raise NotImplementedError


@dataclasses.dataclass
class Database(HealthCheck):
    """The database answers a query on the portal's own tables."""

    alias: str = "default"

    def run(self) -> None:
        try:
            Submission.objects.using(self.alias).exists()
        except DatabaseError:
            raise ServiceUnavailable("the database cannot be used") from None


@dataclasses.dataclass
class Schema(HealthCheck):
    """The schema file loads (the last good one is served while a broken edit waits)."""

    def run(self) -> None:
        try:
            get_schema()
        except SchemaError as error:
            raise ServiceUnavailable(f"the schema file does not load: {error.path}") from None


@dataclasses.dataclass
class RateStore(HealthCheck):
    """The store the rate governor counts the API's requests in (a SQLite file, or Redis)."""

    def run(self) -> None:
        try:
            get_governor().pause.until()
        except Exception:
            raise ServiceUnavailable("the API rate store cannot be used") from None


@dataclasses.dataclass
class DeliveryWorker(HealthCheck):
    """A delivery worker swept lately."""

    def run(self) -> None:
        seen = backlog.worker_seen()
        if not backlog.worker_alive(seen):
            ago = f"{(timezone.now() - seen).total_seconds():.0f} s ago" if seen else "never"
            raise ServiceUnavailable(f"no delivery worker is running (last seen {ago})")


@dataclasses.dataclass
class Backlog(HealthCheck):
    """The oldest submission still waiting to be filed is younger than the threshold."""

    def run(self) -> None:
        oldest = backlog.oldest_waiting()
        if oldest is None:
            return
        age = (timezone.now() - oldest).total_seconds()
        if age > settings.TICKETS_READY_BACKLOG_SECONDS:
            raise ServiceUnavailable(f"the oldest waiting submission is {age:.0f} s old")


@dataclasses.dataclass
class Helpdesk(HealthCheck):
    """What the last attempts found of the API: a ban or an outage warns, never fails."""

    def run(self) -> None:
        try:
            governor = get_governor()
            paused, down = governor.pause.until() - time.time(), governor.down_for()
        except Exception:
            return  # RateStore says so
        if paused > 0:
            raise ServiceWarning(f"sending to the API is paused for {paused:.0f} s")
        if down > 0:
            raise ServiceWarning("the API could not be reached at the last attempt")


@dataclasses.dataclass
class Cache(HealthCheck):
    """A cache answers a write and a read (the default one, and the throttle store)."""

    alias: str = "default"

    def run(self) -> None:
        key, value = f"tickets.readyz.{uuid.uuid4().hex}", time.time()
        try:
            store = caches[self.alias]
            store.set(key, value, 5)
            seen = store.get(key)
            store.delete(key)
        except Exception:
            raise ServiceUnavailable("the cache cannot be used") from None
        if seen != value:
            raise ServiceUnavailable("the cache did not keep a value")


CHECKS: list[HealthCheck] = [
    Database(),
    Cache("default"),
    Cache("throttle"),
    RateStore(),
    Schema(),
    DeliveryWorker(),
    Backlog(),
    Helpdesk(),
]


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Every check, one after the other in this request; 503 when one fails (a warning does not
    fail). Each store's own client gives up within seconds (the database's connect timeout,
    Redis's socket timeouts, SQLite's busy timeout), so a probe that is not answered in time is
    as good as a failure.

    Anyone is told up or down and how many checks failed; what each check found (the stores, the
    worker, the backlog) is for a signed-in staff user alone."""
    report, failed = {}, 0
    for check in CHECKS:
        error = _result(check)
        report[repr(check)] = "OK" if error is None else str(error)
        failed += error is not None and not isinstance(error, ServiceWarning)
    answer: dict = {"status": "down" if failed else "ok", "checks": failed}
    if request.user.is_authenticated and request.user.is_staff:
        answer["report"] = report
    return JsonResponse(answer, status=503 if failed else 200)


def _result(check: HealthCheck) -> Finding | None:
    try:
        check.run()
        return None
    except Finding as error:
        return error
    except Exception:
        logger.exception("The readiness check %r broke", check)
        return Finding("the check broke (see the log)")
