"""The throttles on the production stack: 2 gunicorn worker processes sharing one count in the
database. A flood from one client address (127.0.0.2) is held to its limit whichever worker
takes each POST, and gets the form back with what was typed; other addresses (127.0.0.3, ...)
file as always meanwhile. One solved challenge sent many times at once files once."""

from __future__ import annotations

import html

import pytest

from tests.examples import EXAMPLE_POST
from tests.integration.test_delivery_at_scale import CountingApi
from tests.stack import answered_by, portal_stack, post_from, states
from tests.stub_server import stub_server

pytestmark = pytest.mark.stack

LIMIT = 3
FLOOD = 24  # enough for both workers to take some of the refused ones, whoever accepts


def test_a_flood_from_one_address_is_held_while_others_file(tmp_path):
    api = CountingApi()
    post = {**EXAMPLE_POST, "title": "Flooded title 42"}
    with stub_server(api) as (url, _seen), portal_stack(
        tmp_path, f"{url}/api/v2", TICKETS_THROTTLE_ADDRESS=f"{LIMIT}/h"
    ) as portal:  # fmt: skip
        flood, others = [], []
        for n in range(FLOOD):
            flood.append(post_from("127.0.0.2", portal, post))
            if n % 8 == 0:
                others.append(post_from(f"127.0.0.{3 + n // 8}", portal, {**EXAMPLE_POST}))
        refusing = answered_by(tmp_path, "429")

    codes = [status for status, _headers, _page in flood]
    assert codes == [303] * LIMIT + [429] * (FLOOD - LIMIT)
    for _status, headers, page in flood[LIMIT:]:
        assert 0 < int(headers["Retry-After"]) <= 3600
        assert "Many tickets have been sent from your network" in html.unescape(page)
        assert 'value="Flooded title 42"' in page  # the 429 page keeps what was typed
    assert [status for status, _h, _p in others] == [303] * len(others)
    assert len(refusing) == 2  # both gunicorn workers refused the flood: they hold one count
    assert states(tmp_path) == {"filed": LIMIT + len(others)} and api.created == LIMIT + len(others)


def test_one_solution_sent_many_times_at_once_files_once(tmp_path):
    """Eight POSTs of one solution at the same moment, taken by both workers' threads, file one
    ticket (the replay check is one atomic add in the shared store; django-altcha's own reads,
    then writes, a window this test seldom hits but a script could aim for)."""
    import base64
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    import altcha

    api = CountingApi()
    with stub_server(api) as (url, _seen), portal_stack(
        tmp_path, f"{url}/api/v2", TICKETS_CHALLENGE="true", TICKETS_CHALLENGE_MAX_NUMBER="5000"
    ) as portal:  # fmt: skip
        challenge = json.load(urllib.request.urlopen(f"{portal}/challenge/", timeout=30))
        number = altcha.solve_challenge(
            challenge["challenge"],
            challenge["salt"],
            challenge["algorithm"],
            challenge["maxNumber"],
        ).number
        fields = ("algorithm", "challenge", "salt", "signature")
        solution = {**{k: challenge[k] for k in fields}, "number": number}  # fmt: skip
        payload = base64.b64encode(json.dumps(solution).encode()).decode()
        post = {**EXAMPLE_POST, "altcha": payload}
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: post_from(f"127.0.0.{10 + n}", portal, post),
                                    range(8)))  # fmt: skip
    codes = sorted(status for status, _headers, _page in answers)
    assert codes == [200] * 7 + [303], codes
    assert api.created == 1
