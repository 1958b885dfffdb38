"""Staff file tickets for their clients with every parameter of create-ticket.txt."""

import re
from html import unescape

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    hidden_value,
)
from tickets.models import StaffAccount, Submission

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "/staff/forms/support/"
REQUIRED = {
    "title": "Phoned in: checkout broken",
    "description": "The client called about the payment step.",
    "cf_96": "A-100",
    "cf_100_0": "200",
    "cf_100_1": "209",
}


@pytest.fixture
def agent(db):
    return get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", "pw-olena-123", is_staff=True
    )


@pytest.fixture
def staff_client(agent, sandbox_api):
    client = Client()
    client.force_login(agent)
    return client


def token(client) -> str:
    response = client.get(FORM)
    assert response.status_code == 200
    return hidden_value(response, "form_token")


def read_back(ticket: Ticket) -> dict:
    auth = (django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY)
    url = f"{django_settings.TICKETS_API_URL}/tickets/{ticket.pk}/"
    return requests.get(url, auth=auth, timeout=10).json()["data"]


def filed(response) -> Ticket:
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert re.match(r"^/staff/tickets/[^/]+/$", response["Location"])
    return Ticket.objects.latest("pk")


def every_parameter(staff_client, **changes: str) -> tuple[dict, Ticket]:
    """A staff POST setting every parameter of the create call (a parent ticket filed first for
    it), and that parent."""
    parent = filed(
        staff_client.post(
            FORM, {**REQUIRED, "form_token": token(staff_client), "user_email": "ada@example.com"}
        )
    )
    post = {
        **REQUIRED,
        "form_token": token(staff_client),
        "user_id": "1001",
        "user_email": "ada@example.com",
        "create_from_user": "0",
        "owner_id": "3",
        "followers": ["1", "2"],
        "cc": "grace@example.com, alan@example.com",
        "bcc": "audit@example.com",
        "department_id": "2",
        "priority_id": "3",
        "type_id": "2",
        "status_id": "process",
        "sla_date_0": "2027-01-01",
        "sla_date_1": "09:30",
        "ticket_lock": "on",
        "tags": "vip, phone",
        "pid": parent.unique_id,
        **changes,
    }
    return post, parent


def test_a_ticket_with_every_parameter_reads_back_as_create_ticket_txt(staff_client, agent):
    post, parent = every_parameter(staff_client)
    ticket = read_back(filed(staff_client.post(FORM, post)))
    assert ticket["user_id"] == 1001
    assert ticket["owner_id"] == 3
    assert ticket["followers"] == [1, 2]
    assert ticket["cc"] == ["grace@example.com", "alan@example.com"]
    assert ticket["bcc"] == ["audit@example.com"]
    assert (ticket["department_id"], ticket["priority_id"], ticket["type_id"]) == (2, 3, 2)
    assert ticket["status_id"] == "process"
    assert ticket["sla_date"] == "01.01.2027 09:30"
    assert ticket["ticket_lock"] == 1
    assert ticket["tags"] == ["vip", "phone"]
    assert ticket["pid"] == parent.pk
    stored = Ticket.objects.get(pk=ticket["id"])
    assert stored.create_from_user in (0, False)
    submission = Submission.objects.get(unique_id=ticket["unique_id"])
    assert submission.staff_user == agent
    assert submission.audience == "staff"


def test_on_behalf_of_the_client_is_the_default_and_a_new_email_creates_the_client(staff_client):
    response = staff_client.post(
        FORM,
        {**REQUIRED, "form_token": token(staff_client), "user_email": "new.person@example.com"},
    )
    ticket = read_back(filed(response))
    stored = Ticket.objects.get(pk=ticket["id"])
    assert stored.create_from_user in (1, True)
    assert ticket["user_id"] and ticket["user_id"] >= 1001
    auth = (django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY)
    found = requests.get(
        f"{django_settings.TICKETS_API_URL}/users/",
        params={"search": "new.person@example.com", "exact_search": 1},
        auth=auth,
        timeout=10,
    ).json()["data"]
    assert [u["id"] for u in found] == [ticket["user_id"]]


def test_the_agents_own_helpdesk_account_is_the_default_assignee(staff_client, agent):
    response = staff_client.get(FORM)
    assert re.search(r'<option value="2" selected>Olena Koval', response.content.decode())
    # Found by email; a page view writes nothing, the first filing remembers it.
    assert not StaffAccount.objects.filter(user=agent).exists()
    post = {**REQUIRED, "form_token": token(staff_client), "user_email": "ada@example.com"}
    filed(staff_client.post(FORM, post))
    account = StaffAccount.objects.get(user=agent)
    assert (account.helpdesk_user_id, account.found_by_email) == (2, True)


