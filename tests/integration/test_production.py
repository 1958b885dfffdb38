"""The portal as a person deploying it meets it: gunicorn refuses a broken configuration with the
same message as manage.py; a production configuration has no trace of the sandbox; `manage.py
serve` runs the whole stack and stops it on Ctrl-C; every state change is one log line with the
reference alone, in JSON lines on request."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import children, free_port, wait_for_port
from tests.stack import ROOT
from tests.unit.test_settings import GOOD_KEY

# Each test runs the portal in processes of its own, on a database of its own: the run on
# PostgreSQL (tests/on_postgres.py) leaves them to the first.
pytestmark = pytest.mark.stack

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "TICKETS_API_URL": "https://127.0.0.1:9/api/v2/",
    "TICKETS_API_EMAIL": "portal@acme.example",
    "TICKETS_API_KEY": "real-key",
}


def environment(directory: Path, **extra: str) -> dict[str, str]:
    ours = ("DJANGO_", "PYTEST", "TICKETS_", "DEBUG", "SECRET_KEY", "SANDBOX_", "PORTAL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        ENV_FILE=str(directory / "none.env"),
        DATABASE_URL=f"sqlite:///{directory / 'portal.sqlite3'}",
        MEDIA_ROOT=str(directory / "media"),
        # Its own: collectstatic here must not rewrite the files the suite beside it serves.
        STATIC_ROOT=str(directory / "static"),
        TICKETS_API_RATE_FILE=str(directory / "api-rate.sqlite3"),
        REDIS_URL="",
        **extra,
    )
    return env


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=check)  # fmt: skip


def test_gunicorn_refuses_a_broken_schema_with_the_message(tmp_path):
    schema = json.loads((ROOT / "portal" / "ticket_schema.json").read_text())
    schema["fields"][0]["field_type"] = "hologram"
    broken = tmp_path / "schema.json"
    broken.write_text(json.dumps(schema))
    env = environment(tmp_path, TICKETS_SCHEMA_FILE=str(broken))
    port = free_port()
    server = subprocess.run(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert server.returncode != 0  # gunicorn stopped: it did not serve 500s
    assert "tickets.E001" in server.stderr and str(broken) in server.stderr
    assert "hologram" in server.stderr
    checked = manage(env, "check", check=False)  # the same words as manage.py
    assert checked.returncode != 0 and "hologram" in checked.stderr


def test_a_production_configuration_has_no_trace_of_the_sandbox(tmp_path):
    env = environment(tmp_path, **PRODUCTION, SANDBOX_ENABLED="false")
    manage(env, "migrate", "--noinput", "-v0")
    probe = manage(env, "shell", "--no-imports", "-c", """
import json
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.urls import Resolver404, resolve
try:
    resolve("/sandbox/api/v2/tickets/")
    mounted = True
except Resolver404:
    mounted = False
