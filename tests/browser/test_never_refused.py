"""No person is refused for what a bot would do, in Chromium: a browser that autofills the
honeypot, and the second person of an office behind one address past its limit, both file
without doing anything more than pressing Send; without JavaScript the second person is told when
to send again. The server's side: tests/integration/test_never_refused.py."""

import pytest

from sandbox.models import Ticket
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_delivery import fill_required
from tests.browser.test_embedding import frame_of, host_page  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _quick_challenges(settings, sandbox_api):
    settings.TICKETS_CHALLENGE_MAX_NUMBER = 20_000


def send_and_see_answers(page) -> list[int]:
    """Press Send and return the statuses of the form's POSTs until a status page shows."""
    statuses: list[int] = []
    page.on("response", lambda r: r.request.method == "POST" and statuses.append(r.status))
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/tickets/**", timeout=30_000)
    return statuses


def test_a_browser_that_autofills_the_honeypot_files_all_the_same(page, live_server):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="Autofilled everything")
    page.locator("input[name=homepage]").evaluate("i => { i.value = 'https://me.example'; }")
    statuses = send_and_see_answers(page)
    assert statuses == [200, 303]  # asked for the challenge, solved, sent again by the script
    assert Ticket.objects.get().title == "Autofilled everything"
    assert page.get_by_role("heading", level=1).is_visible()


def test_inside_the_iframe_an_autofilled_honeypot_files_too(host_page):  # noqa: F811
    frame = frame_of(host_page)
    fill_required(frame, title="Autofilled in the iframe")
    frame.locator("input[name=homepage]").evaluate("i => { i.value = 'https://me.example'; }")
    frame.get_by_role("button", name="Send").click()
    host_page.wait_for_function(
        "window.portalEvents.some(e => e.type === 'submitted')", timeout=30_000
    )
    types = [e["type"] for e in host_page.evaluate("window.portalEvents")]
    assert types.index("invalid") < types.index("submitted")  # asked, solved, sent by itself
    assert Ticket.objects.get().title == "Autofilled in the iframe"


def test_the_second_person_behind_one_address_files_past_its_limit(page, live_server, settings):
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="The first of the office")
    assert send_and_see_answers(page) == [303]

    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="The second of the office")
    statuses = send_and_see_answers(page)
    assert statuses == [429, 303]
    assert sorted(Ticket.objects.values_list("title", flat=True)) == [
        "The first of the office",
        "The second of the office",
    ]


def test_without_javascript_past_the_limit_the_person_is_told_when(browser, live_server, settings):
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        for title in ("The first without scripts", "The second without scripts"):
            page.goto(f"{live_server.url}/forms/support/")
            fill_required(page, title=title)
            page.get_by_role("button", name="Send").click()
        summary = page.locator("#error-summary").inner_text()
        assert "Many tickets have been sent from your network" in summary
        assert "Without JavaScript, please send it in 60 minutes." in summary
        assert page.get_by_label("Subject").input_value() == "The second without scripts"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "past-the-limit-without-javascript.png", full_page=True)
        assert Ticket.objects.count() == 1
    finally:
        context.close()
