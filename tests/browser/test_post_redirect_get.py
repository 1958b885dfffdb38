"""In Chromium a sent form is a POST answered with 303 See Other and a GET of the status page, with
JavaScript and without: a reload then asks for that page again (a GET, no resubmission), and Back
goes to the form."""

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


def test_post_redirect_get_then_a_reload_asks_for_the_status_page(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/?lang=en")
    fill_required(page, title="One exchange")
    documents = documents_of(page)
    page.get_by_role("button", name="Send").click()
    page.locator("[data-unique-id]").wait_for()
    key = Submission.objects.get().public_key
    page.wait_for_url(f"{live_server.url}/tickets/{key}/?lang=en")
    assert documents == [("POST", 303, "/forms/support/"), ("GET", 200, f"/tickets/{key}/")]

    documents.clear()
    page.reload()
    page.locator("[data-unique-id]").wait_for()
    assert documents == [("GET", 200, f"/tickets/{key}/")]
    assert Ticket.objects.get().title == "One exchange"

    page.go_back()
    page.get_by_label("Subject").wait_for()
    assert urlsplit(page.url).path == "/forms/support/"
    assert Ticket.objects.count() == 1


def test_without_javascript_too_a_reload_is_a_get(browser, live_server, sandbox_api):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/forms/support/?lang=en")
    fill_required(page, title="No scripts, one ticket")
    documents = documents_of(page)
    page.get_by_role("button", name="Send").click()
    key = Submission.objects.get().public_key
    page.wait_for_url(f"{live_server.url}/tickets/{key}/?lang=en")
    page.locator("[data-unique-id]").wait_for()
    assert documents == [("POST", 303, "/forms/support/"), ("GET", 200, f"/tickets/{key}/")]

    documents.clear()
    page.reload()
    page.locator("[data-unique-id]").wait_for()
    assert documents == [("GET", 200, f"/tickets/{key}/")]
    page.go_back()
    page.get_by_label("Subject").wait_for()
    assert urlsplit(page.url).path == "/forms/support/"
    assert Ticket.objects.count() == 1
    context.close()
