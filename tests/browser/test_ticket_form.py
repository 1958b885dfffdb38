"""A customer fills every field type in Chromium, sends, and reads the unique_id."""

import re

import pytest

from sandbox.models import Ticket
from tests.browser.waits import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_every_field(page) -> None:
    page.get_by_label("Your email").fill("customer@example.com")
    page.get_by_label("Subject").fill("Checkout fails")
    page.locator("#id_description").fill("The payment step spins forever.")
    page.get_by_label("Order number").fill("A-12345")
    page.get_by_label("Steps to reproduce").fill("Add to cart, pay")
    page.get_by_label("Number of affected users").fill("12")
    page.get_by_label("Operating system").select_option(label="Windows")
    # The hierarchy: each level appears once the level above is chosen, filtered by it.
    product = page.locator("#id_cf_100_0")
    component = page.locator("#id_cf_100_1")
    area = page.locator("#id_cf_100_2")
    assert component.is_hidden()
    product.select_option(label="Online store")
    assert component.is_visible()
    assert component.locator("option").all_inner_texts() == ["Choose…", "Checkout", "Catalogue"]
    component.select_option(label="Checkout")
    area.select_option(label="Payment step")
    page.get_by_label("Date the problem started").fill("2027-01-01")
    page.get_by_label("Time the problem started").fill("09:00")
    page.get_by_label("Contact email").fill("name@example.com")
    page.get_by_label("The problem stops me from working").check()
    # The toggle button and the button group, by keyboard.
    page.locator("#id_cf_105").focus()
    page.keyboard.press("Space")
    assert page.locator("#id_cf_105").is_checked()
    page.locator("#id_cf_106_1").focus()  # _0 is "Not specified"
    page.keyboard.press("ArrowRight")
    assert page.locator("#id_cf_106_2").is_checked()


def test_customer_files_every_field_type(page, live_server, sandbox_api, axe_check):
    page.goto(f"{live_server.url}/forms/support/")
    axe_check(page, "the empty form")
    fill_every_field(page)
    page.get_by_role("button", name="Send").click()

    unique_id = page.locator("[data-unique-id]").inner_text()
    assert re.fullmatch(r"[A-Z]+-\d+", unique_id)
    ticket = Ticket.objects.get(unique_id=unique_id)
    assert ticket.custom_fields == {
        "96": "A-12345",
        "97": "Add to cart, pay",
        "98": "12",
        "99": "192",
        "100": {"1": 198, "2": 204, "3": 211},
        "101": "01.01.2027",
        "102": "09:00",
        "103": "name@example.com",
        "104": "1",
        "105": "1",
        "106": "45929",
    }
    page.get_by_text("What you sent").click()  # folded under the conversation once filed
    assert page.get_by_text("Online store › Checkout › Payment step").is_visible()
    axe_check(page, "the confirmation")

    page.reload()  # refreshing the confirmation files nothing again
    assert Ticket.objects.count() == 1


def test_errors_are_summarised_and_keep_values(page, live_server, sandbox_api, axe_check):
    page.goto(f"{live_server.url}/forms/support/")
    # Skip the browser's own checks to see the server's messages.
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    page.get_by_label("Subject").fill("Keep me")
    page.locator("#id_cf_100_0").select_option(label="Payments")
    page.get_by_role("button", name="Send").click()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    # Focus moves to the summary once the page's script has run.
    wait_until(page, "document.activeElement.id === 'error-summary'")
    assert page.get_by_label("Subject").input_value() == "Keep me"
    assert page.locator("#id_cf_100_0").input_value() == "200"
    assert "Choose Component" in summary.inner_text()
    email = page.get_by_label("Your email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "id_user_email_error" in email.get_attribute("aria-describedby")
    axe_check(page, "the form with errors")
    assert Ticket.objects.count() == 0


def test_going_back_to_the_form_keeps_every_level(page, live_server):
    page.goto(f"{live_server.url}/forms/support/")
    page.locator("#id_cf_100_0").select_option("198")
    page.locator("#id_cf_100_1").select_option("204")
    page.locator("#id_cf_100_2").select_option("211")
    page.goto(f"{live_server.url}/")
    page.go_back()
    page.wait_for_load_state("load")
    levels = [page.locator(f"#id_cf_100_{n}") for n in range(3)]
    wait_until(page, "document.querySelector('#id_cf_100_2').offsetParent !== null")
    assert [level.input_value() for level in levels] == ["198", "204", "211"]
    assert levels[1].locator("option").all_inner_texts() == ["Choose…", "Checkout", "Catalogue"]


def test_dark_mode_is_followed_and_readable(browser, live_server, axe_check):
    # Reduced motion: Bootstrap then skips its colour transitions, which axe would catch midway.
    context = browser.new_context(color_scheme="dark", reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/forms/technical/")
        assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
        page.get_by_label("Operating system").select_option(label="Windows")
        axe_check(page, "the form in dark mode")
        page.get_by_text("Urgent").click()  # the label is the button
        axe_check(page, "the form in dark mode, button pressed")
    finally:
        context.close()
