"""The helpdesk's people and tickets, as staff forms need them: clients found as an agent types,
the staff users (assignees, followers), a parent ticket by id or unique_id, and each portal staff
account's own helpdesk user. Answers are cached briefly: typing must not cost the API a request a
keystroke, and the staff list changes rarely.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import asdict
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache as _django_cache

from ..lib.values import as_int, as_list
from ..models import StaffAccount
from ..records import Person, StaffDirectory, TicketRef
from .client import get_client
from .errors import ApiError

logger = logging.getLogger(__name__)

STAFF_TTL = 300
STAFF_SCAN_PAGES = 10  # without staff groups configured: 300 users at most
SEARCH_TTL = 60
STAFF_TYPE = "staff"


def _person(item: Any) -> Person | None:
    if not isinstance(item, dict):
        return None
    person_id = as_int(item.get("id"))
    if person_id is None:
        return None
    name = " ".join(str(item.get(k) or "").strip() for k in ("name", "lastname")).strip()
    group = item.get("group") if isinstance(item.get("group"), dict) else {}
    email = str(item.get("email") or "")
    return Person(person_id, name or email, email, group.get("type") == STAFF_TYPE)


def _people(items: Any) -> list[Person]:
    return [p for p in (_person(i) for i in as_list(items) or []) if p is not None]


class _Cache:
    """Django's cache, where a cache that is down (Redis stopped) is a miss, never an error: the
    look-ups then cost the API a request, and the staff pages go on working."""

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return _django_cache.get(key, default)
        except Exception as error:
            logger.error("The cache cannot be read (%s): looking up afresh", type(error).__name__)
            return default

    def set(self, key: str, value: Any, ttl: int) -> None:
        try:
            _django_cache.set(key, value, ttl)
        except Exception as error:
            logger.error("The cache cannot be written (%s)", type(error).__name__)


cache = _Cache()


def _cached(key: str, ttl: int, fetch):
    found = cache.get(key)
    if found is None:
        found = fetch()
        cache.set(key, found, ttl)
    return found


def search_clients(query: str, limit: int = 10) -> list[Person]:
    """People whose name or email contains `query` (at least 2 characters)."""
    query = query.strip()
    if len(query) < 2:
        return []
    key = "directory:search:" + hashlib.sha256(query.lower().encode()).hexdigest()
    found = _cached(
        key,
        SEARCH_TTL,
        lambda: [asdict(p) for p in _people(get_client().get("users/", {"search": query}))],
    )
    # Clients only: an agent files for a client, never in another staff member's name.
    return [p for p in (Person(**p) for p in found) if not p.is_staff][:limit]


def staff_users() -> list[Person]:
    """Every staff user of the helpdesk, cached for a few minutes.

    With TICKETS_API_STAFF_GROUPS only those groups are read; without, at most STAFF_SCAN_PAGES
    pages of users (a large helpdesk must name its staff groups). When the API fails, the last
    list read is served (or none), and the failure is remembered for a minute so page views do
    not knock again and again.
    """
    found = cache.get("directory:staff")
    if found is not None:
        return [Person(**p) for p in found]
    if cache.get("directory:staff:failing"):
        return [Person(**p) for p in cache.get("directory:staff:stale", [])]
    groups = settings.TICKETS_API_STAFF_GROUPS
    params = {"group_list": ",".join(groups)} if groups else None
    try:
        people = _people(
            get_client().get_all("users/", params, max_pages=None if groups else STAFF_SCAN_PAGES)
        )
    except ApiError:
        logger.warning("The helpdesk's staff list could not be read")
        cache.set("directory:staff:failing", True, 60)
        stale = cache.get("directory:staff:stale")
        if stale is None:
            raise
        return [Person(**p) for p in stale]
    staff = [asdict(p) for p in people if p.is_staff]
    cache.set("directory:staff", staff, STAFF_TTL)
    cache.set("directory:staff:stale", staff, 24 * 3600)
    return [Person(**p) for p in staff]


def search_staff(query: str, leave_out: Iterable[int] = (), limit: int = 10) -> list[Person]:
    """Staff users whose name or email contains `query` (followers to add), from the cached list;
    `leave_out`: those already chosen."""
    query = query.strip().casefold()
    if not query:
        return []
    chosen = set(leave_out)
    found = (
        p
        for p in staff_users()
        if p.id not in chosen and (query in p.name.casefold() or query in p.email.casefold())
    )
    return list(islice(found, limit))


def person(person_id: int) -> Person | None:
    """One helpdesk user by id (`GET /users/{id}/`); None when there is none (404)."""
    try:
        found = _person(get_client().get(f"users/{person_id}/"))
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return found if found and found.id == person_id else None


def find_ticket(reference: str) -> TicketRef | None:
    """A ticket by its id ("7") or its unique_id ("ABC-124")."""
    reference = reference.strip()
    if not reference:
        return None
    if reference.isdigit():
        try:
            data = get_client().get_ticket(reference)
        except ApiError as error:
            if error.status == 404:
                return None
            raise
        return _ticket(data)
    items = as_list(get_client().get("tickets/", {"search": reference})) or []
    return next(
        (t for t in map(_ticket, items) if t and t.unique_id.lower() == reference.lower()), None
    )


def _ticket(data: Any) -> TicketRef | None:
    ticket_id = as_int(data.get("id")) if isinstance(data, dict) else None
    if ticket_id is None:
        return None
    return TicketRef(ticket_id, str(data.get("unique_id", "")), str(data.get("title", "")))


def helpdesk_id_for(user: AbstractUser, remember: bool = False) -> int | None:
    """The helpdesk staff user of a portal account: as set in the admin, or found by email.

    Only `remember` (after a filing, never on a page view) writes what the email found.
    """
    account = StaffAccount.objects.filter(user=user).first()
    if account and account.helpdesk_user_id:
        return account.helpdesk_user_id
    if not user.email:
        return None
    try:
        match = next((p for p in staff_users() if p.email.lower() == user.email.lower()), None)
    except ApiError:
        logger.warning("Could not look up the helpdesk account of %s", user.pk)
        return None
    if match is None:
        return None
    if remember:
        StaffAccount.objects.update_or_create(
            user=user, defaults={"helpdesk_user_id": match.id, "found_by_email": True}
        )
    return match.id


# --- What a staff form shows and checks -----------------------------------------------------------
def for_staff_form(user: AbstractUser, posted: Mapping[str, str] | None = None) -> StaffDirectory:
    """The staff list and, for a POST, the parent ticket and client it names, from the helpdesk."""
    try:
        staff, unavailable = tuple(staff_users()), False
    except ApiError:
        staff, unavailable = (), True
    posted = posted or {}
    tickets: dict[str, TicketRef | None] = {}
    people: dict[int, Person | None] = {}
    # What the helpdesk does not answer is left out: the form says it could not be checked.
    if reference := str(posted.get("pid", "")).strip():
        with suppress(ApiError):
            tickets[reference] = find_ticket(reference)
    if (client_id := as_int(posted.get("user_id"), minimum=1)) is not None:
        with suppress(ApiError):
            people[client_id] = person(client_id)
    return StaffDirectory(staff, unavailable, helpdesk_id_for(user), tickets, people)


def for_summary(payload: Mapping[str, Any]) -> StaffDirectory:
    """What a staff filing's confirmation names: the staff list (assignee, followers), the client
    and the parent ticket. What the helpdesk does not answer is left out, and shown by its id;
    it is then not asked again for SEARCH_TTL, as the page is shown again while it waits for its
    number (status.js, a refresh) and each look-up would wait out the API's timeouts."""
    try:
        staff = tuple(staff_users())
    except ApiError:
        staff = ()
    people: dict[int, Person | None] = {}
    tickets: dict[str, TicketRef | None] = {}
    if cache.get(_UNANSWERED):
        return StaffDirectory(staff, not staff, None, tickets, people)
    try:
        if (client_id := as_int(payload.get("user_id"), minimum=1)) is not None:
            people[client_id] = _cached_person(client_id)
        if (parent_id := as_int(payload.get("pid"), minimum=1)) is not None:
            tickets[str(parent_id)] = _cached_ticket(parent_id)
    except ApiError:
        cache.set(_UNANSWERED, True, SEARCH_TTL)
    return StaffDirectory(staff, not staff, None, tickets, people)


_UNANSWERED = "directory:summary-unanswered"


# A confirmation page is shown again as it waits for its number (and by a refresh without
# JavaScript): one look-up of its client and parent a minute, not one a view. Kept in a list, so
# that "there is none" is remembered too (the cache takes None for a miss).
def _cached_person(person_id: int) -> Person | None:
    found = _cached(
        f"directory:person:{person_id}",
        SEARCH_TTL,
        lambda: [asdict(p) for p in [person(person_id)] if p is not None],
    )
    return Person(**found[0]) if found else None


def _cached_ticket(ticket_id: int) -> TicketRef | None:
    found = _cached(
        f"directory:ticket:{ticket_id}",
        SEARCH_TTL,
        lambda: [asdict(t) for t in [find_ticket(str(ticket_id))] if t is not None],
    )
    return TicketRef(**found[0]) if found else None


def ticket_url(ticket_id: int | None) -> str:
    """The ticket's page in the helpdesk for agents (TICKETS_HELPDESK_URL), or "" for none."""
    base = settings.TICKETS_HELPDESK_URL
    if not base or not ticket_id:
        return ""
    if "{id}" in base:
        return base.replace("{id}", str(ticket_id))
    return f"{base}/ticket/{ticket_id}"
