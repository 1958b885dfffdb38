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


def documents_of(page) -> list[tuple[str, int, str]]:
    """(method, status, path) of each page the tab loads from now on, as they come."""
    documents = []

    def seen(response) -> None:
        if response.request.resource_type == "document":
            parts = urlsplit(response.url)
            documents.append((response.request.method, response.status, parts.path))

    page.on("response", seen)
    return documents


def test_one_exchange_then_a_reload_asks_for_the_status_page(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/?lang=en")
    fill_required(page, title="One exchange")
    documents = documents_of(page)
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


def test_without_javascript_a_reload_resends_the_post_and_lands_on_the_status_page(
    browser, live_server, sandbox_api, settings
):
    # The address bar keeps the form's address, so a reload sends the POST again: its token
    # finds the ticket it filed, even with the throttle used up, and the browser is sent there.
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/forms/support/?lang=en")
    fill_required(page, title="No scripts, one ticket")
    page.get_by_role("button", name="Send").click()
    page.locator("[data-unique-id]").wait_for()
    assert urlsplit(page.url).path == "/forms/support/"
    key = Submission.objects.get().public_key
    documents = documents_of(page)

    page.reload()
    page.locator("[data-unique-id]").wait_for()
    assert documents == [("POST", 303, "/forms/support/"), ("GET", 200, f"/tickets/{key}/")]
    assert page.url == f"{live_server.url}/tickets/{key}/?lang=en"
    assert Ticket.objects.count() == 1
    context.close()
