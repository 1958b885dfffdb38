"""receive(): a posted form's handover becomes a kept submission, and its first attempt.

Accepted means kept: a valid POST writes the submission (payload and attachments) in one
transaction before anything is sent; delivery then starts at once, while the person waits, and
otherwise goes on in the worker (tasks.py). The form's one-time token makes the record unique, so
a double click, a refresh or a retry of the same rendered form finds the first submission.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from ..helpdesk.errors import ApiMessage
from ..lib.rows import value_where
from ..models import Attachment, Submission
from ..records import NOT_KEPT, UPLOADS_FULL, Filing, Handover, Outcome, StoredFile
from . import attempts, journal, storage, tasks
from .status import status_of

logger = logging.getLogger(__name__)
State, Error = Submission.State, Submission.Error
# What receive() tells its caller of a new submission as soon as it is kept.
OnKept = Callable[[Submission, tuple[StoredFile, ...]], None]


def receive(handover: Handover, on_kept: OnKept | None = None) -> Outcome:
    """A posted form's whole way: keep its files and, when it is valid, its ticket. `on_kept`
    is called once this POST has kept a new submission, before its first attempt, with the
    submission and its files as its status page lists them: the view then counts it against
    the throttles and makes its page while the helpdesk answers, not after an attempt that may
    wait long for the API (while other POSTs from the same sender would find it uncounted)."""
    try:
        files = storage.keep(handover.uploads)
    except storage.UploadsFull:
        logger.error("The ceiling of kept uploads (TICKETS_UPLOADS_MAX_MB) is reached")
        kept = storage.keep(replace(handover.uploads, new=()))
        return Outcome(storage.described(kept), failure=UPLOADS_FULL)
    if handover.filing is None:
        return Outcome(files=storage.described(files))
    try:
        submission, new, created = _record(handover.filing, files)
    except DatabaseError:
        # The portal's own fault (a locked or full database), said as such: nothing was kept.
        logger.exception("A submission could not be stored")
        return Outcome(storage.described(files), failure=NOT_KEPT)
    listed = storage.described(storage.in_order(files))
    if created and on_kept:
        on_kept(submission, listed)
    if new:
        submission = _first_attempt(submission, files)
    return replace(_outcome(submission, files, listed), new=created)


def sent_before(nonce: str) -> str:
    """The key of the submission a rendered form (its token's nonce) already made, or "".

    A form sent again (a reload of the page that answered it, a second click) is answered with
    that submission's status page before anything else is checked: otherwise a throttle used up
    by the first would call it not sent, an expired token would take it as a new form (a second
    ticket), and its files would be stored again. One the helpdesk rejected is not such a
    submission: its corrected form takes it back (_record).
    """
    if not nonce:
        return ""
    where = "{token} = %s AND NOT ({state} = %s AND {error_kind} = %s)"
    params = [nonce, State.ATTENTION.value, Error.REJECTED.value]
    return value_where(Submission, "public_key", where, params) or ""


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


def _outcome(
    submission: Submission, files: list[Attachment], listed: tuple[StoredFile, ...]
) -> Outcome:
    """`listed`: the files in the order a status page lists them (a later look at it too)."""
    if submission.state == State.ATTENTION and submission.error_kind == Error.REJECTED:
        # The person is still looking at the form: the API's word goes on its fields.
        messages = tuple(ApiMessage(**m) for m in submission.api_messages)
        return Outcome(storage.described(files), submission.public_key, Error.REJECTED, messages)
    return Outcome(listed, submission.public_key, status=status_of(submission))


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
        taken = Submission.objects.filter(
            token=filing.nonce, state=State.ATTENTION, error_kind=Error.REJECTED
        ).update(
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
