"""Throttles on new tickets, per sender's address, per form and for the whole portal, counted in
sliding windows in the database (and in Redis): over a limit the form comes back with HTTP 429,
what was typed and when to send again; nothing is filed or queued; other senders file as always.
Past its address's limit the form asks for a solved challenge instead (test_never_refused.py)."""

import json
import math
import time

import pytest
from pyrate_limiter import AbstractClock, Rate, RateItem

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
from tickets.abuse.buckets import DatabaseBucket
from tickets.models import Submission, ThrottleHit

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


def assert_asked_to_prove(response) -> None:
    """Past its address's limit: the form back, asking the browser to solve the challenge (and
    to send it once solved), and saying when a sender without JavaScript may send again."""
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    summary = error_summary(response)
    assert "Many tickets have been sent from your network" in summary, summary
    assert "Your browser first shows that it is not a robot" in summary, summary
    assert "Without JavaScript, please send it in" in summary, summary
    page = response.content.decode()
    assert '<altcha-widget name="altcha"' in page and 'auto="onload"' in page
    assert "data-send-when-verified" in page
    assert_values_kept(response)


DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                  "LOCATION": "tickets_throttle"}  # fmt: skip


def redis_cache(url: str) -> dict:
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
            "KEY_PREFIX": "throttle"}  # fmt: skip


@pytest.fixture(params=["database", "redis"])
def store(request, settings, tmp_path):
    """The throttle store as deployed: the database's ThrottleHit table (and the throttle
    cache's), or Redis with REDIS_URL. Yields Redis's URL, or "" for the database."""
    if request.param == "database":
        settings.REDIS_URL = ""
        settings.CACHES = {**settings.CACHES, "throttle": DATABASE_CACHE}
        yield ""
        return
    need_redis()
    with redis_server(tmp_path) as url:
        settings.REDIS_URL = url
        settings.CACHES = {**settings.CACHES, "throttle": redis_cache(url)}
        yield url


class Clock(AbstractClock):
    """The throttles' time, set by the test: milliseconds since the epoch."""

    def __init__(self, now: int):
        self.ms = now

    def now(self) -> int:
        return self.ms


