"""A customer's accepted POST is answered with the status page itself (201 Created, the page's own
address in Location), not with a redirect to it: the person sees it one round trip sooner. The
page is the one its address serves, a resent POST shows it again and files nothing, and without
JavaScript its refresh goes to its own address, not back to the form's."""

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


def page_of(response) -> str:
    """The page but its no-JavaScript refresh: the POST's answer goes at once to its address."""
    return REFRESH.sub("", body(response))


def test_the_answer_is_the_page_its_location_serves(client, sandbox_api):
    response = client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})

    assert response.status_code == 201, body(response)[:2000]
    key = Submission.objects.get().public_key
    assert response["Location"] == f"/tickets/{key}/"
    later = client.get(response["Location"])
    # The attachments came from the POST's own outcome, the later page's from a query: the same.
    assert page_of(response) == page_of(later)
    assert refresh_of(response) == f"0; url=/tickets/{key}/"
    assert refresh_of(later) == ""  # filed: nothing to wait for
    html = body(response)
    assert Ticket.objects.get().unique_id in html
    assert "report.txt" in html and "screenshot.png" in html
    # The page's script puts this address in the address bar (static/js/status.js).
    assert f'data-page-url="/tickets/{key}/"' in html


def test_a_resent_post_is_sent_to_the_same_page_and_files_nothing(client, sandbox_api):
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    again = client.post(FORM_URL, data)  # a reload of the answer, without JavaScript

    assert (first.status_code, again.status_code) == (201, 303)
    assert first["Location"] == again["Location"]
    assert page_of(first) == page_of(client.get(again["Location"]))
    assert Ticket.objects.count() == 1 and Submission.objects.get().attempts == 1


def test_without_javascript_the_answer_goes_to_its_own_address_and_waits_there(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    response = client.post(f"{FORM_URL}?lang=uk", valid_post_data(get_token(client)))

    assert response.status_code == 201
    key = Submission.objects.get().public_key
    assert response["Location"] == f"/tickets/{key}/?lang=uk"
    # At once to its own address, where it asks again every 15 s until the ticket is filed.
    assert refresh_of(response) == f"0; url=/tickets/{key}/?lang=uk"
    assert refresh_of(client.get(response["Location"])) == f"15; url=/tickets/{key}/?lang=uk"
    assert '<html lang="uk"' in body(response)


def test_an_embedded_answer_keeps_the_hosts_query_and_framing(client, sandbox_api, settings):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    url = f"/embed/support/?{urlencode({'parent': HOST, 'lang': 'uk'})}"
    response = client.post(url, valid_post_data(hidden_value(client.get(url), "form_token")))

    assert response.status_code == 201, body(response)[:2000]
    key = Submission.objects.get().public_key
    address = f"/embed/tickets/{key}/?{urlencode({'parent': HOST, 'lang': 'uk'})}"
    assert response["Location"] == address
    later = client.get(address)
    assert page_of(response) == page_of(later)
    assert response["Content-Security-Policy"] == later["Content-Security-Policy"]
    assert "frame-ancestors" in response["Content-Security-Policy"]
    assert HOST in response["Content-Security-Policy"]
    assert f'data-page-url="{address.replace("&", "&amp;")}"' in body(response)


def test_a_status_page_sends_a_post_on_to_itself(client, sandbox_api, settings):
    # A browser that resends the form's POST on a reload, at the address status.js put in the
    # address bar, is sent to the page itself as a GET.
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    address = client.post(FORM_URL, valid_post_data(get_token(client)))["Location"]
    for url in (address, f"/embed{address}?lang=uk"):
        again = client.post(url, {"anything": "x"})
        assert (again.status_code, again["Location"]) == (303, url)
        assert client.get(again["Location"]).status_code == 200
    assert Ticket.objects.count() == 1
    # Embedded, the host may frame the 303 as it frames the page.
    assert f"frame-ancestors {HOST}" in again["Content-Security-Policy"]


def test_its_language_links_name_the_status_page_not_the_form(client, sandbox_api):
    response = client.post(f"{FORM_URL}?lang=uk&cf_103=a@example.com", valid_post_data(
        get_token(client)))  # fmt: skip
    key = Submission.objects.get().public_key
    links = re.findall(r'class="nav-link[^"]*" href="([^"]+)" lang="(\w+)"', body(response))
    assert {code: unescape(href) for href, code in links} == {
        "en": f"/tickets/{key}/?lang=en", "ru": f"/tickets/{key}/?lang=ru",
        "uk": f"/tickets/{key}/?lang=uk",
    }  # fmt: skip


# --- A form sent again is its first submission, whatever else has changed since ---------------
# Without JavaScript a reload of the answer resends the POST; so does a second click. The token
# finds the submission it made before any other check runs.
def test_a_resent_form_is_not_refused_by_the_throttle_its_first_send_used(
    client, sandbox_api, settings
):
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    again = client.post(FORM_URL, data)

    assert first.status_code == 201
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
    assert first.status_code == 201, body(first)[:2000]
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
    assert rejected.status_code == 200 and "Order number is already used" in body(rejected)

    settings.TICKETS_API_URL = sandbox
    corrected = client.post(FORM_URL, {**data, "cf_96": "ORD-2"})
    assert corrected.status_code == 201, body(corrected)[:2000]
    assert Submission.objects.get().state == "filed"
    assert Ticket.objects.count() == 1
