"""What the customer and staff views share: the form spec, the body-size guard, and the outcome
of a POST shown on its form (their status pages: status_page.py)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..abuse import throttles
from ..forms.attaching import AttachingForm
from ..forms.ticket import TicketForm
from ..lib.values import as_int
from ..models import Submission
from ..records import NOT_KEPT, UPLOADS_FULL, Outcome, ReplyOutcome
from ..schema.service import get_schema
from ..schema.types import FormSpec

Error = Submission.Error


def private(view=None, *, referrer_policy: str = "same-origin"):
    """A page that holds a person's data: never kept by a cache, never indexed, and its address
    never sent on to another site as a referrer. A page whose address is its key sends no
    referrer at all (`referrer_policy="no-referrer"`); the others keep `same-origin`, because a
    browser sends `Origin: null` with the POSTs of a no-referrer page, which Django's CSRF check
    (the staff pages) refuses."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_store=True)
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Referrer-Policy"] = referrer_policy
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def spec_for(slug: str, audience: str) -> FormSpec:
    spec = get_schema().form(slug)
    if spec is None or audience not in spec.audience:
        raise Http404(_("There is no such form."))
    return spec


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: the browser asks for `url` with a GET, whatever it sent here."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def too_large(request: HttpRequest) -> str:
    """A body bigger than every allowed file together is refused before it is read: why, or ""."""
    limit = settings.TICKETS_MAX_FILES * settings.TICKETS_MAX_FILE_MB * 1024 * 1024
    length = as_int(request.META.get("CONTENT_LENGTH") or 0, minimum=0)
    if length is None or length > limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return _(
            "The attachments together are larger than this form accepts. Go back, remove the "
            "largest files and send again: everything else you typed is still in your browser."
        )
    return ""


def throttled_message(limit: throttles.Refusal, reply: bool = False) -> str:
    """Why a POST (a ticket, or a `reply`) was not taken, and when to send it again (everything
    typed is kept)."""
    wait = wait_for(limit.retry_after)
    if reply:
        reason = (
            _("This ticket has received very many replies in a short time.")
            if limit.scope == throttles.TICKET
            else _("Too many messages have been sent from your network in a short time.")
        )
        again = _(
            "Your reply has not been sent; it is still here (attach new files again). Please "
            "send it in %(wait)s."
        ) % {"wait": wait}
        return f"{reason} {again}"
    if limit.scope == throttles.ADDRESS:
        reason = _("Too many tickets have been sent from your network in a short time.")
    elif limit.scope == throttles.FORM:
        reason = _("This form has received very many tickets in a short time.")
    else:
        reason = _("The portal is receiving very many tickets just now.")
    # The error summary's heading says already that the ticket has not been sent.
    again = _(
        "Please send it in %(wait)s: everything you entered is still here (attach new files again)."
    ) % {"wait": wait}
    return f"{reason} {again}"


def wait_for(seconds: int) -> str:
    """A wait in words, rounded as a person says it ("45 seconds", "10 minutes", "2 hours")."""
    if seconds < 90:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    if seconds < 90 * 60:
        minutes = round(seconds / 60)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = round(seconds / 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def show_outcome(form: AttachingForm, outcome: Outcome | ReplyOutcome) -> None:
    """A form that comes back: the files stored for it and, when the helpdesk refused the ticket,
    its messages on the fields they name (anything else was accepted: a status page says so)."""
    form.list_stored(outcome.files)
    if outcome.failure == NOT_KEPT:
        form.add_error(
            None,
            _(
                "The portal could not store your ticket just now. Everything you entered is "
                "still here: please send it again in a moment."
            ),
        )
    if outcome.failure == UPLOADS_FULL:
        form.add_error(
            "files",
            _(
                "The portal cannot take more attachments right now. Send the form without new "
                "files, or try again later."
            ),
        )
    if outcome.failure == Error.REJECTED and isinstance(form, TicketForm):
        form.add_error(
            None,
            _("The helpdesk did not accept the ticket. Correct what is marked and send again."),
        )
        form.add_api_messages(outcome.messages)
