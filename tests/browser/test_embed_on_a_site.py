"""The embedded form on a real support site, in Chromium at a phone's and a desktop's width: each
new page of the form is brought into view, the frame takes the host page's light or dark look
(not the visitor's system), any host colour gives readable buttons, a site the portal does not
allow gets a link instead of the browser's error box, the height settles at once, the frame's
title speaks the page's language. The host page is served from 127.0.0.1, the portal from
localhost: another site."""

from __future__ import annotations

import re

import pytest

from sandbox.models import Ticket
from tests.browser.conftest import ARTIFACTS
from tests.browser.measure import contrast
from tests.browser.sites import DESKTOP, PHONE, form_frame, frame_top, in_view, press_send
from tests.browser.test_delivery import fill_required
from tests.browser.waits import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- 1. Each new page is brought into view ------------------------------------------------------
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_errors_and_the_confirmation_are_brought_into_view(visit, viewport):
    with visit(viewport=viewport, intro_height=900) as page:
        frame = form_frame(page)
        assert page.evaluate("window.scrollY") == 0  # the first page is left where it is
        frame.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
        press_send(page, frame)

        frame = form_frame(page, "invalid")
        page.wait_for_function("window.scrollY > 0")
        summary = frame.locator("#error-summary").evaluate("e => e.getBoundingClientRect().top")
        assert in_view(page, frame_top(page) + summary), "the error summary is out of sight"

        fill_required(frame, title="Brought into view")
        press_send(page, frame)
        page.wait_for_function("window.portalEvents.some(e => e.type === 'submitted')")
        page.wait_for_function(
            "(() => { const t = document.querySelector('iframe').getBoundingClientRect().top;"
            " return t >= 0 && t <= window.innerHeight / 3; })()"
        )
        confirmation = next(f for f in page.frames if "/embed/tickets/" in f.url)
        heading = confirmation.locator("h1, h2").first
        assert in_view(
            page, frame_top(page) + heading.evaluate("h => h.getBoundingClientRect().top")
        )
        assert Ticket.objects.get().title == "Brought into view"
        if viewport == PHONE:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / "embed-phone-after-send.png")


# --- 2. The host page's look, not the visitor's system ------------------------------------------
def frame_scheme(frame) -> str:
    return frame.evaluate("document.documentElement.dataset.bsTheme")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_a_light_site_gets_a_light_form_whatever_the_system_says(visit, axe_check, viewport):
    with visit(color_scheme="dark", viewport=viewport) as page:
        frame = form_frame(page)
        assert frame_scheme(frame) == "light"
        axe_check(frame, "light host, dark system")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"embed-light-host-dark-system-{viewport['width']}.png")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_a_dark_site_gets_a_dark_form_and_one_that_switches_is_followed(visit, axe_check, viewport):
    with visit(color_scheme="light", dark=True, viewport=viewport) as page:
        frame = form_frame(page)
        assert frame_scheme(frame) == "dark"
        axe_check(frame, "dark host, light system")
        page.evaluate("document.body.classList.remove('dark')")
        wait_until(frame, "document.documentElement.dataset.bsTheme === 'light'")
        page.evaluate("document.body.classList.add('dark')")
        wait_until(frame, "document.documentElement.dataset.bsTheme === 'dark'")


@pytest.mark.parametrize(
    ("scheme", "system", "expected"),
    [("light", "dark", "light"), ("dark", "light", "dark"), ("auto", "dark", "dark"),
     ("auto", "light", "light")],
)  # fmt: skip
def test_data_scheme_fixes_the_look_or_leaves_it_to_the_system(visit, scheme, system, expected):
    with visit(color_scheme=system, attributes=f'data-scheme="{scheme}"', dark=True) as page:
        assert frame_scheme(form_frame(page)) == expected


