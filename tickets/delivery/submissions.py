"""receive() and submit(): the one place that takes a form's handover to a filed ticket.

record (before the API is called) -> client -> record the outcome. The form's one-time token makes
the record unique, so a double click, a refresh or a retry of the same rendered form finds the
first submission instead of filing again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..helpdesk.client import get_client
from ..helpdesk.errors import ApiError, ApiMessage, ApiOutcomeUnknown, ApiRejected
from ..lib.values import as_int
from ..models import Attachment, Submission
from ..records import Filing, Handover, Outcome
from . import storage

logger = logging.getLogger(__name__)
State = Submission.State


def receive(handover: Handover) -> Outcome:
    """A posted form's whole way: keep its files, and file its ticket once when it is valid."""
    files = storage.keep(handover.uploads)
    if handover.filing is None:
        return Outcome(files=storage.described(files))
    submission = submit(handover.filing, files)
    if submission.state != State.FAILED:
        return Outcome(storage.described(files), submission.public_key)
    return Outcome(
        storage.described(files),
        submission.public_key,
        failure=submission.error_kind,
        messages=tuple(ApiMessage(**m) for m in submission.api_messages),
    )


def submit(filing: Filing, files: list[Attachment]) -> Submission:
    """File a valid form's ticket, at most once per rendered form; returns its record.

    An attempt whose outcome is unknown (the API may hold the ticket) is sent again only with
    `filing.resend`: the person says they have had no email about it.
    """
    submission, ours = _claim(filing)
    if not ours:
        return submission  # sent, being sent, or waiting for the person's word to send again
    # The record's attachments are exactly what this attempt sends (a retry may have removed some).
    submission.attachments.exclude(pk__in=[a.pk for a in files]).update(submission=None)
    Attachment.objects.filter(pk__in=[a.pk for a in files]).update(submission=submission)
    try:
        streams = storage.uploads(files)
    except OSError:
        logger.exception("Submission %s: an attachment cannot be read", submission.pk)
        _record_failure(submission, ApiError("an attachment could not be read from storage"))
        return submission
    try:
        data = get_client().create_ticket(submission.payload, streams)
    except ApiError as error:
        _record_failure(submission, error)
    except Exception:
        # Whatever broke, the record must not stay `pending` for good.
        logger.exception("Submission %s: unexpected error while filing", submission.pk)
        _record_failure(submission, ApiOutcomeUnknown("an unexpected error while filing"))
    else:
        _record_success(submission, data)
        storage.discard_files(files)
    finally:
        storage.close(streams)
    return submission


def _claim(filing: Filing) -> tuple[Submission, bool]:
    """The record for this form's token, and whether this request is the one to send it."""
    nonce = filing.nonce
    fields = {
        "form_slug": filing.form_slug,
        "audience": filing.audience,
        "language": filing.language,
        "payload": filing.payload,
        "staff_user_id": filing.filed_by,
    }
    try:
        with transaction.atomic():
            return Submission.objects.create(token=nonce, attempts=1, **fields), True
    except IntegrityError:
        pass
    _expire_stale_attempt(nonce)
    # Only a failed attempt may be tried again, and only by one request: the update is the lock.
    claimable = Submission.objects.filter(token=nonce, state=State.FAILED)
    if not filing.resend:
        claimable = claimable.exclude(error_kind=Submission.Error.OUTCOME_UNKNOWN)
    claimed = claimable.update(
        state=State.PENDING, error_kind="", error_detail="", api_messages=[],
        attempts=F("attempts") + 1, updated_at=timezone.now(), **fields,
    )  # fmt: skip
    return Submission.objects.get(token=nonce), bool(claimed)


def _expire_stale_attempt(nonce: str) -> None:
    """An attempt `pending` for longer than any exchange can last died with its process."""
    longest = 3 * settings.TICKETS_API_CONNECT_TIMEOUT + settings.TICKETS_API_READ_TIMEOUT
    cutoff = timezone.now() - timedelta(seconds=longest + 60)
    Submission.objects.filter(token=nonce, state=State.PENDING, updated_at__lt=cutoff).update(
        state=State.FAILED,
        error_kind=Submission.Error.OUTCOME_UNKNOWN,
        error_detail="the attempt stopped before its outcome was recorded",
    )


def _record_success(submission: Submission, data: dict) -> None:
    submission.state = State.SENT
    submission.api_response = data
    submission.api_id = as_int(data.get("id")) if isinstance(data, dict) else None
    submission.unique_id = str(data.get("unique_id", "")) if isinstance(data, dict) else ""
    submission.sent_at = timezone.now()
    submission.save()
    logger.info("Submission %s filed as %s", submission.pk, submission.unique_id)


def _record_failure(submission: Submission, error: ApiError) -> None:
    if isinstance(error, ApiRejected):
        submission.error_kind = Submission.Error.REJECTED
    elif isinstance(error, ApiOutcomeUnknown):
        submission.error_kind = Submission.Error.OUTCOME_UNKNOWN
    else:
        submission.error_kind = Submission.Error.UNAVAILABLE
    submission.state = State.FAILED
    submission.error_detail = error.reason
    submission.api_messages = [m.__dict__ for m in error.messages]
    submission.save()
    logger.warning("Submission %s failed: %s", submission.pk, error.reason)
