"""The proof-of-work challenge (ALTCHA, self-hosted), asked of every POST, as the server sees it:
off by default; on, a solved challenge files, a replayed or forged one is refused with the form
kept, and a POST without one (JavaScript off) meets the stricter throttle, never a dead end.
Where it is asked of one POST only, instead of a refusal: test_never_refused.py."""

import base64
import json

import altcha
import pytest

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    assert_values_kept,
    confirmation_key,
    error_summary,
    get_token,
    valid_post_data,
)
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def challenge_on(settings):
    settings.TICKETS_CHALLENGE = True
    settings.TICKETS_CHALLENGE_MAX_NUMBER = 5000


def solved(client) -> str:
    """What the widget posts: a fresh challenge from the portal, solved."""
    response = client.get("/challenge/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    challenge = response.json()
    solution = altcha.solve_challenge(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxNumber"]
    )
    payload = {**{k: challenge[k] for k in ("algorithm", "challenge", "salt", "signature")},
               "number": solution.number}  # fmt: skip
    return base64.b64encode(json.dumps(payload).encode()).decode()


def send(client, address="192.0.2.70", **extra):
    return client.post(FORM_URL, valid_post_data(get_token(client), **extra), REMOTE_ADDR=address)


def test_off_by_default_the_form_carries_none_of_it(client):
    assert "altcha" not in client.get(FORM_URL).content.decode()
    # Served all the same: a form that comes back asking for a solution fetches one here.
    assert client.get("/challenge/").json()["maxNumber"] == 100_000


def test_on_the_form_carries_the_self_hosted_widget(client, challenge_on):
    html = client.get(FORM_URL).content.decode()
    assert '<altcha-widget name="altcha"' in html and 'challengeurl="/challenge/"' in html
    assert 'auto="onsubmit"' in html and "/static/vendor/altcha/altcha.js" in html
    assert "/static/vendor/altcha/worker.js" in html and "/static/vendor/altcha/altcha.css" in html
    assert "altcha.org" not in html  # no third party: neither its footer nor its logo
    assert "challengejson" not in html  # fetched fresh by the widget, never in the page
    staff_form = client.get("/staff/forms/support/")  # signed-in staff never meet it
    assert staff_form.status_code == 302


def test_a_solved_challenge_files_and_cannot_be_used_twice(client, sandbox_api, challenge_on):
    payload = solved(client)
    confirmation_key(send(client, altcha=payload))
    again = send(client, altcha=payload)
    assert again.status_code == 200
    assert "did not pass" in error_summary(again)
    assert_values_kept(again)
    assert Ticket.objects.count() == 1


def test_a_forged_solution_is_refused_with_the_form_kept(client, sandbox_api, challenge_on):
    payload = json.loads(base64.b64decode(solved(client)))
    payload["number"] += 1
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    for value in (forged, "not base64 at all", base64.b64encode(b"[1, 2]").decode()):
        response = send(client, altcha=value)
        assert response.status_code == 200 and "did not pass" in error_summary(response)
    assert Submission.objects.count() == 0


def test_without_a_solution_the_stricter_throttle_holds_and_a_solved_one_still_files(
    client, sandbox_api, settings, challenge_on
):
    settings.TICKETS_THROTTLE_ADDRESS_UNVERIFIED = ["1/h"]
    confirmation_key(send(client))  # JavaScript off: a person can still file
    refused = send(client)
    assert refused.status_code == 429 and "from your network" in error_summary(refused)
    assert "Without JavaScript, please send it in" in error_summary(refused)
    confirmation_key(send(client, altcha=solved(client)))  # the widget's POST is not held back
    assert Ticket.objects.count() == 2


def test_a_store_that_cannot_answer_lets_a_solved_challenge_through(
    client, sandbox_api, settings, challenge_on
):
    from tests.integration.test_portal_flow import closed_port_url

    payload = solved(client)
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": closed_port_url().replace("http", "redis")},
    }  # fmt: skip
    confirmation_key(send(client, altcha=payload))
