"""The customer's views: the form page, its embed twin, and their confirmations.

The customer path uses no cookie, no session and no messages framework: the form's signed token
and the browser's Origin stand in for CSRF, so the form works in a cross-site iframe where cookies
are blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import wraps

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..abuse import throttles
from ..delivery import retention, submissions
from ..embedding import framing, prefill
from ..embedding.language import with_language
from ..embedding.origin import client_key, from_own_page
from ..forms import challenge, reply, tokens
from ..forms.building import form_class
from ..forms.prefill import Prefill
from ..forms.reply import ReplyForm
from ..knowledge import suggest
from ..models import Submission
from ..records import Sender
from ..schema.service import get_schema
from . import articles, reading, status_page, ticket_page
from .compression import names_only_the_language
from .shared import (
    private,
    see_other,
    show_outcome,
    spec_for,
    throttled_message,
    too_large,
    wait_for,
)

AUDIENCE = "customer"


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/index.html", {"forms": get_schema().forms_for(AUDIENCE)})


@dataclass(frozen=True)
class _FormPage:
    """The form's page, on its own or embedded, and what rendering it needs."""

    form_cls: type
    context: dict
    template: str
    embed: bool


def _ticket_form(request: HttpRequest, slug: str, embed: bool) -> HttpResponse:
    """The form on its own page or embedded: one validation and submission path for both."""
    # The class's spec is the page's: the one of the schema the class was built from.
    form_cls = form_class(spec_for(slug, AUDIENCE), AUDIENCE)
    page = {
        "spec": form_cls.spec,
        "embed": framing.frame_context(request) if embed else None,
        "staff": False,
        "articles_url": "",
    }
    if articles.suggesting(form_cls.spec):
        page["articles_url"] = reverse("tickets:suggestions", args=[slug]) + (
            "?embed=1" if embed else ""
        )
    template = "tickets/embed_form.html" if embed else "tickets/form.html"
    form_page = _FormPage(form_cls, page, template, embed)
    try:
        values, refusal = prefill.from_request(request.GET, form_page.form_cls), None
    except prefill.ContextError as error:
        values, refusal = Prefill(), (str(error), 400)
    if request.method == "POST":
        return _post(request, form_page, values, refusal)
    if refusal:
        return render(request, "tickets/refused.html", {**page, "reason": refusal[0]}, status=400)
    return render(request, template, {**page, "form": form_page.form_cls(prefill=values)})


def _post(
    request: HttpRequest, form_page: _FormPage, values: Prefill, refusal: tuple[str, int] | None
) -> HttpResponse:
    """A sent form: read within its limits, checked (origin, throttles), then handed over."""
    unreadable = too_large(request) or reading.read(request)
    if unreadable:
        context = {**form_page.context, "reason": unreadable}
        return render(request, "tickets/too_large.html", context, status=413)
    slug = form_page.context["spec"].slug
    own_page = from_own_page(request)
    # A form sent again (Back and Send, a second click) goes to what it made, before the host's
    # context (it may have expired since), the throttles, the token's age, the files.
    if own_page and (key := submissions.sent_before(_nonce(request, slug))):
        return see_other(_status_address(request, key, form_page.embed))
    if not own_page:
        reason = _("This form can only be sent from its own page. Open it again and send it there.")
        refusal = refusal or (reason, 403)
    sender = Sender(client_key(request), verified=challenge.attempted(request.POST))
    limits = throttles.Limits(sender.client, slug, sender.verified)
    throttled = None if refusal else limits.refusal()
    if refusal or (throttled and throttled.hard):
        why = refusal or (throttled_message(throttled), 429)
        return _refused(request, form_page, why, throttled)
    proof = None
    if throttled:  # past its address's limit: a browser that solves the challenge still files
        proof = challenge.Asked(
            challenge.difficulty(limits.past_limit()), wait_for(throttled.retry_after)
        )
        sender = replace(sender, past_limit=True)
    form = form_page.form_cls(
        request.POST, request.FILES, prefill=values, returning=limits.returning, proof=proof
    )
    outcome = submissions.receive(form.handover(sender=sender))
    if outcome.new and form_page.context["articles_url"]:
        opened = request.POST.get("articles_opened") == "1"
        suggest.filed(slug, _nonce(request, slug), opened)
    if outcome.accepted:
        return see_other(_status_address(request, outcome.submission_key, form_page.embed))
    show_outcome(form, outcome)
    response = render(request, form_page.template, {**form_page.context, "form": form})
    if throttled and form.has_error(NON_FIELD_ERRORS, "proof"):
        # To a sender that cannot solve it (a script), this is a refusal like any other.
        response.status_code, response["Retry-After"] = 429, str(throttled.retry_after)
    return response


