"""Benchmark: the API requests a minute that open ticket pages cost.

1,000 filed tickets whose pages are open (each polls every 20 s, as static/js/conversation.js
does: 3,000 page updates a minute), and agents replying 10 times a minute on tickets chosen at
random. A stub helpdesk answers the posts, the tickets and "what changed since" as the API does,
and counts every request. Each simulated minute: the replies land, the pages update, the worker's
sweep asks what changed and reads what did. The figure is API requests a minute (mean over the
minutes), against the page updates served. The governor's shares are lifted for the run, which
compresses minutes into seconds; what is counted is what the portal asks, not what it may.

Run: make bench
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES, REPLIES_A_MINUTE, MINUTES, POLLS_A_MINUTE = 1000, 10, 5, 3


def main() -> None:
    from tests.stub_server import stub_server

    updated: dict[int, float] = {}  # ticket id -> when it last changed (Unix time)
    posts: dict[int, list[dict]] = {}

    def answer(request):
        path = request.path.split("?")[0].removeprefix("/api/v2/").strip("/").split("/")
        if path == ["tickets"]:
            since = request.path.split("from_date_updated=")[1].split("&")[0].replace("+", " ")
            since = time.mktime(time.strptime(since.replace("%3A", ":"), "%Y-%m-%d %H:%M:%S"))
            changed = {str(i): {"id": i} for i, at in updated.items() if at >= since}
            body = {"data": changed, "pagination": {"total": len(changed), "total_pages": 1}}
        elif len(path) == 2:
            body = {"data": {"id": int(path[1]), "status_id": "open", "user_id": 1001}}
        else:
            items = posts.get(int(path[1]), [])
            body = {"data": items, "pagination": {"total": len(items), "total_pages": 1}}
        return 200, "application/json", json.dumps(body).encode()

    with tempfile.TemporaryDirectory() as tmp, stub_server(answer) as (url, seen):
        os.environ.update(
            ENV_FILE=str(Path(tmp) / "none.env"),
            DJANGO_SETTINGS_MODULE="portal.settings",
            DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
            TICKETS_API_URL=f"{url}/api/v2",
            TICKETS_API_RATE_FILE=f"{tmp}/rate.sqlite3",
            TICKETS_API_MAX_PER_MINUTE="300",
            TICKETS_API_RESERVE="0",
            TICKETS_API_FOLLOW_PER_MINUTE="300",
            TIME_ZONE="UTC",
            ALLOWED_HOSTS="testserver",
        )
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client
        from django.utils import timezone

        from tickets.delivery import conversations
        from tickets.helpdesk.posts import read_posts
        from tickets.models import Conversation, Submission

        call_command("migrate", verbosity=0)
        now = timezone.now()
        keys = []
        for n in range(1, PAGES + 1):
            submission = Submission.objects.create(
                token=f"bench-{n}", form_slug="support", audience="customer", state="filed",
                api_id=n, unique_id=f"BN-{n:05d}", api_response={"id": n, "user_id": 1001},
            )  # fmt: skip
            Conversation.objects.create(
                submission=submission, status_id="open", client_id=1001, read_at=now, viewed_at=now
            )
            keys.append(submission.public_key)
        client = Client()
        per_minute, poll_ms = [], []
        for minute in range(MINUTES):
            seen.clear()
            moment = time.time()
            for ticket in random.sample(range(1, PAGES + 1), REPLIES_A_MINUTE):
                updated[ticket] = moment
                stamp = time.strftime("%H:%M:%S %d.%m.%Y", time.gmtime(moment))
                posts.setdefault(ticket, []).append(
                    {"id": 10_000 * minute + ticket, "user_id": 2, "text": "An answer",
                     "date_created": stamp}
                )  # fmt: skip
            started = time.perf_counter()
            for key in keys * POLLS_A_MINUTE:
                client.get(f"/tickets/{key}/", HTTP_X_PORTAL_UPDATE="conversation")
            poll_ms.append(1000 * (time.perf_counter() - started) / (PAGES * POLLS_A_MINUTE))
            # The minute has passed: the worker's sweep asks what changed, and reads that.
            cache.delete(conversations.CHECKED_KEY)
            Conversation.objects.update(read_at=timezone.now())
            conversations.keep_fresh()
            per_minute.append(len(seen))
            for ticket in list(updated):
                updated[ticket] = moment - 3600  # read: unchanged from now on
        # A page view with a fresh conversation against the status page of a ticket not filed yet
        # (what the status page cost before the conversation came).
        waiting = Submission.objects.create(
            token="bench-waiting", form_slug="support", audience="customer", state="queued"
        )
        viewed = Submission.objects.get(public_key=keys[0])
        Conversation.objects.filter(submission=viewed).update(
            read_at=timezone.now(), posts=read_posts([p for ps in posts.values() for p in ps][:5])
        )
        page_ms, before = {}, len(seen)
        for name, key in (("status page", waiting.public_key), ("ticket page", keys[0])):
            times = []
            for _ in range(300):
                started = time.perf_counter()
                client.get(f"/tickets/{key}/")
                times.append(1000 * (time.perf_counter() - started))
            page_ms[name] = statistics.median(times)
        fresh_requests = len(seen) - before
    print(
        f"A page view: the status page of a ticket not filed yet {page_ms['status page']:.1f} ms, "
        f"a filed ticket's page with a fresh conversation of 5 posts "
        f"{page_ms['ticket page']:.1f} ms (Django's test client, in process), "
        f"and {fresh_requests} API requests for its 300 views"
    )
    print(
        f"Open ticket pages: {PAGES} pages updating {POLLS_A_MINUTE}x a minute, "
        f"{REPLIES_A_MINUTE} replies a minute: {statistics.mean(per_minute):.0f} API requests "
        f"a minute (min {min(per_minute)}, max {max(per_minute)}; page updates cost none), "
        f"a page update {statistics.median(poll_ms):.1f} ms"
    )


if __name__ == "__main__":
    main()
