"""The embedded form's rough edges, as a visitor meets them on a support site in Chromium at a
phone's width (390 px): the ticket's number is on screen after Send on a host page wider than
the screen and with the visitor zoomed in; a site the portal does not allow gets a link that names
the form it opens; the host's colour reaches every link, a file's Remove button too; without
JavaScript a conditional field's note sits in its own field's help; an empty required field is
told the server's words in the page's language, not the browser's "Please fill out this field."."""

from __future__ import annotations

import re

import pytest

from sandbox.models import Ticket
from tests.browser.conftest import ARTIFACTS
from tests.browser.measure import contrast
from tests.browser.sites import PHONE, form_frame
from tests.browser.test_delivery import fill_required
from tests.browser.waits import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A host page's own content wider than a phone: the browser widens the layout viewport to it,
# and what the visitor sees (the visual viewport) is a part of that.
WIDE_TABLE = (
    '<table style="width:1200px;border-collapse:collapse"><tr>'
    + "".join(f'<td style="border:1px solid #999;padding:4px">Plan {n}</td>' for n in range(12))
    + "</tr></table>"
)

VISUAL_VIEWPORT = (
    "({left: visualViewport.offsetLeft, top: visualViewport.offsetTop,"
    " width: visualViewport.width, height: visualViewport.height, scale: visualViewport.scale})"
)


def zoom(page, scale: float) -> None:
    """The visitor pinches to zoom in (Chromium's page scale, as a pinch sets it)."""
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setPageScaleFactor", {"pageScaleFactor": scale})
    wait_until(page, f"visualViewport.scale === {scale}")


def reach_send(page, frame) -> None:
    """Bring the Send button into the visitor's sight (the visual viewport moves, not only the
    page) and press it. Zoomed in, Playwright's pointer misses what it aims at in a frame (it
    hits the host page above), so the button is pressed as a keyboard does."""
    send = frame.get_by_role("button", name="Send")
    for _ in range(200):
        box = box_on_host(page, frame, "[data-submit]")
        if inside_visual_viewport(page, box):
            break
        view = page.evaluate(VISUAL_VIEWPORT)
        # The wheel scrolls as a finger does: the visual viewport first, then the page.
        down = box["top"] - view["top"] - view["height"] / 2
        across = view["left"] <= box["left"] and box["right"] <= view["left"] + view["width"]
        right = 0 if across else box["left"] - view["left"] - 8
        half = view["height"] / 2
        page.mouse.wheel(max(-half, min(half, right)), max(-half, min(half, down)))
        page.wait_for_timeout(30)
    else:
        raise AssertionError("the Send button never came into sight")
    send.press("Enter")


def box_on_host(page, frame, selector: str) -> dict:
    """An element of the frame, in the host page's layout-viewport coordinates."""
    inner = frame.locator(selector).evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"
    )
    outer = page.evaluate(
        "(() => { const r = document.querySelector('iframe').getBoundingClientRect();"
        " return {left: r.left, top: r.top}; })()"
    )
    return {
        "left": outer["left"] + inner["left"],
        "top": outer["top"] + inner["top"],
        "right": outer["left"] + inner["right"],
        "bottom": outer["top"] + inner["bottom"],
    }


def inside_visual_viewport(page, box: dict) -> bool:
    view = page.evaluate(VISUAL_VIEWPORT)
    return (
        box["left"] >= view["left"] - 0.5
        and box["right"] <= view["left"] + view["width"] + 0.5
        and box["top"] >= view["top"] - 0.5
        and box["bottom"] <= view["top"] + view["height"] + 0.5
    )


def settled(page) -> dict:
    """The visual viewport once it stops moving (a smooth scroll has ended)."""
    last = None
    for _ in range(100):
        now = page.evaluate(VISUAL_VIEWPORT)
        if now == last:
            return now
        last = now
        page.wait_for_timeout(150)
    raise AssertionError(f"the visual viewport never settled: {last}")


