"""Thin views: parse the request, call forms and submissions, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .client import ApiMessage
from .forms import form_class, summarize
from .models import Submission
from .schema import FormSpec, get_schema
from .submissions import submit

AUDIENCE = "customer"


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/index.html", {"forms": get_schema().forms_for(AUDIENCE)})


def _spec(slug: str) -> FormSpec:
    spec = get_schema().form(slug)
    if spec is None or AUDIENCE not in spec.audience:
        raise Http404(_("There is no such form."))
    return spec


@require_http_methods(["GET", "POST"])
def ticket_form(request: HttpRequest, slug: str) -> HttpResponse:
    spec = _spec(slug)
    form_cls = form_class(spec, AUDIENCE)
    if request.method != "POST":
        return render(request, "tickets/form.html", {"spec": spec, "form": form_cls()})
    form = form_cls(request.POST, request.FILES)
    valid = form.is_valid()
    files = form.keep_attachments()
    if "form_token" in form.errors:
        form.renew_token()
    if valid:
        submission = submit(form, files)
        if submission.state != Submission.State.FAILED:
            return redirect("tickets:confirmation", key=submission.public_key)
        form.add_error(None, failure_message(submission))
        if submission.error_kind == Submission.Error.REJECTED:
            form.add_api_messages(_messages(submission))
    return render(request, "tickets/form.html", {"spec": spec, "form": form}, status=200)


def failure_message(submission: Submission) -> str:
    kind = submission.error_kind
    if kind == Submission.Error.REJECTED:
        return _("The helpdesk did not accept the ticket. Correct what is marked and send again.")
    if kind == Submission.Error.OUTCOME_UNKNOWN:
        return _(
            "The helpdesk did not answer in time, so your ticket may or may not have been filed. "
            "Everything you entered is still here. If no email about it reaches you within a few "
            "minutes, send it again."
        )
    return _(
        "The helpdesk cannot be reached right now, so your ticket has not been filed yet. "
        "Everything you entered is still here: please send it again in a few minutes."
    )


def _messages(submission: Submission) -> tuple[ApiMessage, ...]:
    return tuple(ApiMessage(**m) for m in submission.api_messages)


def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    submission = get_object_or_404(Submission, public_key=key)
    context = {
        "submission": submission,
        "rows": summarize(get_schema(), submission.payload),
        "files": submission.attachments.all(),
    }
    return render(request, "tickets/confirmation.html", context)
