"""With JavaScript off the form still works: every hierarchy level lists its options grouped by
parent, and the server checks the chain."""

import pytest

from sandbox.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def fill_required(page, component: str, area: str) -> None:
    page.get_by_label("Your email").fill("nojs@example.com")
    page.get_by_label("Subject").fill("No scripts here")
    page.locator("#id_description").fill("Filed with JavaScript off")
    page.get_by_label("Order number").fill("A-1")
    page.locator("#id_cf_100_0").select_option(label="Mobile app")
    page.locator("#id_cf_100_1").select_option(component)
    page.locator("#id_cf_100_2").select_option(area)


def test_levels_are_grouped_by_parent(page, live_server):
    page.goto(f"{live_server.url}/forms/support/")
    component = page.locator("#id_cf_100_1")
    assert component.is_visible()
    groups = component.locator("optgroup")
    assert groups.evaluate_all("gs => gs.map(g => g.label)") == [
        "Online store",
        "Mobile app",
        "Payments",
    ]
    assert groups.nth(1).locator("option").all_inner_texts() == ["iOS app", "Android app"]


def test_server_refuses_a_broken_chain_and_files_a_whole_one(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, component="204", area="210")  # Checkout does not belong to Mobile app
    page.get_by_role("button", name="Send").click()
    assert "does not belong to" in page.locator("#error-summary").inner_text()
    assert Ticket.objects.count() == 0

    fill_required(page, component="206", area="216")  # iOS app > Notifications
    page.get_by_role("button", name="Send").click()
    unique_id = page.locator("[data-unique-id]").inner_text()
    assert Ticket.objects.get(unique_id=unique_id).custom_fields["100"] == {
        "1": 199,
        "2": 206,
        "3": 216,
    }
