"""Growing past one machine, in the shape README's deployment section draws: two portal hosts (a
gunicorn each) and two delivery workers sharing one PostgreSQL and one Redis. A burst arrives while the helpdesk is
down; when it is back, one worker is killed (SIGKILL) in the middle of delivering. Nothing is
lost, nothing is filed twice (a killed attempt is looked up by its reference before anything is
sent again), the portal never sends more than its share in any minute, and /readyz says when
the database is gone and when it is back."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.examples import EXAMPLE_POST
from tests.integration.test_delivery_at_scale import API_LIMIT, SHARE, CountingApi
from tests.servers import need_postgres, need_redis, postgres_server, redis_server
from tests.stack import running_stack, submit
from tests.stub_server import stub_server

pytestmark = pytest.mark.stack

BURST = 120
REFERENCE = re.compile(r"TP-[A-Z0-9]{5}-[A-Z0-9]{5}")


class RememberingApi(CountingApi):
    """Down (503) until `up`; then files each create (slowly, so that a worker can be killed
    in the middle of one) and answers a look-up by reference with what it filed."""

    def __init__(self) -> None:
        super().__init__()
        self.up = False
        self.filed: list[dict] = []

    def __call__(self, request):
        if not self.up:
            return 503, "application/json", b'{"errors": [{"title": "Maintenance"}]}'
        if request.method == "GET":
            path, query = urlsplit(request.path).path, parse_qs(urlsplit(request.path).query)
            search = query.get("search", [""])[0]
            with self.lock:
                if path.endswith("/posts/"):  # a ticket's first post: its description
                    ticket_id = int(path.rstrip("/").split("/")[-2])
                    found = [{"text": t["description"]} for t in self.filed if t["id"] == ticket_id]
                elif search:
                    found = [t for t in self.filed if search in t["description"]]
                else:  # the tickets created since a moment: all of them, here
                    found = list(self.filed)
            body = {"data": found, "pagination": {"total_pages": 1}}
            return 200, "application/json", json.dumps(body).encode()
        time.sleep(0.1)
        answer = super().__call__(request)
        if answer[0] == 201:
            ticket = json.loads(answer[2])["data"]
            payload = json.loads(request.body)
            with self.lock:
                self.filed.append({**ticket, "title": payload["title"],
                                   "description": payload["description"]})  # fmt: skip
        return answer


def ready(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def filed(env: dict) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:
        row = db.execute("SELECT COUNT(*) FROM tickets_submission WHERE state = 'filed'")
        return row.fetchone()[0]


def test_two_hosts_two_workers_one_killed_nothing_lost_nothing_twice(tmp_path):
    need_postgres()
    need_redis()
    api = RememberingApi()
    with (
        postgres_server() as database,
        redis_server(tmp_path) as redis,
        stub_server(api) as (url, _seen),
        running_stack(
            tmp_path, f"{url}/api/v2", hosts=2, database_url=database.url, redis_url=redis,
            TICKETS_RETRY_FIRST_SECONDS="1", TICKETS_RETRY_MAX_SECONDS="3",
            TICKETS_RECONCILE_AFTER_SECONDS="1",
            # Short exchanges and waits, so that a killed worker's attempt is taken over soon.
            TICKETS_API_CONNECT_TIMEOUT="0.5", TICKETS_API_READ_TIMEOUT="2",
            TICKETS_API_BACKGROUND_WAIT="5",
        ) as stack,
    ):  # fmt: skip
        hosts = stack.urls
        with ThreadPoolExecutor(12) as pool:
            codes = list(pool.map(lambda n: submit(hosts[n % 2], EXAMPLE_POST), range(BURST)))
        assert codes == [303] * BURST  # every one accepted while the helpdesk is down

        api.up = True
        deadline = time.monotonic() + 60
        while filed(stack.env) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        stack.workers[0].kill()  # in the middle of the deliveries, maybe of one exchange

        deadline = time.monotonic() + 240
        while filed(stack.env) < BURST and time.monotonic() < deadline:
            time.sleep(1)
        assert filed(stack.env) == BURST

        status, report = ready(hosts[1])
        assert status == 200, report
        database.stop()
        status, report = ready(hosts[0])
        assert status == 503 and report["status"] == "down" and report["checks"] >= 1
        database.start()
        time.sleep(0.5)
        status, report = ready(hosts[0])
        assert status == 200, report

    references = [REFERENCE.search(t["description"])[0] for t in api.filed]
    assert len(references) == len(set(references)) == BURST  # each ticket once
    assert api.bans == 0 and api.most_in_any_minute() <= SHARE < API_LIMIT
