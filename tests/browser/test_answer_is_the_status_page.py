"""In Chromium a sent form takes one exchange, not a POST and a redirect: the POST's answer is the
status page, whose script puts its own address in the address bar. A reload then asks for that
page (a GET, no resubmission), and Back goes to the form."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from sandbox.models import Ticket
from tests.browser.test_delivery import fill_required
from tickets.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_exchange_then_a_reload_asks_for_the_status_page(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/?lang=en")
    fill_required(page, title="One exchange")
    documents: list[tuple[str, int, str]] = []

    def seen(response) -> None:
        if response.request.resource_type == "document":
            parts = urlsplit(response.url)
            documents.append((response.request.method, response.status, parts.path))

    page.on("response", seen)
    page.get_by_role("button", name="Send").click()
    page.locator("[data-unique-id]").wait_for()
    key = Submission.objects.get().public_key
    page.wait_for_url(f"{live_server.url}/tickets/{key}/?lang=en")
    assert documents == [("POST", 201, "/forms/support/")]

    documents.clear()
    page.reload()
    page.locator("[data-unique-id]").wait_for()
    assert documents == [("GET", 200, f"/tickets/{key}/")]
    assert Ticket.objects.get().title == "One exchange"

    page.go_back()
    page.get_by_label("Subject").wait_for()
    assert urlsplit(page.url).path == "/forms/support/"
    assert Ticket.objects.count() == 1
