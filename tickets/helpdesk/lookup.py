"""find_filed(): whether the helpdesk has a ticket the portal sent but heard no answer about.

Only "found" may be believed from the helpdesk's search: which fields `search` looks in, and what
`exact_search` means, are not documented, so its "nothing" proves nothing. Absence is proven
another way: every ticket created since a day before the submission (a margin for the
helpdesk's own clock and zone, which the API does not state) is read and compared here. A
candidate is a ticket with the same title and client email; it is the one when its
conversation carries the portal's reference. When the list is too long to read whole, or a
candidate's conversation shows no portal reference at all (filed by email, or not readable as
expected), nothing is proven and a person decides; one that shows another reference is another
submission's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from ..lib.values import as_int
from ..records import TicketRef
from .client import TicketsClient
from .errors import ListCutShort

logger = logging.getLogger(__name__)

POST_PAGES = 10  # a conversation read for the reference: its first post may come last


class NotProven(Exception):
    """The look-up found nothing, but could not read every ticket that might be the one."""


def find_filed(
    client: TicketsClient, reference: str, title: str, email: str, since: datetime
) -> TicketRef | None:
    """The ticket filed with this reference, title and client email (the first, should it have
    been filed twice), or None when the helpdesk proves it has none. ApiError when an exchange
    fails; NotProven when the tickets since `since` are too many to read."""
    candidates = client.get_all("tickets/", {"search": reference}, max_pages=1)
    if found := _the_one(client, candidates, reference, title, email).ticket:
        return found
    listed = {"from_date_created": since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")}
    pages = settings.TICKETS_RECONCILE_MAX_PAGES
    try:
        candidates = client.get_all("tickets/", listed, max_pages=pages, whole=True)
    except ListCutShort:
        raise NotProven(
            f"the helpdesk lists more than {pages} pages of tickets since {listed['from_date_created']} "
            "UTC (TICKETS_RECONCILE_MAX_PAGES), so the portal cannot prove the ticket is absent"
        ) from None
    listing = _the_one(client, candidates, reference, title, email)
    if listing.unreadable:
        raise NotProven(
            "a ticket with the same title and client email exists, but its conversation shows no "
            "portal reference, so the portal cannot prove the ticket is absent"
        )
    return listing.ticket


@dataclass(frozen=True)
class _Search:
    ticket: TicketRef | None  # the one, if found
    unreadable: bool  # a candidate's conversation showed no portal reference at all


def _the_one(
    client: TicketsClient, items: Iterable[Any], reference: str, title: str, email: str
) -> _Search:
    """The first ticket among `items` with this title and client email whose conversation
    carries the reference (a person's own ticket that quotes it has another title). A candidate
    whose conversation carries another reference is another submission's; one that carries none
    cannot be told apart (filed by email, or posts the portal cannot read as expected)."""
    candidates = sorted(
        (t for t in map(_ticket, items) if t and _same(t, title, email)), key=lambda t: t[0].id
    )
    unreadable = False
    for ticket, _email in candidates:
        posts = client.get_all(f"tickets/{ticket.id}/posts/", max_pages=POST_PAGES)
        texts = [str(p.get("text", "")) for p in posts if isinstance(p, dict)]
        if any(reference in text for text in texts):
            return _Search(ticket, False)
        label = settings.TICKETS_REFERENCE_LABEL
        unreadable = unreadable or not any(label in text for text in texts)
    return _Search(None, unreadable)


def _same(found: tuple[TicketRef, str], title: str, email: str) -> bool:
    ticket, found_email = found
    if ticket.title.strip() != title.strip():
        return False
    # A staff filing names its client by id, and a helpdesk may leave the email out: only two
    # addresses that both exist must agree.
    return not (email and found_email) or found_email.strip().lower() == email.strip().lower()


def _ticket(data: Any) -> tuple[TicketRef, str] | None:
    ticket_id = as_int(data.get("id")) if isinstance(data, dict) else None
    if ticket_id is None:
        return None
    ref = TicketRef(ticket_id, str(data.get("unique_id", "")), str(data.get("title", "")))
    return ref, str(data.get("user_email") or "")
