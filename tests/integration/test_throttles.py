"""Throttles on new tickets, per sender's address, per form and for the whole portal, counted in
the database (and in Redis): over a limit the form comes back with HTTP 429, what was typed and
when to send again; nothing is kept or queued; other senders file as always."""

import json
import time

import pytest

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    assert_values_kept,
    confirmation_key,
    error_summary,
    get_token,
    resent_key,
    valid_post_data,
)
from tests.stack import need_redis, redis_server
from tests.stub_server import stub_server
from tickets.abuse import throttles
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def send(client, address: str, url: str = FORM_URL, **headers):
    token = get_token(client) if url == FORM_URL else _token(client, url)
    extra = {"cf_109": "INV-2026-0001"} if "billing" in url else {}
    return client.post(url, valid_post_data(token, **extra), REMOTE_ADDR=address, **headers)


def _token(client, url):
    import re

    return re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())[1]


def assert_throttled(response, says: str) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    summary = error_summary(response)
    assert says in summary and "everything you entered is still here" in summary, summary
    assert_values_kept(response)


@pytest.fixture(params=["database", "redis"])
def store(request, settings, tmp_path):
    """The throttle store as deployed: the database's table, or Redis with REDIS_URL."""
    if request.param == "database":
        settings.CACHES = {
            **settings.CACHES,
            "throttle": {"BACKEND": "tickets.abuse.counters.CountingDatabaseCache",
                         "LOCATION": "tickets_throttle"},
        }  # fmt: skip
        yield request.param
        return
    need_redis()
    with redis_server(tmp_path) as url:
        settings.CACHES = {
            **settings.CACHES,
            "throttle": {"BACKEND": "tickets.abuse.counters.CountingRedisCache",
                         "LOCATION": url, "KEY_PREFIX": "throttle"},
        }  # fmt: skip
        yield request.param


def test_one_address_is_throttled_while_another_files(client, sandbox_api, settings, store):
    settings.TICKETS_THROTTLE_ADDRESS = ["3/h", "10/d"]
    for _ in range(3):
        confirmation_key(send(client, "192.0.2.10"))
    assert_throttled(
        send(client, "192.0.2.10"), "Too many tickets have been sent from your network"
    )
    confirmation_key(send(client, "192.0.2.11"))
    assert Submission.objects.count() == Ticket.objects.count() == 4


def test_what_counts_is_a_new_ticket_not_a_form_sent_back(client, sandbox_api, settings):
    settings.TICKETS_THROTTLE_ADDRESS = ["2/h"]
    for _ in range(5):  # mistakes cost nothing
        response = client.post(FORM_URL, valid_post_data(get_token(client), title=""),
                               REMOTE_ADDR="192.0.2.20")  # fmt: skip
        assert response.status_code == 200
    token = get_token(client)
    first = confirmation_key(
        client.post(FORM_URL, valid_post_data(token), REMOTE_ADDR="192.0.2.20")
    )
    # The same rendered form sent twice (a double click) is one ticket, counted once.
    again = client.post(FORM_URL, valid_post_data(token), REMOTE_ADDR="192.0.2.20")
    assert resent_key(again) == first
    confirmation_key(send(client, "192.0.2.20"))
    assert_throttled(send(client, "192.0.2.20"), "from your network")
    assert Ticket.objects.count() == 2


