"""What the customer and staff views share: the form spec, the body-size guard, the outcome of a
POST shown on its form, and the confirmation page's context."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ..forms.summary import summarize
from ..forms.ticket import TicketForm
from ..lib.values import as_int
from ..models import Submission
from ..records import Outcome
from ..schema.service import get_schema
from ..schema.types import FormSpec

Error = Submission.Error


def spec_for(slug: str, audience: str) -> FormSpec:
    spec = get_schema().form(slug)
    if spec is None or audience not in spec.audience:
        raise Http404(_("There is no such form."))
    return spec


def too_large(request: HttpRequest) -> bool:
    """A body bigger than every allowed file together is refused before it is read."""
    limit = settings.TICKETS_MAX_FILES * settings.TICKETS_MAX_FILE_MB * 1024 * 1024
    length = as_int(request.META.get("CONTENT_LENGTH") or 0, minimum=0)
    return length is None or length > limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def show_outcome(form: TicketForm, outcome: Outcome) -> None:
    """A form that comes back: the files it now holds and, when delivery failed, why and what to
    do, on the form (the API's messages on the fields they name)."""
    form.hold(outcome.files)
    if not outcome.failure:
        return
    form.add_error(None, failure_message(outcome.failure))
    if outcome.failure == Error.REJECTED:
        form.add_api_messages(outcome.messages)
    form.offer_resend = outcome.failure == Error.OUTCOME_UNKNOWN


def failure_message(failure: str) -> str:
    if failure == Error.REJECTED:
        return _("The helpdesk did not accept the ticket. Correct what is marked and send again.")
    if failure == Error.OUTCOME_UNKNOWN:
        return _(
            "The helpdesk did not answer in time, so your ticket may or may not have been filed. "
            "Everything you entered is still here. If no email about it reaches you within a few "
            "minutes, tick the box below and send it again."
        )
    return _(
        "The helpdesk cannot be reached right now, so your ticket has not been filed yet. "
        "Everything you entered is still here: please send it again in a few minutes."
    )


def confirmation_context(key: str, audience: str) -> dict:
    # A staff filing (with staff-only fields) is shown on staff pages alone.
    submission = get_object_or_404(Submission, public_key=key, audience=audience)
    return {
        "submission": submission,
        "rows": summarize(get_schema(), submission.payload, submission.audience),
        "files": submission.attachments.all(),
    }