# --- 6. The number is in view after Send, whatever the host page does ---------------------------
@pytest.mark.parametrize(
    ("site", "scale", "motion"),
    [
        ({"intro_html": WIDE_TABLE}, 1, "reduce"),
        ({}, 2, "reduce"),
        ({"intro_html": WIDE_TABLE}, 2, "reduce"),
        ({"intro_html": WIDE_TABLE}, 2, "no-preference"),
    ],
    ids=["wide-host", "zoomed-in", "wide-host-zoomed-in", "wide-host-zoomed-in-smooth"],
)
def test_the_number_is_in_view_after_send(visit, site, scale, motion):
    with visit(viewport=PHONE, mobile=True, intro_height=600, **site) as page:
        page.emulate_media(reduced_motion=motion)
        frame = form_frame(page)
        if scale != 1:
            zoom(page, scale)
        # Sent empty first: the error summary's start is brought into sight.
        frame.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
        reach_send(page, frame)
        frame = form_frame(page, "invalid")
        view = settled(page)
        title = box_on_host(page, frame, "#error-summary-title")
        start = {**title, "right": title["left"] + 80, "bottom": title["top"] + 20}
        assert inside_visual_viewport(page, start), (title, view)

        fill_required(frame, title="Seen after Send")
        reach_send(page, frame)
        page.wait_for_function("window.portalEvents.some(e => e.type === 'submitted')")
        confirmation = next(f for f in page.frames if "/embed/tickets/" in f.url)
        confirmation.locator("[data-unique-id]").wait_for()
        view = settled(page)
        number = box_on_host(page, confirmation, "[data-unique-id]")
        name = f"{'wide' if site else 'plain'}-x{scale}-{motion}"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"embed-number-after-send-{name}.png")
        assert inside_visual_viewport(page, number), (number, view)
        assert Ticket.objects.get().title == "Seen after Send"


# --- 10a. A site the portal does not allow: the link names the form it opens -------------------
@pytest.mark.parametrize(
    ("lang", "link", "reason", "heading"),
    [
        ("en", "Open the form “Billing question” in a new tab",
         "The form “Billing question” cannot be shown on this page.", "Billing question"),
        ("uk", "Відкрити форму «Питання щодо оплати» у новій вкладці",
         "Форму «Питання щодо оплати» не можна показати на цій сторінці.", "Питання щодо оплати"),
        ("ru", "Открыть форму «Вопрос по оплате» в новой вкладке",
         "Форму «Вопрос по оплате» нельзя показать на этой странице.", "Вопрос по оплате"),
    ],
)  # fmt: skip
def test_a_refused_sites_link_names_the_form_it_opens(visit, lang, link, reason, heading):
    with visit(
        viewport=PHONE, allowed=False, form="billing", attributes=f'data-lang="{lang}"'
    ) as page:
        page.evaluate(
            "document.addEventListener('ticket-portal:refused',"
            " e => { window.refusedReason = e.detail.reason; })"
        )
        page.wait_for_function("window.portalEvents.some(e => e.type === 'refused')")
        fallback = page.locator(".ticket-portal-fallback a")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"embed-refused-billing-{lang}.png")
        assert fallback.inner_text() == link
        assert page.evaluate("window.refusedReason") == reason
        assert re.search(rf"/forms/billing/\?lang={lang}$", fallback.get_attribute("href"))
        with page.context.expect_page() as opened:
            fallback.click()
        form = opened.value
        form.wait_for_load_state()
        assert form.get_by_role("heading", level=1).inner_text() == heading


# --- 10b. The host's colour reaches every link, the Remove buttons too -------------------------
LINKS = """Array.from(document.querySelectorAll("a, .btn-link"))
    .filter(e => !e.classList.contains("alert-link") && e.getClientRects().length)
    .map(e => [e.textContent.trim().slice(0, 30), getComputedStyle(e).color])"""


@pytest.mark.parametrize("dark", [False, True], ids=["light-host", "dark-host"])
def test_the_remove_buttons_take_the_hosts_colour_like_other_links(visit, dark):
    colour = "#0a7d52"
    with visit(
        viewport=PHONE, dark=dark, attributes=f'data-lang="en" data-color="{colour}"'
    ) as page:
        frame = form_frame(page)
        frame.locator("input[type=file]").set_input_files(
            [{"name": "report.txt", "mimeType": "text/plain", "buffer": b"It broke"}]
        )
        remove = frame.get_by_role("button", name="Remove report.txt")
        remove.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=ARTIFACTS / f"embed-remove-host-colour-{'dark' if dark else 'light'}.png"
        )
        readable = frame.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--portal-accent-readable')"
        ).strip()
        expected = frame.evaluate(
            f"(() => {{ const s = document.createElement('span'); s.style.color = '{readable}';"
            " document.body.append(s); const c = getComputedStyle(s).color; s.remove();"
            " return c; })()"
        )
        links = frame.evaluate(LINKS)
        assert any(text.startswith("Remove") for text, _ in links), links
        assert all(shown == expected for _, shown in links), (expected, links)
        page_colour = frame.evaluate("getComputedStyle(document.body).backgroundColor")
        assert contrast(remove.evaluate("b => getComputedStyle(b).color"), page_colour) >= 4.5


# --- 10c. Without JavaScript a conditional field's note sits with its own field ----------------
NOTE_PLACE = """([note, field, before]) => {
    const n = [...document.querySelectorAll("*")].find(e => e.children.length === 0
        && e.textContent.trim() === note);
    const own = document.getElementById("div_id_" + field);
    const above = document.getElementById("div_id_" + before);
    const control = own.querySelector("input, select, textarea");
    const described = (control.getAttribute("aria-describedby") || "").split(/\\s+/)
        .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(" ");
    const box = e => e.getBoundingClientRect();
    return {inside: own.contains(n), described: described.includes(note),
            belowLabel: box(n).top >= box(own.querySelector("label, legend")).bottom,
            gapAbove: box(n).top - box(above).bottom, gapBelow: box(own).bottom - box(n).bottom};
}"""


