"""Thin views: parse the request, call forms and submissions, render.

The customer path (the form page, its embed twin, their confirmations) uses no cookie, no session
and no messages framework: the form's signed token and the browser's Origin stand in for CSRF, so
the form works in a cross-site iframe where cookies are blocked.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import attachments, embedding, prefill
from .forms import form_class, summarize
from .models import Submission
from .schema import FormSpec, get_schema
from .security import from_own_page
from .submissions import receive

AUDIENCE = "customer"


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/index.html", {"forms": get_schema().forms_for(AUDIENCE)})


def spec_for(slug: str, audience: str = AUDIENCE) -> FormSpec:
    spec = get_schema().form(slug)
    if spec is None or audience not in spec.audience:
        raise Http404(_("There is no such form."))
    return spec


def _ticket_form(request: HttpRequest, slug: str, embed: bool) -> HttpResponse:
    """The form on its own page or embedded: one validation and submission path for both."""
    spec = spec_for(slug)
    form_cls = form_class(spec, AUDIENCE)
    page = {"spec": spec, "embed": embedding.frame_context(request) if embed else None}
    template = "tickets/embed_form.html" if embed else "tickets/form.html"
    try:
        values = prefill.from_request(request.GET, form_cls)
        refusal = None
    except prefill.ContextError as error:
        values, refusal = prefill.Prefill(), (str(error), 400)
    if request.method != "POST":
        if refusal:
            return render(
                request, "tickets/refused.html", {**page, "reason": refusal[0]}, status=400
            )
        form = form_cls()
        form.prefill(values)
        return render(request, template, {**page, "form": form})
    if too_large(request):
        return render(request, "tickets/too_large.html", page, status=413)
    if not from_own_page(request):
        reason = _("This form can only be sent from its own page. Open it again and send it there.")
        refusal = refusal or (reason, 403)
    form = form_cls(request.POST, request.FILES, kept=attachments.held(request.POST))
    if refusal:
        # Nothing is filed, but what the person typed is shown again, with the reason.
        form.add_error(None, refusal[0])
        return render(request, template, {**page, "form": form}, status=refusal[1])
    form.prefill(values)
    submission = receive(form)
    if submission is None:
        return render(request, template, {**page, "form": form})
    route = "tickets:embed_confirmation" if embed else "tickets:confirmation"
    return redirect(
        reverse(route, kwargs={"key": submission.public_key}) + _kept_query(request, embed)
    )


def _kept_query(request: HttpRequest, embed: bool) -> str:
    """What the confirmation keeps of the form's query: all of it embedded, else the language."""
    if embed:
        params = request.GET
    else:
        params = QueryDict(mutable=True)
        if request.GET.get("lang"):
            params["lang"] = request.GET["lang"]
    return f"?{params.urlencode()}" if params else ""


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_form(request: HttpRequest, slug: str) -> HttpResponse:
    return _ticket_form(request, slug, embed=False)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@embedding.embeddable
def embed_form(request: HttpRequest, slug: str) -> HttpResponse:
    return _ticket_form(request, slug, embed=True)


def too_large(request: HttpRequest) -> bool:
    """A body bigger than every allowed file together is refused before it is read."""
    limit = settings.TICKETS_MAX_FILES * settings.TICKETS_MAX_FILE_MB * 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def confirmation_context(key: str, audience: str = AUDIENCE) -> dict:
    # A staff filing (with staff-only fields) is shown on staff pages alone.
    submission = get_object_or_404(Submission, public_key=key, audience=audience)
    return {
        "submission": submission,
        "rows": summarize(get_schema(), submission.payload, submission.audience),
        "files": submission.attachments.all(),
    }


def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    return render(request, "tickets/confirmation.html", confirmation_context(key))


@embedding.embeddable
def embed_confirmation(request: HttpRequest, key: str) -> HttpResponse:
    context = {**confirmation_context(key), "embed": embedding.frame_context(request)}
    return render(request, "tickets/embed_confirmation.html", context)
