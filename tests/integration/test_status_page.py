"""A POST's status page is made while the helpdesk answers (views/status_page.py): rendered in a
thread of a pool as the first attempt's request goes out, with marks where the parts its status
decides go, and filled in once the attempt is over. Made so, it is byte for byte the page
rendered at once, for both doors, every language and every state, whatever the person typed;
and it is indeed made while the answer is awaited."""

from __future__ import annotations

import json
import threading
from contextlib import nullcontext
from urllib.parse import urlencode

import pytest
from django.test.signals import template_rendered

from tests.integration.test_portal_flow import (
    FORM_URL,
    answering_server,
    get_token,
    hidden_value,
    valid_post_data,
)
from tests.stub_server import stub_server
from tickets.delivery.status import status_of
from tickets.models import Submission
from tickets.views import customer, status_page

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "https://help.example.com"
FILED = {"data": {"id": 41, "unique_id": "HD-0041"}}
# What a person may type: HTML, and text shaped as the page's marks are (theirs are random).
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
def finished(monkeypatch) -> list[str]:
    """The states of the pages finished from a rendering made ahead."""
    states, finish = [], status_page.Ahead.finish

    def counting(ahead, status):
        states.append(status.state)
        return finish(ahead, status)

    monkeypatch.setattr(status_page.Ahead, "finish", counting)
    return states


@pytest.mark.parametrize("door", ["/forms", "/embed"])
@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
@pytest.mark.parametrize(
    "status, body, state", [(201, FILED, "filed"), (503, {}, "received")], ids=["filed", "queued"]
)
def test_a_posts_page_made_ahead_is_the_page_rendered_at_once(
    client, settings, monkeypatch, finished, door, lang, status, body, state
):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    url = form_url(door, lang)
    with answering_server(status, body) as (api, _seen):
        settings.TICKETS_API_URL = api
        ahead = send(client, url)
        monkeypatch.setattr(customer, "meanwhile", lambda work: nullcontext())  # nothing ahead
        at_once = send(client, url)

    assert finished == [state]  # the first page alone was made ahead
    first, second = Submission.objects.order_by("pk")
    assert (status_of(first).state, first.unique_id) == (state, second.unique_id)
    assert status_of(second).state == state
    assert without_its_own(ahead, first) == without_its_own(at_once, second)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in ahead.content.decode()


@pytest.mark.parametrize("state", list(Submission.State))
@pytest.mark.parametrize(
    "template", ["tickets/confirmation.html", "tickets/embed_confirmation.html"]
)
def test_every_state_made_ahead_is_the_state_rendered_at_once(rf, state, template):
    submission = Submission(
        form_slug="support",
        audience="customer",
        language="en",
        payload={"user_email": "ann@example.com", "description": "Hi", **TYPED},
        state=state,
        unique_id="HD-7" if state == Submission.State.FILED else "",
    )
    request = rf.get("/tickets/KEY/")

    def page() -> dict:
        context = status_page.context(submission, customer.STATUS_ROUTE, files=())
        return {**context, "page_url": "/tickets/KEY/", "answers_post": True, "embed": {}}

    made = status_page.Ahead(request, template, page).finish(status_of(submission))

    assert made == status_page.render(request, template, page())
    assert "ahead-" not in made.replace(TYPED["title"].split()[0], "")


def test_the_page_is_made_while_the_helpdesk_answers(client, settings):
    """The stub API holds its answer until the status page has been rendered in the pool: were
    the page made after the answer, it would wait in vain."""
    rendered, waited = threading.Event(), []

    def seen_rendering(sender, **_kwargs):
        in_pool = threading.current_thread().name.startswith("status-page")
        if sender.name == "tickets/confirmation.html" and in_pool:
            rendered.set()

    def answer(request):
        waited.append(rendered.wait(10))
        return 201, "application/json", json.dumps(FILED).encode()

    template_rendered.connect(seen_rendering)
    try:
        with stub_server(answer) as (api, _seen):
            settings.TICKETS_API_URL = f"{api}/api/v2"
            response = client.post(FORM_URL, valid_post_data(get_token(client)))
    finally:
        template_rendered.disconnect(seen_rendering)

    assert response.status_code == 201
    assert waited == [True]
    assert "HD-0041" in response.content.decode()
    assert Submission.objects.get().state == Submission.State.FILED
