"""/healthz answers whenever the process does; /readyz says, as JSON with 200 or 503, whether
the portal can take and deliver tickets: it goes unhealthy when no worker has swept lately, the
backlog grows old, or the rate store is gone, and healthy again after. No probe calls the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    closed_port_url,
    confirmation_key,
    get_token,
    make_due,
    run_worker,
    valid_post_data,
)
from tickets.delivery import tasks
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def ready(client):
    """What a signed-in staff user reads: each check's finding (anyone else: up or down, and a
    count)."""
    from django.contrib.auth.models import User

    staff, _new = User.objects.get_or_create(username="monitor", is_staff=True)
    client.force_login(staff)
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    answer = response.json()
    failed = sum(
        said != "OK" and not said.startswith("Warning") for said in answer["report"].values()
    )
    assert answer["checks"] == failed
    assert answer["status"] == ("down" if response.status_code == 503 else "ok")
    return response.status_code, answer["report"]


def failing(report: dict) -> dict:
    return {check: said for check, said in report.items() if said != "OK"}


def swept_by_a_worker() -> None:
    tasks.sweep.enqueue()
    run_worker()


def test_healthz_is_the_process_alone(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_once_a_worker_swept_and_not_when_none_has(client, settings):
    status, report = ready(client)
    assert status == 503
    assert failing(report) == {
        "DeliveryWorker()": "Unavailable: no delivery worker is running (last seen never)"
    }
    swept_by_a_worker()
    status, report = ready(client)
    assert status == 200 and failing(report) == {}
    assert set(report) >= {"Database(alias='default')", "Cache(alias='default')",
                           "Cache(alias='throttle')", "RateStore()", "Schema()", "Backlog()"}  # fmt: skip
    # The worker stops: its last sweep grows older than three sweeps' time.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(minutes=5))
    status, report = ready(client)
    assert status == 503 and "last seen 300 s ago" in failing(report)["DeliveryWorker()"]


def test_an_old_backlog_is_not_ready_and_ready_again_once_filed(client, sandbox_api, settings):
    swept_by_a_worker()
    settings.TICKETS_API_URL = closed_port_url()
    confirmation_key(client.post("/forms/support/", valid_post_data(get_token(client))))
    status, report = ready(client)
    assert status == 200  # waiting, but not for long
    assert report["Helpdesk()"] == "Warning: the API could not be reached at the last attempt"
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=2))
    status, report = ready(client)
    assert status == 503 and failing(report)["Backlog()"].startswith(
        "Unavailable: the oldest waiting submission"
    )
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    assert Submission.objects.get().state == "filed"
    status, _report = ready(client)
    assert status == 200


def test_a_rate_store_that_is_gone_is_not_ready(client, settings):
    swept_by_a_worker()
    settings.REDIS_URL = closed_port_url().replace("http", "redis")
    status, report = ready(client)
    assert status == 503 and failing(report) == {
        "RateStore()": "Unavailable: the API rate store cannot be used"
    }


def test_no_probe_calls_the_api(client, settings):
    from tests.stub_server import stub_server

    with stub_server(lambda request: (200, "application/json", b"{}")) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        for _ in range(3):
            client.get("/readyz")
            client.get("/healthz")
    assert seen == []


def test_anyone_else_is_told_up_or_down_and_a_count_alone(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "checks": 1}  # no delivery worker yet
    swept_by_a_worker()
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "checks": 0}
    client.force_login(_user(is_staff=False))
    assert set(client.get("/readyz").json()) == {"status", "checks"}


def _user(is_staff: bool):
    from django.contrib.auth.models import User

    return User.objects.create_user("someone", password="a long password", is_staff=is_staff)


def test_a_database_that_cannot_be_reached_is_not_ready(client):
    """The database check asks the portal's own table; a database that cannot be opened (a
    path or a name that is not there, as after a failover to a wrong address) is Unavailable,
    and the probe says down."""
    from django.db import connections

    from tickets.views import health

    swept_by_a_worker()
    assert health._result(health.Database()) is None
    connection = connections["default"]
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "/nonexistent/portal/database"
    try:
        finding = health._result(health.Database())
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
    assert str(finding) == "Unavailable: the database cannot be used"
    assert response.status_code == 503 and response.json()["status"] == "down"
    assert health._result(health.Database()) is None
