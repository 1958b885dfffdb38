"""The throttles on the production stack: 2 gunicorn worker processes sharing one count in the
database. A flood from one client address (127.0.0.2) is held to its limit whichever worker
takes each POST, and gets the form back with what was typed; other addresses (127.0.0.3, ...)
file as always meanwhile."""

from __future__ import annotations

import html

import pytest

from tests.examples import EXAMPLE_POST
from tests.integration.test_delivery_at_scale import CountingApi
from tests.stack import answered_by, portal_stack, post_from, states
from tests.stub_server import stub_server

pytestmark = pytest.mark.stack

LIMIT = 3


def test_a_flood_from_one_address_is_held_while_others_file(tmp_path):
    api = CountingApi()
    post = {**EXAMPLE_POST, "title": "Flooded title 42"}
    with stub_server(api) as (url, _seen), portal_stack(
        tmp_path, f"{url}/api/v2", TICKETS_THROTTLE_ADDRESS=f"{LIMIT}/h"
    ) as portal:  # fmt: skip
        flood, others = [], []
        for n in range(12):
            flood.append(post_from("127.0.0.2", portal, post))
            if n % 4 == 0:
                others.append(post_from(f"127.0.0.{3 + n // 4}", portal, {**EXAMPLE_POST}))
        workers = answered_by(tmp_path)

    codes = [status for status, _headers, _page in flood]
    assert codes == [302] * LIMIT + [429] * (12 - LIMIT)
    for _status, headers, page in flood[LIMIT:]:
        assert 0 < int(headers["Retry-After"]) <= 3600
        assert "Too many tickets have been sent from your network" in html.unescape(page)
        assert 'value="Flooded title 42"' in page  # the 429 page keeps what was typed
    assert [status for status, _h, _p in others] == [302] * len(others)
    assert len(workers) == 2  # both gunicorn workers took POSTs, and held one count
    assert states(tmp_path) == {"filed": LIMIT + len(others)} and api.created == LIMIT + len(others)
