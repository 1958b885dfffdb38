"""The life of a submission around the edges: unknown outcomes, dead attempts, stored files."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    answering_server,
    confirmation_key,
    error_summary,
    form_state,
    get_token,
    two_files,
    valid_post_data,
)
from tickets.forms import tokens
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db(transaction=True)


def resent_form(response, **extra) -> dict:
    """What the browser sends again from a re-rendered form (single values)."""
    data = {name: values[-1] for name, values in form_state(response).items()}
    data.update(extra)
    return data


def test_an_unknown_outcome_is_sent_again_only_when_the_person_says_so(
    client, settings, sandbox_api
):
    with answering_server(502, {"message": "gateway timeout"}) as (url, seen):
        settings.TICKETS_API_URL = url
        first = client.post(FORM_URL, valid_post_data(get_token(client)))
    assert len(seen) == 1
    assert "may or may not have been filed" in error_summary(first)
    assert 'name="resend"' in first.content.decode()
    assert Submission.objects.get().error_kind == "outcome_unknown"

    settings.TICKETS_API_URL = sandbox_api
    again = client.post(FORM_URL, resent_form(first))
    assert again.status_code == 200  # not sent: the person has not said so
    assert Ticket.objects.count() == 0
    assert 'name="resend"' in again.content.decode()

    confirmed = client.post(FORM_URL, resent_form(again, resend="on"))
    confirmation_key(confirmed)
    assert Ticket.objects.count() == 1
    submission = Submission.objects.get()
    assert (submission.state, submission.attempts) == ("sent", 2)


def test_an_attempt_that_died_pending_can_be_sent_again(client, settings, sandbox_api):
    token = get_token(client)
    nonce = tokens.read(token, "support", "customer").nonce
    Submission.objects.create(token=nonce, form_slug="support", audience="customer")
    Submission.objects.update(updated_at=timezone.now() - timedelta(minutes=10))

    response = client.post(FORM_URL, valid_post_data(token))
    assert "may or may not have been filed" in error_summary(response)
    assert Submission.objects.get().error_detail.startswith("the attempt stopped")

    confirmation_key(client.post(FORM_URL, resent_form(response, resend="on")))
    assert Ticket.objects.count() == 1


def test_a_recent_pending_attempt_is_left_alone(client, sandbox_api):
    token = get_token(client)
    nonce = tokens.read(token, "support", "customer").nonce
    pending = Submission.objects.create(token=nonce, form_slug="support", audience="customer")
    response = client.post(FORM_URL, valid_post_data(token))
    assert confirmation_key(response) == pending.public_key
    assert Ticket.objects.count() == 0


def test_the_portal_keeps_no_file_the_helpdesk_holds(client, sandbox_api):
    confirmation_key(
        client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})
    )
    rows = list(Attachment.objects.all())
    assert [a.name for a in rows] == ["report.txt", "screenshot.png"]
    assert all(not a.file for a in rows)
    assert all(a.submission_id for a in rows)


def test_a_post_with_a_forged_token_stores_no_file(client):
    response = client.post(FORM_URL, {"form_token": "forged", "files": two_files()})
    assert response.status_code == 200
    assert Attachment.objects.count() == 0
