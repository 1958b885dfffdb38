"""The benchmarks' own ways through the portal still work as the portal answers now: the
submission bench/pages.py times and the first visit it weighs, and the accepted POST that
bench/delivery.py counts (no figure is asserted: speed lives in `make bench`). When an answer
changes (a redirect became the page itself), these fail here, not only in a bench run."""

from __future__ import annotations

import pytest

from bench import pages
from sandbox.models import Ticket
from tests.examples import EXAMPLE_POST
from tests.stack import ACCEPTED, form_token, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_timed_submission_files_its_tickets(live_server, sandbox_api):
    overheads, steps = pages.submission_overhead(live_server.url, 2, api_ms=0)

    assert len(overheads) == 2 and all(o > 0 for o in overheads)
    assert set(steps) == {"GET form", "POST and its status page"}
    assert Ticket.objects.count() == 2


def test_the_weighed_first_visit_names_the_pages_assets(live_server):
    total, assets = pages.first_visit(live_server.url, "/forms/support/")
    assert assets >= 5 and total > 1000


def test_the_delivery_bench_counts_what_the_portal_answers_an_accepted_post(
    live_server, sandbox_api
):
    assert post(live_server.url, EXAMPLE_POST, form_token(live_server.url)) == ACCEPTED
    assert Ticket.objects.count() == 1
