"""The staff pages of issue 13: the confirmation shows every handling field with names and links
to the ticket in the helpdesk; the language follows the agent through the staff pages."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils.html import escape

from sandbox.models import Ticket
from tests.integration.test_portal_flow import _close_api_connections  # noqa: F401  (fixture)
from tests.integration.test_staff import FORM, REQUIRED, every_parameter, filed, token
from tickets.helpdesk import directory
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-olena-123"


@pytest.fixture
def agent(db):
    return get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", PASSWORD, is_staff=True
    )


@pytest.fixture
def staff_client(agent, sandbox_api):
    client = Client()
    client.force_login(agent)
    return client


def summary_rows(html: str) -> dict[str, str]:
    """The confirmation's "what was filed" list as label -> value."""
    block = html.split('<dl class="ticket-summary', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    return {unescape(label).strip(): unescape(value).strip() for label, value in pairs}


def file_everything(staff_client) -> Submission:
    post, _parent = every_parameter(
        staff_client, user_id="1002", user_email="grace@example.com", cc="alan@example.com"
    )
    ticket = filed(staff_client.post(FORM, post))
    return Submission.objects.get(unique_id=ticket.unique_id)


def test_the_confirmation_shows_every_handling_field_by_name(staff_client):
    submission = file_everything(staff_client)
    parent = Ticket.objects.get(pk=submission.payload["pid"])
    html = staff_client.get(f"/staff/tickets/{submission.public_key}/").content.decode()
    rows = summary_rows(html)
    assert rows["Client"] == "Grace Hopper <grace@example.com>"
    assert rows["First message on behalf of"] == "staff (the portal's helpdesk account)"
    assert rows["Assignee"] == "Ivan Petrenko <ivan.petrenko@sandbox.invalid>"
    assert rows["Followers"] == (
        "Administrator <admin@sandbox.invalid>, Olena Koval <olena.koval@sandbox.invalid>"
    )
    assert rows["Copies (cc)"] == "alan@example.com"
    assert rows["Blind copies (bcc)"] == "audit@example.com"
    assert rows["Department"] == "Billing"
    assert rows["Priority"] == "High"
    assert rows["Type"] == "Incident"
    assert rows["Status"] == "In progress"
    assert rows["SLA deadline"] == "January 1, 2027, 09:30"
    assert rows["Lock the ticket"] == "Yes"
    assert rows["Tags"] == "vip, phone"
    assert rows["Parent ticket"] == f"{parent.unique_id}: {REQUIRED['title']}"
    assert list(rows)[:3] == ["Client", "First message on behalf of", "Subject"]


def test_what_was_left_empty_says_so(staff_client):
    post = {
        **REQUIRED,
        "form_token": token(staff_client),
        "user_email": "new.person@example.com",
        "owner_id": "",
        "department_id": "",
    }
    submission = Submission.objects.get(unique_id=filed(staff_client.post(FORM, post)).unique_id)
    rows = summary_rows(
        staff_client.get(f"/staff/tickets/{submission.public_key}/").content.decode()
    )
    assert rows["Client"] == "new.person@example.com"
    assert rows["First message on behalf of"] == "the client"
    assert rows["Assignee"] == "Unassigned"
    assert rows["Department"] == "the helpdesk's default"
    assert not {"Followers", "Tags", "Parent ticket"} & set(rows)  # nothing filed: left out
    assert rows["Lock the ticket"] == "No"


def test_a_person_the_helpdesk_does_not_answer_for_is_shown_by_id(staff_client, settings):
    submission = file_everything(staff_client)
    sandbox = settings.TICKETS_API_URL
    # The helpdesk gone (and nothing of it cached): everything is still shown, people by id.
    settings.TICKETS_API_URL = "http://127.0.0.1:9/api/v2"
    cache.clear()
    response = staff_client.get(f"/staff/tickets/{submission.public_key}/")
    assert response.status_code == 200
    rows = summary_rows(response.content.decode())
    assert rows["Client"] == "grace@example.com"
    assert rows["Assignee"] == "#3"
    assert rows["Followers"] == "#1, #2"
    assert rows["Parent ticket"] == f"#{submission.payload['pid']}"
    # Shown again as it waits (status.js, a refresh): the helpdesk is not asked again at once,
    # so the page does not wait out its timeouts each time; a minute later it is.
    settings.TICKETS_API_URL = sandbox
    again = summary_rows(
        staff_client.get(f"/staff/tickets/{submission.public_key}/").content.decode()
    )
    assert again["Client"] == "grace@example.com"
    cache.delete("directory:summary-unanswered")
    later = summary_rows(
        staff_client.get(f"/staff/tickets/{submission.public_key}/").content.decode()
    )
    assert later["Client"] != "grace@example.com" and "grace@example.com" in later["Client"]


def test_the_confirmation_links_to_the_ticket_in_the_helpdesk_when_its_address_is_set(
    staff_client, settings
):
    post = {**REQUIRED, "form_token": token(staff_client), "user_email": "ada@example.com"}
    ticket = filed(staff_client.post(FORM, post))
    page = f"/staff/tickets/{Submission.objects.get(unique_id=ticket.unique_id).public_key}/"
    for setting, link in [
        ("https://support.example.com", f"https://support.example.com/ticket/{ticket.pk}"),
        (
            "https://desk.example.com/agent/tickets/{id}/",
            f"https://desk.example.com/agent/tickets/{ticket.pk}/",
        ),
        ("", None),
    ]:
        settings.TICKETS_HELPDESK_URL = setting
        html = staff_client.get(page).content.decode()
        found = re.search(r'<a class="alert-link" href="([^"]+)" data-helpdesk-link>([^<]+)', html)
        if link is None:
            assert found is None and "data-helpdesk-link" not in html
            continue
        assert found, html
        assert found.groups() == (link, f"Open {ticket.unique_id} in the helpdesk")


# --- 20: the language follows the agent -----------------------------------------------------------
def query_of(url: str) -> dict:
    return {k: v for k, v in parse_qs(urlsplit(url).query).items()}


def test_signing_in_keeps_the_language_of_the_page_asked_for(agent, sandbox_api):
    browser = Client()
    response = browser.get(f"{FORM}?lang=uk")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/staff/login/"
    assert query_of(response["Location"]) == {"lang": ["uk"], "next": [f"{FORM}?lang=uk"]}
    login = browser.get(response["Location"])
    assert login["Content-Language"] == "uk"
    # The agent picks Russian on the sign-in page: the form then opens in Russian.
    posted = browser.post(
        f"/staff/login/?lang=ru&next={FORM}%3Flang%3Duk",
        {"username": "olena", "password": PASSWORD, "next": f"{FORM}?lang=uk"},
    )
    assert posted.status_code == 302
    assert posted["Location"] == f"{FORM}?lang=ru"
    assert browser.get(posted["Location"])["Content-Language"] == "ru"


def test_signing_in_without_a_next_page_lands_on_the_index_in_its_language(agent):
    browser = Client()
    posted = browser.post("/staff/login/?lang=uk", {"username": "olena", "password": PASSWORD})
    assert posted["Location"] == "/staff/?lang=uk"


def test_signing_out_keeps_the_language(staff_client):
    html = staff_client.get("/staff/?lang=uk").content.decode()
    assert 'action="/staff/logout/?lang=uk"' in html
    response = staff_client.post("/staff/logout/?lang=uk")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?lang=uk"


def test_staff_links_and_the_confirmation_carry_the_language(staff_client):
    index = staff_client.get("/staff/?lang=uk").content.decode()
    assert 'href="/staff/?lang=uk"' in index  # the brand
    assert f'href="{FORM}?lang=uk"' in index
    form = staff_client.get(f"{FORM}?lang=uk").content.decode()
    assert 'data-search-url="/staff/api/clients/?lang=uk"' in form
    assert 'data-lookup-url="/staff/api/tickets/?lang=uk"' in form
    post = {**REQUIRED, "form_token": token(staff_client), "user_email": "ada@example.com"}
    response = staff_client.post(f"{FORM}?lang=uk", post)
    assert response.status_code == 302
    assert re.fullmatch(r"/staff/tickets/[^/?]+/\?lang=uk", response["Location"])
    confirmation = staff_client.get(response["Location"])
    assert confirmation["Content-Language"] == "uk"
    html = confirmation.content.decode()
    assert f'href="{FORM}?lang=uk"' in html and 'href="/staff/?lang=uk"' in html
    # The search's count comes in the page's language.
    found = staff_client.get("/staff/api/clients/", {"q": "grace", "lang": "uk"}).json()
    assert re.fullmatch(r"Знайдено \d+ клієнт(а|и|ів)", found["status"]), found["status"]


def test_a_language_the_portal_does_not_speak_is_neither_kept_nor_repeated(client):
    # Repeated, it would be text a third party put in a compressed page (views/compression.py).
    html = client.get('/?lang="><b>x').content.decode()
    assert 'href="/"' in html and "&lt;b&gt;x" not in html


# --- 21: an agent with no helpdesk user, and picking one in the admin -----------------------------
@pytest.fixture
def root(db, sandbox_api):
    """A superuser as README makes one: no email the helpdesk knows."""
    user = get_user_model().objects.create_superuser("root", "", PASSWORD)
    client = Client()
    client.force_login(user)
    return user, client


def test_an_unmapped_agent_is_told_what_to_do(root, staff_client):
    user, client = root
    html = client.get(FORM).content.decode()
    notice = html.split("data-agent-unmapped", 1)[1].split("</div>", 1)[0]
    assert "Your portal account is not linked to a helpdesk user." in notice
    assert f'href="/admin/auth/user/{user.pk}/change/"' in notice
    assert re.search(r'<option value="" selected>Unassigned</option>', html)
    # Olena is found by her email: no notice for her.
    assert "data-agent-unmapped" not in staff_client.get(FORM).content.decode()


def test_the_helpdesk_account_is_picked_from_the_staff_list_in_the_admin(root):
    from tickets.admin import StaffAccountForm
    from tickets.models import StaffAccount

    user, client = root
    html = client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    listed = re.search(
        r'list="([^"]+)"', html.split('name="helpdesk_account-0-helpdesk_user_id"')[1]
    )
    assert listed
    datalist = html.split(f'<datalist id="{listed.group(1)}">', 1)[1].split("</datalist>", 1)[0]
    assert re.findall(r'<option value="(\d+)">', datalist) == ["1", "3", "2"]  # by name
    assert "Ivan Petrenko &lt;ivan.petrenko@sandbox.invalid&gt;" in datalist

    unknown = StaffAccountForm({"helpdesk_user_id": "1001"}, instance=StaffAccount(user=user))
    assert unknown.errors["helpdesk_user_id"] == ["The helpdesk has no staff user 1001."]
    picked = StaffAccountForm({"helpdesk_user_id": "3"}, instance=StaffAccount(user=user))
    assert picked.is_valid(), picked.errors
    picked.save()
    assert StaffAccount.objects.get(user=user).helpdesk_user_id == 3
    assert "data-agent-unmapped" not in client.get(FORM).content.decode()
    # The change page names the account picked, escaped (the admin shows help text as HTML), in
    # a text box that takes a name to search with.
    page = client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    box = re.search(r'<input[^>]*name="helpdesk_account-0-helpdesk_user_id"[^>]*>', page)[0]
    assert 'type="text"' in box and 'inputmode="numeric"' in box
    label = next(p.label() for p in directory.staff_users() if p.id == 3)
    assert f"{escape(label)}. Type a name or email" in page
