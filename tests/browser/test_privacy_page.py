"""The privacy page in Chromium: axe-core finds nothing on it, light or dark, phone or desktop;
the form page's footer leads to it, and the embedded form's opens it in a new tab."""

from __future__ import annotations

import pytest

from tests.browser.sites import DESKTOP, PHONE, form_frame

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_privacy_page_passes_axe(open_page, live_server, axe_check, scheme):
    for viewport in (PHONE, DESKTOP):
        page = open_page(scheme, viewport["width"], viewport["height"])
        page.goto(f"{live_server.url}/forms/support/?lang=uk")
        page.locator("footer").get_by_role("link").click()
        page.wait_for_url(f"{live_server.url}/privacy/?lang=uk")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Конфіденційність")
        axe_check(page, f"/privacy/ ({scheme}, {viewport['width']} px)")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]  # no sideways scrolling on a phone


def test_the_embedded_forms_link_opens_the_page_in_a_new_tab(visit, axe_check):
    with visit(viewport=PHONE) as page:
        frame = form_frame(page)
        link = frame.get_by_role(
            "link", name="Privacy: what this portal keeps (opens in a new tab)"
        )
        with page.context.expect_page() as opened:
            link.click()
        privacy = opened.value
        privacy.wait_for_load_state()
        assert privacy.url.endswith("/privacy/?lang=en")
        assert privacy.get_by_role("heading", level=2, name="What the portal keeps").is_visible()
        axe_check(privacy, "/privacy/ opened from the embedded form")
        assert "/embed/support/" in frame.url  # the form stays where it was
