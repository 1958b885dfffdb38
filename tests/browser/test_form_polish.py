"""The customer form's polish (issue 13) as a person sees and hears it in Chromium: names without
the "*", one rule and one message in the browser and on the server, errors that go once fixed,
placeholders that read as examples, a focus ring that shows in both schemes, and a confirmation
page in the reader's own terms."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

from sandbox.models import Ticket
from tests.browser.measure import contrast
from tests.browser.test_delivery import fill_required
from tests.browser.waits import wait_until
from tickets.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")


def page_background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


# --- 6: accessible names carry no "*"; required comes from required / aria-required -------------
def chromium_names(page) -> list[tuple[str, str, bool]]:
    """(role, name, required) of every control in Chromium's own accessibility tree."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    controls = []
    for node in nodes:
        role = node.get("role", {}).get("value", "")
        if role in (
            "textbox",
            "combobox",
            "group",
            "radiogroup",
            "checkbox",
            "radio",
            "spinbutton",
        ):
            props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            name = node.get("name", {}).get("value", "")
            controls.append((role, name, bool(props.get("required"))))
    return controls


@pytest.fixture
def contact_required(use_schema):
    """The shipped schema with "Preferred contact" (a button group) required of customers."""
    path = Path(django_settings.BASE_DIR) / "portal" / "ticket_schema.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    field = next(f for f in document["fields"] if f["id"] == 106)
    field["permissions"]["user"]["required_to_create_ticket"] = True
    use_schema(document)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_names_have_no_asterisk_and_required_is_said_by_the_control(
    open_page, live_server, contact_required, axe_check, scheme
):
    page = open_page(scheme)
    page.goto(f"{live_server.url}/forms/support/")
    assert page.locator(".asteriskField").first.is_visible()  # still there for the eye

    # The accessible name (Playwright's get_by_label matches the label's text, "*" included).
    email = page.get_by_role("textbox", name="Your email", exact=True)
    assert email.evaluate("el => el.required")
    assert 'textbox "Your email"' in page.locator("#div_id_user_email").aria_snapshot()
    product = page.get_by_role("group", name="Product", exact=True)
    assert product.get_by_role("combobox", name="Product", exact=True).evaluate("el => el.required")
    contact = page.get_by_role("radiogroup", name="Preferred contact", exact=True)
    assert contact.get_attribute("aria-required") == "true"

    controls = chromium_names(page)
    assert [c for c in controls if "*" in c[1]] == []
    required = {(role, name) for role, name, is_required in controls if is_required}
    # (Chromium's tree lists no required state for a select at all, even with aria-required:
    # the select's own `required` is checked above.)
    assert {
        ("textbox", "Your email"),
        ("textbox", "Subject"),
        ("textbox", "Order number"),
        ("radiogroup", "Preferred contact"),
    } <= required
    axe_check(page, f"the form, {scheme}")


def test_a_required_hierarchy_requires_each_level_that_shows(page, live_server):
    page.goto(f"{live_server.url}/forms/support/")
    levels = [page.locator(f"#id_cf_100_{n}") for n in range(3)]
    levels[0].select_option(label="Online store")
    assert [level.evaluate("el => el.required") for level in levels] == [True, True, False]
    levels[1].select_option(label="Checkout")
    assert levels[2].evaluate("el => el.required")
    levels[0].select_option(label="Payments")  # Payments' Invoices has no level below
    levels[1].select_option(label="Invoices")
    assert not levels[2].evaluate("el => el.required")


# --- 8: one rule, one message, in the browser as on the server ----------------------------------
ADDRESSES = [
    "ada@example.com",
    "a.b+c@mail.example.co.uk",
    "o'neil@example.org",
    "ada@localhost",
    "ada@xn--80ak6aa92e.xn--p1ai",
    "ada@example",
    "ada@example.c",
    "ada@example.123",
    ".ada@example.com",
    "ada.@example.com",
    "a..b@example.com",
    "ada@-example.com",
    "ada@example-.com",
    "ada@@example.com",
    "ada@exa mple.com",
    "ada",
]


