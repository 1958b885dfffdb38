"""Issue 13, the agent's side, in Chromium: the header fits a phone in every language, the
language follows the agent through the staff pages, the confirmation shows all that was filed,
the client and followers pickers are ARIA comboboxes, and axe finds nothing, light or dark."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = "/staff/forms/support/"
PASSWORD = "pw-olena-123"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = ("en", "ru", "uk")
SHOTS = os.environ.get("SHOTS")  # a directory: each header checked is also photographed there


@pytest.fixture
def open_context(open_page):
    """open_context(viewport, scheme): a fresh page of that size and colour scheme."""
    return lambda viewport=DESKTOP, scheme="light": open_page(
        scheme, viewport["width"], viewport["height"]
    )


def sign_in(page, live_server, url=FORM) -> None:
    page.goto(f"{live_server.url}{url}")
    page.wait_for_url(re.compile(r"/staff/login/\?"))
    page.locator("#id_username").fill("olena")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.mb-3 button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(live_server.url + url.split("?")[0])))


# --- 19: the header -------------------------------------------------------------------------------
HEADER_LAYOUT = """() => {
  const nav = document.querySelector("header nav");
  // The header's parts, a list (the languages) counted by its items: a list wrapping is a row too.
  const items = [...nav.children].flatMap(e => e.matches("ul") ? [...e.children] : [e])
    .filter(e => e.offsetParent !== null);
  const boxes = [...nav.querySelectorAll("a, button, span")];  // every word the header shows
  const lines = el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  };
  const rect = el => el.getBoundingClientRect();
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = rect(boxes[i]), b = rect(boxes[j]);
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
        overlaps.push(boxes[i].textContent.trim() + " / " + boxes[j].textContent.trim());
    }
  // A row: the items whose boxes share some height (align-items: center puts their tops apart).
  let rows = 0, bottom = -Infinity;
  for (const box of items.map(rect).sort((a, b) => a.top - b.top)) {
    if (box.top >= bottom - 0.5) rows += 1;
    bottom = Math.max(bottom, box.bottom);
  }
  return {
    rows,
    languageRows: new Set([...nav.querySelectorAll("ul > li")].map(e => Math.round(rect(e).top))).size,
    wrapped: boxes.filter(b => lines(b) > 1).map(b => b.textContent.trim()),
    outside: boxes.filter(b => rect(b).right > window.innerWidth || rect(b).left < 0).map(b => b.textContent.trim()),
    overlaps,
    scroll: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def check_header(page, label: str, max_rows: int) -> None:
    layout = page.evaluate(HEADER_LAYOUT)
    if SHOTS:
        Path(SHOTS).mkdir(exist_ok=True)
        name = re.sub(r"\W+", "-", label)
        page.screenshot(
            path=f"{SHOTS}/{name}.png", clip={"x": 0, "y": 0, "width": 1280, "height": 200}
        )
    assert layout["scroll"] <= 0, f"{label}: scrolls sideways by {layout['scroll']}px"
    assert layout["rows"] <= max_rows, f"{label}: {layout['rows']} rows"
    assert layout["languageRows"] == 1, f"{label}: the languages in {layout['languageRows']} rows"
    assert layout["wrapped"] == [], f"{label}: wraps inside {layout['wrapped']}"
    assert layout["outside"] == [], f"{label}: off the screen {layout['outside']}"
    assert layout["overlaps"] == [], f"{label}: overlap {layout['overlaps']}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_customer_header_fits_a_phone_in_every_language(open_context, live_server, lang):
    for viewport, rows in ((PHONE, 1), (DESKTOP, 1)):
        page = open_context(viewport)
        for url in ("/", "/forms/support/"):
            page.goto(f"{live_server.url}{url}?lang={lang}")
            check_header(page, f"customer {url} {lang} {viewport['width']}", rows)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_staff_header_fits_a_phone_in_every_language(
    open_context, live_server, sandbox_api, agent, lang
):
    for viewport, rows in ((PHONE, 2), (DESKTOP, 1)):
        page = open_context(viewport)
        page.goto(f"{live_server.url}/staff/login/?lang={lang}")
        check_header(page, f"staff sign-in {lang} {viewport['width']}", rows)
        sign_in(page, live_server, f"/staff/?lang={lang}")
        check_header(page, f"staff index {lang} {viewport['width']}", rows)
        page.goto(f"{live_server.url}{FORM}?lang={lang}")
        check_header(page, f"staff form {lang} {viewport['width']}", rows)


# --- 20: the language follows the agent -----------------------------------------------------------
def test_ukrainian_follows_the_agent_from_sign_in_to_sign_out(
    open_context, live_server, sandbox_api, agent
):
    page = open_context()
    sign_in(page, live_server, f"{FORM}?lang=uk")
    assert page.url == f"{live_server.url}{FORM}?lang=uk"
    assert page.locator("html").get_attribute("lang") == "uk"
    # From the form to the index by the brand, and back by the form's link.
    page.locator(".site-brand").click()
    page.wait_for_url(f"{live_server.url}/staff/?lang=uk")
    page.locator(f'a[href^="{FORM}"]').click()
    page.wait_for_url(f"{live_server.url}{FORM}?lang=uk")
    page.locator("#id_user_email").fill("ada@example.com")
    page.locator("#id_title").fill("Телефонний дзвінок")
    page.locator("#id_description").fill("Клієнт подзвонив щодо рахунку.")
    page.locator("#id_cf_100_0").select_option("200")
    page.locator("#id_cf_100_1").select_option("209")
    page.locator("form[data-ticket-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/tickets/[^/]+/\?lang=uk$"))
    assert page.locator("html").get_attribute("lang") == "uk"
    page.locator('main a[href="/staff/?lang=uk"]').click()
    page.wait_for_url(f"{live_server.url}/staff/?lang=uk")
    page.locator(".site-account button").click()
    page.wait_for_url(f"{live_server.url}/staff/login/?lang=uk")
    assert page.locator("html").get_attribute("lang") == "uk"


