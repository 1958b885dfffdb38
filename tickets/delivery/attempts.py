"""One delivery attempt of a submission, and what its outcome makes of the record.

A submission is claimed for an attempt by one atomic UPDATE (received, queued or uncertain, and
due -> sending), so two workers, or a worker and the person's own request, never send it twice
at once; the person's own first attempt holds a row kept `sending` from the start
(submissions.py). An uncertain one (sent before, no usable answer) is first looked up by its
reference and re-sent only when the helpdesk says it does not have it.

    received/queued --send--> filed | queued (unavailable, backoff) | uncertain (no answer)
                                    | attention (rejected, unreadable file, too old)
    uncertain --look up--> filed (found) | send again (proven absent) | uncertain (look-up failed)
"""

from __future__ import annotations

import logging
import random
from contextlib import suppress
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..helpdesk.client import get_client
from ..helpdesk.errors import (
    ApiError,
    ApiOutcomeUnknown,
    ApiRejected,
    NotSent,
)
from ..helpdesk.governor import BACKGROUND, get_governor
from ..helpdesk.lookup import NotProven, find_filed
from ..lib.values import as_int
from ..models import Attachment, Submission
from . import journal, mailing, storage

logger = logging.getLogger(__name__)
State, Error = Submission.State, Submission.Error


def deliver(pk: int, wait: float = 0) -> Submission | None:
    """Make the attempt that is due on submission `pk`, if any; None when another has it or it is
    not due. `wait`: how long to wait for the rate governor's permit."""
    submission = _claim(pk)
    if submission is None:
        return None
    return attempt(submission, wait=wait)


def attempt(
    submission: Submission,
    wait: float = 0,
    inline: bool = False,
    files: list[Attachment] | None = None,
) -> Submission:
    """The attempt on a submission this process holds as `sending` (claimed, or created so for
    the person's own request). `inline`: the person is waiting for the page, so an API that was
    just found down is not tried again now. `files`: its attachments, when already in hand."""
    try:
        if _expired(submission):
            return _give_up(submission)
        if inline and (down := _down_for()):
            error = NotSent("the API could not be reached moments ago", down)
            return _queue(submission, error, delay=down, counted=False)
        client = get_client(BACKGROUND, wait)
        if submission.error_kind == Error.OUTCOME_UNKNOWN:
            if not settings.TICKETS_REFERENCE_IN_TICKET:
                return _needs_attention(submission, Error.OUTCOME_UNKNOWN, _NO_REFERENCE)
            if _found(submission, client):
                return submission
        return _send(submission, client, files)
    except BaseException:
        # Whatever broke (the database, a signal), the record must not stay `sending` for good:
        # it may have been sent, so it is looked up before anything is sent again.
        logger.exception("Submission %s: the attempt broke off", submission.pk)
        _uncertain(submission, "the attempt broke off before its outcome was recorded")
        raise


_NO_REFERENCE = (
    "the helpdesk's answer was lost and TICKETS_REFERENCE_IN_TICKET is off, so the portal cannot "
    "look the ticket up: check the helpdesk, then mark it filed or retry"
)


def _claim(pk: int) -> Submission | None:
    now = timezone.now()
    claimed = (
        Submission.objects.due(now)
        .filter(pk=pk)
        .update(state=State.SENDING, attempt_started_at=now, updated_at=now)
    )
    if not claimed:
        return None
    submission = Submission.objects.get(pk=pk)
    journal.changed(submission.reference, State.SENDING, why=f"attempt {submission.attempts + 1}")
    return submission


def _expired(submission: Submission) -> bool:
    if submission.error_kind == Error.EXPIRED:
        return False  # staff asked for one more try of one that ran out of time
    return timezone.now() - submission.created_at > timedelta(
        seconds=settings.TICKETS_DELIVERY_MAX_AGE
    )


# --- Reconciliation ----------------------------------------------------------------------------
def _found(submission: Submission, client) -> bool:
    """Look an uncertain submission up by its reference; True when it is settled (found, or the
    look-up failed and it stays uncertain)."""
    since = submission.created_at - timedelta(days=1)  # the helpdesk's clock and zone may differ
    payload = submission.payload
    title, email = str(payload.get("title", "")), str(payload.get("user_email", ""))
    try:
        ticket = find_filed(client, submission.reference, title, email, since)
    except ApiError as error:
        logger.warning("Submission %s: look-up failed: %s", submission.pk, error.reason)
        _uncertain(submission, f"the look-up failed: {error.reason}", error)
        return True
    except NotProven as error:
        # A duplicate is worse than a wait: a person checks the helpdesk and decides.
        _needs_attention(submission, Error.OUTCOME_UNKNOWN, f"{error}: check the helpdesk, then "
                         "mark it filed or retry")  # fmt: skip
        return True
    if ticket is None:
        logger.info("Submission %s: not in the helpdesk; sending again", submission.pk)
        return False
    _filed(submission, {"id": ticket.id, "unique_id": ticket.unique_id}, found=True)
    _discard(submission, submission.attachments.all())  # the helpdesk has them with the ticket
    return True


