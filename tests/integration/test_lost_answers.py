"""A lost answer never becomes a second ticket, whatever the helpdesk's search does.

The API documents neither which fields `search` looks in nor what `exact_search` means, nor the
zone of its dates. The sandbox plays each way (SANDBOX_SEARCH, SANDBOX_CLOCK_HOURS) behind a stub
that files every ticket and then resets the connection: each ticket is on the helpdesk exactly
once, and never lost; a ticket the API never filed is sent again once; when absence cannot be
proven, a person decides."""

from __future__ import annotations

import pytest
import requests

from sandbox.models import Ticket
from tests.integration.test_delivery import _quick_delivery  # noqa: F401  (fixture)
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    confirmation_key,
    get_token,
    make_due,
    page_text,
    run_worker,
    valid_post_data,
)
from tests.stub_server import stub_server
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

SEARCHES = {
    "search looks in every field": {},
    "search looks in titles only": {"SANDBOX_SEARCH": "titles"},
    "exact_search=1 matches whole fields": {"SANDBOX_SEARCH": "whole"},
    "the helpdesk's clock 8 hours behind UTC": {"SANDBOX_CLOCK_HOURS": -8},
    "titles only, the clock 8 hours behind": {
        "SANDBOX_SEARCH": "titles",
        "SANDBOX_CLOCK_HOURS": -8,
    },
    "titles only, the clock 14 hours ahead": {
        "SANDBOX_SEARCH": "titles",
        "SANDBOX_CLOCK_HOURS": 14,
    },
}


def every_create_lost(sandbox_api: str, file_it: bool = True):
    """A stub API in front of the sandbox: a create is filed (or not) and its answer never comes
    (the connection is reset); everything else goes through."""

    def answer(request):
        if request.method == "POST" and not file_it:
            return None
        url = sandbox_api + request.path.removeprefix("/api/v2")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        real = requests.request(request.method, url, data=request.body, headers=headers, timeout=10)
        if request.method == "POST":
            return None
        return real.status_code, real.headers.get("Content-Type", ""), real.content

    return answer


def send(client, title: str, email: str) -> str:
    data = valid_post_data(get_token(client), title=title, user_email=email)
    return confirmation_key(client.post(FORM_URL, data))


@pytest.mark.parametrize("helpdesk", SEARCHES.values(), ids=SEARCHES.keys())
def test_lost_answers_are_filed_exactly_once(client, settings, sandbox_api, helpdesk):
    for name, value in helpdesk.items():
        setattr(settings, name, value)
    # Two of the four share a title and a client: only the reference tells them apart.
    sent = [("Printer jam", "a@example.com"), ("Printer jam", "a@example.com"),
            ("Login fails", "b@example.com"), ("Refund", "c@example.com")]  # fmt: skip
    with stub_server(every_create_lost(sandbox_api)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        keys = [send(client, title, email) for title, email in sent]
        assert Ticket.objects.count() == 4  # the API filed each one
        assert set(Submission.objects.values_list("state", flat=True)) == {"uncertain"}
        make_due()
        run_worker()

    assert sum(1 for r in seen if r.method == "POST") == 4  # none sent again
    assert Ticket.objects.count() == 4
    for key in keys:
        submission = Submission.objects.get(public_key=key)
        ticket = Ticket.objects.get(description__contains=submission.reference)
        assert (submission.state, submission.unique_id) == ("filed", ticket.unique_id)
        assert ticket.unique_id in page_text(client.get(f"/tickets/{key}/"))


@pytest.mark.parametrize("helpdesk", SEARCHES.values(), ids=SEARCHES.keys())
def test_a_ticket_never_filed_is_sent_again_once(client, settings, sandbox_api, helpdesk):
    for name, value in helpdesk.items():
        setattr(settings, name, value)
    with stub_server(every_create_lost(sandbox_api, file_it=False)) as (url, _seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        key = send(client, "Never arrived", "d@example.com")
    assert Ticket.objects.count() == 0
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    submission = Submission.objects.get(public_key=key)
    assert submission.state == "filed"
    assert Ticket.objects.get().unique_id == submission.unique_id


def lost_and_looked_up(client, settings, sandbox_api, title: str, email: str):
    """Send a ticket whose create never reaches the helpdesk and whose answer is lost, then let
    the worker look it up: its submission, and the requests the API saw."""
    with stub_server(every_create_lost(sandbox_api, file_it=False)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        key = send(client, title, email)
        make_due()
        run_worker()
    return Submission.objects.get(public_key=key), seen


def test_when_absence_cannot_be_proven_a_person_decides(client, settings, sandbox_api):
    # The search finds nothing (titles only), and the tickets since the day before are more than
    # the look-up may read: the portal does not send it again, it asks a person.
    settings.SANDBOX_SEARCH = "titles"
    settings.TICKETS_RECONCILE_MAX_PAGES = 1
    Ticket.objects.bulk_create(
        Ticket(title=f"Other {n}", description="x", user_email="o@example.com") for n in range(31)
    )
    submission, seen = lost_and_looked_up(
        client, settings, sandbox_api, "Lost in a crowd", "e@example.com"
    )

    assert (submission.state, submission.error_kind) == ("attention", "outcome_unknown")
    assert "cannot prove the ticket is absent" in submission.error_detail
    assert sum(1 for r in seen if r.method == "POST") == 1
    page = page_text(client.get(f"/tickets/{submission.public_key}/?lang=ru"))
    assert submission.reference in page
    assert "Вашу заявку не удалось принять автоматически" in page


def test_a_look_alike_without_the_reference_is_left_to_a_person(client, settings, sandbox_api):
    # The same person filed a ticket of the same title by email: its conversation does not show
    # the reference, so it is neither taken for this one nor taken as proof that this one is absent.
    Ticket.objects.create(
        title="Printer jam", description="Sent by email", user_email="f@example.com"
    )
    submission, seen = lost_and_looked_up(
        client, settings, sandbox_api, "Printer jam", "f@example.com"
    )

    assert (submission.state, submission.unique_id) == ("attention", "")
    assert "shows no portal reference" in submission.error_detail
    assert sum(1 for r in seen if r.method == "POST") == 1


def test_a_look_alike_of_another_submission_does_not_stop_a_resend(client, settings, sandbox_api):
    # The same person sent the same form twice; the first was filed, the second's create never
    # arrived. The first's conversation carries its own reference: it is another submission's,
    # so the second is proven absent and sent again, once.
    settings.SANDBOX_SEARCH = "titles"
    first = Submission.objects.get(public_key=send(client, "Printer jam", "g@example.com"))
    second, _seen = lost_and_looked_up(
        client, settings, sandbox_api, "Printer jam", "g@example.com"
    )
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()

    second.refresh_from_db()
    assert first.state == second.state == "filed"
    assert Ticket.objects.count() == 2
    assert Ticket.objects.get(description__contains=second.reference).unique_id == second.unique_id
