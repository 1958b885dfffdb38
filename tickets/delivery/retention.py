"""What the portal keeps of a person, and for how long.

The helpdesk is where a ticket lives; the portal is a door. Once a submission is settled (filed
or cancelled) it keeps what the person sent for TICKETS_KEEP_CONTENT_DAYS, then erases it in
place: the payload, the API's answer but its id and number, its messages, the text of its sent
replies and the conversation read from the helpdesk. The row keeps its reference, state, form,
times, counts of attempts, the ticket's id and number and the consent it records, which is what
its page and staff need. A submission that was never filed keeps its content until a person
settles it. A person's own data is found by their email address, exported and erased on request;
a page's link is withdrawn (renewed) when the person or staff ask.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Attachment, Conversation, Reply, Submission, new_public_key
from . import journal, storage

logger = logging.getLogger(__name__)
State = Submission.State
BATCH = 200  # a sweep erases this many at most, so that it stays short


def erase_content(submissions: Iterable[Submission], why: str) -> int:
    """Erase what the people of these submissions sent, in place; how many were erased."""
    count = 0
    now = timezone.now()
    for submission in submissions:
        answer = submission.api_response if isinstance(submission.api_response, dict) else {}
        kept = {k: answer[k] for k in ("id", "unique_id") if k in answer}
        with transaction.atomic():
            Submission.objects.filter(pk=submission.pk).update(
                payload={}, api_response=kept or None, api_messages=[], error_detail="",
                content_erased_at=now, updated_at=now,
            )  # fmt: skip
            # Replies not posted yet keep their text: they are on their way to the helpdesk.
            Reply.objects.filter(submission=submission, state=Reply.State.SENT).update(text="")
            # Read again from the helpdesk, should the page be opened.
            Conversation.objects.filter(submission=submission).update(posts=[], read_at=None)
        # The files and their names too: the helpdesk has them.
        files = Attachment.objects.filter(
            Q(submission=submission) | Q(reply__submission=submission)
        )
        storage.discard_files(files.exclude(file=""))
        files.delete()
        journal.changed(submission.reference, submission.state, why=f"content erased: {why}")
        count += 1
    return count


def erase_expired(now: datetime | None = None, limit: int | None = BATCH) -> int:
    """The worker's: erase the content of settled submissions older than the retention."""
    now = now or timezone.now()
    expired = Submission.objects.content_expired(
        now - timedelta(days=settings.TICKETS_KEEP_CONTENT_DAYS)
    )
    chosen = expired[:limit] if limit else expired
    count = erase_content(list(chosen), f"kept {settings.TICKETS_KEEP_CONTENT_DAYS} days")
    if count:
        logger.info("Retention: erased the content of %s submission(s)", count)
    return count


def renew_link(submissions) -> list[str]:
    """Give each submission a new key: the link to its page with the old one stops working at
    once (the person shared it by mistake, or staff withdraw it). The new keys, in order."""
    keys = []
    for submission in submissions:
        key = new_public_key()
        Submission.objects.filter(pk=submission.pk).update(public_key=key)
        journal.changed(submission.reference, submission.state, why="new link")
        keys.append(key)
    return keys


# --- One person's data --------------------------------------------------------------------------
def submissions_of(email: str) -> list[Submission]:
    """Every submission that carries this address: as the person's email, the client's, or in cc
    (compared ignoring case)."""
    email = email.strip()
    folded = email.casefold()
    if not folded:
        return []
    candidates = Submission.objects.filter(
        Q(payload__user_email__iexact=email) | Q(payload__cc__icontains=email)
    ).prefetch_related("replies", "attachments")
    return [s for s in candidates if folded in _addresses(s.payload)]


def _addresses(payload: dict[str, Any]) -> set[str]:
    cc = payload.get("cc") if isinstance(payload.get("cc"), list) else []
    return {str(a).strip().casefold() for a in [payload.get("user_email", ""), *cc] if a}


def export(submissions: Iterable[Submission]) -> list[dict[str, Any]]:
    """What the portal holds of these submissions (not the helpdesk's copy), as plain JSON."""
    return [
        {
            "reference": s.reference,
            "ticket": s.unique_id,
            "form": s.form_slug,
            "state": s.state,
            "language": s.language,
            "created_at": s.created_at.isoformat(),
            "sent_at": s.sent_at.isoformat() if s.sent_at else None,
            "content_erased_at": s.content_erased_at.isoformat() if s.content_erased_at else None,
            "consent": {"version": s.consent_version, "at": s.consent_at.isoformat()}
            if s.consent_version and s.consent_at
            else None,
            "sent": s.payload,
            "files": [{"name": a.name, "size": a.size} for a in s.attachments.all()],
            "replies": [
                {"text": r.text, "state": r.state, "created_at": r.created_at.isoformat()}
                for r in s.replies.all()
            ],
        }
        for s in submissions
    ]


def erase_person(email: str) -> int:
    """Erase everything the portal holds of this address: the content of each submission that
    carries it (at once, settled or not: a waiting one is cancelled first, so nothing files it
    later), its replies' text, its files; and its page's link is withdrawn."""
    found = submissions_of(email)
    unsettled = (State.RECEIVED, State.QUEUED, State.UNCERTAIN, State.ATTENTION)
    waiting = [s.pk for s in found if s.state in unsettled]
    Submission.objects.filter(pk__in=waiting).update(
        state=State.CANCELLED, next_attempt_at=None, error_detail="erased at the person's request"
    )
    Reply.objects.filter(submission__in=found).update(text="")
    count = erase_content(found, "the person asked")
    renew_link(found)
    return count
