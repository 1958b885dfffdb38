"""Conditional fields in Chromium: shown while their condition holds, otherwise hidden and not sent."""

import pytest

from sandbox.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_core(page) -> None:
    page.get_by_label("Your email").fill("cond@example.com")
    page.get_by_label("Subject").fill("Conditional")
    page.locator("#id_description").fill("Testing show_if")
    page.locator("#id_cf_100_0").select_option(label="Payments")
    page.locator("#id_cf_100_1").select_option(label="Invoices")


def test_field_appears_with_its_condition_and_is_sent(page, live_server, sandbox_api, axe_check):
    page.goto(f"{live_server.url}/forms/technical/")
    build = page.locator("#id_cf_108")
    assert build.is_hidden()
    assert page.get_by_text("Only needed when").is_hidden()  # the no-JS hint

    page.get_by_label("Operating system").select_option(label="Windows")
    assert build.is_visible()
    assert page.locator("[data-condition-status]").inner_text().startswith("Windows build number")
    axe_check(page, "the form with a conditional field shown")
    fill_core(page)
    build.fill("22631")
    page.get_by_role("button", name="Send").click()

    unique_id = page.locator("[data-unique-id]").inner_text()
    ticket = Ticket.objects.get(unique_id=unique_id)
    assert ticket.custom_fields["99"] == "192"
    assert ticket.custom_fields["108"] == "22631"
    assert (ticket.department_id, ticket.type_id, ticket.priority_id) == (1, 2, 2)
    assert ticket.tags == ["technical"]


def test_field_hidden_again_is_not_sent(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/technical/")
    page.get_by_label("Operating system").select_option(label="Windows")
    page.locator("#id_cf_108").fill("typed, then hidden")
    page.get_by_label("Operating system").select_option(label="Linux")
    assert page.locator("#id_cf_108").is_hidden()
    assert page.locator("#id_cf_108").is_disabled()
    fill_core(page)
    page.get_by_role("button", name="Send").click()

    ticket = Ticket.objects.get(unique_id=page.locator("[data-unique-id]").inner_text())
    assert ticket.custom_fields["99"] == "194"
    assert "108" not in ticket.custom_fields


def test_checkbox_condition_in_the_billing_form(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/billing/")
    amount = page.get_by_label("Refund amount")
    assert amount.is_hidden()
    page.get_by_label("I would like a refund").check()
    assert amount.is_visible()
    page.get_by_label("Your email").fill("bill@example.com")
    page.get_by_label("Subject").fill("Refund please")
    page.locator("#id_description").fill("Charged twice")
    page.get_by_label("Invoice number").fill("INV-1")
    page.get_by_label("Order number").fill("A-9")
    amount.fill("19.90")
    page.get_by_role("button", name="Send").click()

    ticket = Ticket.objects.get(unique_id=page.locator("[data-unique-id]").inner_text())
    assert ticket.custom_fields["110"] == "1"
    assert ticket.custom_fields["111"] == "19.90"  # as typed
    assert (ticket.department_id, ticket.type_id, ticket.priority_id) == (2, 1, 2)
    assert ticket.tags == ["billing"]


def test_without_javascript_every_field_shows_and_the_server_decides(
    browser, live_server, sandbox_api
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/forms/technical/")
        assert page.locator("#id_cf_108").is_visible()
        assert page.get_by_text("Only needed when “Operating system” is “Windows”.").is_visible()
        page.get_by_label("Operating system").select_option(label="macOS")
        page.locator("#id_cf_108").fill("ignored")
        fill_core(page)
        page.get_by_role("button", name="Send").click()
        ticket = Ticket.objects.get(unique_id=page.locator("[data-unique-id]").inner_text())
        assert "108" not in ticket.custom_fields
    finally:
        context.close()


CHAIN = {
    "fields": [
        {
            "id": 1,
            "field_type": "select",
            "name": "Plan",
            "options": [{"id": 11, "name": "Basic"}, {"id": 12, "name": "Pro"}],
        },
        {"id": 2, "field_type": "checkbox", "name": "Paid by card"},
        {"id": 3, "field_type": "text", "name": "Other payment"},
    ],
    "forms": [
        {
            "slug": "support",
            "title": "Support",
            "fields": [
                1,
                {"id": 2, "show_if": {"field": 1, "in": [11]}},
                {"id": 3, "show_if": {"field": 2, "in": [False]}},
            ],
        }
    ],
}


@pytest.fixture
def chain_schema(use_schema):
    use_schema(CHAIN)


def test_a_chain_of_conditions_agrees_with_the_server(page, live_server, chain_schema):
    page.goto(f"{live_server.url}/forms/support/")
    card, other = page.locator("#id_cf_2"), page.locator("#id_cf_3")
    assert card.is_hidden() and other.is_hidden()  # nothing chosen: the chain holds nowhere
    page.get_by_label("Plan").select_option(label="Pro")
    assert card.is_hidden() and other.is_hidden()  # a hidden controller never holds
    page.get_by_label("Plan").select_option(label="Basic")
    assert card.is_visible() and other.is_visible()  # unticked: "Other payment" applies
    page.get_by_label("Paid by card").check()
    assert other.is_hidden()


def test_a_locked_controller_still_drives_its_condition(page, live_server, chain_schema):
    page.goto(f"{live_server.url}/forms/support/?cf_1=11&lock=cf_1")
    assert page.locator("#id_cf_1").is_disabled()
    assert page.locator("#id_cf_2").is_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_required_conditional_field_is_required_in_the_browser_while_it_shows(
    browser, live_server, sandbox_api, width
):
    """Windows build number is required of a customer when the system is Windows: the browser
    asks for it before anything is sent, and only while it shows."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        posts: list = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else 0)
        page.goto(f"{live_server.url}/forms/technical/")
        fill_core(page)
        build = page.locator("#id_cf_108")
        assert not build.evaluate("i => i.required")  # hidden: never in the way
        page.get_by_label("Operating system").select_option(label="Windows")
        assert build.evaluate("i => i.required")
        page.get_by_role("button", name="Send").click()
        page.wait_for_timeout(300)
        assert posts == []  # the browser asked first
        assert build.evaluate("i => i.validity.valueMissing")
        page.get_by_label("Operating system").select_option(label="Linux")
        assert not build.evaluate("i => i.required")
        page.get_by_role("button", name="Send").click()
        page.wait_for_selector("[data-unique-id]")
        assert "108" not in Ticket.objects.get().custom_fields
    finally:
        context.close()
