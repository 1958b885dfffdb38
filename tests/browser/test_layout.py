"""Issue 27 in Chromium, as a person meets the pages on a phone and a desktop: no page is wider
than the screen at 320, 390 or 1280 px, in English, Russian and Ukrainian, light and dark, with
the longest names, addresses and file names a person brings.

SHOTS=<a directory> photographs each page checked at 320 and 390 px there, to be looked at."""

from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.test_staff_polish import sign_in
from tests.browser.test_ticket_page import agent_answers
from tests.integration.test_portal_flow import closed_port_url
from tickets.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 1280)
SCHEMES = ("light", "dark")
LANGUAGES = ("en", "ru", "uk")
SHOTS = os.environ.get("SHOTS")

# What people bring: an address of 60 characters without a space, a long name, a file name
# longer than a phone's line, a long order number and a subject of long words.
LONG_EMAIL = "maximiliana.konstantynivna.wolfeschlegelstein@example-mail.com"
LONG_NAME = ("Maximiliana-Konstantynivna", "Wolfeschlegelsteinhausenbergerdorff")
LONG_FILE = "screenshot-of-the-error-dialog-after-pressing-pay-2026-12-06-at-09.41.17.png"
LONG_WORDS = "Supercalifragilisticexpialidocious-payment-confirmation-failure " * 3
LONG_ORDER = "ORDER-2026-12-06-" + "7" * 40
assert len(LONG_EMAIL) >= 60 and " " not in LONG_EMAIL

