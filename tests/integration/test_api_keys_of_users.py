"""No user's API key is kept or logged by the portal.

The helpdesk shows every user's own `api_key` in its answers about users when the portal's
account is the main administrator, and the sandbox does the same (sandbox.serializers.user). The
portal runs its real look-ups against the sandbox over HTTP (a staff member's searches for
clients and owners, a filing for a client, its confirmation, the person look-up, and a lost
answer settled by the worker), then no seeded user's key may be in any row of the portal's
tables, in anything written to its caches, in a log record or on stdout and stderr.
"""

from __future__ import annotations

import logging
import pickle
import re
from typing import Any

import pytest
import requests
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client

from sandbox.models import User
from sandbox.serializers import api_key_of
from tests.integration.test_delivery import _quick_delivery  # noqa: F401  (fixture)
from tests.integration.test_lost_answers import every_create_lost
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    hidden_value,
    make_due,
    run_worker,
)
from tests.stub_server import stub_server
from tickets.helpdesk import directory
from tickets.models import StaffAccount, Submission

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "/staff/forms/support/"
REQUIRED = {
    "title": "Phoned in: checkout broken",
    "description": "The client called about the payment step.",
    "cf_96": "A-100",
    "cf_100_0": "200",
    "cf_100_1": "209",
}

# What the portal wrote to its caches: each key and value, pickled as a cache would keep them.
WRITTEN: list[bytes] = []


class RecordingCache(LocMemCache):
    """Django's local-memory cache that also keeps every key and value written to it, so that
    the test reads what the portal cached, whatever has expired or been replaced since."""

    def add(self, key: str, value: Any, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        WRITTEN.append(pickle.dumps((key, value), pickle.HIGHEST_PROTOCOL))
        return super().add(key, value, timeout, version)

    def set(self, key: str, value: Any, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        WRITTEN.append(pickle.dumps((key, value), pickle.HIGHEST_PROTOCOL))
        super().set(key, value, timeout, version)


@pytest.fixture
def recorded_caches(settings):
    """Both caches of the portal (the default and the throttle store) record what they take."""
    backend = f"{__name__}.RecordingCache"
    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": "api-keys-default"},
        "throttle": {"BACKEND": backend, "LOCATION": "api-keys-throttle"},
    }
    WRITTEN.clear()
    yield WRITTEN
    WRITTEN.clear()


@pytest.fixture
def every_log(caplog):
    """Every logger at DEBUG into caplog, those that do not pass their records up included."""
    caplog.set_level(logging.DEBUG)
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        caplog.set_level(logging.DEBUG, logger=logger.name)
    apart = [logger for logger in loggers if not logger.propagate]
    for logger in apart:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in apart:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def agent(db):
    # Her email is the helpdesk's Olena Koval (staff user 2): she is found by it.
    return get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", "pw-olena-123", is_staff=True
    )


@pytest.fixture
def staff_client(agent, sandbox_api):
    """A staff member signed in through the sign-in page."""
    client = Client()
    response = client.post("/staff/login/", {"username": "olena", "password": "pw-olena-123"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return client


def token(client) -> str:
    response = client.get(FORM)
    assert response.status_code == 200
    return hidden_value(response, "form_token")


def for_ada(client) -> dict[str, Any]:
    """A staff filing for the client Ada Lovelace (picked by id), assigned, with followers."""
    return {
        **REQUIRED,
        "form_token": token(client),
        "user_id": "1001",
        "user_email": "ada@example.com",
        "owner_id": "3",
        "followers": ["1", "2"],
    }


def confirmation_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert re.match(r"^/staff/tickets/[^/]+/$", response["Location"])
    return response["Location"]


def portal_tables() -> str:
    """Every row of every table but the sandbox's, as text; the sessions' data decoded."""
    sandbox = {
        model._meta.db_table
        for model in apps.get_app_config("sandbox").get_models(include_auto_created=True)
    }
    lines = []
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names()) - sandbox):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                lines.append(f"{table}: " + " | ".join(map(_as_text, row)))
    lines.extend(f"session: {session.get_decoded()}" for session in Session.objects.all())
    return "\n".join(lines)


def _as_text(cell: Any) -> str:
    if isinstance(cell, bytes | bytearray | memoryview):
        return bytes(cell).decode("utf-8", "replace")
    return str(cell)


def log_text(caplog) -> str:
    """Each record's message, its arguments, extras and traceback, as any formatter could
    write them (LOG_FORMAT=json writes extra fields too)."""
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r} {record.exc_text or ''}"
        for record in caplog.records
    )


def test_no_users_api_key_is_kept_or_logged(
    staff_client, agent, sandbox_api, settings, recorded_caches, every_log, capfd
):
    # The sandbox answers as the real API does to the main administrator's key: keys included.
    auth = (django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY)
    shown = requests.get(f"{sandbox_api}/users/", auth=auth, timeout=10).json()["data"]
    assert all(user.get("api_key") for user in shown)

    # The staff pages' look-ups: clients, owners and followers, and the agent's own account.
    found = staff_client.get("/staff/api/clients/", {"q": "example.com"}).json()["results"]
    assert {"id": 1001, "name": "Ada Lovelace", "email": "ada@example.com"} in found
    owners = staff_client.get("/staff/api/staff/", {"q": "o"}).json()["results"]
    assert {person["id"] for person in owners} >= {1, 2}

    # A filing for a client picked by id (the person looked up), and its confirmation (the
    # client named from the cached look-up).
    confirmation = confirmation_of(staff_client.post(FORM, for_ada(staff_client)))
    assert "Ada Lovelace" in staff_client.get(confirmation).content.decode()
    assert StaffAccount.objects.get(user=agent).helpdesk_user_id == 2

    # The person look-up itself, through the real client.
    assert directory.person(1002).email == "grace@example.com"

    # A filing whose answer is lost: the worker looks it up (tickets and their posts) and
    # settles it, the client looked up through the same stub on the way in.
    with stub_server(every_create_lost(sandbox_api)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        lost = confirmation_of(staff_client.post(FORM, for_ada(staff_client)))
        assert "users/1001/" in " ".join(request.path for request in seen)
        make_due()
        run_worker()
    settings.TICKETS_API_URL = sandbox_api
    assert staff_client.get(lost).status_code == 200
    assert list(Submission.objects.values_list("state", flat=True)) == ["filed", "filed"]
    assert sum(1 for request in seen if request.method == "POST") == 1  # found, not sent again

    keys = {user.pk: api_key_of(user) for user in User.objects.all()}
    assert len(set(keys.values())) == len(keys) >= 8

    def whose_keys(text: str | bytes) -> list[int]:
        """The users whose API key is somewhere in `text`."""
        if isinstance(text, bytes):
            return [user for user, key in keys.items() if key.encode() in text]
        return [user for user, key in keys.items() if key in text]

    tables = portal_tables()
    assert "ada@example.com" in tables  # the dump does read the portal's rows
    assert whose_keys(tables) == [], "a user's API key is in the portal's database"

    cached = b"\n".join(recorded_caches)
    assert b"directory:staff" in cached and b"grace@example.com" in cached
    assert whose_keys(cached) == [], "a user's API key was written to a cache"

    logged = log_text(every_log)
    assert "users/" in logged  # the exchanges with the API were logged at DEBUG
    assert whose_keys(logged) == [], "a user's API key was logged"

    out, err = capfd.readouterr()
    assert whose_keys(out + err) == [], "a user's API key was written to stdout or stderr"
