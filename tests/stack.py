"""The portal as it runs in production, on this machine: gunicorn workers and delivery workers as
separate processes sharing one SQLite database (and a Redis server, when asked), in front of an
API the caller provides. For the tests that need several real processes, and for the benchmark."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import (  # noqa: F401  (what the tests import from here)
    free_port,
    need_redis,
    redis_server,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


def _environment(directory: Path, api_url: str, port: int, extra: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        ENV_FILE=str(directory / "none.env"),
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{directory / 'portal.sqlite3'}",
        MEDIA_ROOT=str(directory / "media"),
        STATIC_ROOT=str(directory / "static"),  # apart from the suite that runs beside
        TICKETS_API_RATE_FILE=str(directory / "api-rate.sqlite3"),
        TICKETS_API_URL=api_url,
        TICKETS_API_EMAIL="portal@example.com",
        TICKETS_API_KEY="stack-key",
        TICKETS_MIN_FILL_SECONDS="0",
        TICKETS_THROTTLE_ADDRESS="off",
        TICKETS_THROTTLE_FORM="off",
        TICKETS_THROTTLE_PORTAL="off",
        PORTAL_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class Stack:
    urls: list[str]  # one per portal host (a gunicorn of its own)
    workers: list[subprocess.Popen]  # the delivery workers
    env: dict[str, str]


@contextmanager
def running_stack(
    directory: Path,
    api_url: str,
    hosts: int = 1,
    web_workers: int = 2,
    delivery_workers: int = 2,
    database_url: str = "",
    redis_url: str = "",
    **settings: str,
) -> Iterator[Stack]:
    """Migrate a fresh database, start `hosts` gunicorns (as on as many machines) and the
    delivery workers, all sharing one database (SQLite, or `database_url`) and, with
    `redis_url`, one Redis."""
    directory.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(hosts)]
    shared = {"DATABASE_URL": database_url} if database_url else {}
    shared |= {"REDIS_URL": redis_url} if redis_url else {}
    env = _environment(directory, api_url, ports[0], {**shared, **settings})
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    log = (directory / "stack.log").open("w")
    with ExitStack() as stack:
        webs = [[PYTHON, "-m", "gunicorn", "portal.wsgi", "--workers", str(web_workers),
                 "--threads", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                 # Which worker process answered what: "<pid> <method> <status>" a line.
                 "--access-logfile", str(directory / "access.log"),
                 "--access-logformat", "%(p)s %(m)s %(s)s"] for port in ports]  # fmt: skip
        worker = [*manage, "delivery_worker", "--interval", "0.2", "-v0"]
        processes = [
            subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
            for command in webs + [worker] * delivery_workers
        ]
        stack.callback(_stop, processes, log)
        for port in ports:
            wait_for_port(port)
        yield Stack([f"http://127.0.0.1:{port}" for port in ports], processes[hosts:], env)


@contextmanager
def portal_stack(directory: Path, api_url: str, **options) -> Iterator[str]:
    """One portal host and its delivery workers on a SQLite file; yields the portal's URL."""
    with running_stack(directory, api_url, **options) as stack:
        yield stack.urls[0]


def _stop(processes, log) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def form_token(portal: str, slug: str = "support") -> str:
    """What a person's browser gets with the form: its one-time token."""
    with urllib.request.urlopen(f"{portal}/forms/{slug}/", timeout=60) as page:
        return TOKEN_RE.search(page.read().decode())[1]


ACCEPTED = 303  # what an accepted POST is answered with: See Other, its status page


def post(portal: str, data: dict[str, str], token: str, slug: str = "support") -> int:
    """The form sent from its own page; the answer's status code (303: accepted, sent to its
    status page)."""
    url = f"{portal}/forms/{slug}/"
    body = urllib.parse.urlencode({**data, "form_token": token}).encode()
    request = urllib.request.Request(url, data=body, headers={"Origin": portal})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def submit(portal: str, data: dict[str, str], slug: str = "support") -> int:
    """A person's visit: the form (for its token), then the POST; the POST's status code."""
    return post(portal, data, form_token(portal, slug), slug)


def post_from(
    source: str, portal: str, data: dict[str, str], slug: str = "support"
) -> tuple[int, dict[str, str], str]:
    """A visit from another client address (127.0.0.2, ...: the loopback range is all ours),
    on a fresh connection each time as separate people's are: (status, headers, page)."""
    import http.client

    host, port = urllib.parse.urlsplit(portal).netloc.split(":")

    def exchange(method: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(host, int(port), timeout=60,
                                                source_address=(source, 0))  # fmt: skip
        try:
            connection.request(method, f"/forms/{slug}/", body=body, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read().decode()
        finally:
            connection.close()

    token = TOKEN_RE.search(exchange("GET")[2])[1]
    body = urllib.parse.urlencode({**data, "form_token": token}).encode()
    form_type = "application/x-www-form-urlencoded"
    return exchange("POST", body, {"Origin": portal, "Content-Type": form_type})


def answered_by(directory: Path, status: str) -> set[str]:
    """The gunicorn worker processes that answered a POST with this status (the access log)."""
    lines = [line.split() for line in (directory / "access.log").read_text().splitlines()]
    return {pid for pid, method, code in lines if method == "POST" and code == status}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def states(directory: Path) -> dict[str, int]:
    """How many submissions are in each state, read from the stack's database."""
    import sqlite3

    with sqlite3.connect(directory / "portal.sqlite3", timeout=20) as db:
        rows = db.execute("SELECT state, COUNT(*) FROM tickets_submission GROUP BY state")
        return dict(rows.fetchall())
