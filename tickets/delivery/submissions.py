"""receive(): a posted form's handover becomes a kept submission, and its first attempt.

Accepted means kept: a valid POST writes the submission (payload and attachments) in one
transaction before anything is sent, counts it against the throttles, and makes its first attempt
while the person waits; what that attempt cannot settle goes on in the worker (tasks.py). The
form's one-time token makes the record unique, so a double click, a refresh or a retry of the
same rendered form finds the first submission.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from ..abuse import throttles
from ..helpdesk.errors import ApiMessage
from ..models import Attachment, Reply, Submission
from ..records import (
    NOT_KEPT,
    UPLOADS_FULL,
    Filing,
    Handover,
    Outcome,
    ReplyFiling,
    ReplyOutcome,
    Sender,
    Uploads,
)
from . import attempts, journal, replies, storage, tasks
from .status import status_of

logger = logging.getLogger(__name__)
State, Error = Submission.State, Submission.Error


def receive(handover: Handover) -> Outcome:
    """A posted form's whole way: store its files and, when it is valid, keep its ticket, count
    it against the throttles and make its first attempt."""
    try:
        files = storage.save(handover.uploads)
    except storage.UploadsFull:
        logger.error("The ceiling of stored uploads (TICKETS_UPLOADS_MAX_MB) is reached")
        stored = storage.save(replace(handover.uploads, new=()))
        return Outcome(storage.described(stored), failure=UPLOADS_FULL)
    if handover.filing is None:
        return Outcome(files=storage.described(files))
    try:
        submission, new, created = _record(handover.filing, files)
    except DatabaseError:
        # The portal's own fault (a locked or full database), said as such: nothing was kept.
        logger.exception("A submission could not be stored")
        return Outcome(storage.described(files), failure=NOT_KEPT)
    if created and (sender := handover.filing.sender):
        # Counted before the attempt, which may wait long for the API: the sender's other POSTs
        # meanwhile find this ticket counted.
        limits = throttles.Limits(sender.client, submission.form_slug, sender.verified)
        limits.counted(past_limit=sender.past_limit)
    if new:
        submission = _first_attempt(submission, files)
    return replace(_outcome(submission, files), new=created)


def sent_before(nonce: str) -> str:
    """The key of the submission a rendered form (its token's nonce) already made, or "".

    A form sent again (Back and Send, a second click) goes to that submission's status page
    before anything else is checked: otherwise a throttle used up by the first would call it not
    sent, an expired token would take it as a new form (a second ticket), and its files would be
    stored again.
    """
    if not nonce:
        return ""
    return Submission.objects.made_by(nonce).values_list("public_key", flat=True).first() or ""


def _first_attempt(submission: Submission, files: list[Attachment]) -> Submission:
    """Deliver at once while the person waits; what cannot be settled now goes to the worker. It
    is kept whatever happens here: a database that refuses now leaves it `sending`, for the sweep
    to take over as a stalled attempt (looked up before it is sent again)."""
    try:
        submission = attempts.attempt(submission, inline=True, files=files)
        tasks.schedule(submission)
    except DatabaseError:
        logger.exception(
            "Submission %s: kept; its first attempt is left to the worker", submission.pk
        )
    return submission


def _outcome(submission: Submission, files: list[Attachment]) -> Outcome:
    described = storage.described(files)
    if submission.rejected:
        # The person is still looking at the form: the API's word goes on its fields.
        messages = tuple(ApiMessage(**m) for m in submission.api_messages)
        return Outcome(described, submission.public_key, Error.REJECTED, messages)
    return Outcome(described, submission.public_key, status=status_of(submission))


def _record(filing: Filing, files: list[Attachment]) -> tuple[Submission, bool, bool]:
    """The kept submission of this rendered form, whether this POST is the one to send it, and
    whether it made it (the throttles count only new tickets).

    The one to send it gets the row already `sending`, claimed for its own attempt in the same
    transaction that keeps it (were the process to die before the outcome is recorded, the sweep
    takes it over as any stalled attempt). A second POST finds the first; only one the API
    rejected takes the corrected form instead.
    """
    now = timezone.now()
    values = {
        "form_slug": filing.form_slug,
        "audience": filing.audience,
        "language": filing.language,
        "payload": filing.payload,
        "staff_user_id": filing.filed_by,
        "state": State.SENDING,
        "attempt_started_at": now,
        # The consent box the person ticked on this POST (a corrected form ticks it again).
        "consent_version": filing.consent_version,
        "consent_at": now if filing.consent_version else None,
    }
    try:
        with transaction.atomic():
            submission = Submission.objects.create(token=filing.nonce, **values)
            if files:
                _attach(submission, files)
        journal.changed(submission.reference, State.RECEIVED, why=filing.audience)
        journal.changed(submission.reference, State.SENDING, why="attempt 1")
        return submission, True, True
    except IntegrityError:
        pass
    with transaction.atomic():
        # The update is the lock: one request takes a rejected submission back.
        taken = Submission.objects.rejected().filter(token=filing.nonce).update(
            error_kind="", error_detail="", api_messages=[], next_attempt_at=None,
            updated_at=now, **values,
        )  # fmt: skip
        submission = Submission.objects.get(token=filing.nonce)
        if taken:
            _attach(submission, files)
            journal.changed(submission.reference, State.SENDING, State.ATTENTION, "corrected")
    return submission, bool(taken), False


def _attach(submission: Submission, files: list[Attachment]) -> None:
    """The record's attachments are exactly these (a corrected form may have removed some)."""
    keys = [a.pk for a in files]
    submission.attachments.exclude(pk__in=keys).update(submission=None)
    Attachment.objects.filter(pk__in=keys).update(submission=submission)


# --- A reply on a filed ticket's page --------------------------------------------------------
def receive_reply(
    submission: Submission, uploads: Uploads, filing: ReplyFiling | None, sender: Sender
) -> ReplyOutcome:
    """A posted reply box: store its files and, when it is valid, keep the reply, count it
    against the throttles and make its first attempt while the person waits."""
    try:
        files = storage.save(uploads)
    except storage.UploadsFull:
        logger.error("The ceiling of stored uploads (TICKETS_UPLOADS_MAX_MB) is reached")
        return ReplyOutcome(storage.described(storage.save(Uploads(stored=uploads.stored))))
    if filing is None:
        return ReplyOutcome(storage.described(files))
    try:
        reply, created = _keep_reply(submission, filing, files)
    except DatabaseError:
        logger.exception("A reply could not be stored")
        return ReplyOutcome(storage.described(files), failure=NOT_KEPT)
    if created:
        throttles.Limits(sender.client, "", reply_to=submission.reference).counted()
        reply = _first_reply_attempt(reply)
    return ReplyOutcome(storage.described(files), reply_id=reply.pk, state=reply.state)


def _keep_reply(submission: Submission, filing: ReplyFiling, files: list[Attachment]):
    try:
        with transaction.atomic():
            reply = Reply.objects.create(
                submission=submission,
                token=filing.nonce,
                text=filing.text,
                state=State.SENDING,
                attempt_started_at=timezone.now(),
            )
            Attachment.objects.filter(pk__in=[f.pk for f in files]).update(reply=reply)
            return reply, True
    except IntegrityError:  # this reply box was sent before: that reply stands
        return Reply.objects.get(token=filing.nonce), False


def reply_sent_before(nonce: str) -> bool:
    """Whether a rendered reply box (its token's nonce) already made its reply."""
    return bool(nonce) and Reply.objects.filter(token=nonce).exists()


def _first_reply_attempt(reply: Reply) -> Reply:
    try:
        reply = replies.attempt(reply)
        tasks.schedule_reply(reply)
    except DatabaseError:
        logger.exception("Reply %s: kept; its first attempt is left to the worker", reply.pk)
    return reply
