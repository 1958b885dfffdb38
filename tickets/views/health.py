"""/healthz and /readyz, built on django-health-check, as JSON (and text or HTML on request).

/healthz: the process answers; nothing else is asked, so a busy database never restarts it.
/readyz: it can take and deliver tickets: the database, the caches, the API rate store, the
schema, a delivery worker seen lately and a backlog younger than TICKETS_READY_BACKLOG_SECONDS.
No probe calls the API: the helpdesk's state is what the last attempts found (a ban, an outage),
reported as a warning that does not fail the probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView

from ..delivery import backlog
from ..helpdesk.governor import get_governor
from ..schema.parsing import SchemaError
from ..schema.service import get_schema


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


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


@contextlib.contextmanager
def _one_thread() -> Iterator[ThreadPoolExecutor]:
    """The checks' thread, whose database connections are closed when they are done: a thread
    of the loop's default executor would leave one open per probe."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            yield pool
        finally:
            pool.submit(connections.close_all).result()


class ReadyView(HealthCheckView):
    checks = [
        "health_check.checks.Database",
        ("health_check.checks.Cache", {"alias": "default"}),
        ("health_check.checks.Cache", {"alias": "throttle"}),
        RateStore,
        Schema,
        DeliveryWorker,
        Backlog,
        Helpdesk,
    ]

    def get_executor(self):
        return _one_thread()

    async def get(self, request, *args, **kwargs):
        # Always JSON, 503 when not ready; a warning (the helpdesk's last state) never fails it.
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failing = [r for r in self.results if r.error and not isinstance(r.error, ServiceWarning)]
        return self.render_to_response_json(503 if failing else 200)
