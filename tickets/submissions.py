"""receive() and submit(): the one place that takes a posted form to a filed ticket.

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
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import attachments
from .client import ApiError, ApiOutcomeUnknown, ApiRejected, get_client
from .forms import TicketForm
from .models import Attachment, Submission

logger = logging.getLogger(__name__)
State = Submission.State


def receive(form: TicketForm, staff_user=None) -> Submission | None:
    """A posted form's whole way: validate, keep its files, file it once. None: the form says why."""
    valid = form.is_valid()
    files = attachments.keep(form)
    if "form_token" in form.errors:
        form.renew_token()
    if not valid:
        return None
    submission = submit(form, files, staff_user, resend=form.cleaned_data.get("resend", False))
    if submission.state == State.FAILED:
        explain(form, submission)
        return None
    return submission


def submit(
    form: TicketForm, files: list[Attachment], staff_user=None, resend: bool = False
) -> Submission:
    """File the ticket of a valid form, at most once per rendered form; returns its record.

    An attempt whose outcome is unknown (the API may hold the ticket) is sent again only with
    `resend`: the person says they have had no email about it.
    """
    submission, ours = _claim(form, staff_user, resend)
    if not ours:
        return submission  # sent, being sent, or waiting for the person's word to send again
    # The record's attachments are exactly what this attempt sends (a retry may have removed some).
    submission.attachments.exclude(pk__in=[a.pk for a in files]).update(submission=None)
    Attachment.objects.filter(pk__in=[a.pk for a in files]).update(submission=submission)
    try:
        streams = attachments.uploads(files)
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
        attachments.discard_files(files)
    finally:
        attachments.close(streams)
    return submission


def _claim(form: TicketForm, staff_user, resend: bool) -> tuple[Submission, bool]:
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
    _expire_stale_attempt(nonce)
    # Only a failed attempt may be tried again, and only by one request: the update is the lock.
    claimable = Submission.objects.filter(token=nonce, state=State.FAILED)
    if not resend:
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


def explain(form: TicketForm, submission: Submission) -> None:
    """Tell the person, on the form, why their ticket is not filed yet and what to do."""
    form.add_error(None, failure_message(submission))
    if submission.error_kind == Submission.Error.REJECTED:
        form.add_api_messages(submission.messages())
    if submission.error_kind == Submission.Error.OUTCOME_UNKNOWN:
        form.offer_resend = True


def failure_message(submission: Submission) -> str:
    kind = submission.error_kind
    if kind == Submission.Error.REJECTED:
        return _("The helpdesk did not accept the ticket. Correct what is marked and send again.")
    if kind == Submission.Error.OUTCOME_UNKNOWN:
        return _(
            "The helpdesk did not answer in time, so your ticket may or may not have been filed. "
            "Everything you entered is still here. If no email about it reaches you within a few "
            "minutes, tick the box below and send it again."
        )
    return _(
        "The helpdesk cannot be reached right now, so your ticket has not been filed yet. "
        "Everything you entered is still here: please send it again in a few minutes."
    )


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
