"""Staff pages: an agent files tickets for clients. Signed in, staff only, never framed, with
Django's sessions and CSRF (unlike the customer path). What the staff form needs of the helpdesk
is read here, through the directory, and handed to the form."""

from __future__ import annotations

from functools import wraps
from math import ceil

from django.conf import settings
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from ..abuse import throttles
from ..delivery import submissions
from ..embedding.language import with_language
from ..forms.building import form_class
from ..forms.staff import StaffTicketForm
from ..helpdesk import directory
from ..helpdesk.errors import ApiError, NotSent, RateStoreDown
from ..lib.values import as_int
from ..schema.service import get_schema
from . import reading, status_page
from .shared import private, show_outcome, spec_for, too_large, wait_for

AUDIENCE = "staff"


def staff_required(view):
    """Signed in (else to the sign-in page, in the page's language) and staff (else 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            sign_in = with_language(resolve_url(settings.LOGIN_URL), request)
            return redirect_to_login(request.get_full_path(), sign_in)
        if not request.user.is_staff:
            raise PermissionDenied(_("Only staff may file tickets for clients."))
        return view(request, *args, **kwargs)

    return wrapped


def staff_required_json(view):
    """For the form's own fetches: JSON the script can read (401, 403, 503), never a redirect."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Your session has ended: sign in again.")}, status=401)
        if not request.user.is_staff:
            return JsonResponse(
                {"error": _("Only staff may file tickets for clients.")}, status=403
            )
        try:
            return view(request, *args, **kwargs)
        except RateStoreDown:
            # The portal's own fault, said as such (the helpdesk may be fine).
            message = _("The portal cannot count its requests to the helpdesk right now.")
            return JsonResponse({"error": message}, status=503)
        except NotSent as held:
            # The portal held the request back: the helpdesk is fine, the portal's share is used.
            seconds = max(1, ceil(held.retry_after))
            message = _(
                "The portal has used its share of requests to the helpdesk for the moment. Try "
                "again in %(wait)s."
            ) % {"wait": wait_for(seconds)}
            return _too_many(message, seconds)
        except ApiError:
            return JsonResponse({"error": _("The helpdesk cannot be reached.")}, status=503)

    return wrapped


def lookup_limited(view):
    """A look-up of the helpdesk from a staff page, counted against the agent's own limit."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        refusal = throttles.lookup(request.user.pk)
        if refusal:
            message = _(
                "You have made very many look-ups in a short time. Try again in %(wait)s."
            ) % {"wait": wait_for(refusal.retry_after)}
            return _too_many(message, refusal.retry_after)
        return view(request, *args, **kwargs)

    return wrapped


def _too_many(message: str, seconds: int) -> JsonResponse:
    response = JsonResponse({"error": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@method_decorator(private, name="dispatch")
class SignInView(LoginView):
    """Django's sign-in, landing in the language the sign-in page speaks: on the page `next`
    names (its `lang` replaced, should the agent have changed it here) or the staff index."""

    template_name = "tickets/staff/login.html"

    def get_success_url(self) -> str:
        return with_language(super().get_success_url(), self.request)


@method_decorator(private, name="dispatch")
class SignOutView(LogoutView):
    """Django's sign-out (a POST), back to the sign-in page in the language it was asked in."""

    def get_success_url(self) -> str:
        return with_language(super().get_success_url(), self.request)


@private
def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer once sign-in is locked: when to try again, and who can unlock it."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "tickets/staff/locked_out.html", context, status=429)


@private
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/staff/index.html", {"forms": get_schema().forms_for(AUDIENCE)})


@private
@csrf_exempt  # checked by _ticket_form, once the body has been read within its limits
@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_form(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        # Read before the CSRF check reads it, so that the upload limits are in place.
        unreadable = too_large(request) or reading.read(request)
        if unreadable:
            page = {"spec": spec_for(slug, AUDIENCE), "reason": unreadable}
            return render(request, "tickets/too_large.html", page, status=413)
    return _ticket_form(request, slug)


@csrf_protect
def _ticket_form(request: HttpRequest, slug: str) -> HttpResponse:
    spec = spec_for(slug, AUDIENCE)
    form_cls = form_class(spec, AUDIENCE, base=StaffTicketForm)
    page = {"spec": spec}
    if request.method != "POST":
        page["form"] = form_cls(directory=directory.for_staff_form(request.user))
        return render(request, "tickets/staff/form.html", page)
    known = directory.for_staff_form(request.user, request.POST)
    form = form_cls(request.POST, request.FILES, directory=known)
    outcome = submissions.receive(form.handover(filed_by=request.user.pk))
    if not outcome.accepted:
        show_outcome(form, outcome)
        return render(request, "tickets/staff/form.html", {**page, "form": form})
    directory.helpdesk_id_for(request.user, remember=True)  # the agent's account, found by email
    confirmation = reverse("tickets:staff_confirmation", kwargs={"key": outcome.submission_key})
    return redirect(with_language(confirmation, request))


@private
@staff_required
def confirmation(request: HttpRequest, key: str) -> HttpResponse:
    submission = status_page.submission_for(key, AUDIENCE)
    page = status_page.context(submission, "tickets:staff_status", names=directory.for_summary)
    page["helpdesk_url"] = directory.ticket_url(submission.api_id)
    return render(request, "tickets/staff/confirmation.html", page)


@private
@staff_required_json
@require_GET
def status(request: HttpRequest, key: str) -> JsonResponse:
    return status_page.status_response(key, AUDIENCE)


@private
@staff_required_json
@lookup_limited
@require_GET
def client_search(request: HttpRequest) -> JsonResponse:
    people = directory.search_clients(request.GET.get("q", ""))
    count = len(people)
    return JsonResponse(
        {
            "results": [{"id": p.id, "name": p.name, "email": p.email} for p in people],
            # Said by a screen reader as results arrive: the count in the agent's language.
            "status": ngettext("%(count)d client found", "%(count)d clients found", count)
            % {"count": count},
        }
    )


@private
@staff_required_json
@lookup_limited
@require_GET
def staff_search(request: HttpRequest) -> JsonResponse:
    """Staff users to add as followers; `chosen` (comma-separated ids) are left out."""
    chosen = [i for i in map(as_int, request.GET.get("chosen", "").split(",")) if i]
    people = directory.search_staff(request.GET.get("q", ""), chosen)
    count = len(people)
    return JsonResponse(
        {
            "results": [{"id": p.id, "name": p.name, "email": p.email} for p in people],
            "status": ngettext(
                "%(count)d staff member found", "%(count)d staff members found", count
            )
            % {"count": count},
        }
    )


@private
@staff_required_json
@lookup_limited
@require_GET
def ticket_lookup(request: HttpRequest) -> JsonResponse:
    ticket = directory.find_ticket(request.GET.get("q", ""))
    if ticket is None:
        return JsonResponse({"error": _("There is no such ticket.")}, status=404)
    return JsonResponse({"id": ticket.id, "unique_id": ticket.unique_id, "title": ticket.title})
