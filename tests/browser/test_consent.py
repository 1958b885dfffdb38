"""A form that asks for consent, in Chromium: the box is labelled by its text and required, says
the server's message, its link opens the policy in a new tab without a way back to the form, and
the ticket goes once it is ticked; axe finds nothing, errors included."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from sandbox.models import Ticket
from tests.browser.test_delivery import fill_required
from tests.browser.waits import wait_until
from tickets.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "I agree that my answers are used to handle this ticket."
MESSAGE = "To send the form, tick this box."


@pytest.fixture
def consent_form(use_schema, live_server):
    """The shipped support form, asking for consent; the policy is the portal's home page."""
    path = Path(django_settings.BASE_DIR) / "portal" / "ticket_schema.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["forms"][0]["consent"] = {
        "text": TEXT,
        "link": f"{live_server.url}/?policy",
        "version": "2026-12",
        "tag": "consent-2026-12",
    }
    use_schema(document)
    return f"{live_server.url}/forms/support/"


def test_the_box_is_labelled_its_link_works_and_it_must_be_ticked(
    page, consent_form, live_server, sandbox_api, axe_check
):
    page.goto(consent_form)
    box = page.get_by_role("checkbox", name=TEXT, exact=True)  # named by its label, no "*"
    assert box.evaluate("el => el.required")
    # Right above the Send button: the last control of the form before it.
    assert page.evaluate(
        """() => {
            const controls = [...document.querySelectorAll(
                "form[data-ticket-form] input:not([type=hidden]), form[data-ticket-form] button")];
            return controls.slice(-2).map(el => el.name || el.textContent.trim());
        }"""
    ) == ["consent", "Send"]
    axe_check(page, "the form with a consent box")

    link = page.get_by_role("link", name="Privacy policy (opens in a new tab)")
    assert link.get_attribute("rel") == "noopener"
    with page.context.expect_page() as opened:
        link.click()
    policy = opened.value
    policy.wait_for_load_state()
    assert policy.url == f"{live_server.url}/?policy"
    assert policy.evaluate("window.opener") is None  # no way back into the form's page
    policy.close()
    assert not box.is_checked()  # following the link ticks nothing

    fill_required(page, title="Consent asked")
    # The browser holds the form back, in the server's words.
    assert box.evaluate("el => el.validationMessage") == MESSAGE
    page.get_by_role("button", name="Send").click()
    assert page.url == consent_form and Submission.objects.count() == 0

    # Past the browser's check, the server refuses it too, and says so next to the box.
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Send").click()
    wait_until(page, "document.activeElement && document.activeElement.id === 'error-summary'")
    assert page.locator("#id_consent_error").inner_text() == MESSAGE
    assert page.get_by_label("Subject").input_value() == "Consent asked"
    assert "id_consent_error" in box.get_attribute("aria-describedby")
    axe_check(page, "the consent box refused")

    page.locator("label[for=id_consent]").click()  # the label ticks the box
    assert box.is_checked()
    assert page.locator("#id_consent_error").count() == 0  # the error goes once it is fixed
    page.get_by_role("button", name="Send").click()
    unique_id = page.locator("[data-unique-id]").inner_text()
    ticket = Ticket.objects.get(unique_id=unique_id)
    assert ticket.tags == ["consent-2026-12"]
    assert Submission.objects.get().consent_version == "2026-12"