def _nonce(request: HttpRequest, slug: str) -> str:
    return tokens.nonce_of(request.POST.get("form_token", ""), slug, AUDIENCE)


def _refused(
    request: HttpRequest,
    form_page: _FormPage,
    refusal: tuple[str, int],
    limit: throttles.Refusal | None,
) -> HttpResponse:
    """Nothing is filed, nothing new is kept, but what the person typed is shown again."""
    form = form_page.form_cls(request.POST, request.FILES)
    show_outcome(form, submissions.receive(form.handover_stored()))
    form.add_error(None, refusal[0])
    response = render(
        request, form_page.template, {**form_page.context, "form": form}, status=refusal[1]
    )
    if limit:
        response["Retry-After"] = str(limit.retry_after)
    return response


def _status_address(request: HttpRequest, key: str, embed: bool) -> str:
    """A submission's status page, keeping what the form's query said: all of it embedded (the
    host's theme, parent and language), else the language alone, as every page carries it."""
    route = "tickets:embed_confirmation" if embed else "tickets:confirmation"
    url = reverse(route, kwargs={"key": key})
    if embed and request.GET:
        return f"{url}?{request.GET.urlencode()}"
    return with_language(url, request)


def _ticket_page_url(request: HttpRequest, key: str) -> str:
    """The absolute address of a ticket's own (not embedded) page, in this page's language, at
    the address the browser reached the portal by."""
    url = reverse("tickets:confirmation", kwargs={"key": key})
    return request.build_absolute_uri(with_language(url, request))


