"""An agent signs in, finds a client by part of their email and files a ticket for them in
Chromium; the sandbox holds exactly what create-ticket.txt asks for."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from sandbox.models import Ticket
from tickets.models import StaffAccount, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = "/staff/forms/support/"
PASSWORD = "pw-olena-123"


def sign_in(page, live_server, agent) -> None:
    """Open the staff form signed out, sign in on the page it sends to, land on the form."""
    page.goto(f"{live_server.url}{FORM}")
    page.wait_for_url(re.compile(r"/staff/login/\?next="))
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{FORM}")


def fill_ticket(page, title: str) -> None:
    page.get_by_label("Subject").fill(title)
    page.get_by_label("Description").fill("The client phoned: the invoice shows the wrong VAT.")
    page.locator("#id_cf_100_0").select_option(label="Payments")
    page.locator("#id_cf_100_1").select_option(label="Invoices")


def choose_client(page, query: str, result: str) -> None:
    page.get_by_label("Find a client by name or email").fill(query)
    page.get_by_role("listbox", name="Clients found").get_by_role("option", name=result).click()


def add_follower(page, query: str, result: str) -> None:
    page.get_by_role("combobox", name="Add a follower by name or email").fill(query)
    found = page.get_by_role("listbox", name="Staff members found")
    found.get_by_role("option", name=result, exact=True).click()


def file_ticket(page) -> str:
    page.get_by_role("button", name="File the ticket").click()
    page.wait_for_url(re.compile(r"/staff/tickets/[^/]+/$"))
    return page.locator("[data-unique-id]").inner_text()


def selected_text(select) -> str:
    return select.evaluate("s => s.selectedOptions[0].textContent.trim()")


def test_agent_signs_in_and_the_form_is_assigned_to_her(
    page, live_server, sandbox_api, agent, axe_check
):
    page.goto(f"{live_server.url}{FORM}")
    sent_to = urlsplit(page.url)
    assert sent_to.path == "/staff/login/"
    assert parse_qs(sent_to.query) == {"next": [FORM]}
    assert page.get_by_role("heading", name="Staff sign-in").is_visible()
    axe_check(page, "the sign-in page")

    page.get_by_label("Username").fill("olena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{FORM}")

    assert page.get_by_role("heading", name="Contact support").is_visible()
    assignee = page.get_by_label("Assignee")
    assert assignee.input_value() == "2"
    assert selected_text(assignee) == "Olena Koval <olena.koval@sandbox.invalid>"
    # Found by email; showing the form writes nothing (the first filing remembers it).
    assert not StaffAccount.objects.filter(user=agent).exists()
    # The client search is the page's script at work: it starts hidden without it.
    assert page.get_by_label("Find a client by name or email").is_visible()
    axe_check(page, "the staff form")


def test_agent_finds_a_client_and_files_with_every_parameter(
    page, live_server, sandbox_api, agent, axe_check
):
    sign_in(page, live_server, agent)

    choose_client(page, "grace", "Grace Hopper <grace@example.com>")
    chosen = page.locator("[data-client-chosen]")
    assert chosen.is_visible()
    assert chosen.locator("[data-client-name]").inner_text() == "Grace Hopper <grace@example.com>"
    assert page.get_by_label("Find a client by name or email").is_hidden()
    assert page.locator("#id_user_id").input_value() == "1002"
    assert page.get_by_label("Client's email").input_value() == "grace@example.com"

    fill_ticket(page, "Phoned in: wrong VAT on invoice")
    assert page.get_by_label("Order number").input_value() == ""  # not required of staff
    page.get_by_label("staff (the portal's helpdesk account)").check()
    add_follower(page, "admin", "Administrator <admin@sandbox.invalid>")
    add_follower(page, "ivan", "Ivan Petrenko <ivan.petrenko@sandbox.invalid>")
    sla = page.get_by_role("group", name="SLA deadline")
    sla.get_by_label("Date", exact=True).fill("2027-03-15")
    sla.get_by_label("Time", exact=True).fill("14:30")
    assert page.locator("#id_sla_date_0").input_value() == "2027-03-15"
    assert page.locator("#id_sla_date_1").input_value() == "14:30"
    page.get_by_label("Lock the ticket").check()
    page.get_by_label("Tags").fill("phone, vat")
    unique_id = file_ticket(page)

    assert re.fullmatch(r"[A-Z]+-\d+", unique_id)
    ticket = Ticket.objects.get(unique_id=unique_id)
    assert ticket.title == "Phoned in: wrong VAT on invoice"
    assert ticket.user_id == 1002
    assert ticket.owner_id == 2
    assert sorted(ticket.followers) == [1, 3]
    assert ticket.sla_date == "15.03.2027 14:30"
    assert ticket.ticket_lock is True
    assert ticket.create_from_user is False
    assert ticket.tags == ["phone", "vat"]
    # The form's own defaults for the references.
    assert (ticket.department_id, ticket.priority_id, ticket.type_id) == (1, 1, 1)
    # Order number (96) left empty: staff need not give it.
    assert ticket.custom_fields["96"] == ""
    assert ticket.custom_fields["100"] == {"1": 200, "2": 209}
    assert (ticket.cc, ticket.bcc, ticket.pid) == ([], [], 0)

    submission = Submission.objects.get(unique_id=unique_id)
    assert submission.staff_user == agent
    account = StaffAccount.objects.get(user=agent)  # the assignee found by email, remembered
    assert (account.helpdesk_user_id, account.found_by_email) == (2, True)
    assert submission.audience == "staff"
    assert submission.state == Submission.State.FILED
    assert submission.payload["user_id"] == 1002
    assert submission.payload["create_from_user"] == 0
    assert submission.payload["sla_date"] == "15.03.2027 14:30"
    axe_check(page, "the confirmation")


def test_parent_ticket_is_shown_with_its_title_before_sending(
    page, live_server, sandbox_api, agent
):
    sign_in(page, live_server, agent)
    page.get_by_label("Client's email").fill("ada@example.com")
    fill_ticket(page, "The parent ticket")
    parent_uid = file_ticket(page)
    parent = Ticket.objects.get(unique_id=parent_uid)

    page.goto(f"{live_server.url}{FORM}")
    field = page.get_by_label("Parent ticket")
    preview = page.locator("[data-parent-preview]")
    no_such = "There is no such ticket."
    expected = f"{parent_uid}: The parent ticket"
    field.fill("SBX-9999")
    expect(preview).to_have_text(no_such)
    field.fill(parent_uid)
    expect(preview).to_have_text(expected)
    # By its id too, as the field's help says; an unknown id is no ticket either.
    field.fill("99999")
    expect(preview).to_have_text(no_such)
    field.fill(str(parent.pk))
    expect(preview).to_have_text(expected)
    field.fill(parent_uid)
    expect(preview).to_have_text(expected)

    choose_client(page, "ada@", "Ada Lovelace <ada@example.com>")
    fill_ticket(page, "A child ticket")
    child = Ticket.objects.get(unique_id=file_ticket(page))
    assert child.pid == parent.pk
    assert child.user_id == 1001


def test_form_with_errors_is_summarised_and_accessible(
    page, live_server, sandbox_api, agent, axe_check
):
    sign_in(page, live_server, agent)
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="File the ticket").click()

    summary = page.locator("#error-summary")
    summary.wait_for()
    assert summary.is_visible()
    expect(summary).to_be_focused()  # once the page's script has run
    text = summary.inner_text()
    assert "Find a client, or type the email of a new one." in text
    assert "Subject" in text
    assert "Description" in text
    assert "Order number" not in text  # not required of staff
    assert page.get_by_label("Subject").get_attribute("aria-invalid") == "true"
    assert page.title().startswith("Error:")
    axe_check(page, "the staff form with errors")
    assert Ticket.objects.count() == 0
    assert Submission.objects.count() == 0


def test_confirmation_names_the_client_picked_from_the_search(
    page, live_server, sandbox_api, agent
):
    sign_in(page, live_server, agent)
    choose_client(page, "grace", "Grace Hopper <grace@example.com>")
    fill_ticket(page, "For a client picked from the search")
    unique_id = file_ticket(page)
    assert Ticket.objects.get(unique_id=unique_id).user_id == 1002  # filed for her
    summary = page.locator("dl.ticket-summary").inner_text()
    assert "grace@example.com" in summary