# --- 22: axe finds nothing, light or dark ---------------------------------------------------------
def file_for_ada(page, title: str = "Phoned in") -> None:
    page.locator("#id_user_email").fill("ada@example.com")
    page.locator("#id_title").fill(title)
    page.locator("#id_description").fill("The client phoned about an invoice.")
    page.locator("#id_cf_100_0").select_option("200")
    page.locator("#id_cf_100_1").select_option("209")
    page.locator("form[data-ticket-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/tickets/[^/]+/"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_staff_pages_pass_axe(open_context, live_server, sandbox_api, agent, axe_check, scheme):
    for viewport in (PHONE, DESKTOP):
        page = open_context(viewport, scheme)
        where = f"{scheme}, {viewport['width']} px"
        page.goto(f"{live_server.url}/staff/login/")
        axe_check(page, f"sign-in ({where})")
        sign_in(page, live_server, "/staff/")
        axe_check(page, f"index ({where})")
        page.goto(f"{live_server.url}{FORM}")
        axe_check(page, f"form ({where})")
        file_for_ada(page)
        axe_check(page, f"confirmation ({where})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_admin_submission_pages_pass_axe(
    open_context, live_server, sandbox_api, axe_check, scheme
):
    get_user_model().objects.create_superuser("root", "admin@sandbox.invalid", PASSWORD)
    for viewport in (PHONE, DESKTOP):
        page = open_context(viewport, scheme)
        where = f"{scheme}, {viewport['width']} px"
        sign_in_as_root(page, live_server)
        page.goto(f"{live_server.url}{FORM}")
        page.locator("input[type=file]").set_input_files(
            [{"name": "invoice.txt", "mimeType": "text/plain", "buffer": b"VAT 20%"}]
        )
        # A payload wider than the page: the admin's JSON boxes scroll.
        file_for_ada(page, "A subject long enough to need scrolling " * 4)
        page.goto(f"{live_server.url}/admin/tickets/submission/")
        axe_check(page, f"the submission list ({where})")
        page.locator("#result_list tbody th a, #result_list tbody td a").first.click()
        page.wait_for_url(re.compile(r"/admin/tickets/submission/\d+/change/"))
        assert page.get_by_text("invoice.txt").first.is_visible()
        axe_check(page, f"a submission ({where})")


def sign_in_as_root(page, live_server) -> None:
    page.goto(f"{live_server.url}/staff/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.mb-3 button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/staff/")


# --- 18: the client and followers pickers are comboboxes ------------------------------------------
def active_option(page, combo):
    """The option aria-activedescendant names, as (its text, its aria-selected)."""
    option_id = combo.get_attribute("aria-activedescendant")
    if not option_id:
        return None
    option = page.locator(f"#{option_id}")
    return option.inner_text(), option.get_attribute("aria-selected")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_client_search_is_a_combobox(
    open_context, live_server, sandbox_api, agent, axe_check, scheme
):
    page = open_context(PHONE, scheme)
    sign_in(page, live_server)
    combo = page.get_by_role("combobox", name="Find a client by name or email")
    listbox = page.locator("#" + combo.get_attribute("aria-controls"))
    assert (listbox.get_attribute("role"), listbox.get_attribute("aria-label")) == (
        "listbox",
        "Clients found",
    )
    assert combo.get_attribute("aria-expanded") == "false"
    combo.fill("example.com")
    expect(listbox.get_by_role("option")).to_have_count(5)
    assert combo.get_attribute("aria-expanded") == "true"
    status = page.locator("#" + combo.get_attribute("aria-describedby"))
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_have_text("5 clients found")
    names = listbox.get_by_role("option").all_inner_texts()
    assert active_option(page, combo) is None

    combo.press("ArrowDown")
    assert active_option(page, combo) == (names[0], "true")
    combo.press("ArrowDown")
    assert active_option(page, combo) == (names[1], "true")
    assert listbox.locator("[aria-selected=true]").count() == 1
    axe_check(page, f"the client combobox, an option active ({scheme})")
    combo.press("ArrowUp")
    assert active_option(page, combo) == (names[0], "true")
    combo.press("ArrowUp")  # round to the last
    assert active_option(page, combo) == (names[-1], "true")

    combo.press("Escape")
    assert combo.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden() and active_option(page, combo) is None
    assert combo.input_value() == "example.com"
    combo.press("ArrowDown")  # open again
    combo.press("ArrowDown")
    picked = names[1]
    combo.press("Enter")
    assert page.url == f"{live_server.url}{FORM}"  # Enter picked, and sent nothing
    chosen = page.locator("[data-client-chosen]")
    expect(chosen).to_be_visible()
    assert chosen.locator("[data-client-name]").inner_text() == picked
    assert page.get_by_label("Client's email").input_value() in picked
    assert page.locator("#id_user_id").input_value() != ""
    expect(page.locator("[data-client-change]")).to_be_focused()
    axe_check(page, f"the client picked ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_followers_are_added_with_a_combobox_and_filed(
    open_context, live_server, sandbox_api, agent, axe_check, scheme
):
    from sandbox.models import Ticket

    page = open_context(DESKTOP, scheme)
    sign_in(page, live_server)
    boxes = page.locator("[data-followers-boxes]")
    expect(boxes).to_be_hidden()  # the checkboxes carry the data, out of sight
    combo = page.get_by_role("combobox", name="Add a follower by name or email")
    listbox = page.locator("#" + combo.get_attribute("aria-controls"))
    assert (listbox.get_attribute("role"), listbox.get_attribute("aria-label")) == (
        "listbox",
        "Staff members found",
    )
    combo.fill("sandbox.invalid")
    expect(listbox.get_by_role("option")).to_have_count(3)
    expect(page.locator("#followers-results-status")).to_have_text("3 staff members found")
    combo.press("ArrowDown")
    combo.press("ArrowDown")
    assert active_option(page, combo) == ("Olena Koval <olena.koval@sandbox.invalid>", "true")
    axe_check(page, f"the followers combobox, an option active ({scheme})")
    combo.press("Enter")
    chosen = page.locator("[data-followers-chosen] li")
    expect(chosen).to_have_count(1)
    expect(combo).to_be_focused()
    assert combo.input_value() == ""
    # One already following is not offered again; a click picks too.
    combo.fill("sandbox.invalid")
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(page.locator("#followers-results-status")).to_have_text("2 staff members found")
    listbox.get_by_role("option", name="Ivan Petrenko <ivan.petrenko@sandbox.invalid>").click()
    expect(chosen).to_have_count(2)
    combo.fill("admin")
    expect(listbox.get_by_role("option")).to_have_count(1)
    combo.press("Enter")  # the only one
    expect(chosen).to_have_count(3)
    page.get_by_role("button", name="Remove Olena Koval <olena.koval@sandbox.invalid>").click()
    expect(chosen).to_have_count(2)
    axe_check(page, f"followers chosen ({scheme})")

    file_for_ada(page, "Followed by two")
    ticket = Ticket.objects.get(title="Followed by two")
    assert sorted(ticket.followers) == [1, 3]
    assert (
        "Administrator <admin@sandbox.invalid>, Ivan Petrenko"
        in page.locator("dl.ticket-summary").inner_text()
    )


def test_without_javascript_the_pickers_are_an_email_and_checkboxes(
    browser, live_server, sandbox_api, agent
):
    from sandbox.models import Ticket

    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server)
        assert page.get_by_label("Find a client by name or email").is_hidden()
        # The comboboxes are in the page, out of sight until a script shows them.
        assert page.locator("#followers-search, #client-search").count() == 2
        assert page.locator("[data-followers-search]").is_hidden()
        page.get_by_label("Ivan Petrenko <ivan.petrenko@sandbox.invalid>", exact=True).check()
        file_for_ada(page, "Filed without JavaScript")
        ticket = Ticket.objects.get(title="Filed without JavaScript")
        assert ticket.followers == [3]
    finally:
        context.close()


# --- 21: the unmapped agent -----------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_unmapped_superuser_sees_what_to_do(
    open_context, live_server, sandbox_api, axe_check, scheme
):
    user = get_user_model().objects.create_superuser("root", "", PASSWORD)
    page = open_context(PHONE, scheme)
    sign_in_as_root(page, live_server)
    page.goto(f"{live_server.url}{FORM}")
    notice = page.locator("[data-agent-unmapped]")
    expect(notice).to_be_visible()
    assert page.get_by_label("Assignee").input_value() == ""
    axe_check(page, f"the form of an unmapped agent ({scheme})")
    notice.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/admin/auth/user/{user.pk}/change/")
    field = page.locator("#id_helpdesk_account-0-helpdesk_user_id")
    options = page.locator(f"datalist#{field.get_attribute('list')} option")
    assert options.count() == 3