# --- Sending -----------------------------------------------------------------------------------
def with_reference(payload: dict, reference: str) -> dict:
    """The payload as sent: the reference at the end of the description, where the helpdesk's
    ticket search finds it."""
    if not settings.TICKETS_REFERENCE_IN_TICKET:
        return payload
    line = f"{settings.TICKETS_REFERENCE_LABEL}: {reference}"
    return {**payload, "description": f"{payload.get('description', '')}\n\n{line}"}


def _send(submission: Submission, client, files: list[Attachment] | None) -> Submission:
    files = list(submission.attachments.all()) if files is None else files
    try:
        streams = storage.uploads(files)
    except OSError:
        logger.exception("Submission %s: an attachment cannot be read", submission.pk)
        return _needs_attention(submission, Error.UNAVAILABLE, "an attachment cannot be read")
    try:
        data = client.create_ticket(
            with_reference(submission.payload, submission.reference), streams
        )
    except NotSent as error:  # held back by the portal itself: not an attempt
        return _queue(submission, error, delay=error.retry_after, counted=False)
    except ApiRejected as error:
        return _needs_attention(submission, Error.REJECTED, error.reason, error)
    except ApiOutcomeUnknown as error:
        return _uncertain(submission, error.reason, error, counted=True)
    except ApiError as error:
        _note_down()
        return _queue(submission, error)
    finally:
        storage.close(streams)
    _filed(submission, data)
    _discard(submission, files)
    return submission


def _discard(submission: Submission, files) -> None:
    """A filed ticket's files: the helpdesk has them now, the portal keeps none."""
    try:
        storage.discard_files(files)
    except Exception:  # filed is filed: a file left behind is purge_attachments' job
        logger.exception("Submission %s: filed, but its files could not be deleted", submission.pk)


def _note_down() -> None:
    with suppress(ApiError):  # the rate store is down too: the next take() says so
        get_governor().note_down()


def _down_for() -> float:
    """Seconds the API is still taken for down after its last outage (0: try it)."""
    with suppress(ApiError):
        return get_governor().down_for()
    return 0.0


# --- Recording the outcome -----------------------------------------------------------------------
def backoff(attempts: int) -> float:
    """Seconds before the next try: doubling from the first, capped, with jitter (so a backlog
    that met the same outage does not come back at once)."""
    first, cap = settings.TICKETS_RETRY_FIRST_SECONDS, settings.TICKETS_RETRY_MAX_SECONDS
    return min(cap, first * 2 ** max(0, attempts - 1)) * random.uniform(0.5, 1.5)


def _save(submission: Submission, **values) -> Submission:
    """Record this attempt's outcome, only while the row is still this attempt's (the sweep may
    have taken a stalled one over: its look-up then settles it)."""
    # The record in hand takes the values once the row has them, so it never differs from the
    # row it is compared with: an UPDATE that fails (a locked database) leaves both as they were.
    now = timezone.now()
    written = Submission.objects.being_sent_by(submission).update(**values, updated_at=now)
    for name, value in values.items():
        setattr(submission, name, value)
    submission.updated_at = now
    if not written:
        logger.error("Submission %s: taken over before its outcome was recorded", submission.pk)
        return submission
    journal.changed(
        submission.reference,
        values["state"],
        State.SENDING,
        values.get("error_kind", ""),
        unique_id=submission.unique_id if values["state"] == State.FILED else "",
    )
    return submission


def _filed(submission: Submission, data: dict, found: bool = False) -> None:
    data = data if isinstance(data, dict) else {}
    _save(
        submission,
        state=State.FILED,
        attempts=submission.attempts + (0 if found else 1),
        api_response=data,
        api_id=as_int(data.get("id")),
        unique_id=str(data.get("unique_id", "")),
        sent_at=timezone.now(),
        next_attempt_at=None,
        error_kind="",
        error_detail="found in the helpdesk by its reference" if found else "",
        api_messages=[],
        # The customer's mail with the link to the page, if one is wanted (tasks.schedule).
        link_mail_due_at=mailing.due_when_filed(submission),
    )


def _queue(
    submission: Submission, error: ApiError, delay: float | None = None, counted: bool = True
) -> Submission:
    attempts = submission.attempts + int(counted)
    delay = backoff(attempts) if delay is None else delay
    logger.warning(
        "Submission %s not sent (%s): again in %.0f s", submission.pk, error.reason, delay
    )
    return _save(
        submission,
        state=State.QUEUED,
        attempts=attempts,
        next_attempt_at=_after(delay),
        error_kind=Error.UNAVAILABLE,
        error_detail=error.reason,
        api_messages=[m.__dict__ for m in error.messages],
    )


