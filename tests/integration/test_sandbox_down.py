"""The sandbox's "helpdesk down" switch: while it is on, every endpoint answers 503 in the API's
errors envelope, the portal queues what it is sent, and its worker files it once the switch is
off. Switched at run time, from the admin or `manage.py sandbox_down`."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import requests
from django.core.management import call_command

from sandbox.models import SandboxSwitch, Ticket
from tests.examples import EXAMPLE_POST
from tests.integration.test_portal_flow import make_due, run_worker
from tickets.helpdesk.client import close_clients
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

DOWN = {
    "errors": [
        {
            "code": "e-503",
            "title": "Service unavailable",
            "details": "The helpdesk is down (the sandbox's switch).",
        }
    ]
}
TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _close_api_connections():
    yield
    close_clients()


def sandbox_down(state: str) -> str:
    out = StringIO()
    call_command("sandbox_down", state, stdout=out)
    return out.getvalue().strip()


def test_every_endpoint_answers_503_while_down_and_answers_again_once_up(sandbox_api, settings):
    auth = (settings.SANDBOX_API_EMAIL, settings.SANDBOX_API_KEY)
    SandboxSwitch.set_down(True)
    for method, path in [
        ("GET", "tickets/"),
        ("POST", "tickets/"),
        ("GET", "users/"),
        ("GET", "custom_fields"),
        ("GET", "departments/"),
        ("GET", "knowledge_base/articles/"),
        ("GET", "no/such/path/"),
    ]:
        answer = requests.request(method, f"{sandbox_api}/{path}", auth=auth, timeout=10)
        assert (answer.status_code, answer.json()) == (503, DOWN), (method, path)
    # Refused before the key is checked: a wrong key learns nothing either.
    wrong = requests.get(f"{sandbox_api}/tickets/", auth=("x@example.com", "no"), timeout=10)
    assert wrong.status_code == 503

    SandboxSwitch.set_down(False)
    assert requests.get(f"{sandbox_api}/tickets/", auth=auth, timeout=10).status_code == 200


def test_while_down_the_form_is_received_and_queued_then_filed_once_when_up(
    live_server, sandbox_api
):
    assert sandbox_down("on").startswith("The sandbox helpdesk is down")
    browser = requests.Session()
    form = browser.get(f"{live_server.url}/forms/support/", timeout=30)
    token = TOKEN_RE.search(form.text)[1]
    response = browser.post(
        f"{live_server.url}/forms/support/",
        data={**EXAMPLE_POST, "form_token": token},
        headers={"Origin": live_server.url},
        timeout=60,
    )

    assert response.status_code == 200 and response.history[0].status_code == 303
    page = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
    submission = Submission.objects.get()
    assert "Your ticket has been received" in page
    assert submission.reference in page
    assert (submission.state, submission.error_kind) == ("queued", "unavailable")
    assert Ticket.objects.count() == 0

    make_due()
    run_worker()  # still down: kept, not filed
    submission.refresh_from_db()
    assert submission.state == "queued" and Ticket.objects.count() == 0

    assert sandbox_down("off") == "The sandbox helpdesk is up."
    make_due()
    run_worker()
    run_worker()  # nothing left to do: filed once

    ticket = Ticket.objects.get()
    submission.refresh_from_db()
    assert (submission.state, submission.unique_id) == ("filed", ticket.unique_id)
    assert ticket.description.endswith(f"Ticket portal reference: {submission.reference}")
    status = browser.get(f"{live_server.url}/tickets/{submission.public_key}/", timeout=30)
    assert ticket.unique_id in status.text


def test_the_command_switches_and_says_where_it_stands():
    assert sandbox_down("status") == "The sandbox helpdesk is up."
    assert not SandboxSwitch.is_down()
    assert sandbox_down("on") == "The sandbox helpdesk is down: every API request is answered 503."
    assert SandboxSwitch.is_down()
    assert sandbox_down("status").startswith("The sandbox helpdesk is down")
    assert sandbox_down("on").startswith("The sandbox helpdesk is down")  # twice: still one row
    assert SandboxSwitch.objects.count() == 1
    assert sandbox_down("off") == "The sandbox helpdesk is up."
    assert not SandboxSwitch.is_down()


def test_the_admin_checkbox_switches_it(admin_client):
    index = admin_client.get("/admin/").content.decode()
    assert "Helpdesk down switch" in index

    listed = admin_client.get("/admin/sandbox/sandboxswitch/")
    assert listed.status_code == 302
    page = admin_client.get(listed["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="down"' in html and "Helpdesk down" in html

    saved = admin_client.post(listed["Location"], {"down": "on", "_save": "Save"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert SandboxSwitch.is_down()
    warned = admin_client.get("/admin/sandbox/ticket/").content.decode()
    assert "The helpdesk is down (the sandbox&#x27;s switch)" in warned

    admin_client.post(listed["Location"], {"_save": "Save"})  # the box unticked
    assert not SandboxSwitch.is_down()
    assert "The helpdesk is down" not in admin_client.get("/admin/sandbox/ticket/").content.decode()
