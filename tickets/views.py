"""Thin views: parse the request, call forms and submissions, render."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import attachments
from .forms import form_class, summarize
from .models import Submission
from .schema import FormSpec, get_schema
from .submissions import receive

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
    if too_large(request):
        return render(request, "tickets/too_large.html", {"spec": spec}, status=413)
    form = form_cls(request.POST, request.FILES, kept=attachments.held(request.POST))
    submission = receive(form)
    if submission is not None:
        return redirect("tickets:confirmation", key=submission.public_key)
    return render(request, "tickets/form.html", {"spec": spec, "form": form})


def too_large(request: HttpRequest) -> bool:
    """A body bigger than every allowed file together is refused before it is read."""
    limit = settings.TICKETS_MAX_FILES * settings.TICKETS_MAX_FILE_MB * 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    submission = get_object_or_404(Submission, public_key=key)
    context = {
        "submission": submission,
        "rows": summarize(get_schema(), submission.payload),
        "files": submission.attachments.all(),
    }
    return render(request, "tickets/confirmation.html", context)
