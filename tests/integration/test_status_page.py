"""A POST's status page is made while the helpdesk answers (views/status_page.py): rendered in a
thread of a pool as the first attempt's request goes out, with marks where the parts its status
decides go, and filled in once the attempt is over. Made so, it is byte for byte the page
rendered at once, for both doors, every language and every state, whatever the person typed;
it is indeed made while the answer is awaited, in the request's place (its language, the path
the portal is served under), and a page that could not be made ahead (a busy pool, a failure)
is rendered at once; a form the helpdesk rejected comes back as it did."""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import wait
from contextlib import nullcontext
from urllib.parse import urlencode

import pytest
from django.test.signals import template_rendered
from django.urls import set_script_prefix

from tests.integration.test_portal_flow import (
    FORM_URL,
    REJECTION,
    answering_server,
    get_token,
    hidden_value,
    valid_post_data,
)
from tests.stub_server import stub_server
from tickets.delivery.status import status_of
from tickets.models import Submission
from tickets.views import beside, customer, status_page

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "https://help.example.com"
FILED = {"data": {"id": 41, "unique_id": "HD-0041"}}
# What a person may type: HTML, and text shaped as the page's marks are (theirs are random).
PAGES = ("tickets/confirmation.html", "tickets/embed_confirmation.html")
TYPED = {"title": "ahead-0123456789abcdef01234567-page_title <b>bold</b> & co"}


def form_url(door: str, lang: str) -> str:
    query = {"parent": HOST, "lang": lang} if door == "/embed" else {"lang": lang}
    return f"{door}/support/?{urlencode(query)}"


def send(client, url: str):
    response = client.post(
        url, valid_post_data(hidden_value(client.get(url), "form_token"), **TYPED)
    )
    assert response.status_code == 201, response.content.decode()[:2000]
    return response


def without_its_own(response, submission: Submission) -> str:
    """The page but what is the submission's own (its key, its reference)."""
    html = response.content.decode()
    for value, name in ((submission.public_key, "KEY"), (submission.reference, "REFERENCE")):
        html = html.replace(value, name)
    return html


@pytest.fixture
def made_ahead(monkeypatch) -> list[tuple[str, bool]]:
    """Each page finished from a rendering begun ahead: its state, and whether it was made so
    (not rendered at once after all)."""
    pages, finish = [], status_page.Ahead.finish

    def noting(ahead, status):
        html = finish(ahead, status)
        pages.append((status.state, html is not None))
        return html

    monkeypatch.setattr(status_page.Ahead, "finish", noting)
    return pages


@pytest.fixture
def rendered_in_the_pool():
    """Set once a status page has been rendered in a thread of the pool."""
    rendered = threading.Event()

    def seen(sender, **_kwargs):
        in_pool = threading.current_thread().name.startswith(beside.THREAD_NAME)
        if sender.name in PAGES and in_pool:
            rendered.set()

    template_rendered.connect(seen)
    yield rendered
    template_rendered.disconnect(seen)


def api_waiting_for(rendered: threading.Event, status: int, body: dict, waited: list[bool]):
    """A stub API whose first create waits (up to 10 s) until the page has been made in the pool:
    as a real helpdesk's answer takes longer than the page does."""

    def answer(request):
        if request.method == "POST" and not waited:
            waited.append(rendered.wait(10))
        return status, "application/json", json.dumps(body).encode()

    return stub_server(answer)


@pytest.mark.parametrize("door", ["/forms", "/embed"])
@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
@pytest.mark.parametrize(
    "status, body, state", [(201, FILED, "filed"), (503, {}, "received")], ids=["filed", "queued"]
)
def test_a_posts_page_made_ahead_is_the_page_rendered_at_once(
    client, settings, monkeypatch, made_ahead, rendered_in_the_pool, door, lang, status, body, state
):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    url = form_url(door, lang)
    waited: list[bool] = []
    with api_waiting_for(rendered_in_the_pool, status, body, waited) as (api, _seen):
        settings.TICKETS_API_URL = f"{api}/api/v2"
        ahead = send(client, url)
        monkeypatch.setattr(customer, "meanwhile", lambda work: nullcontext())  # nothing ahead
        at_once = send(client, url)

    assert waited == [True] and made_ahead == [(state, True)]  # the first page alone
    first, second = Submission.objects.order_by("pk")
    assert (status_of(first).state, first.unique_id) == (state, second.unique_id)
    assert status_of(second).state == state
    assert without_its_own(ahead, first) == without_its_own(at_once, second)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in ahead.content.decode()