def test_a_see_through_form_stays_see_through_on_a_light_site_with_a_dark_system(visit):
    with visit(color_scheme="dark", attributes='data-background="transparent"',
               body_style="background: #fdf3d8;") as page:  # fmt: skip
        frame = form_frame(page)
        assert frame_scheme(frame) == "light"
        root = frame.evaluate(
            "[getComputedStyle(document.documentElement).colorScheme,"
            " getComputedStyle(document.body).backgroundColor]"
        )
        assert root == ["light", "rgba(0, 0, 0, 0)"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "embed-transparent-light-host-dark-system.png")


# --- 3. Any host colour gives readable buttons --------------------------------------------------
@pytest.mark.parametrize(
    ("colour", "viewport"),
    [("#ffcc00", PHONE), ("#ffcc00", DESKTOP), ("#0a7d52", DESKTOP), ("#777777", PHONE)],
    ids=["yellow-390", "yellow-1280", "green-1280", "grey-390"],
)
@pytest.mark.parametrize("dark", [False, True], ids=["light-host", "dark-host"])
def test_any_host_colour_gives_readable_buttons(visit, axe_check, colour, viewport, dark):
    with visit(attributes=f'data-color="{colour}"', dark=dark, viewport=viewport) as page:
        frame = form_frame(page)
        send = frame.get_by_role("button", name="Send")
        send.evaluate(  # Bootstrap eases colour changes in: wait for the host's colour
            f"""b => new Promise(resolve => (function poll() {{
                const c = getComputedStyle(b).backgroundColor;
                if (c === "{_css_rgb(colour)}") return resolve();
                setTimeout(poll, 50);
            }})())"""
        )
        text, fill = send.evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
        )
        assert contrast(text, fill) >= 4.5, (colour, text, fill)
        axe_check(frame, f"host colour {colour}, {'dark' if dark else 'light'} host")


def _css_rgb(colour: str) -> str:
    value = colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


# --- 4. A site the portal does not allow -------------------------------------------------------
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_a_site_that_is_not_allowed_gets_a_link_and_hears_refused(visit, viewport):
    with visit(allowed=False, attributes='data-lang="uk"', viewport=viewport) as page:
        page.wait_for_function("window.portalEvents.some(e => e.type === 'refused')")
        assert page.evaluate("window.portalEvents") == [
            {"type": "refused", "height": None, "code": "not-allowed"}
        ]
        assert page.locator("iframe").count() == 0
        link = page.get_by_role(
            "link", name="Відкрити форму «Звернутися до підтримки» у новій вкладці"
        )
        href = link.get_attribute("href")
        assert re.search(r"/forms/support/\?lang=uk$", href), href
        assert link.get_attribute("target") == "_blank"
        with page.context.expect_page() as opened:
            link.click()
        form = opened.value
        form.wait_for_load_state()
        assert form.get_by_role("button", name=re.compile("Надіслати|Send")).count() == 1


# --- 5. The height settles at once; a phone's margins are not doubled; the title's language ---------
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_height_is_reported_once_on_load(visit, viewport):
    with visit(viewport=viewport) as page:
        frame = form_frame(page)
        page.wait_for_timeout(1000)  # the load event, fonts, the scripts' first changes
        heights = [
            e["height"] for e in page.evaluate("window.portalEvents") if e["type"] == "resize"
        ]
        assert len(heights) == 1, heights
        content = frame.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
        assert heights == [content]
        inset = frame.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('main')).paddingLeft)"
        )
        assert inset <= (8 if viewport == PHONE else 16)


@pytest.mark.parametrize(
    ("attributes", "title"),
    [('data-lang="uk"', "Форма звернення до підтримки"),
     ('data-lang="ru"', "Форма обращения в поддержку"),
     ('data-lang="en"', "Support form"),
     ('data-lang="uk" data-title="Напишіть нам"', "Напишіть нам")],
)  # fmt: skip
def test_the_frames_title_speaks_the_pages_language(visit, attributes, title):
    with visit(attributes=attributes) as page:
        form_frame(page)
        assert page.locator("iframe").get_attribute("title") == title
