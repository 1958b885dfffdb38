"""No person is refused for what a bot would do (issue 27, items 1 to 3), as the server sees it:
a filled honeypot and an address past its limit ask for a solved proof-of-work challenge instead
of refusing; the challenge gets harder as the address files more past its limit; the limits per
form and for the portal stay hard; a signed-in agent meets no bot check, only a limit on the
helpdesk look-ups their pages make, and is told the truth when the portal's share is used.
In Chromium: tests/browser/test_never_refused.py."""

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
    form_state,
    get_token,
    valid_post_data,
)
from tests.integration.test_throttles import assert_asked_to_prove, assert_throttled
from tickets.forms import challenge
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)
NAT = "192.0.2.80"  # an office behind one address


@pytest.fixture(autouse=True)
def _quick_challenges(settings):
    settings.TICKETS_CHALLENGE_MAX_NUMBER = 2000  # solved here in Python, in milliseconds


def fetched(client, address: str = NAT) -> dict:
    """The challenge the widget fetches from this address."""
    response = client.get("/challenge/", REMOTE_ADDR=address)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return response.json()


def solved(client, address: str = NAT) -> str:
    """What the widget posts: the challenge it fetched from this address, solved."""
    found = fetched(client, address)
    solution = altcha.solve_challenge(
        found["challenge"], found["salt"], found["algorithm"], found["maxNumber"]
    )
    payload = {**{k: found[k] for k in ("algorithm", "challenge", "salt", "signature")},
               "number": solution.number}  # fmt: skip
    return base64.b64encode(json.dumps(payload).encode()).decode()


def send(client, address: str = NAT, **extra):
    data = {**valid_post_data(get_token(client)), **extra}
    return client.post(FORM_URL, {k: v for k, v in data.items() if v is not None},
                       REMOTE_ADDR=address)  # fmt: skip


# --- 1. The honeypot ------------------------------------------------------------------------------
def test_an_autofilled_honeypot_asks_for_the_challenge_and_a_solution_files(client, sandbox_api):
    response = send(client, homepage="https://my-homepage.example")
    assert response.status_code == 200
    summary = error_summary(response)
    assert "Your browser first shows that it is not a robot" in summary
    assert "could not be sent" not in summary and "Leave this empty" not in summary
    assert form_state(response)["homepage"] == [""]  # not sent back to be sent again
    assert_values_kept(response)
    page = response.content.decode()
    assert 'auto="onload"' in page and "data-send-when-verified" in page
    assert "/static/js/challenge.js" in page
    # Autofill may fill it again: a browser that proved itself files all the same.
    confirmation_key(send(client, homepage="https://my-homepage.example", altcha=solved(client)))
    assert Ticket.objects.count() == 1


def test_with_something_else_to_correct_the_form_is_not_sent_by_itself(client, sandbox_api):
    response = send(client, homepage="filled", title="")
    summary = error_summary(response)
    assert "Correct what is marked and send again" in summary and "Subject" in summary
    assert "data-send-when-verified" not in response.content.decode()
    assert 'auto="onload"' in response.content.decode()


def test_a_solution_that_does_not_pass_is_asked_again(client, sandbox_api):
    payload = json.loads(base64.b64decode(solved(client)))
    payload["number"] += 1
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    response = send(client, homepage="filled", altcha=forged)
    assert "did not pass" in error_summary(response)
    assert '<altcha-widget name="altcha"' in response.content.decode()
    assert Submission.objects.count() == 0


# --- 2. People behind one address -------------------------------------------------------------------
def test_past_the_address_limit_a_browser_that_solves_files_a_script_does_not(
    client, sandbox_api, settings
):
    settings.TICKETS_THROTTLE_ADDRESS = ["2/h"]
    for _ in range(2):
        confirmation_key(send(client))
    for _ in range(3):  # a script, or a browser without JavaScript: the same answer each time
        assert_asked_to_prove(send(client))
    confirmation_key(send(client, altcha=solved(client)))  # the third person in the office
    confirmation_key(send(client, altcha=solved(client)))
    confirmation_key(send(client, "192.0.2.81"))  # another address meets its own limit only
    assert Ticket.objects.count() == 5


