"""Scripts get nothing: a POST that fills the honeypot, or does not carry it, keeps nothing (no
submission, no file, nothing queued); a person, who never sees it, files as always."""

import pytest

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    confirmation_key,
    error_summary,
    get_token,
    two_files,
    valid_post_data,
)
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "trap", [{"homepage": "https://spam.example"}, {"homepage": None}], ids=["filled", "missing"]
)
def test_a_script_that_falls_into_the_honeypot_keeps_nothing(client, sandbox_api, trap):
    post = {**valid_post_data(get_token(client)), **trap, "files": two_files()}
    post = {k: v for k, v in post.items() if v is not None}
    response = client.post(FORM_URL, post)
    assert response.status_code == 200
    assert "could not be sent" in error_summary(response)
    assert (Submission.objects.count(), Attachment.objects.count(), Ticket.objects.count()) == (
        0,
        0,
        0,
    )


def test_the_honeypot_is_out_of_everyones_way_and_a_person_files(client, sandbox_api):
    html = client.get(FORM_URL).content.decode()
    hp = html.split('class="portal-hp"')[1].split("</div>")[0]
    assert 'name="homepage"' in hp and 'tabindex="-1"' in hp and 'autocomplete="off"' in hp
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    assert Ticket.objects.count() == 1