HOUR = 3600 * 1000


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The throttles' clock, starting three seconds before an hour's edge (where a fixed hourly
    window would start afresh) a little in the past."""
    edge = time.time_ns() // 1_000_000 // HOUR * HOUR
    clock = Clock(edge - 3000)
    monkeypatch.setattr(throttles, "clock", clock)
    return clock


def test_one_address_is_throttled_while_another_files(client, sandbox_api, settings, store):
    settings.TICKETS_THROTTLE_ADDRESS = ["3/h", "10/d"]
    for _ in range(3):
        confirmation_key(send(client, "192.0.2.10"))
    assert_asked_to_prove(send(client, "192.0.2.10"))
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
    assert_asked_to_prove(send(client, "192.0.2.20"))
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
            refusal = throttles.Limits("another sender", "support").refusal()
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
    assert_asked_to_prove(send(client, "2001:db8:1:2:ffff::9"))  # same /64
    confirmation_key(send(client, "2001:db8:1:3::1"))  # another /64
    # Behind one trusted proxy the sender is the address it saw, not the proxy's own.
    settings.TICKETS_TRUSTED_PROXIES = 1
    proxy = "10.9.9.9"
    confirmation_key(send(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.1"))
    confirmation_key(send(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"))
    forged = "198.51.100.1, 198.51.100.3"  # what the sender wrote comes first: not believed
    confirmation_key(send(client, proxy, HTTP_X_FORWARDED_FOR=forged))
    assert_asked_to_prove(send(client, proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"))


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

    settings.TICKETS_THROTTLE_FORM = ["1/h"]
    confirmation_key(send(client, "192.0.2.40"))
    queued = DBTaskResult.objects.count()
    post = {**valid_post_data(get_token(client)),
            "files": [SimpleUploadedFile("a.txt", b"a", "text/plain")]}  # fmt: skip
    assert client.post(FORM_URL, post, REMOTE_ADDR="192.0.2.41").status_code == 429
    assert Attachment.objects.count() == 0
    assert Submission.objects.count() == 1
    assert DBTaskResult.objects.count() == queued


@pytest.mark.parametrize("broken", ["redis", "database"])
def test_a_throttle_store_that_cannot_answer_lets_customers_through(
    client, sandbox_api, settings, broken, monkeypatch, tmp_path
):
    from contextlib import ExitStack

    import redis
    from django.test import RequestFactory

    from tickets.embedding.origin import client_key

    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    with ExitStack() as stack:
        if broken == "redis":
            need_redis()
            settings.REDIS_URL = stack.enter_context(redis_server(tmp_path))
            settings.CACHES = {**settings.CACHES, "throttle": redis_cache(settings.REDIS_URL)}
            # The address's key holds what is not a sorted set: Redis answers every read and
            # write of its count with an error (the governor, in the same Redis, goes on).
            sender = client_key(RequestFactory().post("/", REMOTE_ADDR="192.0.2.50"))
            redis.Redis.from_url(settings.REDIS_URL).set(f"throttle:address:{sender}", "?")
        else:
            # Their tables gone: every read and every write of the hits and the marks fails.
            settings.REDIS_URL = ""
            monkeypatch.setattr(ThrottleHit._meta, "db_table", "no_such_table")
            settings.CACHES = {**settings.CACHES,
                               "throttle": {**DATABASE_CACHE, "LOCATION": "no_such_table"}}  # fmt: skip
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


def test_a_burst_across_a_windows_edge_never_passes_the_limit(settings, store, clock):
    """Three tickets just before the hour's edge and three just after: a fixed window would take
    all six (twice the limit), the sliding window refuses the second three until the oldest
    counted ticket has left the last hour, and says so in the wait."""
    settings.TICKETS_THROTTLE_ADDRESS = ["3/h"]
    sender = throttles.Limits("keyed-address-1", "support")
    hits = []
    for _ in range(3):
        assert sender.refusal() is None
        sender.counted()
        hits.append(clock.ms)
        clock.ms += 1000
    # A hit counts while it is at most an hour old: the first has left a millisecond after.
    leaves = hits[0] + HOUR + 1
    for _ in range(3):  # the edge is passed now
        wait = math.ceil((leaves - clock.ms) / 1000)  # whole seconds, rounded up
        assert sender.refusal() == throttles.Refusal(throttles.ADDRESS, wait)
        clock.ms += 1000
    clock.ms = leaves - 1
    assert sender.refusal() is not None
    clock.ms = leaves
    assert sender.refusal() is None  # the other two still count
    sender.counted()
    assert sender.refusal().retry_after == math.ceil((hits[1] + HOUR + 1 - clock.ms) / 1000)
    assert throttles.Limits("keyed-address-2", "support").refusal() is None


def test_posts_across_the_hours_edge_are_held_to_the_limit(client, sandbox_api, settings, clock):
    """The same burst as the form's POSTs: the fourth, just past the edge, gets the form back with
    the seconds until the first ticket leaves the last hour, and files once they have passed."""
    settings.TICKETS_THROTTLE_ADDRESS = ["3/h"]
    first = clock.ms
    for _ in range(3):
        confirmation_key(send(client, "192.0.2.70"))
        clock.ms += 1000
    clock.ms += 2000  # two seconds past the edge
    refused = send(client, "192.0.2.70")
    assert_asked_to_prove(refused)
    assert int(refused["Retry-After"]) == math.ceil((first + HOUR + 1 - clock.ms) / 1000)
    clock.ms += int(refused["Retry-After"]) * 1000
    confirmation_key(send(client, "192.0.2.70"))
    assert Submission.objects.count() == Ticket.objects.count() == 4


def test_a_look_writes_nothing(settings, store, clock):
    """The look before a POST is validated reads the buckets only: a script that is refused, or
    whose form comes back, grows no store."""
    import redis
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TICKETS_THROTTLE_ADDRESS = ["1/h", "5/d"]
    settings.TICKETS_THROTTLE_FORM = ["2/h"]
    settings.TICKETS_THROTTLE_PORTAL = ["10/m"]
    throttles.Limits("keyed-address-3", "support").counted()
    clock.ms += 1000
    looks = [
        throttles.Limits("keyed-address-3", "support"),
        throttles.Limits("keyed-address-4", "support"),
    ]
    if not store:
        hits = list(ThrottleHit.objects.values_list("bucket", "at"))
        with CaptureQueriesContext(connection) as statements:
            assert [look.refusal() for look in looks] == [
                throttles.Refusal(throttles.ADDRESS, 3600),
                None,
            ]
        assert all(s["sql"].startswith("SELECT") for s in statements.captured_queries)
        assert list(ThrottleHit.objects.values_list("bucket", "at")) == hits
        return
    server = redis.Redis.from_url(store)

    def calls() -> dict:
        return {name: stat["calls"] for name, stat in server.info("commandstats").items()}

    keys, before = sorted(server.keys()), calls()
    assert [look.refusal() for look in looks] == [throttles.Refusal(throttles.ADDRESS, 3600), None]
    after = calls()
    asked = {name for name in after if after[name] != before.get(name)}
    assert asked == {"cmdstat_zrange", "cmdstat_info"}, asked
    assert sorted(server.keys()) == keys


def test_counts_lose_nothing_between_two_processes(settings, store, tmp_path):
    """Two processes count 50 tickets each against one address at once: the hundred are all
    there, and the address's limit of a hundred is full. On this run's database (PostgreSQL in
    the second pass of make test), and on Redis."""
    import os
    import subprocess
    import sys

    from django.db import connection

    from tests.stack import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:  # the test database, on the server this run's DATABASE_URL names
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{database['NAME']}"
    env.update(ENV_FILE=str(tmp_path / "none.env"), REDIS_URL=store,
               TICKETS_THROTTLE_ADDRESS="100/h", TICKETS_THROTTLE_FORM="off",
               TICKETS_THROTTLE_PORTAL="off")  # fmt: skip
    count = (
        "from tickets.abuse.throttles import Limits\n"
        "for _ in range(50): Limits('keyed-address-5', 'support').counted()"
    )
    counting = [subprocess.Popen([sys.executable, "manage.py", "shell", "-c", count], cwd=ROOT,
                                 env=env) for _ in range(2)]  # fmt: skip
    assert [process.wait(120) for process in counting] == [0, 0]
    if store:
        import redis

        assert redis.Redis.from_url(store).zcard("throttle:address:keyed-address-5") == 100
    else:
        assert ThrottleHit.objects.filter(bucket="address:keyed-address-5").count() == 100
    settings.TICKETS_THROTTLE_ADDRESS = ["100/h"]
    assert throttles.Limits("keyed-address-5", "support").refusal().scope == throttles.ADDRESS
    assert throttles.Limits("keyed-address-5", "support").returning()


def test_hits_no_window_counts_go(settings, store, clock):
    """In the database the delivery worker's sweep deletes the hits older than the longest period
    configured; in Redis a bucket's next count trims them (its script loaded again where Redis
    has lost it), and its key expires with its longest window."""
    from tickets.delivery import tasks

    settings.TICKETS_THROTTLE_ADDRESS = ["1/h", "2/d"]
    settings.TICKETS_THROTTLE_FORM = ["5/h"]
    now = clock.ms
    clock.ms = now - 2 * 24 * HOUR
    throttles.Limits("keyed-address-3", "support").counted()  # two days ago: no window counts it
    clock.ms = now - 2 * HOUR
    throttles.Limits("keyed-address-3", "support").counted()  # the day's window counts it
    if store:
        import redis

        server = redis.Redis.from_url(store)
        assert server.zcard("throttle:address:keyed-address-3") == 1
        assert server.zcard("throttle:form:support") == 1
        assert 0 < server.pttl("throttle:address:keyed-address-3") <= 24 * HOUR
        assert 0 < server.pttl("throttle:form:support") <= HOUR
        server.script_flush()  # as a restarted Redis: the count's script is loaded again
        clock.ms = now
        throttles.Limits("keyed-address-3", "support").counted()
        assert server.zcard("throttle:address:keyed-address-3") == 2
        return
    assert ThrottleHit.objects.count() == 4
    clock.ms = now
    tasks.sweep.call()
    left = ThrottleHit.objects.values_list("bucket", "at")
    assert sorted(left) == [
        ("address:keyed-address-3", now - 2 * HOUR),
        ("form:support", now - 2 * HOUR),
    ]


def test_the_database_bucket_is_a_sliding_window_log(settings):
    """DatabaseBucket, pyrate-limiter's bucket over ThrottleHit rows, on this run's database: a
    put is refused by the rate whose window is full, room comes back as the oldest hit leaves it;
    peek() counts from the newest; leak() deletes what no window counts; each bucket counts its
    own rows only."""
    second, ten_seconds = Rate(2, 1000), Rate(3, 10_000)
    bucket = DatabaseBucket([ten_seconds, second], "test:one")  # sorted by the bucket
    assert bucket.rates == [second, ten_seconds]
    at = 1_000_000_000
    assert bucket.put(RateItem("hit", at)) and bucket.put(RateItem("hit", at + 100))
    assert not bucket.put(RateItem("hit", at + 200)) and bucket.failing_rate is second
    assert bucket.waiting(RateItem("hit", at + 200)) == 1000 - 200 + 1  # until `at` leaves it
    assert bucket.put(RateItem("hit", at + 1001))
    assert not bucket.put(RateItem("hit", at + 2500)) and bucket.failing_rate is ten_seconds
    assert bucket.count() == 3
    assert [getattr(bucket.peek(n), "timestamp", None) for n in range(4)] == [
        at + 1001, at + 100, at, None
    ]  # fmt: skip
    other = DatabaseBucket([second], "test:other")
    assert other.count() == 0 and other.put(RateItem("hit", at + 200))
    assert bucket.leak(at + 10_101) == 2  # only at + 1001 is in a window still
    assert bucket.count() == 1 and other.count() == 1
    bucket.flush()
    assert bucket.count() == 0 and bucket.failing_rate is None and other.count() == 1


def test_rates_one_bucket_cannot_hold_stop_the_portal(settings):
    """pyrate-limiter takes a bucket's rates only when a longer period allows more tickets at no
    higher rate: a rate the others make pointless is a system check's error, not a throttle
    that lets everything through."""
    from tickets.checks import check_throttle_rates

    assert check_throttle_rates() == []  # the defaults
    settings.TICKETS_THROTTLE_ADDRESS = ["20/h", "500/d"]  # no day can reach 500
    settings.TICKETS_THROTTLE_FORM = ["5/h", "5/d"]
    errors = check_throttle_rates()
    assert [error.id for error in errors] == ["tickets.E003"] * 2
    assert errors[0].msg.startswith("TICKETS_THROTTLE_ADDRESS=20/h,500/d: each longer period")