print(json.dumps({
    "installed": apps.is_installed("sandbox"),
    "tables": [t for t in connection.introspection.table_names() if t.startswith("sandbox")],
    "admin": [m._meta.app_label for m in admin.site._registry if m._meta.app_label == "sandbox"],
    "mounted": mounted,
}))
""")  # fmt: skip
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found == {"installed": False, "tables": [], "admin": [], "mounted": False}
    # ... where development has all of it.
    dev = environment(tmp_path / "dev")
    (tmp_path / "dev").mkdir()
    manage(dev, "migrate", "--noinput", "-v0")
    tables = manage(dev, "shell", "--no-imports", "-c",
                    "from django.db import connection; "
                    "print(sum(t.startswith('sandbox') for t in connection.introspection.table_names()))")  # fmt: skip
    assert int(tables.stdout.split()[-1]) > 0


def start_serve(tmp_path, **extra):
    port = free_port()
    env = environment(tmp_path, **PRODUCTION, PORTAL_BIND=f"127.0.0.1:{port}",
                      PORTAL_WEB_WORKERS="2", PORTAL_WEB_THREADS="2", PORTAL_DELIVERY_WORKERS="2",
                      PORTAL_URL=f"http://127.0.0.1:{port}", **extra)  # fmt: skip
    serve = subprocess.Popen([sys.executable, "manage.py", "serve"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    wait_for_port(port, timeout=60)
    return serve, port


def family(pid: int) -> list[int]:
    """A process's descendants (gunicorn's workers under its master, ...)."""
    return [p for child in children(pid) for p in (child, *family(child))]


def whole_family(pid: int, count: int, timeout: float = 30) -> list[int]:
    """The descendants, once there are `count` of them (or the timeout is over): gunicorn forks
    its workers a moment apart, after it listens, so one may answer before the next exists."""
    deadline = time.monotonic() + timeout
    processes = family(pid)
    while len(processes) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        processes = family(pid)
    return processes


def stop_all(serve: subprocess.Popen) -> None:
    """Stop `manage.py serve` and all it started, also when a test failed before its Ctrl-C:
    its children run in sessions of their own, which killing it alone would leave running (a
    failed run left a gunicorn serving for an hour)."""
    if serve.poll() is not None:
        return
    processes = family(serve.pid)
    serve.send_signal(signal.SIGINT)
    try:
        serve.wait(60)
    except subprocess.TimeoutExpired:
        serve.kill()
    for pid in processes:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] not in ("Z", "X")  # a zombie is gone, unreaped
    except (FileNotFoundError, ProcessLookupError):
        return False


def all_gone(pids: list[int], timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.2)
    return not any(_alive(pid) for pid in pids)


def test_serve_runs_the_stack_and_ctrl_c_stops_it_all(tmp_path):
    serve, port = start_serve(tmp_path)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert json.load(answer) == {"status": "ok"}
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/forms/support/", timeout=10)
        css = next(line for line in page.read().decode().splitlines() if "portal" in line
                   and ".css" in line).split('href="')[1].split('"')[0]  # fmt: skip
        assert css.count(".") >= 2  # a hashed name, collected first
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{css}", timeout=10) as asset:
            assert "max-age=315360000" in asset.headers["Cache-Control"]  # whitenoise
        processes = whole_family(serve.pid, 5)  # gunicorn, its two workers, two delivery workers
        assert len(processes) >= 5
        serve.send_signal(signal.SIGINT)
        assert serve.wait(120) == 0
    finally:
        stop_all(serve)
    assert all_gone(processes), "a process outlived Ctrl-C"
    log = serve.stdout.read()
    assert '"GET /forms/support/" 200' in log and "127.0.0.1 -" not in log  # no address


def test_serve_stops_the_rest_and_fails_when_one_part_dies(tmp_path):
    serve, _port = start_serve(tmp_path)
    try:
        processes = whole_family(serve.pid, 5)
        direct = children(serve.pid)
        worker = next(pid for pid in direct if "delivery_worker" in Path(f"/proc/{pid}/cmdline")
                      .read_text().replace("\0", " "))  # fmt: skip
        os.kill(worker, signal.SIGTERM)  # a worker that ends, however cleanly
        assert serve.wait(120) != 0  # so that a supervisor restarts the whole
    finally:
        stop_all(serve)
    assert all_gone(processes)


@pytest.mark.django_db(transaction=True)
def test_every_state_change_is_one_line_with_the_reference_and_no_personal_data(
    client, settings, caplog
):
    from tests.integration.test_portal_flow import closed_port_url, get_token, valid_post_data
    from tickets.delivery.attempts import deliver
    from tickets.models import Submission

    settings.TICKETS_API_URL = closed_port_url()
    caplog.set_level("INFO")
    caplog.set_level("INFO", logger="tickets.submissions")
    post = valid_post_data(get_token(client), user_email="ada@example.com", title="Secret plan")
    client.post("/forms/support/", post)
    submission = Submission.objects.get()
    Submission.objects.filter(pk=submission.pk).update(next_attempt_at=None)
    deliver(submission.pk)
    lines = [r for r in caplog.records if r.name == "tickets.submissions"]
    assert [(r.reference, r.state, r.from_state) for r in lines] == [
        (submission.reference, "received", ""),
        (submission.reference, "sending", ""),
        (submission.reference, "queued", "sending"),
        (submission.reference, "sending", ""),
        (submission.reference, "queued", "sending"),
    ]
    assert lines[2].why == "unavailable"
    every = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "ada@example.com" not in every and "Secret plan" not in every


@pytest.mark.django_db(transaction=True)
def test_what_the_api_says_of_a_persons_values_never_reaches_a_log(client, settings, caplog):
    """An API that quotes the value it refuses (the sandbox does, as the real one may): the log
    keeps the message's code and field, never its words."""
    from tests.integration.test_portal_flow import get_token, valid_post_data
    from tests.stub_server import stub_server

    refusal = {"errors": [{"code": "e-422", "title": "Validation error",
                           "details": "The user_email field 'ada@example.com' is not valid."}]}  # fmt: skip
    caplog.set_level("INFO")
    with stub_server(lambda r: (422, "application/json", json.dumps(refusal).encode())) as (url, _):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        post = valid_post_data(get_token(client), user_email="ada@example.com")
        response = client.post("/forms/support/", post)
    assert "is not valid" in response.content.decode()  # the person reads it on the form
    every = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "e-422(user_email)" in every and "ada@example.com" not in every


