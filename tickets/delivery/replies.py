"""A reply's attempts: kept with its files before anything is sent (submissions.receive_reply),
then posted to its ticket exactly once, as the ticket's client.

    received --post--> sent | received (unavailable, backoff) | uncertain (no answer)
                            | attention (refused, unreadable file, too old)
    uncertain --look among the ticket's posts--> sent (found) | post again (proven absent)
                                                 | uncertain (the posts could not be read whole)

A reply is claimed for an attempt by one atomic UPDATE, as a submission is.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from html import unescape

from django.conf import settings
from django.utils import timezone

from ..helpdesk.client import get_client
from ..helpdesk.errors import ApiError, ApiOutcomeUnknown, ApiRejected, ListCutShort, NotSent
from ..helpdesk.governor import BACKGROUND
from ..helpdesk.posts import read_posts
from ..lib.html import plain_text
from ..lib.values import as_int
from ..models import Conversation, Reply, Submission
from . import storage
from .attempts import backoff

logger = logging.getLogger(__name__)
State = Reply.State
# The helpdesk's clock names no zone: a post found among the ticket's may be stamped up to a day
# either side of the moment the portal sent it.
CLOCK_MARGIN = timedelta(days=1)


def deliver(pk: int, wait: float = 0) -> Reply | None:
    """The attempt due on reply `pk`, if any; None when another has it or it is not due."""
    now = timezone.now()
    claimed = (
        Reply.objects.due(now).filter(pk=pk).update(state=State.SENDING, attempt_started_at=now)
    )
    return attempt(Reply.objects.get(pk=pk), wait) if claimed else None


def attempt(reply: Reply, wait: float = 0) -> Reply:
    """The attempt on a reply this process holds as `sending`."""
    try:
        if timezone.now() - reply.created_at > timedelta(seconds=settings.TICKETS_DELIVERY_MAX_AGE):
            return _save(reply, State.ATTENTION, error_detail="not posted in time")
        client = get_client(BACKGROUND, wait)
        ticket_id, client_id = reply.submission.api_id, _client_of(reply.submission)
        if reply.maybe_posted:
            found = _find(reply, client, ticket_id, client_id)
            if found is None:
                return _uncertain(reply, "its post could not be looked up yet")
            if found:
                return _sent(reply, found)
            reply.maybe_posted = False  # proven absent: posted again
        return _post(reply, client, ticket_id, client_id)
    except BaseException:
        logger.exception("Reply %s: the attempt broke off", reply.pk)
        _uncertain(reply, "the attempt broke off before its outcome was recorded")
        raise


def _client_of(submission: Submission) -> int | None:
    """The helpdesk's id of the ticket's client: the reply is posted as theirs."""
    kept = Conversation.objects.filter(submission=submission).values_list("client_id", flat=True)
    answered = as_int((submission.api_response or {}).get("user_id"))
    return next((i for i in kept if i), None) or answered


def _post(reply: Reply, client, ticket_id: int, client_id: int | None) -> Reply:
    files = list(reply.attachments.all())
    try:
        streams = storage.uploads(files)
    except OSError:
        logger.exception("Reply %s: an attachment cannot be read", reply.pk)
        return _save(reply, State.ATTENTION, error_detail="an attachment cannot be read")
    try:
        data = client.add_post(ticket_id, plain_text(reply.text), client_id, streams)
    except NotSent as error:
        return _save(reply, State.RECEIVED, error.reason, delay=error.retry_after)
    except ApiRejected as error:
        words = "; ".join(str(m) for m in error.messages) or error.reason
        return _save(reply, State.ATTENTION, f"refused by the helpdesk: {words}", counted=True)
    except ApiOutcomeUnknown as error:
        return _uncertain(reply, error.reason, counted=True)
    except ApiError as error:
        return _save(reply, State.RECEIVED, error.reason, delay=None, counted=True)
    finally:
        storage.close(streams)
    reply = _sent(reply, as_int(data.get("id")) if isinstance(data, dict) else None, counted=True)
    try:
        storage.discard_files(files)
    except Exception:  # sent is sent: a file left behind is purge_attachments' job
        logger.exception("Reply %s: sent, but its files could not be deleted", reply.pk)
    return reply


def _find(reply: Reply, client, ticket_id: int, client_id: int | None) -> int | bool | None:
    """The id of the post this reply made, False when the ticket's posts (read whole) prove it
    has none, None when they cannot be read."""
    try:
        posts = read_posts(client.ticket_posts(ticket_id))
    except (ApiError, ListCutShort) as error:
        logger.warning("Reply %s: the ticket's posts could not be read: %s", reply.pk, error)
        return None
    wanted = _words(plain_text(reply.text))
    earliest = reply.created_at - CLOCK_MARGIN
    for post in posts:
        mine = not client_id or post["user_id"] == client_id
        recent = datetime.fromisoformat(post["at"]) >= earliest
        if mine and recent and _words(post["text"]) == wanted:
            return post["id"]
    return False


def _words(html: str) -> str:
    """A post's text to compare by: its words, without markup, spacing or case."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split()).casefold()


def _uncertain(reply: Reply, reason: str, counted: bool = False) -> Reply:
    delay = max(settings.TICKETS_RECONCILE_AFTER_SECONDS, backoff(reply.attempts + 1))
    return _save(reply, State.UNCERTAIN, reason, delay=delay, counted=counted, maybe_posted=True)


def _sent(reply: Reply, post_id: int | None, counted: bool = False) -> Reply:
    return _save(
        reply, State.SENT, "", counted=counted, post_id=post_id, sent_at=timezone.now(),
        maybe_posted=False,
    )  # fmt: skip


def _save(
    reply: Reply,
    state: str,
    error_detail: str = "",
    delay: float | None = 0,
    counted: bool = False,
    **values,
) -> Reply:
    """Record an attempt's outcome while the row is still this attempt's."""
    attempts = reply.attempts + int(counted)
    waiting = state in (State.RECEIVED, State.UNCERTAIN)
    if waiting and delay is None:
        delay = backoff(attempts)
    next_at = timezone.now() + timedelta(seconds=delay or 0) if waiting else None
    values = {
        "state": state,
        "error_detail": error_detail,
        "attempts": attempts,
        "next_attempt_at": next_at,
        **values,
    }
    written = Reply.objects.filter(
        pk=reply.pk, state=State.SENDING, attempt_started_at=reply.attempt_started_at
    ).update(**values)
    for name, value in values.items():
        setattr(reply, name, value)
    if not written:
        logger.error("Reply %s: taken over before its outcome was recorded", reply.pk)
    else:
        logger.info("Reply %s of %s: %s", reply.pk, reply.submission.reference, state)
    return reply


def take_over_stalled(before) -> int:
    """Attempts `sending` since before `before` died with their worker: each becomes uncertain
    (it may have been posted), to be looked up, never posted again blindly."""
    return Reply.objects.stalled(before).update(
        state=State.UNCERTAIN, maybe_posted=True, next_attempt_at=timezone.now()
    )


def forgotten(before) -> list[int]:
    """Replies due since before `before` whose task was lost: due again now."""
    due = list(
        Reply.objects.waiting().filter(next_attempt_at__lt=before).values_list("pk", flat=True)
    )
    Reply.objects.filter(pk__in=due).update(next_attempt_at=timezone.now())
    return due