def server_takes(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def test_email_is_judged_alike_by_the_browser_and_the_server(page, live_server):
    page.goto(f"{live_server.url}/forms/support/")
    email = page.locator("#id_user_email")
    for address in ADDRESSES:
        email.fill(address)
        valid, message = email.evaluate("el => [el.validity.valid, el.validationMessage]")
        assert valid == server_takes(address), address
        assert message == ("" if valid else "Enter a valid email address."), address


def test_the_browser_speaks_the_servers_message_in_the_page_language(page, live_server):
    page.goto(f"{live_server.url}/forms/support/?lang=ru")
    email = page.locator("#id_user_email")
    email.fill("ada@example")
    with translation.override("ru"):
        expected = str(validate_email.message)
    assert expected != "Enter a valid email address."  # Django's own Russian
    assert email.evaluate("el => el.validationMessage") == expected


def test_a_regex_field_says_its_pattern_message(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/")
    contact = page.get_by_label("Contact email")
    contact.fill("not an address")
    assert contact.evaluate("el => el.validationMessage") == (
        "Enter an email address, such as name@example.com"
    )
    fill_required(page)
    page.get_by_role("button", name="Send").click()
    assert page.locator("[data-unique-id]").count() == 0  # the browser held it back
    contact.fill("name@example.com")
    assert contact.evaluate("el => el.validationMessage") == ""


# --- 9: an error goes once its field is fixed; the others stay -----------------------------------
def send_with_errors(page, live_server) -> None:
    """The support form sent past the browser's checks: Subject empty, an email the server
    refuses."""
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page)
    page.get_by_label("Subject").fill("")
    page.locator("#id_user_email").fill("ada@example")
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Send").click()
    page.locator("#error-summary").wait_for()


def assert_error_shown(page, name: str, shown: bool) -> None:
    control = page.locator(f"#id_{name}")
    assert page.locator(f"#id_{name}_error").count() == (1 if shown else 0)
    assert ("is-invalid" in (control.get_attribute("class") or "")) == shown
    assert (control.get_attribute("aria-invalid") == "true") == shown
    described = control.get_attribute("aria-describedby") or ""
    assert (f"id_{name}_error" in described) == shown
    assert (page.locator(f"#error-summary a[href='#id_{name}']").count() == 1) == shown


@pytest.mark.parametrize("width", WIDTHS)
def test_a_fixed_field_loses_its_error_and_the_other_keeps_its(
    open_page, live_server, sandbox_api, axe_check, width
):
    page = open_page(width=width)
    send_with_errors(page, live_server)
    assert_error_shown(page, "user_email", True)
    assert_error_shown(page, "title", True)

    page.locator("#id_user_email").fill("ada@example.co")  # changed, still typing
    page.locator("#id_user_email").fill("ada@example.com")
    assert_error_shown(page, "user_email", False)
    assert_error_shown(page, "title", True)
    axe_check(page, f"the form with one error left, {width} px")

    page.locator("#id_user_email").fill("ada@example")  # broken again: the browser
    assert page.locator("#id_user_email").evaluate("el => !el.validity.valid")  # says so itself
    page.get_by_label("Subject").fill("Now with a subject")
    assert_error_shown(page, "title", False)
    assert page.locator("#error-summary").is_hidden()  # nothing left to list


# A pattern the browser cannot read as Python does (\d): the server alone checks it.
SERVER_ONLY = {
    "fields": [
        {
            "id": 1,
            "field_type": "regex",
            "name": "Code",
            "pattern": "^\\d{4}$",
            "pattern_message": "Four digits",
        }
    ],
    "forms": [{"slug": "support", "title": "Support", "fields": [1]}],
}


def test_a_value_as_the_server_judged_it_keeps_its_error(page, live_server, use_schema):
    use_schema(SERVER_ONLY)
    page.goto(f"{live_server.url}/forms/support/")
    page.locator("#id_user_email").fill("ada@example.com")
    page.get_by_label("Subject").fill("A code")
    page.locator("#id_description").fill("The code is wrong.")
    page.get_by_label("Code").fill("12a")
    page.get_by_role("button", name="Send").click()  # the browser lets it through
    page.locator("#error-summary").wait_for()
    code = page.get_by_label("Code")
    assert code.evaluate("el => el.validity.valid")
    code.dispatch_event("input")
    code.dispatch_event("change")
    assert_error_shown(page, "cf_1", True)  # unchanged: the server's word stands
    code.fill("1234")
    assert_error_shown(page, "cf_1", False)


def test_after_back_errors_of_what_was_fixed_are_gone(page, live_server, sandbox_api):
    send_with_errors(page, live_server)
    page.locator("#id_user_email").fill("ada@example.com")
    page.get_by_label("Subject").fill("Fixed")
    page.get_by_role("button", name="Send").click()
    page.locator("[data-unique-id]").wait_for()

    try:
        page.go_back()
    except PlaywrightError as error:
        # The form with errors answered a POST and is private (no-store): Chromium kept no copy
        # and asks before sending it again (ERR_CACHE_MISS), showing nothing of the old errors.
        assert "ERR_CACHE_MISS" in str(error), error
        return
    # Chromium restores the form from its back/forward cache, or sends the POST again, which the
    # portal answers with the ticket it made: either way, no error of what was fixed shows.
    shown = wait_until(
        page,
        """document.querySelector('[data-unique-id]') ? 'ticket'
           : (document.querySelector('#id_user_email') || {}).value === 'ada@example.com'
             ? 'form' : ''""",
    )
    if shown == "ticket":
        assert Submission.objects.count() == 1  # the same ticket, not a second one
        return
    assert_error_shown(page, "user_email", False)
    assert_error_shown(page, "title", False)


# --- 10: placeholders read as examples -------------------------------------------------------------
@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_placeholder_reads_as_an_example(open_page, live_server, scheme):
    page = open_page(scheme)
    page.goto(f"{live_server.url}/forms/support/")
    order = page.get_by_label("Order number")
    assert order.get_attribute("placeholder") == "e.g. A-12345"
    shown = order.evaluate(
        """el => {
          const p = getComputedStyle(el, "::placeholder"), s = getComputedStyle(el);
          return [p.color, p.fontStyle, s.color, s.backgroundColor];
        }"""
    )
    placeholder, style, typed, background = shown
    assert style == "italic"
    assert placeholder != typed
    assert contrast(placeholder, background) >= 4.5, placeholder


# --- 12: a focus ring that shows, in both schemes ---------------------------------------------------
FOCUS_STOPS = [
    # (how to reach it: the element before it, what gets the outline)
    ("#id_description", "#id_cf_96", "#id_cf_96"),  # a text input
    ("#id_cf_96", "#id_cf_97", "#id_cf_97"),  # a textarea
    ("#id_cf_98", "#id_cf_99", "#id_cf_99"),  # a select
    ("#id_cf_103", "#id_cf_104", "#id_cf_104"),  # a checkbox
    ("#id_cf_104", "#id_cf_105", "label[for=id_cf_105]"),  # a toggle button
    ("#id_cf_105", "#id_cf_106_0", "label[for=id_cf_106_0]"),  # a button group's radio
    ("#id_files", "[data-submit]", "[data-submit]"),  # the button
]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_focus_is_clearly_visible(open_page, live_server, axe_check, scheme, width):
    page = open_page(scheme, width)
    page.goto(f"{live_server.url}/forms/support/")
    background = page_background(page)
    for before, target, ringed in FOCUS_STOPS:
        page.locator(before).focus()
        page.keyboard.press("Tab")
        assert page.locator(target).evaluate("el => el === document.activeElement"), target
        width_px, style, colour = page.locator(ringed).evaluate(
            "el => { const s = getComputedStyle(el);"
            " return [parseFloat(s.outlineWidth), s.outlineStyle, s.outlineColor]; }"
        )
        assert style == "solid" and width_px >= 2, (target, style, width_px)
        assert contrast(colour, background) >= 3, (target, colour, background)
    # A link: the first language link, from the brand before it.
    page.locator(".navbar-brand").focus()
    page.keyboard.press("Tab")
    link = page.locator(":focus")
    assert link.evaluate("el => el.tagName") == "A"
    style, colour = link.evaluate(
        "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineColor]"
    )
    assert style == "solid" and contrast(colour, background) >= 3
    axe_check(page, f"the form with focus, {scheme}, {width} px")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_checkbox_borders_stand_out(open_page, live_server, scheme):
    page = open_page(scheme)
    page.goto(f"{live_server.url}/forms/support/")
    border = page.locator("#id_cf_104").evaluate("el => getComputedStyle(el).borderTopColor")
    assert contrast(border, page_background(page)) >= 3, border


# --- 13: autocomplete, the time's zone, a number's least value ------------------------------------
def test_email_autocompletes_and_time_says_its_zone(page, live_server):
    page.goto(f"{live_server.url}/forms/support/")
    assert page.locator("#id_user_email").get_attribute("autocomplete") == "email"
    time = page.get_by_label("Time the problem started")
    hint = time.get_attribute("aria-describedby")
    assert page.locator(f"#{hint}").inner_text() == "Your local time"
    assert page.locator(f"#{hint}").is_visible()


def test_a_number_takes_no_negative_and_a_count_no_fraction(page, live_server):
    page.goto(f"{live_server.url}/forms/support/")
    users = page.get_by_label("Number of affected users")
    for typed, message in [
        ("-5.5", "Ensure this value is greater than or equal to 0."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("2.5", "Enter a whole number."),
        ("3", ""),
    ]:
        users.fill(typed)
        assert users.evaluate("el => el.validationMessage") == message, typed


# --- 14: the confirmation in the reader's terms ---------------------------------------------------
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_confirmation_speaks_plainly(
    open_page, live_server, sandbox_api, axe_check, scheme, width
):
    page = open_page(scheme, width)
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page)
    page.get_by_label("Date the problem started").fill("2026-11-30")
    page.get_by_role("button", name="Send").click()
    page.locator("[data-unique-id]").wait_for()

    # Filed: what was sent is folded under the conversation.
    page.get_by_text("What you sent").click()
    summary = page.locator(".ticket-summary")
    assert "November 30, 2026" in summary.inner_text()
    assert "30.11.2026" not in summary.inner_text()
    assert "—" not in summary.inner_text()
    labels = summary.locator("dt").all_inner_texts()
    assert "Steps to reproduce" not in labels  # left empty: left out
    assert "Order number" in labels
    assert page.get_by_text(
        "The helpdesk will email you at waiting@example.com about this ticket."
    ).is_visible()
    assert Ticket.objects.count() == 1
    axe_check(page, f"the confirmation, {scheme}, {width} px")
