"""Shared fixtures. The schema check runs once, as it does for runserver and migrate."""

import signal

import pytest
from django.core.management import call_command

# make test runs the stack tests and the PostgreSQL pass as background jobs of its shell, which
# start with Ctrl-C's SIGINT ignored; its trap stops them with SIGINT, which pytest then takes as
# Ctrl-C: it tears its fixtures down, and they stop the servers and processes they started.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_report_header(config) -> str:
    """Which database and cache this run is on (make test runs the suite on SQLite, and the
    integration tests beside it on PostgreSQL with Redis, tests/on_postgres.py)."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = "Redis" if settings.REDIS_URL else "no Redis (the database)"
    return f"portal on: {engine}; rate counters and throttles: {redis}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite in a file, as the portal's own (WAL, a wait for the write lock), not in memory:
    connections to the in-memory database share one cache, where a second writer fails at once
    ("database table is locked") instead of waiting its turn, as when a POST's first attempt
    waits for the sandbox API, which writes the ticket in the same database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test = database.setdefault("TEST", {})
        test["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _system_checks(django_db_setup):
    # A broken schema file stops the test run, as it stops runserver and migrate.
    call_command("check", fail_level="ERROR")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate counters and a remembered ban live in the cache, used challenges and returning
    # senders in the throttle cache (a table no flush empties): each test starts with none. With
    # REDIS_URL, clearing either empties the throttles' buckets in that Redis too.
    from contextlib import suppress

    from django.core.cache import caches

    def clear():
        caches["default"].clear()
        with suppress(Exception):  # a test without the database has no throttle table to clear
            caches["throttle"].clear()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _fresh_form_html():
    # A fresh form's HTML is rendered once per (form class, language), with the settings of the
    # test that first rendered it (file limits, ...): each test renders its own.
    from tickets.templatetags import ticket_forms

    ticket_forms.clear()
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Uploaded attachments (and sandbox files) never land in the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test counts its API requests afresh (the governor's store is per file).
    settings.TICKETS_API_RATE_FILE = tmp_path / "api-rate.sqlite3"
    # Tests fill forms faster than a person; the bot check has tests of its own.
    settings.TICKETS_MIN_FILL_SECONDS = 0
    # Tests send many tickets from one address; the throttles have tests of their own.
    settings.TICKETS_THROTTLE_ADDRESS = []
    settings.TICKETS_THROTTLE_FORM = []
    settings.TICKETS_THROTTLE_PORTAL = []


@pytest.fixture
def client():
    """Django's test client, posting from the portal's own pages as a browser does."""
    from django.test import Client

    return Client(headers={"Origin": "http://testserver"})


@pytest.fixture
def sandbox_api(live_server, settings) -> str:
    """Point the portal at the built-in sandbox, spoken to over real HTTP."""
    settings.TICKETS_API_URL = f"{live_server.url}/sandbox/api/v2"
    # The sandbox's rate counts live for the whole run; tests of the limit set their own.
    settings.SANDBOX_RATE_LIMIT = 0
    from sandbox import ratelimit

    ratelimit.forget()
    return settings.TICKETS_API_URL


@pytest.fixture
def use_schema(settings, tmp_path):
    """use_schema(document): the portal (and its sandbox) serve this schema from now on."""
    import json

    from tickets.schema import clear_cache

    def use(document: dict):
        path = tmp_path / "schema.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        settings.TICKETS_SCHEMA_FILE = path
        clear_cache()
        return path

    yield use
    clear_cache()


@pytest.fixture
def base_url(live_server) -> str:
    """The sandbox API's base address on the live server."""
    return live_server.url + "/sandbox/api/v2/"


@pytest.fixture
def api(base_url):
    """A requests session with the sandbox's credentials; `api.url(path)` joins the base."""
    import requests
    from django.conf import settings

    session = requests.Session()
    session.auth = (settings.SANDBOX_API_EMAIL, settings.SANDBOX_API_KEY)
    session.url = lambda path: base_url + path
    yield session
    session.close()


@pytest.fixture
def articles(settings, sandbox_api):
    """Suggestions on, and the portal's copy of the sandbox's knowledge base read in full: its
    articles, oldest first."""
    import io

    from django.core.cache import cache

    from tickets.knowledge import sync
    from tickets.models import Article

    settings.TICKETS_ARTICLES = True
    cache.delete(sync.LAST_KEY)
    cache.delete(sync.FULL_KEY)
    call_command("sync_articles", "--full", stdout=io.StringIO())
    return Article.objects.order_by("pk")
