"""A submission's status page: what it shows, the parts where the submission stands decides, and
the page a person's POST answers with, made while the helpdesk answers.

Three parts of the page follow from the submission's `Status`: the title, the status block
(tickets/status.html, with the line about the email the helpdesk will send) and, embedded, the
body's state; they are what static/js/status.js replaces when the status changes. They come into
the page's template as values, rendered here. Everything else a POST's page shows is known once
its submission is kept: that page is rendered then (`Ahead`), beside the request while its own
thread waits for the helpdesk's answer (views/beside.py), with a mark in each part's place, and
so are the parts of the two states an attempt mostly ends in. Once the attempt is over, the
marks are filled in. The page so made is byte for byte the page rendered at once
(tests/integration/test_status_page.py).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass, replace

from django.http import Http404, HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..delivery import storage
from ..delivery.status import status_of
from ..forms.summary import summarize
from ..lib.rows import select_where
from ..models import Submission
from ..records import StaffDirectory, Status, StoredFile
from ..schema.service import get_schema
from . import beside

logger = logging.getLogger(__name__)

PARTS = ("page_title", "status_block", "body_state")


def submission_for(key: str, audience: str) -> Submission:
    """The submission a status page shows (a staff filing is shown on staff pages alone); one
    read written as SQL (lib/rows.py): every look at a status page makes it."""
    where = "{public_key} = %s AND {audience} = %s"
    for submission in select_where(Submission, where, [key, audience]):
        return submission
    raise Http404(_("There is no such ticket."))


def context(
    submission: Submission,
    status_route: str,
    names: Callable[[dict], StaffDirectory] | None = None,
    files: tuple[StoredFile, ...] | None = None,
) -> dict:
    """What the page shows: where the submission stands, and what was sent (with the people and
    tickets it names as `names` finds them in the helpdesk: staff pages). `files`: its
    attachments when the caller knows them (the POST that attached them), else they are read."""
    directory = names(submission.payload) if names else None
    return {
        "submission": submission,
        "status": status_of(submission),
        "status_url": reverse(status_route, kwargs={"key": submission.public_key}),
        "rows": summarize(get_schema(), submission.payload, submission.audience, directory),
        "files": storage.in_order(submission.attachments.all()) if files is None else files,
    }


def parts(page: dict, status: Status) -> dict[str, SafeString]:
    """The page's parts that where the submission stands decides, as HTML."""
    number = status.unique_id
    title = _("Ticket %(id)s") % {"id": number} if number else _("Your ticket")
    return {
        "page_title": escape(title),
        "status_block": render_to_string("tickets/status.html", {**page, "status": status}),
        "body_state": escape("queued" if status.state == "received" else status.state),
    }


def render(request: HttpRequest, template: str, page: dict) -> str:
    """The whole page at once, as its `status` says."""
    return render_to_string(template, {**page, **parts(page, page["status"])}, request)


class Ahead:
    """A POST's status page, made in a thread of the pool while the request's own thread waits
    for the helpdesk (`page` makes its context there, from a request of its own), and finished
    with the attempt's status. The parts of the two states an attempt mostly ends in (filed,
    with a mark for its number; received) are made there too."""

    def __init__(self, request: HttpRequest, template: str, page: Callable[[], dict]):
        # Unguessable: what a person typed (shown in the page's summary) never matches one.
        token = secrets.token_hex(12)
        self._marks = {name: mark_safe(f"ahead-{token}-{name}") for name in PARTS}
        self._number = f"ahead-{token}-number"
        self._made: Future[_Made] = beside.submit(
            _render_ahead, request, template, page, self._marks, self._number
        )

    def finish(self, status: Status) -> str | None:
        """The page as `status` says: the one made ahead, its marks filled in. None when it was
        not made after all (the pool was busy with others: not begun yet, so the caller renders
        it at once; or its making failed, which is logged)."""
        if self._made.cancel():
            return None
        try:
            made = self._made.result(timeout=beside.WAIT)
        except Exception:
            logger.exception("The status page made ahead could not be made")
            return None
        html = made.html
        for name, part in self._parts(made, status).items():
            html = html.replace(self._marks[name], part)
        return html

    def _parts(self, made: _Made, status: Status) -> dict[str, str]:
        likely = made.likely.get(status.state)
        # Made for the submission's reference, and with a number only when filed (a filed
        # ticket without one is titled as one without a number).
        same_reference = status.reference == made.page["status"].reference
        numbered_as_made = bool(status.unique_id) == (status.state == "filed")
        if likely is None or not (same_reference and numbered_as_made):
            return parts(made.page, status)
        # Escaping is character by character: the escaped number in place of its mark is the
        # part rendered with the number.
        number = escape(status.unique_id)
        return {name: part.replace(self._number, number) for name, part in likely.items()}

    def discard(self) -> None:
        """Not wanted after all (the form comes back): not begun, or let end before the form is
        rendered (nothing of it is then still at work beside the request)."""
        if not self._made.cancel():
            wait([self._made], timeout=beside.WAIT)


@dataclass(frozen=True)
class _Made:
    page: dict  # the page's context, its status the kept submission's
    html: str  # the page with a mark for each of its parts
    likely: dict[str, dict[str, SafeString]]  # per likely state, its parts (the number a mark)


def _render_ahead(
    request: HttpRequest,
    template: str,
    page: Callable[[], dict],
    marks: dict[str, SafeString],
    number: str,
) -> _Made:
    made = page()
    # Without its status: the page uses it only in its parts, and a use of it elsewhere would
    # show as a difference from the page rendered at once (the tests compare).
    ahead = {**{k: v for k, v in made.items() if k != "status"}, **marks}
    kept = made["status"]
    likely = {
        "filed": parts(made, replace(kept, state="filed", unique_id=number)),
        "received": parts(made, replace(kept, state="received", unique_id="")),
    }
    return _Made(made, render_to_string(template, ahead, request), likely)


def status_response(key: str, audience: str) -> JsonResponse:
    """Where a submission stands, for the status page's script; never cached."""
    response = JsonResponse(status_of(submission_for(key, audience)).as_json())
    response["Cache-Control"] = "no-store"
    return response
