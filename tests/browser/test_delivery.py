"""The API is down when a customer sends: the page says the ticket is received, with its
reference; once the API is back and the worker has filed it, the page shows the number without a
reload, and says so to screen readers."""

import re

import pytest

from sandbox.models import Ticket
from tests.browser.conftest import ARTIFACTS
from tests.integration.test_portal_flow import closed_port_url, make_due, run_worker
from tickets.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_required(frame, title: str = "Filed while the helpdesk was down") -> None:
    """The fields the shipped support form requires of a customer, in a page or an iframe."""
    frame.get_by_label("Your email").fill("waiting@example.com")
    frame.get_by_label("Subject").fill(title)
    frame.locator("#id_description").fill("Sent from the browser tests.")
    frame.get_by_label("Order number").fill("A-777")
    frame.locator("#id_cf_100_0").select_option(label="Payments")
    frame.locator("#id_cf_100_1").select_option(label="Invoices")


def test_received_then_filed_without_a_reload(page, live_server, sandbox_api, settings, axe_check):
    settings.TICKETS_API_URL = closed_port_url()
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page)
    page.get_by_role("button", name="Send").click()

    status = page.get_by_role("status")
    assert "Your ticket has been received" in status.inner_text()
    submission = Submission.objects.get()
    assert page.locator("[data-reference]").inner_text() == submission.reference
    axe_check(page, "the received page")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "delivery-received.png", full_page=True)
    page.evaluate("window.notReloaded = true")

    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    unique_id = Ticket.objects.get().unique_id

    page.locator("[data-unique-id]").wait_for(timeout=15_000)
    assert page.locator("[data-unique-id]").inner_text() == unique_id
    assert page.evaluate("window.notReloaded") is True  # the same page, updated in place
    assert (
        page.get_by_role("status").inner_text().startswith("Thank you, your ticket has been filed")
    )
    assert re.search(unique_id, page.title())
    axe_check(page, "the filed page")
    page.screenshot(path=ARTIFACTS / "delivery-filed.png", full_page=True)
