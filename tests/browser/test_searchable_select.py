"""A select of more than 15 options can be searched by typing (static/js/searchable-select.js):
keyboard only (arrows, Enter, Escape), announced, the chosen option reaches the helpdesk, a
condition on the field still follows it; without JavaScript it stays a plain select; a short
select is left as it is. At a phone's and a desktop's width."""

import json

import pytest
from playwright.sync_api import expect

from sandbox.models import Ticket
from tests.browser.test_delivery import fill_required

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYSTEMS = ["Windows 11", "Windows 10", "macOS 15", "macOS 14", "Ubuntu 24.04", "Ubuntu 22.04",
           "Debian 12", "Debian 11", "Fedora 41", "Arch Linux", "ChromeOS", "FreeBSD 14",
           "Android 15", "Android 14", "iOS 18", "iPadOS 18", "Other"]  # fmt: skip


@pytest.fixture
def many_systems(settings, use_schema):
    """The shipped schema with field 99 (operating system) given 17 options."""
    document = json.loads(settings.TICKETS_SCHEMA_FILE.read_text(encoding="utf-8"))
    field = next(f for f in document["fields"] if f["id"] == 99)
    # The first keeps Windows' id: the Windows build number field is shown for it alone.
    ids = {name: 192 if i == 0 else 900 + i for i, name in enumerate(SYSTEMS)}
    field["options"] = [
        {"id": ids[name], "pid": 0, "name": {"en": name, "ru": name, "ua": name}}
        for name in SYSTEMS
    ]
    use_schema(document)
    return ids


@pytest.mark.parametrize("width", [390, 1280])
def test_a_long_list_is_searched_by_typing_with_the_keyboard_alone(
    browser, live_server, sandbox_api, many_systems, axe_check, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/forms/support/")
        box = page.get_by_role("combobox", name="Operating system")
        assert box.get_attribute("aria-expanded") == "false"
        axe_check(page, "the form with a searchable list")

        box.focus()
        page.keyboard.type("ubu")
        expect(box).to_have_attribute("aria-expanded", "true")
        options = page.get_by_role("option")
        assert [o.inner_text() for o in options.all() if o.is_visible()] == [
            "Ubuntu 24.04",
            "Ubuntu 22.04",
        ]
        expect(page.locator(".searchable-select [aria-live]")).to_have_text("Matching options: 2")
        axe_check(page, "the searchable list open")
        page.keyboard.press("ArrowDown")  # the first match, then the next
        page.keyboard.press("ArrowDown")
        active = box.get_attribute("aria-activedescendant")
        assert page.locator(f"#{active}").inner_text() == "Ubuntu 22.04"
        page.keyboard.press("Enter")  # picks; does not send the form
        assert box.input_value() == "Ubuntu 22.04"
        assert box.get_attribute("aria-expanded") == "false"
        assert page.locator("#error-summary").count() == 0

        page.keyboard.type("x")  # no longer an option: Escape closes, Escape again puts it back
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
        assert box.input_value() == "Ubuntu 22.04"

        fill_required(page, title="Searched the list")
        page.get_by_role("button", name="Send").click()
        page.wait_for_selector("[data-unique-id]")
        ticket = Ticket.objects.get()
        assert str(ticket.custom_fields["99"]) == str(many_systems["Ubuntu 22.04"])
    finally:
        context.close()


def test_a_condition_on_the_field_follows_the_searchable_list(
    page, live_server, sandbox_api, many_systems
):
    page.goto(f"{live_server.url}/forms/technical/")
    box = page.get_by_role("combobox", name="Operating system")
    build = page.get_by_label("Windows build number")
    expect(build).to_be_hidden()
    box.fill("windows 11")
    box.blur()
    expect(build).to_be_visible()
    box.focus()
    box.fill("")
    page.keyboard.type("22.04")
    expect(page.get_by_role("option", name="Ubuntu 22.04")).to_be_visible()
    page.keyboard.press("Enter")  # the only match
    expect(build).to_be_hidden()


def test_text_that_is_not_an_option_is_refused_in_the_browser(
    page, live_server, sandbox_api, many_systems
):
    page.goto(f"{live_server.url}/forms/support/")
    box = page.get_by_role("combobox", name="Operating system")
    box.fill("Solaris")
    box.blur()
    assert box.evaluate("b => b.validationMessage") == "Choose one of the options in the list."
    box.fill("debian 12")  # the exact name, in any case, picks it
    box.blur()
    assert box.input_value() == "Debian 12"
    assert box.evaluate("b => b.validity.valid")


def test_without_javascript_it_is_a_plain_select_and_a_short_list_stays_one(
    browser, live_server, sandbox_api, many_systems, use_schema, settings
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/forms/support/")
        assert (
            page.get_by_role("combobox", name="Operating system").evaluate("e => e.tagName")
            == "SELECT"
        )
        assert len(page.locator("#id_cf_99 option").all()) == len(SYSTEMS) + 1  # and the blank one
    finally:
        context.close()
    document = json.loads(settings.TICKETS_SCHEMA_FILE.read_text(encoding="utf-8"))
    next(f for f in document["fields"] if f["id"] == 99)["options"] = [
        {"id": 192, "pid": 0, "name": {"en": "Windows", "ru": "Windows", "ua": "Windows"}}
    ]
    use_schema(document)
    with_js = browser.new_context()
    page = with_js.new_page()
    try:
        page.goto(f"{live_server.url}/forms/support/")
        assert page.locator("#id_cf_99").evaluate("e => e.tagName") == "SELECT"
    finally:
        with_js.close()


def test_a_required_long_list_left_empty_says_so_in_the_pages_language(
    page, live_server, many_systems, settings, use_schema
):
    document = json.loads(settings.TICKETS_SCHEMA_FILE.read_text(encoding="utf-8"))
    field = next(f for f in document["fields"] if f["id"] == 99)
    field["permissions"]["user"]["required_to_create_ticket"] = True
    use_schema(document)
    page.goto(f"{live_server.url}/forms/support/?lang=uk")
    box = page.get_by_role("combobox", name="Операційна система")
    assert box.evaluate("b => b.required")
    page.locator("form[data-ticket-form] button[type=submit]").click()
    from django.utils import translation

    with translation.override("uk"):
        required = translation.gettext("This field is required.")
    assert box.evaluate("b => (b.reportValidity(), b.validationMessage)") == required
