"""A person who files a ticket, goes Back, corrects the subject and sends again at once files a
second ticket: the browser shows a fresh form (a new token, seconds old) with the values it
restored, and the fill-time trap knows this address has just filed one."""

import pytest

from sandbox.models import Ticket
from tests.browser.test_delivery import fill_required

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_correct_and_send_again_at_once(page, live_server, sandbox_api, settings):
    settings.TICKETS_MIN_FILL_SECONDS = 2
    page.goto(f"{live_server.url}/forms/support/")
    first_token = page.locator("[name=form_token]").input_value()
    fill_required(page, title="Checkout fails")
    page.wait_for_timeout(2100)  # a person takes longer than the trap's seconds
    page.get_by_role("button", name="Send").click()
    page.locator("[data-unique-id]").wait_for()

    page.go_back()
    assert page.locator("[name=form_token]").input_value() != first_token  # a fresh rendering
    assert page.get_by_label("Subject").input_value() == "Checkout fails"  # restored by Chrome
    page.get_by_label("Subject").fill("Checkout fails on the second card too")
    page.get_by_role("button", name="Send").click()  # within the trap's seconds

    page.locator("[data-unique-id]").wait_for()
    titles = sorted(Ticket.objects.values_list("title", flat=True))
    assert titles == ["Checkout fails", "Checkout fails on the second card too"]