def _status_page(
    request: HttpRequest,
    key: str,
    embed: bool,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The ticket's page: where it stands and, once filed, its conversation and reply box."""
    submission = status_page.submission_for(key, AUDIENCE)
    page = status_page.context(submission, STATUS_ROUTE)
    # An open page's own update (static/js/conversation.js) shows what is kept, never waits.
    update = request.headers.get("X-Portal-Update") == "conversation"
    page.update(ticket_page.conversation_context(submission, reply_form, embed, read=not update))
    route = "tickets:embed_new_link" if embed else "tickets:new_link"
    page["new_link_url"] = reverse(route, kwargs={"key": submission.public_key})
    page["link_token"] = tokens.for_link(submission.reference)
    page["renewed"] = "renewed" in request.GET
    if embed:
        page["embed"] = framing.frame_context(request)
        # The ticket's own page, not the frame's: the host keeps it (embed-frame.js, `filed`).
        page["ticket_url"] = _ticket_page_url(request, key)
    template = "tickets/embed_confirmation.html" if embed else "tickets/confirmation.html"
    return render(request, template, page, status=status)


def _new_link(request: HttpRequest, key: str, embed: bool) -> HttpResponse:
    """The person asks for a new link: the page's key is renewed and the old address is a 404
    from now on. Only from the page itself (its origin and its signed token)."""
    submission = status_page.submission_for(key, AUDIENCE)
    if not from_own_page(request) or not tokens.for_link_is_good(
        request.POST.get("link_token", ""), submission.reference
    ):
        return _status_page(request, key, embed, status=403)
    (renewed,) = retention.renew_link([submission])
    address = _status_address(request, renewed, embed)
    return see_other(f"{address}{'&' if '?' in address else '?'}renewed=1")


def _reply(request: HttpRequest, key: str, embed: bool) -> HttpResponse:
    """A reply box sent: read within its limits, checked (origin, a closed ticket, throttles),
    handed over, and the page again (303) or the box with what went wrong."""
    submission = status_page.submission_for(key, AUDIENCE)
    page = _status_address(request, key, embed)
    if submission.state != Submission.State.FILED:
        return see_other(page)
    unreadable = too_large(request) or reading.read(request)
    if unreadable:
        return render(request, "tickets/too_large.html", {"reason": unreadable}, status=413)
    own_page = from_own_page(request)
    nonce = reply.nonce_of(request.POST.get("form_token", ""), submission.reference)
    if own_page and submissions.reply_sent_before(nonce):
        return see_other(f"{page}#replies")  # a double click, Back and Send: one reply
    form = ReplyForm(request.POST, request.FILES, reference=submission.reference)
    sender = Sender(client_key(request))
    limits = throttles.Limits(sender.client, "", reply_to=submission.reference)
    refusal = None
    if not own_page:
        refusal = (_("This reply can only be sent from its ticket's page. Open it there."), 403)
    elif ticket_page.is_closed(submission):
        refusal = (_("This ticket is closed and takes no more replies."), 409)
    elif throttled := limits.refusal():
        refusal = (throttled_message(throttled, reply=True), 429)
    if refusal:
        kept = submissions.receive_reply(submission, form.handover_stored(), None, sender)
        form.list_stored(kept.files)
        form.add_error(None, refusal[0])
        return _status_page(request, key, embed, form, refusal[1])
    uploads, filing = form.handover()
    outcome = submissions.receive_reply(submission, uploads, filing, sender)
    if outcome.accepted:
        return see_other(f"{page}#replies")
    show_outcome(form, outcome)
    return _status_page(request, key, embed, form, 400)


# A page whose address is its key: no referrer at all, even to the portal's own pages.
key_page = private(referrer_policy="no-referrer")


def private_when_personal(view):
    """The form's page is `private` when it holds a person's data: the answer to a POST (the form
    again, with what they typed) or a page prefilled from its query. The empty form, asked with
    nothing but the language, stays as cacheable as it was."""
    kept = private(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not names_only_the_language(request):
            return kept(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


@private_when_personal
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_form(request: HttpRequest, slug: str) -> HttpResponse:
    return _ticket_form(request, slug, embed=False)


@private_when_personal
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@framing.embeddable
def embed_form(request: HttpRequest, slug: str) -> HttpResponse:
    return _ticket_form(request, slug, embed=True)


@require_http_methods(["GET", "HEAD"])
def embed_about(request: HttpRequest, slug: str) -> HttpResponse:
    """A form's title in the language `?lang=` names, for static/embed.js on a site the portal
    does not let frame the form: its link to the form's own page names the form. Any site may
    read it (CORS), as any visitor reads the title on the front page."""
    spec = spec_for(slug, AUDIENCE)
    response = JsonResponse({"form": spec.slug, "title": spec.title.get()})
    response["Access-Control-Allow-Origin"] = "*"
    return response


STATUS_ROUTE = "tickets:status"


@key_page
@require_http_methods(["GET", "HEAD"])
def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    return _status_page(request, key, embed=False)


@key_page
@require_http_methods(["GET", "HEAD"])
@framing.embeddable
def embed_confirmation(request: HttpRequest, key: str) -> HttpResponse:
    return _status_page(request, key, embed=True)


@key_page
@csrf_exempt
@require_http_methods(["POST"])
def reply_to_ticket(request: HttpRequest, key: str) -> HttpResponse:
    return _reply(request, key, embed=False)


@key_page
@csrf_exempt
@require_http_methods(["POST"])
@framing.embeddable
def embed_reply_to_ticket(request: HttpRequest, key: str) -> HttpResponse:
    return _reply(request, key, embed=True)


@key_page
@csrf_exempt
@require_http_methods(["POST"])
def new_link(request: HttpRequest, key: str) -> HttpResponse:
    return _new_link(request, key, embed=False)


@key_page
@csrf_exempt
@require_http_methods(["POST"])
@framing.embeddable
def embed_new_link(request: HttpRequest, key: str) -> HttpResponse:
    return _new_link(request, key, embed=True)


@key_page
@require_http_methods(["GET", "HEAD"])
def conversation_file(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """A file of the ticket's conversation, as a download."""
    return ticket_page.file_response(status_page.submission_for(key, AUDIENCE), number)


@require_http_methods(["GET"])
def challenge_json(request: HttpRequest) -> HttpResponse:
    """A fresh proof-of-work challenge for the form's widget, as hard as the sender's address
    has earned (harder the more it files past its limit)."""
    past = throttles.Limits(client_key(request), "").past_limit()
    response = JsonResponse(challenge.new_challenge(challenge.difficulty(past)))
    response["Cache-Control"] = "no-store"
    return response


@key_page
@require_http_methods(["GET", "HEAD"])
def status(request: HttpRequest, key: str) -> HttpResponse:
    return status_page.status_response(key, AUDIENCE)
