"""A customer's accepted POST is answered as Django's own views answer one: 303 See Other to the
ticket's status page, which an ordinary GET renders. A form sent again (Back and Send, a second
click) goes to the same page and files nothing, whatever has changed since its first send."""

from __future__ import annotations

import re
import time
from html import unescape
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from sandbox.models import Ticket
from tests.integration.test_embedding import sign_context
from tests.integration.test_portal_flow import (
    FORM_URL,
    REJECTION,
    answering_server,
    closed_port_url,
    get_token,
    hidden_value,
    two_files,
    valid_post_data,
)
from tickets.embedding import prefill
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "https://support.example.com"


def body(response) -> str:
    return response.content.decode()


REFRESH = re.compile(r'<noscript><meta http-equiv="refresh" content="([^"]+)"></noscript>')


def refresh_of(response) -> str:
    """What the page's no-JavaScript refresh says ("" if it has none)."""
    found = REFRESH.search(body(response))
    return unescape(found[1]) if found else ""


def test_an_accepted_post_is_sent_to_its_status_page(client, sandbox_api):
    response = client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})

    assert response.status_code == 303, body(response)[:2000]
    key = Submission.objects.get().public_key
    assert response["Location"] == f"/tickets/{key}/"
    page = client.get(response["Location"])
    html = body(page)
    assert Ticket.objects.get().unique_id in html
    assert "report.txt" in html and "screenshot.png" in html
    assert refresh_of(page) == ""  # filed: nothing to wait for


def test_a_resent_post_is_sent_to_the_same_page_and_files_nothing(client, sandbox_api):
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    again = client.post(FORM_URL, data)  # Back and Send, or a second click

    assert (first.status_code, again.status_code) == (303, 303)
    assert first["Location"] == again["Location"]
    assert Ticket.objects.count() == 1 and Submission.objects.get().attempts == 1


def test_without_javascript_a_waiting_page_asks_again_by_itself(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    response = client.post(f"{FORM_URL}?lang=uk", valid_post_data(get_token(client)))

    assert response.status_code == 303
    key = Submission.objects.get().public_key
    assert response["Location"] == f"/tickets/{key}/?lang=uk"
    page = client.get(response["Location"])
    assert refresh_of(page) == "15"
    assert '<html lang="uk"' in body(page)


def test_an_embedded_post_keeps_the_hosts_query_and_framing(client, sandbox_api, settings):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    url = f"/embed/support/?{urlencode({'parent': HOST, 'lang': 'uk'})}"
    response = client.post(url, valid_post_data(hidden_value(client.get(url), "form_token")))

    assert response.status_code == 303, body(response)[:2000]
    key = Submission.objects.get().public_key
    address = f"/embed/tickets/{key}/?{urlencode({'parent': HOST, 'lang': 'uk'})}"
    assert response["Location"] == address
    page = client.get(address)
    assert f"frame-ancestors {HOST}" in page["Content-Security-Policy"]
    assert '<html lang="uk"' in body(page)


def test_a_status_page_is_read_only(client, sandbox_api):
    address = client.post(FORM_URL, valid_post_data(get_token(client)))["Location"]
    for url in (address, f"/embed{address}"):
        assert client.post(url, {"anything": "x"}).status_code == 405
        assert client.get(url).status_code == 200
    assert Ticket.objects.count() == 1


def test_its_language_links_name_the_status_page(client, sandbox_api):
    response = client.post(f"{FORM_URL}?lang=uk&cf_103=a@example.com", valid_post_data(
        get_token(client)))  # fmt: skip
    key = Submission.objects.get().public_key
    page = client.get(response["Location"])
    links = re.findall(r'class="nav-link[^"]*" href="([^"]+)" lang="(\w+)"', body(page))
    assert {code: unescape(href) for href, code in links} == {
        "en": "?lang=en", "ru": "?lang=ru", "uk": "?lang=uk",
    }  # fmt: skip
    assert page.request["PATH_INFO"] == f"/tickets/{key}/"


# --- A form sent again is its first submission, whatever else has changed since ---------------
# Back and Send resends the POST; so does a second click. The token finds the submission it made
# before any other check runs.
def test_a_resent_form_is_not_refused_by_the_throttle_its_first_send_used(
    client, sandbox_api, settings
):
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    again = client.post(FORM_URL, data)

    assert first.status_code == 303
    assert (again.status_code, again["Location"]) == (303, first["Location"])
    # The throttle is used up for any new ticket all the same.
    assert client.post(FORM_URL, valid_post_data(get_token(client))).status_code == 429
    assert Ticket.objects.count() == Submission.objects.count() == 1


def test_a_resent_form_whose_token_has_expired_files_no_second_ticket(
    client, sandbox_api, settings
):
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    settings.TICKETS_FORM_MAX_AGE = -1  # every token is now expired
    again = client.post(FORM_URL, data)

    assert (again.status_code, again["Location"]) == (303, first["Location"])
    assert Ticket.objects.count() == Submission.objects.count() == 1


def test_a_resent_form_stores_its_files_once(client, sandbox_api, settings):
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, {**data, "files": two_files()})
    for _ in range(3):
        again = client.post(FORM_URL, {**data, "files": two_files()})
        assert (again.status_code, again["Location"]) == (303, first["Location"])

    assert Attachment.objects.count() == 2
    stored = [p for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(stored) == 2, stored
    assert Ticket.objects.count() == 1


def test_a_resent_embedded_form_goes_to_its_embedded_page(client, sandbox_api, settings):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    url = f"/embed/support/?{urlencode({'parent': HOST, 'lang': 'uk'})}"
    data = valid_post_data(hidden_value(client.get(url), "form_token"))
    first = client.post(url, data)
    again = client.post(url, data)

    assert (again.status_code, again["Location"]) == (303, first["Location"])
    assert "frame-ancestors" in again["Content-Security-Policy"]


def test_a_resent_form_whose_hosts_context_has_expired_goes_to_its_page(
    client, sandbox_api, settings, monkeypatch
):
    # The host signed the form's context for ten minutes; by the reload they have run out.
    settings.EMBED_ALLOWED_ORIGINS, settings.EMBED_CONTEXT_SECRETS = [HOST], ["s3cret"]
    ctx = sign_context({"exp": time.time() + 600, "form": "support"}, "s3cret")
    url = f"/embed/support/?{urlencode({'parent': HOST, 'ctx': ctx})}"
    data = valid_post_data(hidden_value(client.get(url), "form_token"))
    first = client.post(url, data)
    assert first.status_code == 303, body(first)[:2000]
    later = time.time() + 900
    monkeypatch.setattr(prefill, "time", SimpleNamespace(time=lambda: later))  # its clock only
    assert "has expired" in body(client.post(url, valid_post_data(get_token(client))))

    again = client.post(url, data)
    assert (again.status_code, again["Location"]) == (303, first["Location"])
    assert Ticket.objects.count() == 1


def test_a_form_the_helpdesk_rejected_is_sent_again_corrected(client, sandbox_api, settings):
    # The one submission a token may take back: the form came back with the API's messages.
    data = valid_post_data(get_token(client))
    with answering_server(400, REJECTION) as (url, _seen):
        settings.TICKETS_API_URL, sandbox = url, settings.TICKETS_API_URL
        rejected = client.post(FORM_URL, data)
    assert rejected.status_code == 200 and "the order number is already used" in body(rejected)

    settings.TICKETS_API_URL = sandbox
    corrected = client.post(FORM_URL, {**data, "cf_96": "ORD-2"})
    assert corrected.status_code == 303, body(corrected)[:2000]
    assert Submission.objects.get().state == "filed"
    assert Ticket.objects.count() == 1