def test_a_ticket_is_counted_while_its_attempt_waits_for_the_api(client, settings):
    # Counted only after the attempt, every POST sent while the API was slow to answer the first
    # would have found the limit unused. It is counted beside the attempt as the request goes
    # out (views/beside.py): the stub API holds its answer until another sender is refused.
    settings.TICKETS_THROTTLE_FORM = ["1/h"]
    refusals = []

    def answer(request):
        refusal, held_until = None, time.monotonic() + 5
        while refusal is None and time.monotonic() < held_until:
            refusal = throttles.Sender("another sender", "support").refusal()
            time.sleep(0.01)
        refusals.append(refusal)
        return 201, "application/json", json.dumps({"data": {"id": 1, "unique_id": "A-1"}}).encode()

    with stub_server(answer) as (url, _seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    assert len(refusals) == 1 and refusals[0].scope == throttles.FORM


def test_an_ipv6_sender_counts_as_its_64_and_proxies_are_believed_only_as_configured(
    client, sandbox_api, settings
):
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    confirmation_key(send(client, "2001:db8:1:2::1"))
    assert_throttled(send(client, "2001:db8:1:2:ffff::9"), "from your network")  # same /64
    confirmation_key(send(client, "2001:db8:1:3::1"))  # another /64
    # Behind one trusted proxy the sender is the address it saw, not the proxy's own.
    settings.TICKETS_TRUSTED_PROXIES = 1
    proxy = "10.9.9.9"
    confirmation_key(send(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.1"))
    confirmation_key(send(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"))
    forged = "198.51.100.1, 198.51.100.3"  # what the sender wrote comes first: not believed
    confirmation_key(send(client, proxy, HTTP_X_FORWARDED_FOR=forged))
    assert_throttled(send(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"), "from your network")


def test_a_form_and_the_portal_have_limits_for_all_senders(client, sandbox_api, settings, store):
    settings.TICKETS_THROTTLE_FORM = ["2/h"]
    confirmation_key(send(client, "192.0.2.30"))
    confirmation_key(send(client, "192.0.2.31"))
    assert_throttled(send(client, "192.0.2.32"), "This form has received very many tickets")
    confirmation_key(send(client, "192.0.2.32", url="/forms/billing/"))  # another form
    settings.TICKETS_THROTTLE_FORM = []
    settings.TICKETS_THROTTLE_PORTAL = ["2/h"]  # counted from now on
    confirmation_key(send(client, "192.0.2.33", url="/forms/billing/"))
    confirmation_key(send(client, "192.0.2.34"))
    response = send(client, "192.0.2.35")
    assert response.status_code == 429 and int(response["Retry-After"]) <= 3600
    assert "The portal is receiving very many tickets" in error_summary(response)
    assert Submission.objects.count() == Ticket.objects.count() == 5


def test_a_throttled_post_keeps_no_new_file_and_queues_nothing(client, sandbox_api, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult

    from tickets.models import Attachment

    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    confirmation_key(send(client, "192.0.2.40"))
    queued = DBTaskResult.objects.count()
    post = {**valid_post_data(get_token(client)),
            "files": [SimpleUploadedFile("a.txt", b"a", "text/plain")]}  # fmt: skip
    assert client.post(FORM_URL, post, REMOTE_ADDR="192.0.2.40").status_code == 429
    assert Attachment.objects.count() == 0
    assert Submission.objects.count() == 1
    assert DBTaskResult.objects.count() == queued


@pytest.mark.parametrize("broken", ["redis", "database"])
def test_a_throttle_store_that_cannot_answer_lets_customers_through(
    client, sandbox_api, settings, broken
):
    from tests.integration.test_portal_flow import closed_port_url

    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    stores = {
        "redis": {"BACKEND": "tickets.abuse.counters.CountingRedisCache",
                  "LOCATION": closed_port_url().replace("http", "redis")},
        # Its table gone: every read and every write of the counts fails.
        "database": {"BACKEND": "tickets.abuse.counters.CountingDatabaseCache",
                     "LOCATION": "no_such_table"},
    }  # fmt: skip
    settings.CACHES = {**settings.CACHES, "throttle": stores[broken]}
    confirmation_key(send(client, "192.0.2.50"))
    confirmation_key(send(client, "192.0.2.50"))
    assert Ticket.objects.count() == 2


def test_senders_without_an_address_do_not_share_one_bucket(client, sandbox_api, settings):
    """A proxy that hides every address (a unix socket) must not throttle everyone as one."""
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    for _ in range(3):
        confirmation_key(send(client, ""))
    assert Ticket.objects.count() == 3


def test_a_person_who_goes_back_and_sends_again_at_once_is_not_taken_for_a_bot(
    client, sandbox_api, settings
):
    confirmation_key(send(client, "192.0.2.60"))  # the first ticket, filled at leisure
    settings.TICKETS_MIN_FILL_SECONDS = 60
    # Back to the form (a fresh rendering), one field corrected, sent within the minute.
    confirmation_key(send(client, "192.0.2.60"))
    # A script's first POST, as fast, from an address that filed nothing, is still refused.
    response = send(client, "192.0.2.61")
    assert response.status_code == 200 and "That was quick" in error_summary(response)
    assert Ticket.objects.count() == 2


def test_the_database_count_loses_nothing_between_processes_and_keeps_its_expiry(tmp_path):
    """Django's own DatabaseCache.incr is a get and a set: concurrent increments from several
    processes are lost and the entry's expiry moves to the default timeout. The portal's count
    of several windows at once, and its incr, lose nothing and keep it. Four processes on one
    database: this run's (PostgreSQL in the second pass of make test), else a SQLite file as a
    deployment has."""
    import os
    import subprocess
    import sys

    from tests.stack import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'counts.sqlite3'}")
    env.update(ENV_FILE=str(tmp_path / "none.env"), REDIS_URL="")

    def shell(code: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True)  # fmt: skip
        return done.stdout.strip()

    subprocess.run([sys.executable, "manage.py", "createcachetable", "tickets_throttle"],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    cache = "from django.core.cache import caches; c = caches['throttle']"
    shell(f"{cache}; c.delete_many(['count', 'hour', 'minute']); c.add('count', 0, 3600)")
    # Half the processes name the windows in the other order: count() must lock them in one.
    orders = ["{'hour': 3600, 'minute': 900}", "{'minute': 900, 'hour': 3600}"]
    both = "from tickets.abuse.counters import count; count(c, {})"
    adders = [subprocess.Popen([sys.executable, "manage.py", "shell", "-c",
                                f"{cache}\nfor _ in range(25): c.incr('count'); "
                                + both.format(orders[n % 2])],
                               cwd=ROOT, env=env) for n in range(4)]  # fmt: skip
    assert [adder.wait(120) for adder in adders] == [0] * 4
    counts = "print(c.get('count'), c.get('hour'), c.get('minute'))"
    assert shell(f"{cache}; {counts}") == "100 100 100"
    left = shell(
        "import time; from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute(\"SELECT expires FROM tickets_throttle WHERE cache_key LIKE '%count' "
        "OR cache_key LIKE '%hour' ORDER BY cache_key\"); "
        "from django.utils.dateparse import parse_datetime; "
        "values = [parse_datetime(v) if isinstance(v, str) else v for v, in cursor.fetchall()]; "
        "print(*(int(value.timestamp() - time.time()) for value in values))"
    )
    # The hour each was made for, not the default two days.
    assert all(3000 < int(seconds) <= 3600 for seconds in left.split()), left


def test_the_database_store_adds_a_count_only_where_none_is_live(settings):
    """add() is one upsert: a new key is made, a live one is left as it is (False), an expired
    one is made anew, as Django's add does. On this run's database (PostgreSQL in the second
    pass of make test, where the throttles otherwise count in Redis)."""
    from django.core.cache import caches

    from tickets.abuse.counters import CountingDatabaseCache

    settings.CACHES = {**settings.CACHES, "throttle": {
        "BACKEND": "tickets.abuse.counters.CountingDatabaseCache", "LOCATION": "tickets_throttle"}}  # fmt: skip
    store = caches["throttle"]
    assert isinstance(store, CountingDatabaseCache)
    assert store.add("window", 0, 3600) is True
    assert store.incr("window") == 1
    assert store.add("window", 0, 3600) is False
    assert store.get("window") == 1
    assert store.add("gone", 5, -1) is True  # made already expired
    assert store.get("gone") is None
    assert store.add("gone", 0, 3600) is True
    assert store.incr("gone") == 1
    with pytest.raises(ValueError):
        store.incr("never-made")
    assert store.incr("window") == 2  # the store is still usable after a missing key


def seconds_left(store, key: str) -> int:
    import time

    from django.db import connection
    from django.utils.dateparse import parse_datetime

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires FROM tickets_throttle WHERE cache_key = %s", [store.make_key(key)]
        )
        value = cursor.fetchone()[0]
    value = parse_datetime(value) if isinstance(value, str) else value
    return int(value.timestamp() - time.time())


def test_the_database_store_counts_every_window_at_once_and_sets_in_one_statement(settings):
    """count() makes a missing or expired window at one, adds one to a live window and keeps its
    expiry; set() overwrites value and expiry. On this run's database."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.abuse.counters import count

    settings.CACHES = {**settings.CACHES, "throttle": {
        "BACKEND": "tickets.abuse.counters.CountingDatabaseCache", "LOCATION": "tickets_throttle"}}  # fmt: skip
    store = caches["throttle"]
    store.add("live", 4, 3600)
    store.add("expired", 9, -1)
    with CaptureQueriesContext(connection) as statements:
        count(store, {"live": 60, "expired": 60, "new": 60})
    assert [store.get(k) for k in ("live", "expired", "new")] == [5, 1, 1]
    written = [
        q["sql"] for q in statements.captured_queries if q["sql"].startswith(("INSERT", "SELECT"))
    ]
    assert len(written) == 3, written  # the windows made, read, written back
    assert 3000 < seconds_left(store, "live") <= 3600  # its own hour, not the 60 s of a new one
    assert 0 < seconds_left(store, "new") <= 60
    store.set("flag", "first", 60)
    store.set("flag", "second", 3600)
    assert store.get("flag") == "second"
    store.set("flag", "gone", -1)
    assert store.get("flag") is None


def test_the_redis_store_counts_every_window_in_one_round_trip(settings, tmp_path):
    """count() on Redis is one script: a missing window is made at one with its own lifetime, a
    live one gains one and keeps its expiry, an expired one starts again; get_many reads them as
    the throttles do, and set() still works beside them."""
    import time

    from django.core.cache import caches

    from tickets.abuse.counters import CountingRedisCache, count

    need_redis()
    with redis_server(tmp_path) as url:
        settings.CACHES = {**settings.CACHES, "throttle": {
            "BACKEND": "tickets.abuse.counters.CountingRedisCache", "LOCATION": url,
            "KEY_PREFIX": "throttle"}}  # fmt: skip
        store = caches["throttle"]
        assert isinstance(store, CountingRedisCache)
        redis = store._cache.get_client(write=True)
        store.add("live", 4, 3600)
        store.add("expired", 9, 1)
        time.sleep(1.1)

        def scripts_run() -> int:
            stats = redis.info("commandstats")
            return sum(stats.get(f"cmdstat_{c}", {}).get("calls", 0) for c in ("eval", "evalsha"))

        count(store, {"other": 60})  # the first count loads the script into Redis
        before = redis.info("commandstats").get("cmdstat_exists", {}).get("calls", 0)
        ran = scripts_run()
        count(store, {"live": 60, "expired": 60, "new": 60})
        assert scripts_run() == ran + 1
        assert redis.info("commandstats").get("cmdstat_exists", {}).get("calls", 0) == before
        assert store.get_many(["live", "expired", "new"]) == {"live": 5, "expired": 1, "new": 1}
        assert 3000 < redis.ttl(store.make_key("live")) <= 3600  # its own hour, not 60 s
        assert 0 < redis.ttl(store.make_key("new")) <= 60
        redis.script_flush()  # Redis restarted: the script, made once, is sent again
        count(store, {"new": 60})
        assert store.get("new") == 2 and 0 < redis.ttl(store.make_key("new")) <= 60
        store.set("flag", True, 60)
        assert store.get("flag") is True