TOO_WIDE = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => {
    const box = e.getBoundingClientRect();
    if (box.width <= 1) return false;  // a visually hidden text
    const spills = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible";
    return box.right > width + 0.5 || box.left < -0.5 || (spills && box.right + e.scrollWidth - e.clientWidth > width);
  });
  // The innermost ones: what pushes the page, not every box around it.
  return wide.filter(e => !wide.some(o => o !== e && e.contains(o)))
    .map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px): `
              + (e.textContent || "").trim().slice(0, 50));
}"""


def assert_fits(page, label: str) -> None:
    """At each width, the page is no wider than the window (nothing to scroll sideways)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if SHOTS and width < 1000:
            Path(SHOTS).mkdir(exist_ok=True)
            name = re.sub(r"\W+", "-", f"{label} {width}")
            page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
        assert scroll <= inner, (
            f"{label} at {width} px: {scroll} px wide; {page.evaluate(TOO_WIDE)}"
        )


def add_long_staff_member() -> None:
    """A helpdesk agent with a long name and address, to be added as a follower."""
    from sandbox.models import SUPPORT_AGENTS, User, folded_name

    name, lastname = LONG_NAME
    User.objects.create(
        id=77, name=name, lastname=lastname, email=LONG_EMAIL, group=SUPPORT_AGENTS,
        name_key=folded_name(name, lastname), email_key=LONG_EMAIL.casefold(),
    )  # fmt: skip


def fill_long(page, email: str = LONG_EMAIL) -> None:
    """The support form's required fields, with long values (by id: any language)."""
    page.locator("#id_user_email").fill(email)
    page.locator("#id_title").fill(LONG_WORDS)
    page.locator("#id_description").fill(LONG_WORDS)
    page.locator("#id_cf_96").fill(LONG_ORDER)
    page.locator("#id_cf_100_0").select_option("200")
    page.locator("#id_cf_100_1").select_option("209")
    page.locator("input[type=file]").set_input_files(
        [{"name": LONG_FILE, "mimeType": "text/plain", "buffer": b"x" * 155}]
    )


def send(page) -> None:
    page.locator("form[data-ticket-form] [data-submit]").click()


def add_follower(page, query: str) -> None:
    combo = page.locator("#followers-search")
    combo.fill(query)
    page.locator("#followers-results [role=option]").first.wait_for()
    combo.press("ArrowDown")
    combo.press("Enter")
    page.locator("[data-followers-chosen] li").first.wait_for()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_is_wider_than_the_screen(
    open_page, live_server, sandbox_api, agent, settings, lang, scheme
):
    add_long_staff_member()
    page = open_page(scheme, 1280, 900)
    where = f"{lang} {scheme}"

    # The customer's form sent back with errors, a long file kept.
    page.goto(f"{live_server.url}/forms/support/?lang={lang}")
    fill_long(page, email="")
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    send(page)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator(".kept-files")).to_contain_text(LONG_FILE)
    assert_fits(page, f"customer form with errors {where}")

    # Corrected and filed: the ticket's page, with an agent's answer of long words and a long
    # file name.
    page.locator("#id_user_email").fill(LONG_EMAIL)
    send(page)
    page.locator("[data-unique-id]").wait_for()
    filed = Submission.objects.get(state="filed")
    agent_answers(
        filed,
        f"<p>{LONG_WORDS} https://example.com/{'x' * 90}</p>",
        [ContentFile(b"1. restart", name=LONG_FILE)],
    )
    page.reload()
    page.locator("[data-post]").nth(1).wait_for()
    assert_fits(page, f"ticket page {where}")

    # Received while the helpdesk is down (it is, from now on): the status page, the long
    # address in its text.
    page.goto(f"{live_server.url}/forms/support/?lang={lang}")
    fill_long(page)
    settings.TICKETS_API_URL = closed_port_url()
    send(page)
    page.locator("[data-reference]").wait_for()
    assert_fits(page, f"status page {where}")

    # The embedded form, on its own at the phone's width, sent back with errors.
    page.goto(f"{live_server.url}/embed/support/?lang={lang}")
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    send(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert_fits(page, f"embedded form with errors {where}")

    # The staff form with a follower of a long name and address; then its confirmation.
    settings.TICKETS_API_URL = sandbox_api
    sign_in(page, live_server, f"/staff/forms/support/?lang={lang}")
    add_follower(page, LONG_NAME[0])
    fill_long(page)
    page.locator("#id_cc").fill(LONG_EMAIL)
    assert_fits(page, f"staff form with a follower {where}")
    send(page)
    page.wait_for_url(re.compile(r"/staff/tickets/[^/]+/"))
    assert_fits(page, f"staff confirmation {where}")


# --- The admin's lists at 1280 px ---------------------------------------------------------------
ADMIN_LISTS = (
    "/admin/tickets/submission/",
    "/admin/tickets/articlecount/",
    "/admin/tickets/article/",
    "/admin/auth/user/",
    "/admin/django_tasks_database/dbtaskresult/",
    "/admin/axes/accesslog/",
)
LIST_LAYOUT = """() => {
  const table = document.querySelector("#result_list");
  const box = table.closest(".results");
  const lines = el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom))).size;
  };
  return {
    sideways: box.scrollWidth - box.clientWidth,
    page: document.documentElement.scrollWidth - window.innerWidth,
    headers: [...table.querySelectorAll("thead th .text")].map(e => e.textContent.trim()).filter(Boolean),
    references: [...table.querySelectorAll(".field-reference")].map(e => [e.textContent.trim(), lines(e)]),
    // An address's parts (split at its "@"): each on the lines it takes.
    emails: [...table.querySelectorAll("td.field-user_email")].map(cell =>
      [...cell.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => [n.textContent, lines(n)])),
  };
}"""


def some_submissions(agent) -> None:
    """A submission in each state the list shows differently, one with a long address."""
    from datetime import date, datetime, timedelta

    from django.utils import timezone

    from tickets.models import Article, ArticleCount

    later = timezone.now() + timedelta(minutes=7)
    rows = [
        dict(state="filed", attempts=1, unique_id="SBX-0001", api_id=1, email=LONG_EMAIL),
        dict(state="queued", attempts=4, next_attempt_at=later, error_kind="unavailable",
             error_detail="HTTPSConnectionPool(host='helpdesk.example.com'): Max retries"),
        dict(state="attention", attempts=1, error_kind="rejected", staff_user=agent,
             error_detail="custom_fields: option 999 is not an option of field 99"),
        dict(state="uncertain", attempts=2, next_attempt_at=later, error_kind="outcome_unknown"),
        dict(state="cancelled"),
    ]  # fmt: skip
    for number, row in enumerate(rows):
        email = row.pop("email", f"person{number}@example.com")
        Submission.objects.create(
            token=f"token-{number}",
            form_slug="billing-and-invoices" if number % 2 else "support",
            audience="staff" if row.get("staff_user") else "customer",
            payload={"user_email": email, "title": "A ticket"},
            **row,
        )
    # The widest moment a list can show (the longest month's name, two-digit day and hour): the
    # list must fit whatever day it is.
    widest = timezone.make_aware(datetime(2026, 9, 30, 20, 58))
    Submission.objects.update(created_at=widest)
    title = "How to download an invoice for a payment made in the mobile app on a tablet"
    Article.objects.create(id=90001, category_id=7, title={"en": title}, body={"en": "<p>.</p>"})
    for weeks in range(3):
        ArticleCount.objects.create(
            form_slug="support", week=date(2026, 11, 30) - timedelta(weeks=weeks), shown=1234,
            opened=321, answered=45, answered_then_filed=3, filed_after_opening=12,
        )  # fmt: skip


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_admin_lists_fit_beside_the_sidebars(
    open_page, live_server, sandbox_api, agent, axe_check, settings, scheme
):
    from django.contrib.auth import get_user_model

    from tests.browser.test_staff_polish import PASSWORD, file_for_ada, sign_in_as_root

    get_user_model().objects.create_superuser("root", "admin@sandbox.invalid", PASSWORD)
    some_submissions(agent)
    page = open_page(scheme, 1280, 900)
    sign_in_as_root(page, live_server)
    settings.TICKETS_API_URL = closed_port_url()  # a task waits: its result is listed
    page.goto(f"{live_server.url}/staff/forms/support/")
    file_for_ada(page, "Waiting for the helpdesk")
    for url in ADMIN_LISTS:
        page.goto(live_server.url + url)
        assert page.locator("#result_list").count() == 1, f"{url}: no list"
        layout = page.evaluate(LIST_LAYOUT)
        if SHOTS:
            Path(SHOTS).mkdir(exist_ok=True)
            name = re.sub(r"\W+", "-", f"admin {url} {scheme}")
            page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
        assert layout["sideways"] <= 0, f"{url}: {layout['sideways']} px to scroll sideways"
        assert layout["page"] <= 0, f"{url}: the page is {layout['page']} px too wide"
        assert all(lines == 1 for _, lines in layout["references"]), layout["references"]
        if url == "/admin/tickets/submission/":
            assert layout["headers"] == ["Reference", "Created", "State", "Form", "Email"]
            assert len(layout["references"]) == 6
            listed = page.locator("#result_list tbody").inner_text()
            assert "SBX-0001" in listed and "4 tries" in listed and "by olena" in listed
            # A short address breaks after its "@" if at all, never inside the domain.
            short = [
                parts
                for parts in layout["emails"]
                if LONG_EMAIL not in "".join(p for p, _ in parts)
            ]
            assert short and all(lines == 1 for parts in short for _, lines in parts), short
            # Created, as DATETIME_FORMAT writes a moment: "December 7, 2026, 02:40".
            created = page.locator("#result_list td.field-created").first.inner_text()
            assert re.fullmatch(r"\w+ \d{1,2}, \d{4},\s\d{2}:\d{2}", created), created
            axe_check(page, f"the submission list ({scheme})")


# --- Files chosen and kept: rows of one look, never split ---------------------------------------
KEPT = {"en": "kept from your last try", "ru": "сохранён с прошлой попытки",
        "uk": "збережено з минулої спроби"}  # fmt: skip
ROWS = """list => [...document.querySelectorAll(list + " > li")].map(row => {
  // The lines a box's shown text takes (a visually hidden text is not shown).
  const lines = el => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const bottoms = new Set();
    for (let node; (node = walker.nextNode());) {
      if (node.parentElement.closest(".visually-hidden")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      [...range.getClientRects()].filter(r => r.width > 0).forEach(r => bottoms.add(Math.round(r.bottom)));
    }
    return bottoms.size;
  };
  const name = row.querySelector(".item-row-what"), size = row.querySelector(".item-row-size");
  const remove = row.querySelector("button, .form-check");
  const [n, r, w] = [name, remove, row].map(e => e.getBoundingClientRect());
  const firstLine = name.getClientRects()[0];
  return {
    text: row.innerText.replace(/\\s+/g, " ").trim(),
    sizeLines: lines(size),
    removeLines: lines(remove.querySelector("label") || remove),
    // The Remove control sits on the row's first line, right of the name: on one line with it.
    sameLine: Math.abs((r.top + r.bottom) / 2 - (firstLine.top + firstLine.bottom) / 2) < firstLine.height / 2,
    rightOfName: r.left >= n.right - 0.5,
    inside: w.left >= 0 && w.right <= window.innerWidth + 0.5 && r.right <= w.right + 0.5,
  };
})"""


def assert_rows(page, selector: str, label: str) -> list[dict]:
    rows = page.evaluate(ROWS, selector)
    assert rows, f"{label}: no rows"
    for row in rows:
        assert row["sizeLines"] == 1, f"{label}: the size is split: {row}"
        assert row["removeLines"] == 1, f"{label}: Remove is split: {row}"
        assert row["sameLine"] and row["rightOfName"], f"{label}: Remove off the row: {row}"
        assert row["inside"], f"{label}: the row is wider than the screen: {row}"
    return rows


@pytest.mark.parametrize("lang", LANGUAGES)
def test_chosen_and_kept_files_are_rows_of_one_look(open_page, live_server, sandbox_api, lang):
    page = open_page("light", 320, 900)
    page.goto(f"{live_server.url}/forms/support/?lang={lang}")
    files = [
        {"name": "steps.txt", "mimeType": "text/plain", "buffer": b"x" * 155},
        {"name": "error-screen.png", "mimeType": "image/png", "buffer": b"x" * 155},
        {"name": LONG_FILE, "mimeType": "image/png", "buffer": b"x" * 2048},
    ]
    page.locator("input[type=file]").set_input_files(files)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        rows = assert_rows(page, "[data-file-list]", f"chosen {lang} {width}")
        assert [row["text"].split(" (")[0] for row in rows] == [f["name"] for f in files]

    # Sent back (the subject is missing): the server keeps them, listed as the chosen were.
    fill_long(page)
    page.locator("input[type=file]").set_input_files(files)
    page.locator("#id_title").fill("")
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    send(page)
    expect(page.locator("#error-summary")).to_be_visible()
    page.locator("input[type=file]").set_input_files([files[0]])  # and one chosen anew
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        kept = assert_rows(page, ".kept-files", f"kept {lang} {width}")
        assert len(kept) == 3 and all(KEPT[lang] in row["text"] for row in kept), kept
        assert_rows(page, "[data-file-list]", f"chosen after kept {lang} {width}")
        if SHOTS and width < 1000:
            page.locator("#div_id_files").screenshot(path=f"{SHOTS}/files-{lang}-{width}.png")
    # Each says what it removes to screen readers: "Remove <name>".
    remove = {"en": "Remove", "ru": "Убрать", "uk": "Прибрати"}[lang]
    expect(page.get_by_role("checkbox", name=f"{remove} steps.txt", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=f"{remove} steps.txt", exact=True)).to_be_visible()


def test_a_kept_file_is_removed_without_javascript(browser, live_server, sandbox_api):
    from sandbox.models import Ticket

    context = browser.new_context(viewport={"width": 320, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/forms/support/")
        fill_long(page)
        page.locator("input[type=file]").set_input_files(
            [
                {"name": "steps.txt", "mimeType": "text/plain", "buffer": b"1. restart"},
                {"name": "keep.txt", "mimeType": "text/plain", "buffer": b"kept"},
            ]
        )
        page.locator("#id_title").fill("")
        page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
        send(page)
        expect(page.locator(".kept-files li")).to_have_count(2)
        assert_rows(page, ".kept-files", "kept without JavaScript")
        assert "kept from your last try" in page.locator(".kept-files").inner_text()
        page.get_by_label("Remove steps.txt").check()
        page.locator("#id_title").fill("One kept file removed")
        send(page)
        page.locator("[data-unique-id]").wait_for()
        assert [f.name for f in Ticket.objects.get().files.all()] == ["keep.txt"]
    finally:
        context.close()


# --- The hierarchy: its name once, its error as every field's ------------------------------------
ERROR_PLACE = """([field, control]) => {
  const error = document.querySelector(`#div_${field} .invalid-feedback`);
  const input = document.getElementById(control);
  const [e, i] = [error, input].map(el => el.getBoundingClientRect());
  const style = getComputedStyle(error.querySelector("strong") || error.querySelector("span") || error);
  return {gap: Math.round(e.top - i.bottom), left: Math.round(e.left - i.left),
          weight: style.fontWeight, size: style.fontSize, colour: style.color};
}"""
SHOWN_TEXT = """selector => {
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  const shown = [];
  for (let node; (node = walker.nextNode());) {
    if (node.parentElement.closest(".visually-hidden, [hidden], [aria-hidden=true]")) continue;
    if (node.textContent.trim()) shown.push(node.textContent.trim());
  }
  return shown;
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_hierarchy_says_its_name_once_and_its_error_as_every_field(
    open_page, live_server, lang
):
    page = open_page("light", 390, 900)
    page.goto(f"{live_server.url}/forms/support/?lang={lang}")
    name = page.locator("#div_id_cf_100 legend").inner_text().rstrip("*")
    # Shown once, in the legend; the first level's select is still named by it.
    assert page.evaluate(SHOWN_TEXT, "#div_id_cf_100").count(name) == 1
    expect(page.locator("#id_cf_100_0")).to_have_accessible_name(name)
    # Sent with the first level chosen, the second not, and no email: two errors.
    page.locator("#id_cf_100_0").select_option("200")
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    send(page)
    expect(page.locator("#error-summary")).to_be_visible()
    hierarchy = page.evaluate(ERROR_PLACE, ["id_cf_100", "id_cf_100_1"])
    email = page.evaluate(ERROR_PLACE, ["id_user_email", "id_user_email"])
    # Under the control it is about, as close and as far in, in the same type.
    assert hierarchy == email, f"hierarchy {hierarchy}, email {email}"


# --- The confirmation's rows: a label that wraps never touches the next row ----------------------
ROW_GAPS = """() => {
  // Where the text of a label or a value is (a box of a row stretches to the row's height).
  const text = el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    return {top: Math.min(...rects.map(r => r.top)), bottom: Math.max(...rects.map(r => r.bottom)),
            lines: new Set(rects.map(r => Math.round(r.bottom))).size};
  };
  const dts = [...document.querySelectorAll("dl.ticket-summary > dt")];
  return dts.slice(0, -1).map((dt, i) => {
    const label = text(dt), value = text(dt.nextElementSibling), next = text(dts[i + 1]);
    return {label: dt.textContent.trim(), lines: label.lines,
            gap: Math.round(next.top - Math.max(label.bottom, value.bottom))};
  });
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_confirmations_rows_keep_apart(open_page, live_server, sandbox_api, agent, lang):
    from tests.browser.test_staff_polish import file_for_ada

    page = open_page("light", 1280, 900)
    sign_in(page, live_server, f"/staff/forms/support/?lang={lang}")
    page.locator("#id_cf_96").fill(LONG_ORDER)  # a long value beside a short label
    file_for_ada(page, LONG_WORDS)
    wrapped = 0
    for width in (*WIDTHS, 600):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            page.locator("dl.ticket-summary").screenshot(path=f"{SHOTS}/summary-{lang}-{width}.png")
        rows = page.evaluate(ROW_GAPS)
        assert len(rows) > 8, rows
        # Text to text: a line's own leading (about 5 px) and the rows' space, as where no
        # label wraps (a value's margin: 8 px).
        touching = [row for row in rows if row["gap"] < 10]
        assert not touching, f"{lang} at {width} px, rows closer than 10 px: {touching}"
        wrapped += sum(row["lines"] > 1 for row in rows)
    assert wrapped, "no label wrapped: the test shows nothing"


# --- The header: the brand on the content's edge ------------------------------------------------
EDGES = """() => {
  const left = sel => Math.round(document.querySelector(sel).getBoundingClientRect().left);
  const right = sel => Math.round(document.querySelector(sel).getBoundingClientRect().right);
  return {brand: left(".site-brand"), content: left("main h1"), footer: document.querySelector(".site-footer a") ? left(".site-footer a") : null,
          languagesEnd: right(".site-languages"), contentEnd: right("main h1")};
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brand_lines_up_with_the_content(open_page, live_server, sandbox_api, agent, lang):
    page = open_page("light", 1280, 900)
    pages = [f"/forms/support/?lang={lang}", f"/?lang={lang}"]
    for url in pages:
        page.goto(live_server.url + url)
        for width in (*WIDTHS, 800):
            page.set_viewport_size({"width": width, "height": 900})
            edges = page.evaluate(EDGES)
            where = f"{url} at {width} px"
            assert edges["brand"] == edges["content"], f"{where}: {edges}"
            assert edges["footer"] in (None, edges["content"]), f"{where}: {edges}"
            if width >= 800:  # the languages on the brand's row end at the content's edge
                assert abs(edges["languagesEnd"] - edges["contentEnd"]) <= 8, f"{where}: {edges}"
    sign_in(page, live_server, f"/staff/forms/support/?lang={lang}")
    for width in (*WIDTHS, 800):
        page.set_viewport_size({"width": width, "height": 900})
        edges = page.evaluate(EDGES)
        assert edges["brand"] == edges["content"], f"staff form at {width} px: {edges}"
        if SHOTS and width in (390, 1280):
            clip = {"x": 0, "y": 0, "width": width, "height": 260}
            page.screenshot(path=f"{SHOTS}/header-staff-{lang}-{width}.png", clip=clip)


# --- The skip link: over the page when focused, in full sight, moving nothing -------------------
SKIP = """() => {
  const link = document.querySelector("a[href='#main']");
  const box = link.getBoundingClientRect(), style = getComputedStyle(link);
  const ring = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
  return {
    focused: document.activeElement === link,
    text: link.textContent.trim(),
    // The link and its focus ring, whole, inside the window.
    inView: box.left - ring >= 0 && box.top - ring >= 0 && box.right + ring <= window.innerWidth
            && box.bottom + ring <= window.innerHeight,
    width: box.width, height: box.height,
    outline: style.outlineStyle + " " + style.outlineWidth,
    main: document.querySelector("main").getBoundingClientRect().top,
    header: document.querySelector("header").getBoundingClientRect().top,
  };
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_skip_link_shows_over_the_page_when_focused(
    open_page, live_server, axe_check, lang, scheme
):
    page = open_page(scheme, 320, 900)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/forms/support/?lang={lang}")
        before = page.evaluate(SKIP)
        assert not before["focused"] and before["width"] <= 1  # out of sight until focused
        page.keyboard.press("Tab")
        shown = page.evaluate(SKIP)
        if SHOTS and width < 1000:
            clip = {"x": 0, "y": 0, "width": width, "height": 200}
            page.screenshot(path=f"{SHOTS}/skip-{lang}-{scheme}-{width}.png", clip=clip)
        assert shown["focused"] and shown["inView"], shown
        assert shown["outline"].startswith("solid"), shown  # the portal's focus ring
        assert (shown["main"], shown["header"]) == (before["main"], before["header"]), shown
        if width == 390:
            axe_check(page, f"the skip link focused ({lang}, {scheme})")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # on from the content's start: its first field
        assert page.evaluate("document.activeElement.closest('main') !== null")


# --- After Send: the focus on the status heading ------------------------------------------------
HEADING_FOCUSED = "document.activeElement.matches('[data-ticket-status] h1')"
FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el.tagName, text: el.textContent.trim().slice(0, 60), heading: el.matches("[data-ticket-status] h1")};
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_after_send_the_focus_is_on_the_status_heading(
    browser, live_server, sandbox_api, settings, javascript
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    try:
        page = context.new_page()
        for lang, down in (("en", False), ("uk", True)):  # filed; received (the helpdesk down)
            if down:
                settings.TICKETS_API_URL = closed_port_url()
            page.goto(f"{live_server.url}/forms/support/?lang={lang}")
            fill_long(page)
            send(page)
            page.locator("[data-unique-id], [data-reference]").first.wait_for()
            # Autofocus is applied as the page is first drawn: give it that moment.
            with suppress(PlaywrightTimeout):
                page.wait_for_function(HEADING_FOCUSED, timeout=2000)
            focused = page.evaluate(FOCUSED)
            assert focused["heading"], f"{lang}, {'down' if down else 'filed'}: {focused}"
            # It is read, not shown as a control: no focus ring; and the page is at its top.
            ring = page.locator("[data-ticket-status] h1").evaluate(
                "h => getComputedStyle(h).outlineStyle"
            )
            assert ring == "none" and page.evaluate("window.scrollY") == 0
    finally:
        context.close()


def test_after_filing_for_a_client_the_focus_is_on_the_status_heading(
    open_page, live_server, sandbox_api, agent
):
    from tests.browser.test_staff_polish import file_for_ada

    page = open_page("dark", 390, 844)
    sign_in(page, live_server)
    file_for_ada(page)
    with suppress(PlaywrightTimeout):
        page.wait_for_function(HEADING_FOCUSED, timeout=2000)
    assert page.evaluate(FOCUSED)["heading"], page.evaluate(FOCUSED)


def test_in_a_sites_frame_the_focus_is_on_the_status_heading_after_send(visit):
    from tests.browser.sites import PHONE, form_frame, press_send

    with visit(viewport=PHONE, intro_height=900) as page:
        frame = form_frame(page)
        fill_long(frame)
        press_send(page, frame)
        page.wait_for_function("window.portalEvents.some(e => e.type === 'submitted')")
        confirmation = next(f for f in page.frames if "/embed/tickets/" in f.url)
        confirmation.locator("[data-unique-id]").wait_for()
        with suppress(PlaywrightTimeout):
            confirmation.wait_for_function(HEADING_FOCUSED, timeout=2000)
        focused = confirmation.evaluate(FOCUSED)
        assert focused["heading"], focused
        # The page is not reloaded into focus: a reload leaves the focus where it is.
        confirmation.evaluate("location.reload()")
        confirmation = next(f for f in page.frames if "/embed/tickets/" in f.url)
        confirmation.locator("[data-unique-id]").wait_for()
        confirmation.wait_for_timeout(500)
        assert not confirmation.evaluate(FOCUSED)["heading"]


def test_the_focus_stays_on_the_heading_as_the_status_changes(
    page, live_server, sandbox_api, settings
):
    from tests.integration.test_portal_flow import make_due, run_worker

    settings.TICKETS_API_URL = closed_port_url()
    page.goto(f"{live_server.url}/forms/support/")
    fill_long(page)
    send(page)
    page.locator("[data-reference]").wait_for()
    page.wait_for_function(HEADING_FOCUSED, timeout=2000)
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    page.locator("[data-unique-id]").wait_for(timeout=15_000)  # swapped in place by status.js
    assert page.evaluate(FOCUSED)["heading"], page.evaluate(FOCUSED)
    assert "filed" in page.evaluate(FOCUSED)["text"]


# --- The browser's own check brings a field into view with its label --------------------------------
@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_field_the_browser_finds_empty_is_shown_with_its_label(page, live_server, lang):
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(f"{live_server.url}/forms/support/?lang={lang}")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.locator("form[data-ticket-form] button[type=submit]").click()
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'id_user_email'"
    )
    label = page.locator("label[for=id_user_email]").bounding_box()
    assert label["y"] >= 0, f"the label is {-label['y']:.0f} px above the screen"
