"""The life of a submission around the edges: unknown outcomes, dead attempts, stored files."""

import pytest

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    answering_server,
    confirmation_key,
    error_summary,
    form_state,
    get_token,
    resent_key,
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


def test_a_second_post_of_a_form_whose_answer_was_lost_sends_nothing(client, settings, sandbox_api):
    token = get_token(client)
    with answering_server(502, {"message": "gateway timeout"}) as (url, seen):
        settings.TICKETS_API_URL = url
        first = confirmation_key(client.post(FORM_URL, valid_post_data(token)))
        # The person goes Back and sends the same form again: the same submission, nothing sent.
        again = resent_key(client.post(FORM_URL, valid_post_data(token)))
    assert (first, again) == (Submission.objects.get().public_key,) * 2
    assert len(seen) == 1
    assert Submission.objects.get().state == "uncertain"


def test_a_recent_pending_attempt_is_left_alone(client, sandbox_api):
    token = get_token(client)
    nonce = tokens.read(token, "support", "customer").nonce
    pending = Submission.objects.create(token=nonce, form_slug="support", audience="customer")
    response = client.post(FORM_URL, valid_post_data(token))
    assert resent_key(response) == pending.public_key
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


def test_a_refused_post_lists_only_the_files_still_held(client, sandbox_api):
    from django.test import Client

    from tickets.forms import uploads
    from tickets.records import StoredFile

    confirmation_key(
        client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})
    )
    filed = [StoredFile(a.key, a.name, a.size) for a in Attachment.objects.all()]
    foreign = Client(headers={"Origin": "https://elsewhere.example"})
    post = {**valid_post_data(get_token(client)), "attachments": uploads.sign(filed)}
    response = foreign.post(FORM_URL, post)
    assert response.status_code == 403
    # Those files went with the first ticket: not listed as stored for this form.
    assert "report.txt" not in response.content.decode()
    assert response.context["form"].stored == ()