def test_the_staff_form_shows_staff_only_fields_and_staff_requiredness(staff_client):
    html = staff_client.get(FORM).content.decode()
    assert 'name="cf_107"' in html  # staff-only "Internal note"
    assert "required" not in html.split('name="cf_96"')[1].split(">")[0]  # required for users only


def test_a_bad_parent_and_bad_copies_are_refused_on_their_fields(staff_client):
    post = {
        **REQUIRED,
        "form_token": token(staff_client),
        "user_email": "ada@example.com",
        "pid": "SBX-9999",
        "cc": "grace@example.com, not-an-email",
    }
    response = staff_client.post(FORM, post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["pid"] == ["There is no ticket SBX-9999."]
    assert errors["cc"] == ["Not an email address: not-an-email"]
    assert Ticket.objects.count() == 0


def test_a_client_is_needed(staff_client):
    response = staff_client.post(FORM, {**REQUIRED, "form_token": token(staff_client)})
    assert (
        "Find a client, or type the email of a new one."
        in response.context["form"].errors["user_email"]
    )


def test_client_search_and_parent_lookup(staff_client):
    found = staff_client.get("/staff/api/clients/", {"q": "grace"}).json()["results"]
    assert found == [{"id": 1002, "name": "Grace Hopper", "email": "grace@example.com"}]
    parent = filed(
        staff_client.post(
            FORM, {**REQUIRED, "form_token": token(staff_client), "user_email": "ada@example.com"}
        )
    )
    answer = staff_client.get("/staff/api/tickets/", {"q": parent.unique_id}).json()
    assert answer == {"id": parent.pk, "unique_id": parent.unique_id, "title": REQUIRED["title"]}
    assert staff_client.get("/staff/api/tickets/", {"q": "SBX-9999"}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/staff/", FORM, "/staff/tickets/anything/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")
    assert client.post(FORM, {"title": "x"}).status_code == 302
    assert Submission.objects.count() == 0
    # The form's own fetches get an answer their script can read.
    for url in ("/staff/api/clients/?q=ada", "/staff/api/tickets/?q=1"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["error"] == "Your session has ended: sign in again."


def test_signed_in_non_staff_cannot_see_or_post(db):
    user = get_user_model().objects.create_user("client", "c@example.com", "pw-client-123")
    browser = Client()
    browser.force_login(user)
    assert browser.get(FORM).status_code == 403
    assert browser.post(FORM, {"title": "x"}).status_code == 403
    assert browser.get("/staff/api/clients/?q=ada").status_code == 403
    assert browser.get("/staff/api/tickets/?q=1").status_code == 403


def test_a_staff_post_without_the_csrf_token_is_refused(agent, sandbox_api):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    form_token = hidden_value(browser.get(FORM), "form_token")
    response = browser.post(
        FORM, {**REQUIRED, "form_token": form_token, "user_email": "a@example.com"}
    )
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_staff_pages_are_never_framed(staff_client):
    response = staff_client.get(FORM)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_customer_forms_still_refuse_every_staff_parameter(client, sandbox_api):
    form_token = hidden_value(client.get("/forms/support/"), "form_token")
    post = {
        **REQUIRED,
        "form_token": form_token,
        "homepage": "",
        "user_email": "cust@example.com",
        "owner_id": "3",
        "followers": ["1", "2"],
        "cc": "x@example.com",
        "bcc": "y@example.com",
        "sla_date_0": "2027-01-01",
        "sla_date_1": "09:30",
        "ticket_lock": "on",
        "create_from_user": "0",
        "tags": "hack",
        "pid": "1",
        "user_id": "1002",
        "status_id": "closed",
    }
    assert client.post("/forms/support/", post).status_code == 303
    ticket = read_back(Ticket.objects.get())
    assert ticket["owner_id"] in (0, "", None)
    assert ticket["followers"] == [] and ticket["cc"] == [] and ticket["bcc"] == []
    assert ticket["sla_date"] == "" and ticket["ticket_lock"] == 0
    assert ticket["tags"] == [] and ticket["pid"] in (0, "", None)
    assert ticket["status_id"] == "open" and ticket["user_id"] != 1002
    assert Ticket.objects.get().create_from_user in (1, True)


def test_the_admin_shows_submissions_with_what_was_sent(staff_client, agent, settings):
    staff_client.post(
        FORM, {**REQUIRED, "form_token": token(staff_client), "user_email": "ada@example.com"}
    )
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    browser = Client()
    browser.force_login(admin)
    submission = Submission.objects.get()
    listing = browser.get(
        "/admin/tickets/submission/", {"q": submission.unique_id}
    ).content.decode()
    assert submission.unique_id in listing
    by_email = browser.get("/admin/tickets/submission/", {"q": "ada@example.com"}).content.decode()
    assert submission.unique_id in by_email
    filtered = browser.get(
        "/admin/tickets/submission/", {"staff_user__id__exact": agent.pk, "state": "filed"}
    )
    assert submission.unique_id in filtered.content.decode()
    detail = unescape(
        browser.get(f"/admin/tickets/submission/{submission.pk}/change/").content.decode()
    )
    assert '"title": "Phoned in: checkout broken"' in detail  # the payload sent
    assert f'"unique_id": "{submission.unique_id}"' in detail  # the API's answer
    assert settings.TICKETS_API_KEY not in detail and settings.TICKETS_API_KEY not in listing


def test_a_staff_filing_is_never_shown_on_a_customer_page(staff_client, client):
    response = staff_client.post(
        FORM,
        {
            **REQUIRED,
            "form_token": token(staff_client),
            "user_email": "ada@example.com",
            "cf_107": "internal",
        },
    )
    key = filed(response) and Submission.objects.get().public_key
    assert client.get(f"/tickets/{key}/").status_code == 404
    assert client.get(f"/embed/tickets/{key}/").status_code == 404
    assert "internal" in staff_client.get(f"/staff/tickets/{key}/").content.decode()


def test_a_client_is_never_a_staff_member(staff_client):
    assert staff_client.get("/staff/api/clients/", {"q": "sandbox.invalid"}).json()["results"] == []
    post = {
        **REQUIRED,
        "form_token": token(staff_client),
        "user_id": "1",
        "user_email": "x@example.com",
    }
    response = staff_client.post(FORM, post)
    assert (
        "That client is no longer in the helpdesk. Find them again."
        in response.context["form"].errors["user_email"]
    )


def test_the_picked_client_decides_the_email_shown(staff_client):
    post = {
        **REQUIRED,
        "form_token": token(staff_client),
        "user_id": "1002",
        "user_email": "ada@example.com",
    }
    filed(staff_client.post(FORM, post))
    assert Submission.objects.get().payload["user_email"] == "grace@example.com"


def test_the_staff_list_read_once_serves_while_the_api_is_down(staff_client, settings):
    from tickets.helpdesk import directory

    assert [p.id for p in directory.staff_users()] == [1, 2, 3]
    from django.core.cache import cache

    cache.delete("directory:staff")  # the short-lived copy expires...
    settings.TICKETS_API_URL = "http://127.0.0.1:9/api/v2"  # ...and the API is down
    assert [p.id for p in directory.staff_users()] == [1, 2, 3]  # the last list read serves


def test_the_forms_fetches_say_when_the_helpdesk_is_down(staff_client, settings):
    settings.TICKETS_API_URL = "http://127.0.0.1:9/api/v2"
    for url in ("/staff/api/clients/?q=grace", "/staff/api/tickets/?q=SBX-0001"):
        response = staff_client.get(url)
        assert response.status_code == 503
        assert response.json() == {"error": "The helpdesk cannot be reached."}


def test_with_redis_stopped_the_staff_pages_work_and_say_what_is_wrong(staff_client, settings):
    dead = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.REDIS_URL = dead
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    page = staff_client.get(FORM)
    assert page.status_code == 200  # the directory reads the helpdesk afresh, not a 500
    found = staff_client.get("/staff/api/clients/", {"q": "grace"})
    # The look-up itself needs the rate governor, whose store (Redis) is down: said as such.
    assert found.status_code == 503
    assert found.json() == {
        "error": "The portal cannot count its requests to the helpdesk right now."
    }
    post = {**REQUIRED, "form_token": token(staff_client), "user_email": "ada@example.com"}
    response = staff_client.post(FORM, post)
    assert response.status_code == 302  # kept, to be filed once the store is back
    assert Submission.objects.get().state == "queued"
