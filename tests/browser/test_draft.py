"""A customer's unsent text is kept in their browser (static/js/draft.js): it survives closing the
tab or a crash, comes back into a fresh form with a note and a way to start over, never over what
a link prefilled or the server sent back, works inside a cross-site iframe, and is gone once the
ticket is filed. Nothing of it reaches the server before Send."""

import pytest

from sandbox.models import Ticket
from tests.browser.sites import PHONE, form_frame, press_send
from tests.browser.test_delivery import fill_required

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "It started after the update. " * 40


def kept(page) -> dict:
    return page.evaluate(
        "Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('ticket-portal-draft:'))"
        ".map(k => [k, JSON.parse(localStorage.getItem(k)).values]))"
    )


def test_a_long_description_survives_closing_the_tab(page, live_server, sandbox_api, axe_check):
    url = f"{live_server.url}/forms/support/"
    tab = page.context.new_page()
    tab.goto(url)
    tab.get_by_label("Your email").fill("ada@example.com")
    tab.get_by_label("Subject").fill("Printer on fire")
    tab.locator("#id_description").fill(LONG)
    tab.wait_for_timeout(600)  # kept as it is typed: a crash now loses nothing
    # ... but never the email address: a shared browser would hand it to the next person.
    assert kept(tab) == {
        "ticket-portal-draft:support": {"title": "Printer on fire", "description": LONG}
    }
    assert tab.locator("[data-draft-note]").is_hidden()  # nothing was restored on this visit
    tab.close()

    again = page
    again.goto(url)
    assert again.locator("#id_description").input_value() == LONG
    assert again.get_by_label("Subject").input_value() == "Printer on fire"
    note = again.locator("[data-draft-note]")
    assert note.is_visible()
    axe_check(again, "the form with its draft back")

    note.get_by_role("button", name="Start over").click()
    assert again.locator("#id_description").input_value() == ""
    assert note.is_hidden()
    assert kept(again) == {}


def test_a_draft_never_overwrites_a_prefilled_link_or_a_form_sent_back(
    page, live_server, sandbox_api
):
    page.goto(f"{live_server.url}/forms/support/")
    page.locator("#id_description").fill(LONG)
    page.wait_for_timeout(600)
    page.goto(f"{live_server.url}/forms/support/?title=From+the+link")
    assert page.locator("#id_description").input_value() == ""
    assert page.locator("[data-draft-note]").is_hidden()

    page.goto(f"{live_server.url}/forms/support/")  # the draft is back on a fresh form
    page.get_by_label("Subject").fill("")
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    page.locator("#id_description").fill("Short now")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#id_description").input_value() == "Short now"  # the server's values
    assert page.locator("[data-draft-note]").is_hidden()


def test_the_draft_is_gone_once_the_ticket_is_filed(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="Filed, draft gone")
    page.locator("#id_description").fill(LONG)
    page.wait_for_timeout(600)
    assert kept(page)
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("[data-unique-id]")
    page.wait_for_load_state("load")  # the status page's scripts have run
    assert kept(page) == {}
    page.goto(f"{live_server.url}/forms/support/")
    assert page.locator("#id_description").input_value() == ""
    assert Ticket.objects.get().title == "Filed, draft gone"


def test_the_draft_is_kept_inside_a_cross_site_iframe(visit):
    with visit(viewport=PHONE) as page:
        frame = form_frame(page)
        frame.locator("#id_description").fill(LONG)
        frame.wait_for_timeout(600)
        # The browser denies the frame storage of its own: the host page keeps the draft.
        denied = "(() => { try { return !localStorage; } catch (e) { return true; } })()"
        assert frame.evaluate(denied)
        page.reload()
        frame = form_frame(page)
        assert frame.locator("#id_description").input_value() == LONG
        assert frame.locator("[data-draft-note]").is_visible()
        fill_required(frame, title="From the iframe, with its draft")
        frame.locator("#id_description").fill(LONG)
        press_send(page, frame)
        page.wait_for_function("window.portalEvents.some(e => e.type === 'submitted')")
        page.reload()
        assert form_frame(page).locator("#id_description").input_value() == ""
