"""The frame every sandbox endpoint runs in: the "helpdesk down" switch, Basic auth, the rate
limit, allowed methods."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import ratelimit
from .auth import AuthError, authenticate
from .models import SandboxSwitch
from .responses import ApiError, error_response, errors_response

View = Callable[..., HttpResponse]


def unauthorized(details: str) -> HttpResponse:
    return errors_response(401, [ApiError("e-401", "Unauthorized", details)])


def banned(state: ratelimit.RateState) -> HttpResponse:
    return errors_response(401, [ApiError("e-401", "Ban", state.ban_details())])


def helpdesk_down() -> HttpResponse:
    """What every endpoint answers while the sandbox's switch says the helpdesk is down."""
    details = "The helpdesk is down (the sandbox's switch)."
    return errors_response(503, [ApiError("e-503", "Service unavailable", details)])


def method_not_allowed(request: HttpRequest, methods: tuple[str, ...]) -> HttpResponse:
    allowed = ", ".join(methods)
    details = f"{request.method} is not allowed here (use {allowed})."
    response = error_response(405, "Method not allowed", details)
    response["Allow"] = allowed
    return response


def endpoint(*methods: str) -> Callable[[View], View]:
    """Wrap a view: answer 503 while the helpdesk is switched down (before anything is
    counted; one query a request), authenticate, count against the rate limit, refuse other
    methods."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if SandboxSwitch.is_down():
                return helpdesk_down()
            try:
                account = authenticate(request)
            except AuthError as exc:
                return unauthorized(str(exc))
            state = ratelimit.hit(account)
            if state.banned:
                response = banned(state)
            elif methods and request.method not in methods:
                response = method_not_allowed(request, methods)
            else:
                response = view(request, *args, **kwargs)
            state.add_headers(response)
            return response

        return csrf_exempt(wrapper)

    return decorate
