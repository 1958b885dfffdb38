"""The customer's views: the form page, its embed twin, and their confirmations.

The customer path uses no cookie, no session and no messages framework: the form's signed token
and the browser's Origin stand in for CSRF, so the form works in a cross-site iframe where cookies
are blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..abuse import throttles
from ..delivery import submissions
from ..embedding import framing, prefill
from ..embedding.language import with_language
from ..embedding.origin import client_key, from_own_page
from ..forms import challenge
from ..forms.building import form_class
from ..forms.prefill import Prefill
from ..forms.ticket import FreshForm
from ..schema.service import get_schema
from . import reading
from .shared import (
    confirmation_context,
    show_outcome,
    spec_for,
    status_response,
    throttled_message,
    too_large,
)

AUDIENCE = "customer"


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/index.html", {"forms": get_schema().forms_for(AUDIENCE)})


@dataclass(frozen=True)
class _Door:
    """One of the form's two doors (its own page, or embedded) and what its pages need."""

    form_cls: type
    page: dict
    template: str
    embed: bool


def _ticket_form(request: HttpRequest, slug: str, embed: bool) -> HttpResponse:
    """The form on its own page or embedded: one validation and submission path for both."""
    spec = spec_for(slug, AUDIENCE)
    page = {"spec": spec, "embed": framing.frame_context(request) if embed else None}
    template = "tickets/embed_form.html" if embed else "tickets/form.html"
    door = _Door(form_class(spec, AUDIENCE), page, template, embed)
    try:
        values, refusal = prefill.from_request(request.GET, door.form_cls), None
    except prefill.ContextError as error:
        values, refusal = Prefill(), (str(error), 400)
    if request.method == "POST":
        return _post(request, door, values, refusal)
    if refusal:
        return render(request, "tickets/refused.html", {**page, "reason": refusal[0]}, status=400)
    # A form as first shown is built only if its kept HTML is not there yet.
    form = door.form_cls(prefill=values) if values != Prefill() else FreshForm(door.form_cls)
    return render(request, template, {**page, "form": form})


def _post(
    request: HttpRequest, door: _Door, values: Prefill, refusal: tuple[str, int] | None
) -> HttpResponse:
    """A sent form: read within its limits, checked (origin, throttles), then handed over."""
    unreadable = too_large(request) or reading.read(request)
    if unreadable:
        context = {**door.page, "reason": unreadable}
        return render(request, "tickets/too_large.html", context, status=413)
    if not from_own_page(request):
        reason = _("This form can only be sent from its own page. Open it again and send it there.")
        refusal = refusal or (reason, 403)
    slug = door.page["spec"].slug
    sender = throttles.Sender(client_key(request), slug, verified=challenge.attempted(request.POST))
    limit = None if refusal else sender.refusal()
    if refusal or limit:
        return _refused(request, door, refusal or (throttled_message(limit), 429), limit)
    form = door.form_cls(request.POST, request.FILES, prefill=values, returning=sender.returning)
    outcome = submissions.receive(form.handover(client=client_key(request)))
    if outcome.new:
        sender.counted()
    if not outcome.accepted:
        show_outcome(form, outcome)
        return render(request, door.template, {**door.page, "form": form})
    route = "tickets:embed_confirmation" if door.embed else "tickets:confirmation"
    return redirect(
        _kept_query(reverse(route, kwargs={"key": outcome.submission_key}), request, door)
    )


def _refused(
    request: HttpRequest,
    door: _Door,
    refusal: tuple[str, int],
    limit: throttles.Refusal | None,
) -> HttpResponse:
    """Nothing is filed, nothing new is kept, but what the person typed is shown again."""
    form = door.form_cls(request.POST, request.FILES)
    show_outcome(form, submissions.receive(form.held_files()))
    form.add_error(None, refusal[0])
    response = render(request, door.template, {**door.page, "form": form}, status=refusal[1])
    if limit:
        response["Retry-After"] = str(limit.retry_after)
    return response


def _kept_query(url: str, request: HttpRequest, door: _Door) -> str:
    """The confirmation keeps what the form's query said: all of it embedded (the host's theme,
    parent and language), else the language alone, as every page carries it."""
    if door.embed and request.GET:
        return f"{url}?{request.GET.urlencode()}"
    return with_language(url, request)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_form(request: HttpRequest, slug: str) -> HttpResponse:
    return _ticket_form(request, slug, embed=False)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@framing.embeddable
def embed_form(request: HttpRequest, slug: str) -> HttpResponse:
    return _ticket_form(request, slug, embed=True)


STATUS_ROUTE = "tickets:status"


def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    context = confirmation_context(key, AUDIENCE, STATUS_ROUTE)
    return render(request, "tickets/confirmation.html", context)


@framing.embeddable
def embed_confirmation(request: HttpRequest, key: str) -> HttpResponse:
    context = {
        **confirmation_context(key, AUDIENCE, STATUS_ROUTE),
        "embed": framing.frame_context(request),
    }
    return render(request, "tickets/embed_confirmation.html", context)


@require_http_methods(["GET"])
def challenge_json(request: HttpRequest) -> HttpResponse:
    """A fresh proof-of-work challenge for the form's widget; none while the challenge is off."""
    if not challenge.is_on(AUDIENCE):
        raise Http404(_("There is no such page."))
    response = JsonResponse(challenge.new_challenge())
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def status(request: HttpRequest, key: str) -> HttpResponse:
    return status_response(key, AUDIENCE)