@pytest.mark.parametrize("state", list(Submission.State))
@pytest.mark.parametrize("number", ["HD-7", 'HD <7> & "8"', ""], ids=["number", "odd", "none"])
@pytest.mark.parametrize("template", PAGES)
def test_every_state_made_ahead_is_the_state_rendered_at_once(rf, state, template, number):
    """Whatever the state, and whatever number the helpdesk gave (one to escape, or none)."""
    submission = Submission(
        form_slug="support",
        audience="customer",
        language="en",
        payload={"user_email": "ann@example.com", "description": "Hi", **TYPED},
        state=state,
        unique_id=number if state == Submission.State.FILED else "",
    )
    request = rf.get("/tickets/KEY/")

    def page() -> dict:
        context = status_page.context(submission, customer.STATUS_ROUTE, files=())
        return {**context, "page_url": "/tickets/KEY/", "answers_post": True, "embed": {}}

    ahead = status_page.Ahead(request, template, page)
    wait([ahead._made])  # made, as it is by the time the helpdesk answers
    made = ahead.finish(status_of(submission))

    assert made == status_page.render(request, template, page())
    assert "ahead-" not in made.replace(TYPED["title"].split()[0], "")


def test_the_page_is_made_while_the_helpdesk_answers(client, settings, rendered_in_the_pool):
    """The stub API holds its answer until the status page has been rendered in the pool: were
    the page made after the answer, it would wait in vain."""
    waited: list[bool] = []
    with api_waiting_for(rendered_in_the_pool, 201, FILED, waited) as (api, _seen):
        settings.TICKETS_API_URL = f"{api}/api/v2"
        response = client.post(FORM_URL, valid_post_data(get_token(client)))

    assert response.status_code == 201
    assert waited == [True]
    assert "HD-0041" in response.content.decode()
    assert Submission.objects.get().state == Submission.State.FILED


LANGUAGE_LINKS = re.compile(r'<a class="nav-link[^"]*" href="([^"]+)" lang=')


def test_a_rejected_forms_language_links_stay_the_forms(client, settings):
    """The page begun for the submission names its own address on a request of its own: the
    form that comes back instead keeps links to itself."""
    token = get_token(client)
    with answering_server(400, REJECTION) as (api, _seen):
        settings.TICKETS_API_URL = api
        response = client.post(f"{FORM_URL}?lang=en", valid_post_data(token))

    assert response.status_code == 200 and "Correct what is marked" in response.content.decode()
    assert LANGUAGE_LINKS.findall(response.content.decode()) == ["?lang=en", "?lang=ru", "?lang=uk"]


def test_a_portal_under_a_path_keeps_it_on_the_page_made_ahead(client, settings):
    with answering_server(201, FILED) as (api, _seen):
        settings.TICKETS_API_URL = api
        token = get_token(client)
        set_script_prefix("/support/")  # what WSGIHandler does for SCRIPT_NAME=/support
        try:
            response = client.post(FORM_URL, valid_post_data(token))
        finally:
            set_script_prefix("/")

    html = response.content.decode()
    assert response.status_code == 201 and "HD-0041" in html
    key = Submission.objects.get().public_key
    assert response["Location"] == f"/support/tickets/{key}/"
    assert f'data-status-url="/support/tickets/{key}/status/"' in html
    assert f'data-page-url="/support/tickets/{key}/"' in html


def test_a_page_that_could_not_be_made_ahead_is_rendered_at_once(client, settings, monkeypatch):
    def broken(*_args):
        raise RuntimeError("the pool's rendering broke")

    monkeypatch.setattr(status_page, "_render_ahead", broken)
    with answering_server(201, FILED) as (api, _seen):
        settings.TICKETS_API_URL = api
        response = client.post(FORM_URL, valid_post_data(get_token(client)))

    assert response.status_code == 201 and "HD-0041" in response.content.decode()
    assert Submission.objects.get().state == Submission.State.FILED


def test_a_busy_pool_does_not_hold_the_answer(client, settings):
    """Every thread of the pool busy (other requests' pages): this page is not waited for, but
    rendered at once once the attempt is over."""
    release = threading.Event()
    pool = beside._pool()
    busy = [pool.submit(release.wait, 10) for _ in range(pool._max_workers)]
    try:
        with answering_server(201, FILED) as (api, _seen):
            settings.TICKETS_API_URL = api
            token = get_token(client)
            started = time.monotonic()
            response = client.post(FORM_URL, valid_post_data(token))
            took = time.monotonic() - started
    finally:
        release.set()
        for work in busy:
            work.result(10)

    assert response.status_code == 201 and "HD-0041" in response.content.decode()
    assert took < beside.WAIT / 2  # not held until the wait for a page being made ends