def _uncertain(
    submission: Submission, reason: str, error: ApiError | None = None, counted: bool = False
) -> Submission:
    attempts = submission.attempts + int(counted)
    delay = max(settings.TICKETS_RECONCILE_AFTER_SECONDS, backoff(attempts))
    return _save(
        submission,
        state=State.UNCERTAIN,
        attempts=attempts,
        next_attempt_at=_after(delay),
        error_kind=Error.OUTCOME_UNKNOWN,
        error_detail=reason,
        api_messages=[m.__dict__ for m in error.messages] if error else [],
    )


def _needs_attention(
    submission: Submission, kind: str, reason: str, error: ApiError | None = None
) -> Submission:
    logger.warning("Submission %s needs attention: %s", submission.pk, reason)
    return _save(
        submission,
        state=State.ATTENTION,
        attempts=submission.attempts + 1,
        next_attempt_at=None,
        error_kind=kind,
        error_detail=reason,
        api_messages=[m.__dict__ for m in error.messages] if error else [],
    )


def _give_up(submission: Submission) -> Submission:
    age = settings.TICKETS_DELIVERY_MAX_AGE / 86400
    return _needs_attention(
        submission, Error.EXPIRED, f"not filed within {age:g} days: {submission.error_detail}"
    )


def _after(seconds: float) -> datetime:
    return timezone.now() + timedelta(seconds=seconds)


def take_over_stalled(before: datetime) -> list[Submission]:
    """Attempts `sending` since before `before` died with their worker: each becomes uncertain
    (it may have reached the helpdesk), to be settled by a look-up, never a blind re-send."""
    taken = []
    for submission in Submission.objects.stalled(before):
        claimed = Submission.objects.being_sent_by(submission).update(
            state=State.UNCERTAIN,
            error_kind=Error.OUTCOME_UNKNOWN,
            error_detail="the attempt stopped before its outcome was recorded",
            next_attempt_at=_after(settings.TICKETS_RECONCILE_AFTER_SECONDS),
            updated_at=timezone.now(),
        )
        if claimed:
            submission.refresh_from_db()
            journal.changed(submission.reference, State.UNCERTAIN, State.SENDING, "stalled")
            taken.append(submission)
    return taken


# --- Staff actions (the admin) -------------------------------------------------------------------
def retry_now(queryset) -> int:
    """Make these due at once. A rejected or timed-out one gets one more try as it is; one whose
    answer was lost is still looked up first."""
    chosen = queryset.filter(state__in=[State.QUEUED, State.UNCERTAIN, State.ATTENTION])
    return _staff_change(
        chosen, "retry by staff", state=State.QUEUED, next_attempt_at=timezone.now()
    )


def _staff_change(chosen, why: str, **values) -> int:
    """A staff action, one row at a time and only while the row is as it was read (a worker
    may claim one meanwhile): each change that happened, and only those, gets its line."""
    changed = 0
    for pk, reference, was in chosen.values_list("pk", "reference", "state"):
        row = Submission.objects.filter(pk=pk, state=was)
        if row.update(**values, updated_at=timezone.now()):
            changed += 1
            if was != values["state"]:
                journal.changed(reference, values["state"], was, why)
    return changed


def mark_filed(submission: Submission, unique_id: str) -> bool:
    """Staff found the ticket in the helpdesk themselves: record it, send nothing. Not for one
    being sent right now, one filed already or one cancelled."""
    row = Submission.objects.filter(pk=submission.pk)
    was = row.values_list("state", flat=True).first()
    if was is None or was in (State.SENDING, State.FILED, State.CANCELLED):
        return False
    marked = row.filter(state=was).update(
        state=State.FILED,
        unique_id=unique_id,
        sent_at=timezone.now(),
        next_attempt_at=None,
        error_kind="",
        error_detail="marked as filed by staff",
        link_mail_due_at=mailing.due_when_filed(submission),  # the sweep mails the link
        updated_at=timezone.now(),
    )
    if marked:
        journal.changed(submission.reference, State.FILED, was, "marked by staff",
                        unique_id=unique_id)  # fmt: skip
        storage.discard_files(submission.attachments.all())
    return bool(marked)


def cancel(queryset) -> int:
    """Never file these (a duplicate, spam); a filed one stays filed."""
    chosen = queryset.exclude(state__in=[State.FILED, State.SENDING])
    return _staff_change(chosen, "cancelled by staff", state=State.CANCELLED, next_attempt_at=None)
