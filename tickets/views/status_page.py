"""A submission's status page, for customers (on its own or embedded) and staff: where it stands
and what was sent; and where it stands as JSON, for the page's script."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..delivery import mailing
from ..delivery.status import status_of
from ..forms.summary import summarize
from ..models import Submission
from ..records import StaffDirectory
from ..schema.service import get_schema


def submission_for(key: str, audience: str) -> Submission:
    """The submission a status page shows (a staff filing is shown on staff pages alone). A key
    that is wrong, withdrawn (renewed) or of a ticket support cancelled gets the same 404."""
    found = Submission.objects.filter(public_key=key, audience=audience)
    if audience != "staff":
        found = found.exclude(state=Submission.State.CANCELLED)
    try:
        return found.get()
    except Submission.DoesNotExist:
        raise Http404(_("There is no such ticket.")) from None


def context(
    submission: Submission,
    status_route: str,
    names: Callable[[dict], StaffDirectory] | None = None,
) -> dict:
    """What the page shows: where the submission stands, and what was sent (with the people and
    tickets it names as `names` finds them in the helpdesk: staff pages)."""
    directory = names(submission.payload) if names else None
    return {
        "submission": submission,
        "status": status_of(submission),
        "status_url": reverse(status_route, kwargs={"key": submission.public_key}),
        "rows": summarize(get_schema(), submission.payload, submission.audience, directory),
        "files": submission.attachments.all(),
        # What the customer's page says of the mail with its link (mailed, on its way, ...).
        "link_mail": mailing.promise(submission),
    }


def status_response(key: str, audience: str) -> JsonResponse:
    """Where a submission stands, for the status page's script; never cached."""
    response = JsonResponse(status_of(submission_for(key, audience)).as_json())
    response["Cache-Control"] = "no-store"
    return response
