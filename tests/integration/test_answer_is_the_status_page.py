"""A customer's accepted POST is answered with the status page itself (201 Created, the page's own
address in Location), not with a redirect to it: the person sees it one round trip sooner. The
page is the one its address serves, a resent POST shows it again and files nothing, and without
JavaScript its refresh goes to its own address, not back to the form's."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (
    FORM_URL,
    closed_port_url,
    get_token,
    hidden_value,
    two_files,
    valid_post_data,
)
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "https://support.example.com"


def body(response) -> str:
    return response.content.decode()


def test_the_answer_is_the_page_its_location_serves(client, sandbox_api):
    response = client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})

    assert response.status_code == 201, body(response)[:2000]
    key = Submission.objects.get().public_key
    assert response["Location"] == f"/tickets/{key}/"
    later = client.get(response["Location"])
    # The attachments came from the POST's own outcome, the later page's from a query: the same.
    assert body(response) == body(later)
    html = body(response)
    assert Ticket.objects.get().unique_id in html
    assert "report.txt" in html and "screenshot.png" in html
    # The page's script puts this address in the address bar (static/js/status.js).
    assert f'data-page-url="/tickets/{key}/"' in html


def test_a_resent_post_shows_the_same_page_and_files_nothing(client, sandbox_api):
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    again = client.post(FORM_URL, data)  # a reload of the answer, without JavaScript

    assert (first.status_code, again.status_code) == (201, 201)
    assert first["Location"] == again["Location"]
    assert body(first) == body(again)
    assert Ticket.objects.count() == 1 and Submission.objects.get().attempts == 1


def test_without_javascript_a_received_page_refreshes_at_its_own_address(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    response = client.post(f"{FORM_URL}?lang=uk", valid_post_data(get_token(client)))

    assert response.status_code == 201
    key = Submission.objects.get().public_key
    assert response["Location"] == f"/tickets/{key}/?lang=uk"
    refresh = re.search(r'<meta http-equiv="refresh" content="([^"]+)">', body(response))
    assert refresh and unescape(refresh[1]) == f"15; url=/tickets/{key}/?lang=uk"
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
    assert body(response) == body(later)
    assert response["Content-Security-Policy"] == later["Content-Security-Policy"]
    assert "frame-ancestors" in response["Content-Security-Policy"]
    assert HOST in response["Content-Security-Policy"]
    assert f'data-page-url="{address.replace("&", "&amp;")}"' in body(response)


def test_the_status_page_takes_no_post(client, sandbox_api):
    response = client.post(FORM_URL, valid_post_data(get_token(client)))
    assert client.post(response["Location"], {}).status_code == 405
    assert client.post(f"/embed{response['Location']}", {}).status_code == 405
