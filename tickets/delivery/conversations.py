"""A filed ticket's conversation: read from the helpdesk, kept for its page, kept fresh.

A page shows what is kept while it is fresh (TICKETS_CONVERSATION_FRESH_SECONDS) and reads it
anew only when it is not; the worker keeps the followed ones (viewed lately, not closed) fresh
by asking once a minute which tickets changed, and reads only those. Every read goes through the
rate governor's share for conversations, so the API's use grows with replies, not with visitors.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta
from math import ceil

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..helpdesk import directory
from ..helpdesk.client import get_client
from ..helpdesk.errors import ApiError, ListCutShort, NotSent, RateStoreDown
from ..helpdesk.governor import FOLLOWING
from ..helpdesk.posts import read_posts
from ..lib.values import as_int
from ..models import Conversation, Submission
from ..schema.service import get_schema

logger = logging.getLogger(__name__)
CHECKED_KEY = "conversations:checked-at"
HELD_KEY = "conversations:held"  # the governor held a read back: pages do not ask until it ends
CHECK_EVERY = 60  # seconds: one "what changed" request a minute, for every followed ticket
VIEW_NOTED_EVERY = timedelta(minutes=1)
CHANGES_PAGES = 5  # 150 changed tickets a minute at most are read from the list


def for_page(submission: Submission, read: bool = True) -> Conversation | None:
    """The conversation a filed ticket's page shows, read anew only when what is kept is not
    fresh and `read` allows it (an open page's own updates never read: the worker does); an API
    that fails leaves what is kept. None before the ticket is filed."""
    if submission.state != Submission.State.FILED or not submission.api_id:
        return None
    now = timezone.now()
    conversation, new = Conversation.objects.get_or_create(
        submission=submission, defaults={"viewed_at": now}
    )
    if conversation.read_at is None or (read and not is_fresh(conversation)):
        refresh(conversation, ticket=_as_filed(submission) if new else None)
    if conversation.viewed_at is None or now - conversation.viewed_at > VIEW_NOTED_EVERY:
        # Followed from now on; a page viewed again within the minute is not written again.
        Conversation.objects.filter(pk=conversation.pk).update(viewed_at=now)
        conversation.viewed_at = now
    return conversation


def is_fresh(conversation: Conversation) -> bool:
    if conversation.read_at is None:
        return False
    age = timezone.now() - conversation.read_at
    return age < timedelta(seconds=settings.TICKETS_CONVERSATION_FRESH_SECONDS)


def refresh(conversation: Conversation, wait: float = 0, ticket: dict | None = None) -> bool:
    """Read the ticket and its posts; False (and what is kept stays) when the API cannot say.
    `ticket`: the ticket as known already (the create's answer): only its posts are read.

    When the governor has just held a read back (the share for conversations is used), a page
    view (`wait` 0) does not ask again until it said to: each ask waits a moment for the
    store's lock, which a person's page would spend for nothing."""
    if not wait and cache.get(HELD_KEY):
        return False
    ticket_id = conversation.submission.api_id
    client = get_client(FOLLOWING, wait)
    try:
        if ticket is None:
            ticket = client.get_ticket(ticket_id)
        posts = read_posts(client.ticket_posts(ticket_id))
    except (ApiError, ListCutShort) as error:
        if isinstance(error, NotSent) and not isinstance(error, RateStoreDown):
            cache.set(HELD_KEY, True, max(1, ceil(error.retry_after)))
        logger.warning("Conversation of ticket %s not read: %s", ticket_id, error)
        return False
    ticket = ticket if isinstance(ticket, dict) else {}
    if _names_agents(conversation.submission):
        client_id = as_int(ticket.get("user_id")) or conversation.client_id
        names = _agents_first_names()
        for post in posts:
            if post["user_id"] != client_id and post["user_id"] in names:
                post["agent"] = names[post["user_id"]]
    now = timezone.now()
    status = str(ticket.get("status_id") or conversation.status_id)
    conversation.status_id = status
    conversation.client_id = as_int(ticket.get("user_id")) or conversation.client_id
    conversation.posts = posts
    conversation.updated = str(ticket.get("date_updated") or "")[:32]
    conversation.read_at = now
    if conversation.closed and conversation.closed_at is None:
        conversation.closed_at = now
    elif not conversation.closed:
        conversation.closed_at = None
    conversation.save()
    return True


def _as_filed(submission: Submission) -> dict | None:
    """The ticket as the helpdesk's answer to its create gave it (the whole ticket: its status,
    its client), while that answer is as fresh as a read would be; else None."""
    answer = submission.api_response
    if not isinstance(answer, dict) or "status_id" not in answer or submission.sent_at is None:
        return None
    fresh = timedelta(seconds=settings.TICKETS_CONVERSATION_FRESH_SECONDS)
    return answer if timezone.now() - submission.sent_at < fresh else None


def _names_agents(submission: Submission) -> bool:
    spec = get_schema().form(submission.form_slug)
    return bool(spec and spec.agent_names)


def _agents_first_names() -> dict[int, str]:
    """The helpdesk's staff by id, their first names (from the staff list the staff pages cache);
    none when it cannot be read: the page then says "Support" alone."""
    try:
        return {p.id: p.name.split()[0] for p in directory.staff_users() if p.name.strip()}
    except ApiError:
        return {}


def keep_fresh(wait: float = 0) -> int:
    """The worker's: at most once a minute, ask which followed tickets changed and read those
    (and those never read); how many were read."""
    now = timezone.now()
    checked = cache.get(CHECKED_KEY)
    if checked and now - checked < timedelta(seconds=CHECK_EVERY):
        return 0
    since = now - timedelta(seconds=settings.TICKETS_CONVERSATION_FOLLOW_SECONDS)
    followed = list(Conversation.objects.followed(since).select_related("submission"))
    if not followed:
        return 0
    oldest = min((c.read_at or now) for c in followed)
    changed = _changed_since(oldest - timedelta(seconds=CHECK_EVERY), wait)
    if changed is None:
        return 0
    cache.set(CHECKED_KEY, now, CHECK_EVERY * 5)
    stale = [c for c in followed if c.read_at is None or c.submission.api_id in changed]
    return sum(refresh(c, wait) for c in stale)


def _changed_since(moment: datetime, wait: float) -> set[int] | None:
    """The ids of the tickets changed since `moment`; None when the API cannot say."""
    # The filter is written on the helpdesk's clock, which names no zone.
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.TICKETS_HELPDESK_TIME_ZONE))
    params = {"from_date_updated": local.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        items = get_client(FOLLOWING, wait).get_all("tickets/", params, max_pages=CHANGES_PAGES)
    except ApiError as error:
        logger.warning("Which tickets changed could not be read: %s", error)
        return None
    return {i for i in (as_int(t.get("id")) for t in items if isinstance(t, dict)) if i}