@pytest.mark.parametrize(
    ("url", "note", "field", "before"),
    [
        ("/embed/technical/?lang=en", "Only needed when “Operating system” is “Windows”.",
         "cf_108", "cf_99"),
        ("/forms/technical/?lang=en", "Only needed when “Operating system” is “Windows”.",
         "cf_108", "cf_99"),
        ("/embed/billing/?lang=uk", "Потрібно, лише якщо позначено «Я хочу повернути кошти».",
         "cf_111", "cf_110"),
    ],
    ids=["embedded-select", "own-page-select", "embedded-checkbox-uk"],
)  # fmt: skip
def test_without_javascript_a_conditional_note_sits_with_its_field(
    browser, live_server, url, note, field, before
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{url}")
        page.locator(f"#div_id_{field}").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        name = url.split("?")[0].strip("/").replace("/", "-")
        page.screenshot(path=ARTIFACTS / f"nojs-conditional-note-{name}.png")
        place = page.evaluate(NOTE_PLACE, [note, field, before])
        assert place["inside"] and place["described"] and place["belowLabel"], place
    finally:
        context.close()


def test_with_javascript_the_note_goes_and_nothing_points_to_it(page, live_server):
    page.goto(f"{live_server.url}/embed/billing/?lang=en")
    page.get_by_label("I would like a refund").check()
    amount = page.get_by_label("Refund amount")
    assert amount.is_visible()
    assert page.get_by_text("Only needed when").count() == 0
    # Its help was the note alone: gone, and the input is described by nothing missing.
    described = amount.get_attribute("aria-describedby") or ""
    assert all(page.locator(f"#{id_}").count() == 1 for id_ in described.split()), described


# --- 10d. The browser's own "Please fill out this field." speaks the page's language ------------
REQUIRED = {
    "en": "This field is required.",
    "ru": "Обязательное поле.",
    "uk": "Це поле обов'язкове.",
}  # Django's own words, which the server shows next to a required field left empty
EMPTY_ONES = """Array.from(document.querySelectorAll("form[data-ticket-form] input, select, textarea"))
    .filter(e => e.willValidate && e.validity.valueMissing)
    .map(e => [e.name, e.validationMessage])"""


@pytest.mark.parametrize("lang", ["ru", "uk", "en"])
def test_an_empty_required_field_is_told_in_the_pages_language(visit, lang):
    with visit(viewport=PHONE, attributes=f'data-lang="{lang}"') as page:
        frame = form_frame(page)
        frame.locator("[data-submit]").click()  # as a person does, nothing filled in
        focused = frame.evaluate(
            "[document.activeElement.name, document.activeElement.validationMessage]"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"embed-required-bubble-{lang}.png")
        assert focused == ["user_email", REQUIRED[lang]]  # what the browser's bubble says
        empty = frame.evaluate(EMPTY_ONES)
        assert {name for name, _ in empty} >= {
            "user_email",
            "title",
            "description",
            "cf_96",
            "cf_100_0",
        }
        assert all(message == REQUIRED[lang] for _, message in empty), empty
        assert not any(e["type"] == "invalid" for e in page.evaluate("window.portalEvents"))
        # The server's words, when the browser's check is skipped.
        frame.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
        frame.locator("[data-submit]").click()
        frame = form_frame(page, "invalid")
        said = frame.locator("#id_title_error").inner_text().strip()
        assert said == REQUIRED[lang]


def test_a_conditional_field_once_shown_is_told_in_the_pages_language(visit):
    with visit(viewport=PHONE, form="technical", attributes='data-lang="uk"') as page:
        frame = form_frame(page)
        frame.get_by_label("Операційна система").select_option(label="Windows")
        build = frame.locator("#id_cf_108")
        assert build.is_visible()
        frame.locator("[data-submit]").click()
        messages = dict(frame.evaluate(EMPTY_ONES))
        assert messages.get("cf_108") == REQUIRED["uk"], messages


def test_a_hierarchys_level_below_is_told_what_the_server_says_of_it(visit):
    with visit(viewport=PHONE, attributes='data-lang="ru"') as page:
        frame = form_frame(page)
        frame.locator("#id_cf_100_0").select_option(label="Платежи")
        frame.locator("[data-submit]").click()
        browser_says = dict(frame.evaluate(EMPTY_ONES))["cf_100_1"]
        frame.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
        frame.locator("[data-submit]").click()
        frame = form_frame(page, "invalid")
        assert browser_says == frame.locator("#id_cf_100_error").inner_text().strip()
        assert browser_says == "Выберите: Компонент."
