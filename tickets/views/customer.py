"""The customer's views: the form page, its embed twin, and their confirmations.

The customer path uses no cookie, no session and no messages framework: the form's signed token
and the browser's Origin stand in for CSRF, so the form works in a cross-site iframe where cookies
are blocked.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, wait
from copy import copy
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..abuse import throttles
from ..delivery import submissions
from ..embedding import framing, prefill
from ..embedding.language import with_language
from ..embedding.origin import client_key, from_own_page
from ..forms import challenge, tokens
from ..forms.building import form_class
from ..forms.prefill import Prefill
from ..forms.ticket import FreshForm
from ..helpdesk.client import meanwhile
from ..models import Submission
from ..records import Outcome, StoredFile
from ..schema.service import get_schema
from . import beside, fresh_page, reading, status_page
from .shared import see_other, show_outcome, spec_for, throttled_message, too_large

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
    # The class's spec is the page's: the one of the schema the class was built from.
    form_cls = form_class(spec_for(slug, AUDIENCE), AUDIENCE)
    page = {"spec": form_cls.spec, "embed": framing.frame_context(request) if embed else None}
    template = "tickets/embed_form.html" if embed else "tickets/form.html"
    door = _Door(form_cls, page, template, embed)
    try:
        values, refusal = prefill.from_request(request.GET, door.form_cls), None
    except prefill.ContextError as error:
        values, refusal = Prefill(), (str(error), 400)
    if request.method == "POST":
        return _post(request, door, values, refusal)
    if refusal:
        return render(request, "tickets/refused.html", {**page, "reason": refusal[0]}, status=400)
    if values != Prefill():
        return render(request, template, {**page, "form": door.form_cls(prefill=values)})
    # A form as first shown is built only if its kept HTML is not there yet.
    return fresh_page.response(request, template, page, FreshForm(door.form_cls))


def _post(
    request: HttpRequest, door: _Door, values: Prefill, refusal: tuple[str, int] | None
) -> HttpResponse:
    """A sent form: read within its limits, checked (origin, throttles), then handed over."""
    unreadable = too_large(request) or reading.read(request)
    if unreadable:
        context = {**door.page, "reason": unreadable}
        return render(request, "tickets/too_large.html", context, status=413)
    slug = door.page["spec"].slug
    own_page = from_own_page(request)
    # A form sent again (a reload of the page that answered it) goes to what it made, before
    # the host's context (it may have expired since), the throttles, the token's age, the files.
    if own_page and (key := submissions.sent_before(_nonce(request, slug))):
        return see_other(_status_address(request, key, door.embed))
    if not own_page:
        reason = _("This form can only be sent from its own page. Open it again and send it there.")
        refusal = refusal or (reason, 403)
    sender = throttles.Sender(client_key(request), slug, verified=challenge.attempted(request.POST))
    limit = None if refusal else sender.refusal()
    if refusal or limit:
        return _refused(request, door, refusal or (throttled_message(limit), 429), limit)
    form = door.form_cls(request.POST, request.FILES, prefill=values, returning=sender.returning)
    answer = _StatusAnswer(request, door.embed, sender)
    with meanwhile(answer.begin):
        outcome = submissions.receive(form.handover(client=client_key(request)), answer.kept)
    if not outcome.accepted:
        answer.discard()
        show_outcome(form, outcome)
        return render(request, door.template, {**door.page, "form": form})
    return answer.response(outcome)


def _nonce(request: HttpRequest, slug: str) -> str:
    return tokens.nonce_of(request.POST.get("form_token", ""), slug, AUDIENCE)


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


def _status_address(request: HttpRequest, key: str, embed: bool) -> str:
    """A submission's status page, keeping what the form's query said: all of it embedded (the
    host's theme, parent and language), else the language alone, as every page carries it."""
    route = "tickets:embed_confirmation" if embed else "tickets:confirmation"
    url = reverse(route, kwargs={"key": key})
    if embed and request.GET:
        return f"{url}?{request.GET.urlencode()}"
    return with_language(url, request)


class _StatusAnswer:
    """The status page an accepted POST answers with: the page itself (201, its address in
    Location), not a redirect to it, so a person sees it one round trip sooner. The page puts its
    own address in the address bar, so a reload asks the status page; without JavaScript a
    resent POST finds the same submission by its token and is sent there (_post).

    A kept submission is counted against the throttles, and its page made, while its first
    attempt waits for the helpdesk (views/beside.py, begun as the request goes out); either is
    done here instead when no request went out or the pool had not begun it. The page is
    finished with the attempt's outcome."""

    def __init__(self, request: HttpRequest, embed: bool, sender: throttles.Sender):
        self.request = request
        self.embed = embed
        self.sender = sender
        self.template = _template(embed)
        self.kept_as: tuple[Submission, tuple[StoredFile, ...]] | None = None
        self.counting: Future | None = None
        self.ahead: status_page.Ahead | None = None

    def kept(self, submission: Submission, files: tuple[StoredFile, ...]) -> None:
        self.kept_as = (submission, files)

    def begin(self) -> None:
        if self.kept_as:
            self.counting = beside.submit(self.sender.counted)
            # A request of its own: the page names its address on it (page_url, for its
            # language links), and this request may yet show the form again (a rejection).
            request = copy(self.request)
            page = partial(self._kept_page, request)
            self.ahead = status_page.Ahead(request, self.template, page)

    def response(self, outcome: Outcome) -> HttpResponse:
        self._counted()
        html = self.ahead.finish(outcome.status) if self.ahead and outcome.status else None
        if html is None:  # not made ahead (no request went out), or this POST kept nothing new
            page = self._kept_page(self.request) if self.kept_as else self._read(outcome)
            page["status"] = outcome.status or page["status"]
            html = status_page.render(self.request, self.template, page)
        response = HttpResponse(html, status=201)
        response["Location"] = _status_address(self.request, outcome.submission_key, self.embed)
        return response

    def discard(self) -> None:
        """The form comes back (the helpdesk rejected it): its status page is not wanted (the
        ticket it made still counts)."""
        self._counted()
        if self.ahead:
            self.ahead.discard()

    def _counted(self) -> None:
        """A kept submission counted once, before the answer leaves: beside the attempt, or here
        (nothing was sent, or the pool had not begun it)."""
        if not self.kept_as:
            return
        if self.counting is None or self.counting.cancel():
            self.sender.counted()
        else:
            wait([self.counting], timeout=beside.WAIT)

    def _kept_page(self, request: HttpRequest) -> dict:
        submission, files = self.kept_as
        return _page(request, submission, self.embed, files, answers_post=True)

    def _read(self, outcome: Outcome) -> dict:
        """A corrected form's submission, or one a POST of the same form made at once."""
        submission = status_page.submission_for(outcome.submission_key, AUDIENCE)
        files = outcome.files if outcome.new else None
        return _page(self.request, submission, self.embed, files, answers_post=True)


def _page(
    request: HttpRequest,
    submission: Submission,
    embed: bool,
    files: tuple[StoredFile, ...] | None = None,
    answers_post: bool = False,
) -> dict:
    """A submission's status page, on its own or embedded: at its own address, or as the answer
    to the POST that made it (`files`: what that POST attached, known without a query). Its
    links to other languages name its own address, not the form's the POST went to."""
    address = _status_address(request, submission.public_key, embed)
    request.page_url = address  # its language links lead there (embedding.language)
    page = {
        **status_page.context(submission, STATUS_ROUTE, files=files),
        "page_url": address,
        "answers_post": answers_post,
    }
    if embed:
        page["embed"] = framing.frame_context(request)
    return page


def _template(embed: bool) -> str:
    return "tickets/embed_confirmation.html" if embed else "tickets/confirmation.html"


def _confirmation_page(request: HttpRequest, key: str, embed: bool) -> HttpResponse:
    page = _page(request, status_page.submission_for(key, AUDIENCE), embed)
    return HttpResponse(status_page.render(request, _template(embed), page))


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


def _posts_sent_on_as_gets(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A status page takes a POST only to send it on to itself as a GET (303): a browser that
    resends the form's POST on a reload after status.js put the page's address in the address
    bar. Nothing is read or changed, so no CSRF check is needed."""

    @csrf_exempt
    @require_http_methods(["GET", "HEAD", "POST"])
    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            return see_other(request.get_full_path())
        return view(request, *args, **kwargs)

    return page


@_posts_sent_on_as_gets
def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    return _confirmation_page(request, key, embed=False)


@framing.embeddable  # outermost: the 303 may be framed by the host as the page is
@_posts_sent_on_as_gets
def embed_confirmation(request: HttpRequest, key: str) -> HttpResponse:
    return _confirmation_page(request, key, embed=True)


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
    return status_page.status_response(key, AUDIENCE)
