"""submit(): the one place that takes a valid form to a filed ticket.

record (before the API is called) -> client -> record the outcome. The form's one-time token makes
the record unique, so a double click, a refresh or a retry of the same rendered form finds the
first submission instead of filing again.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from . import attachments
from .client import ApiError, ApiOutcomeUnknown, ApiRejected, get_client
from .forms import TicketForm
from .models import Attachment, Submission

logger = logging.getLogger(__name__)
State = Submission.State


def submit(form: TicketForm, files: list[Attachment], staff_user=None) -> Submission:
    """File the ticket of a valid form, at most once per rendered form; returns its record."""
    submission, ours = _claim(form, staff_user)
    if not ours:
        return submission  # sent already, or another request is sending it right now
    # The record's attachments are exactly what this attempt sends (a retry may have removed some).
    submission.attachments.exclude(pk__in=[a.pk for a in files]).update(submission=None)
    Attachment.objects.filter(pk__in=[a.pk for a in files]).update(submission=submission)
    streams = attachments.uploads(files)
    try:
        data = get_client().create_ticket(submission.payload, streams)
    except ApiError as error:
        _record_failure(submission, error)
    else:
        _record_success(submission, data)
    finally:
        attachments.close(streams)
    return submission


def _claim(form: TicketForm, staff_user) -> tuple[Submission, bool]:
    """The record for this form's token, and whether this request is the one to send it."""
    nonce = form.token.nonce
    fields = {
        "form_slug": form.spec.slug,
        "audience": form.audience,
        "language": get_language() or "",
        "payload": form.payload(),
        "staff_user": staff_user,
    }
    try:
        with transaction.atomic():
            return Submission.objects.create(token=nonce, attempts=1, **fields), True
    except IntegrityError:
        pass
    # Only a failed attempt may be tried again, and only by one request: the update is the lock.
    claimed = Submission.objects.filter(token=nonce, state=State.FAILED).update(
        state=State.PENDING, error_kind="", error_detail="", api_messages=[],
        updated_at=timezone.now(), **fields,
    )  # fmt: skip
    submission = Submission.objects.get(token=nonce)
    if claimed:
        Submission.objects.filter(pk=submission.pk).update(attempts=submission.attempts + 1)
        submission.attempts += 1
    return submission, bool(claimed)


def _record_success(submission: Submission, data: dict) -> None:
    submission.state = State.SENT
    submission.api_response = data
    submission.api_id = _int_or_none(data.get("id")) if isinstance(data, dict) else None
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


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
