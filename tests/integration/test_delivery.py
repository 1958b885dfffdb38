"""Every accepted ticket reaches the helpdesk exactly once: faults after which the API did file
the ticket are settled by a look-up (never a blind re-send), an API that is down or banning is
waited for, and what a dead worker left is recovered by the sweep. Real HTTP throughout: the
portal speaks to a stub that forwards to the sandbox and then misbehaves."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    closed_port_url,
    confirmation_key,
    get_token,
    make_due,
    page_text,
    run_worker,
    valid_post_data,
)
from tests.stub_server import stub_server
from tickets.delivery import attempts, tasks
from tickets.helpdesk.governor import get_governor
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick_delivery(settings):
    settings.TICKETS_RETRY_FIRST_SECONDS = 0.05
    settings.TICKETS_RETRY_MAX_SECONDS = 0.2
    settings.TICKETS_RECONCILE_AFTER_SECONDS = 0
    settings.TICKETS_API_READ_TIMEOUT = 1


def forwarding(sandbox_api: str, fault):
    """A stub API: every request goes on to the sandbox; the first create's answer is replaced by
    `fault(answer)` (None: the connection is reset)."""
    faults = {"left": 1}

    def answer(request):
        url = sandbox_api + request.path.removeprefix("/api/v2")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        real = requests.request(request.method, url, data=request.body, headers=headers, timeout=10)
        reply = (real.status_code, real.headers.get("Content-Type", ""), real.content)
        if request.method == "POST" and faults["left"]:
            faults["left"] -= 1
            return fault(reply)
        return reply

    return answer


def slow(reply):
    time.sleep(1.5)  # past the read timeout: the ticket is filed, the portal hears nothing
    return reply


FAULTS = {
    "slow past the read timeout": slow,
    "500 after create": lambda reply: (500, "application/json", b'{"message": "oops"}'),
    "502 HTML page": lambda reply: (502, "text/html", b"<html><h1>Bad Gateway</h1></html>"),
    "connection reset after the body": lambda reply: None,
    "200 with a non-JSON body": lambda reply: (200, "application/json", b"{not json"),
    "200 with an HTML body": lambda reply: (200, "text/html", b"<html>It worked</html>"),
}


def creates(seen) -> int:
    return sum(1 for r in seen if r.method == "POST")


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_lost_answer_is_looked_up_and_filed_exactly_once(client, settings, sandbox_api, fault):
    with stub_server(forwarding(sandbox_api, fault)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        response = client.post(FORM_URL, valid_post_data(get_token(client)))
        key = confirmation_key(response)
        page = page_text(client.get(response["Location"]))
        submission = Submission.objects.get()
        # Received, in plain words, with a reference: never "may or may not have been filed".
        assert "Your ticket has been received" in page
        assert submission.reference in page
        assert (submission.state, submission.error_kind) == ("uncertain", "outcome_unknown")
        assert Ticket.objects.count() == 1  # the API did file it

        make_due()
        run_worker()

    submission.refresh_from_db()
    ticket = Ticket.objects.get()  # exactly one
    assert creates(seen) == 1  # looked up, not sent again
    assert any(r.method == "GET" and submission.reference in r.path for r in seen)
    assert (submission.state, submission.unique_id) == ("filed", ticket.unique_id)
    assert client.get(f"/tickets/{key}/status/").json()["uniqueId"] == ticket.unique_id


def test_a_lost_answer_of_a_ticket_never_filed_is_sent_again_once(client, settings, sandbox_api):
    # The connection broke before the API filed anything: the look-up proves it absent.
    def answer(request):
        return (
            forwarding(sandbox_api, lambda reply: reply)(request)
            if request.method == "GET"
            else None
        )

    with stub_server(answer) as (url, _seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
        assert Submission.objects.get().state == "uncertain"
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    assert Ticket.objects.count() == 1
    assert Submission.objects.get().state == "filed"


def test_without_the_reference_a_lost_answer_waits_for_a_person(client, settings, sandbox_api):
    settings.TICKETS_REFERENCE_IN_TICKET = False
    with stub_server(forwarding(sandbox_api, lambda reply: None)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
        make_due()
        run_worker()
    submission = Submission.objects.get()
    assert (submission.state, creates(seen)) == ("attention", 1)
    assert "cannot look the ticket up" in submission.error_detail
    assert Ticket.objects.get().description == "Ticket Description"  # no reference added


def test_a_ban_stops_every_request_for_its_length_then_the_ticket_is_filed(
    client, settings, sandbox_api
):
    settings.TICKETS_API_BAN_SECONDS = 3
    ban = {"errors": [{"code": "e-401", "title": "Ban", "details": "Ban for 20 min."}]}
    with stub_server(lambda r: (401, "application/json", json.dumps(ban).encode())) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
        second = client.post(FORM_URL, valid_post_data(get_token(client)))
        confirmation_key(second)  # accepted too, and not sent during the ban
        assert len(seen) == 1
    assert get_governor().pause.until() > time.time()
    assert set(Submission.objects.values_list("state", flat=True)) == {"queued"}
    settings.TICKETS_API_URL = sandbox_api
    time.sleep(max(0, get_governor().pause.until() - time.time()) + 0.1)
    make_due()
    run_worker()
    assert Ticket.objects.count() == 2
    assert set(Submission.objects.values_list("state", flat=True)) == {"filed"}


def test_a_rejection_later_needs_attention_and_the_page_says_support_has_it(
    client, settings, sandbox_api
):
    settings.TICKETS_API_URL = closed_port_url()
    response = client.post(FORM_URL, valid_post_data(get_token(client)))
    confirmation_key(response)
    rejection = {"errors": [{"code": "e-400", "title": "Validation error", "details": "No."}]}
    with stub_server(lambda r: (400, "application/json", json.dumps(rejection).encode())) as (
        url,
        seen,
    ):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        make_due()
        run_worker()
        run_worker()
    submission = Submission.objects.get()
    assert (submission.state, submission.error_kind, len(seen)) == ("attention", "rejected", 1)
    page = page_text(client.get(response["Location"]))
    assert "could not be filed automatically" in page and "support team has it" in page


def test_the_sweep_recovers_what_a_dead_worker_left(client, settings, sandbox_api):
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    sent = Submission.objects.get()  # filed at once; pretend its worker died before recording it
    long_ago = timezone.now() - timedelta(minutes=10)
    Submission.objects.filter(pk=sent.pk).update(
        state="sending", unique_id="", attempt_started_at=long_ago
    )
    # And one that never got its first attempt, nor a task (the process died right after saving).
    lost = Submission.objects.create(
        token="lost-nonce", form_slug="support", audience="customer", payload=sent.payload
    )
    Submission.objects.filter(pk=lost.pk).update(created_at=long_ago)

    tasks.sweep.call()
    make_due()
    run_worker()

    sent.refresh_from_db()
    lost.refresh_from_db()
    assert (sent.state, lost.state) == ("filed", "filed")
    assert Ticket.objects.count() == 2  # the dead worker's ticket was found, not filed again
    assert sent.unique_id == Ticket.objects.order_by("pk").first().unique_id


def test_a_submission_too_old_needs_attention(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    Submission.objects.update(created_at=timezone.now() - timedelta(days=8))
    make_due()
    run_worker()
    submission = Submission.objects.get()
    assert (submission.state, submission.error_kind) == ("attention", "expired")


def test_the_rate_store_down_is_reported_as_what_it_is(client, settings, sandbox_api):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.post(FORM_URL, valid_post_data(get_token(client)))
    confirmation_key(response)
    submission = Submission.objects.get()
    assert (submission.state, submission.error_kind) == ("queued", "unavailable")
    assert "rate store" in submission.error_detail
    assert "may or may not" not in page_text(client.get(response["Location"]))
    assert Ticket.objects.count() == 0
    settings.REDIS_URL = ""
    make_due()
    run_worker()
    filed = Submission.objects.get()
    assert filed.state == "filed"
    # The outcome writes only what changed, and the queued attempt's error is what changed.
    assert (filed.error_kind, filed.error_detail, filed.next_attempt_at) == ("", "", None)


def test_delivery_status_reports_the_backlog_and_the_worker(client, settings, capsys):
    settings.TICKETS_API_URL = closed_port_url()
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    with pytest.raises(Exception, match="No delivery worker is running"):
        call_command("delivery_status")
    assert "Queued           1" in capsys.readouterr().out
    run_worker()  # schedules and runs the sweep
    call_command("delivery_status")
    out = capsys.readouterr().out
    assert "worker           alive" in out and "oldest waiting" in out


def test_while_the_api_is_down_a_post_is_kept_without_waiting_for_it(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    started = time.monotonic()
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    # The first found it down (and its connection retries took their time); the next does not try.
    assert time.monotonic() - started < 0.8  # the connection retries alone take 0.9 s
    second = Submission.objects.order_by("pk").last()
    assert (second.state, second.attempts) == ("queued", 0)
    assert second.error_detail == "the API could not be reached moments ago"


def test_two_attempts_never_hold_one_submission(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    submission = Submission.objects.get()
    make_due()
    first = attempts._claim(submission.pk)
    assert first is not None and first.state == "sending"
    assert attempts._claim(submission.pk) is None  # a second worker, or the person's request


def test_an_attempt_taken_over_by_the_sweep_does_not_overwrite_it(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    make_due()
    slow = attempts._claim(Submission.objects.get().pk)  # an attempt that stalls...
    Submission.objects.update(attempt_started_at=timezone.now() - timedelta(hours=1))
    slow.refresh_from_db()
    # ... the sweep takes it over; the stalled attempt then comes back and records its outcome.
    assert [s.pk for s in attempts.take_over_stalled(timezone.now() - tasks.lease())] == [slow.pk]
    attempts._filed(slow, {"id": 7, "unique_id": "LATE-7"})
    assert (
        Submission.objects.get().state == "uncertain"
    )  # the look-up settles it, not the late write


def test_mark_filed_leaves_alone_what_is_being_sent_or_settled(client, settings):
    settings.TICKETS_API_URL = closed_port_url()
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    submission = Submission.objects.get()
    for state in ("sending", "filed", "cancelled"):
        Submission.objects.update(state=state)
        assert attempts.mark_filed(submission, "ABC-1") is False
    Submission.objects.update(state="attention")
    assert attempts.mark_filed(submission, "ABC-1") is True
    assert Submission.objects.get().unique_id == "ABC-1"


def test_a_ticket_that_only_quotes_the_reference_is_not_taken_for_it(client, settings, sandbox_api):
    with stub_server(forwarding(sandbox_api, lambda reply: None)) as (url, _seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    Ticket.objects.all().delete()  # the create never reached the helpdesk after all
    submission = Submission.objects.get()
    auth = (django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY)
    email = {"title": "Re: my ticket", "description": f"I was given {submission.reference}",
             "user_email": "customer@example.com"}  # fmt: skip
    assert requests.post(f"{sandbox_api}/tickets/", json=email, auth=auth, timeout=10).ok
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    submission.refresh_from_db()
    filed = Ticket.objects.get(unique_id=submission.unique_id)
    assert (submission.state, filed.title) == ("filed", "Test Ticket")  # sent again: found none
    assert Ticket.objects.count() == 2


def test_an_outcome_that_cannot_be_written_leaves_the_record_as_its_row():
    """An outcome writes only what differs from the record in hand, so the record must never get
    ahead of its row. A first UPDATE that fails (a locked database) changes neither; the
    attempt's fallback, uncertain, is then written whole."""
    from django.db import OperationalError, connection

    submission = Submission.objects.create(
        token="outcome-fails", form_slug="support", audience="customer", language="en",
        payload={"title": "t"}, state="sending", attempt_started_at=timezone.now(),
    )  # fmt: skip
    failed = []

    def fail_once(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and "tickets_submission" in sql and not failed:
            failed.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_once):
        with pytest.raises(OperationalError):
            attempts._uncertain(submission, "no answer")
        attempts._uncertain(submission, "the attempt broke off before its outcome was recorded")
    row = Submission.objects.get(pk=submission.pk)
    assert failed
    assert (row.state, row.error_kind) == ("uncertain", "outcome_unknown")
    assert row.error_detail == "the attempt broke off before its outcome was recorded"
    assert row.next_attempt_at is not None