def test_the_challenge_gets_harder_as_the_address_files_more_past_its_limit(
    client, sandbox_api, settings
):
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    base = settings.TICKETS_CHALLENGE_MAX_NUMBER
    confirmation_key(send(client))
    seen = []
    for _ in range(2 * challenge.STEP):
        seen.append(fetched(client)["maxNumber"])
        confirmation_key(send(client, altcha=solved(client)))
    assert seen == [base] * challenge.STEP + [2 * base] * challenge.STEP
    assert fetched(client)["maxNumber"] == 4 * base
    assert fetched(client, "192.0.2.81")["maxNumber"] == base  # others are not affected
    # An easy solution, fetched from elsewhere, does not pass where a harder one is asked.
    easy = solved(client, "192.0.2.81")
    assert_asked_to_prove(send(client, altcha=easy))
    confirmation_key(send(client, altcha=solved(client)))
    settings.TICKETS_THROTTLE_ADDRESS = []  # no limit, no escalation: the base again
    assert fetched(client)["maxNumber"] == base


def test_the_limits_of_a_form_and_of_the_portal_stay_hard(client, sandbox_api, settings):
    settings.TICKETS_THROTTLE_FORM = ["1/h"]
    confirmation_key(send(client))
    response = send(client, "192.0.2.82", altcha=solved(client, "192.0.2.82"))
    assert_throttled(response, "This form has received very many tickets")
    settings.TICKETS_THROTTLE_FORM = []
    settings.TICKETS_THROTTLE_PORTAL = ["1/h"]
    confirmation_key(send(client))
    response = send(client, "192.0.2.83", altcha=solved(client, "192.0.2.83"))
    assert_throttled(response, "The portal is receiving very many tickets")
    assert Ticket.objects.count() == 2


def test_a_refusal_says_each_thing_once(client, sandbox_api, settings):
    settings.TICKETS_THROTTLE_FORM = ["1/h"]
    confirmation_key(send(client))
    summary = error_summary(send(client))
    assert summary.count("not been sent") == 1 and summary.count("send it in") == 1, summary


# --- 3. Signed-in staff --------------------------------------------------------------------------
@pytest.fixture
def agent_client(client, django_user_model):
    agent = django_user_model.objects.create_user("agent", "agent@example.com", "pw", is_staff=True)
    client.force_login(agent)
    return client


def staff_post(client, **extra):
    import re

    page = client.get("/staff/forms/support/").content.decode()
    data = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1],
        "form_token": re.search(r'name="form_token" value="([^"]+)"', page)[1],
        **{k: v for k, v in valid_post_data("").items() if k != "form_token"},
        **extra,
    }
    return client.post("/staff/forms/support/", data)


def test_staff_who_send_again_at_once_are_not_taken_for_bots(agent_client, sandbox_api, settings):
    settings.TICKETS_MIN_FILL_SECONDS = 600
    for _ in range(2):  # a second ticket at once: a client forgotten on the first
        response = staff_post(agent_client)
        assert response.status_code == 302, error_summary(response)
    page = agent_client.get("/staff/forms/support/").content.decode()
    assert 'name="homepage"' not in page and "altcha" not in page
    assert Ticket.objects.count() == 2


def test_an_agents_look_ups_have_their_own_limit(
    agent_client, sandbox_api, settings, django_user_model
):
    settings.TICKETS_THROTTLE_STAFF_LOOKUPS = ["3/m"]
    for n in range(3):
        assert agent_client.get("/staff/api/clients/", {"q": f"client{n}"}).status_code == 200
    refused = agent_client.get("/staff/api/clients/", {"q": "client9"})
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["error"].startswith("You have made very many look-ups")
    assert agent_client.get("/staff/api/staff/", {"q": "a"}).status_code == 429  # one limit
    other = django_user_model.objects.create_user("other", "o@example.com", "pw", is_staff=True)
    agent_client.force_login(other)  # another agent: a limit of their own
    assert agent_client.get("/staff/api/clients/", {"q": "client9"}).status_code == 200


def test_when_the_portals_share_is_used_look_ups_say_so(agent_client, settings, monkeypatch):
    from tickets.helpdesk import governor
    from tickets.helpdesk.errors import NotSent

    def spent(*args, **kwargs):
        raise NotSent("the portal's share of the API's minute is used up", 5)

    monkeypatch.setattr(governor.Governor, "take", spent)
    response = agent_client.get("/staff/api/clients/", {"q": "nobody-cached"})
    assert response.status_code == 429 and response["Retry-After"] == "5"
    error = response.json()["error"]
    assert "The portal has used its share of requests to the helpdesk" in error
    assert "5 seconds" in error and "cannot be reached" not in error