def test_json_log_lines_leave_out_the_request(tmp_path):
    """Django puts the request on its records: its URL may carry prefilled values."""
    env = environment(tmp_path, LOG_FORMAT="json")
    done = manage(env, "shell", "--no-imports", "-c",
                  "import logging; from django.test import RequestFactory; "
                  "r = RequestFactory().get('/embed/support/?email=ada@example.com'); "
                  "logging.getLogger('django.request').warning('Too Many Requests: %s', r.path, "
                  "extra={'request': r, 'status_code': 429})")  # fmt: skip
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["status_code"] == 429 and "request" not in line
    assert "ada@example.com" not in done.stderr


def test_log_lines_as_json_on_request(tmp_path):
    env = environment(tmp_path, LOG_FORMAT="json")
    done = manage(env, "shell", "--no-imports", "-c",
                  "from tickets.delivery import journal; "
                  "journal.changed('TP-AAAAA-BBBBB', 'filed', 'sending', unique_id='SBX-0001')")  # fmt: skip
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "TP-AAAAA-BBBBB filed as SBX-0001 (from sending)"
    assert {k: line[k] for k in ("reference", "state", "from_state", "level", "logger")} == {
        "reference": "TP-AAAAA-BBBBB", "state": "filed", "from_state": "sending",
        "level": "INFO", "logger": "tickets.submissions",
    }  # fmt: skip


BEHIND_TLS = {  # README's Deploying, behind a TLS proxy
    "SECURE_PROXY_SSL_HEADER": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
}


def test_check_deploy_has_no_warning_with_the_documented_production_settings(tmp_path):
    readme = (ROOT / "README.md").read_text()
    deploying = readme[readme.index("## Deploying") :]
    assert all(f"{name}={value}" in deploying for name, value in BEHIND_TLS.items())
    import secrets

    key = secrets.token_urlsafe(50)  # as .env.example says to make one
    env = environment(tmp_path, **{**PRODUCTION, "SECRET_KEY": key}, **BEHIND_TLS)
    checked = manage(env, "check", "--deploy", "--fail-level", "WARNING", check=False)
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout and "WARNING" not in checked.stderr
    # Cookies are secure with DEBUG=false even when nobody says so.
    plain = manage(environment(tmp_path, **PRODUCTION), "check", "--deploy", check=False)
    assert "W012" not in plain.stderr and "W016" not in plain.stderr
