"""Whether a POST came from the portal's own page: on the customer path (which must work with
cookies blocked) this stands in for Django's CSRF cookie."""

from django.conf import settings
from django.http import HttpRequest


def own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def from_own_page(request: HttpRequest) -> bool:
    """Whether a POST came from one of the portal's own pages, as the browser vouches.

    Browsers send `Origin` with every POST (and `Sec-Fetch-Site`); a page on another site cannot
    forge either. With neither header there is no browser's word for it, so the answer is no.
    """
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        origin = origin.rstrip("/")
        # Behind a proxy that hides the public address, CSRF_TRUSTED_ORIGINS names it.
        return origin == own_origin(request) or origin in settings.CSRF_TRUSTED_ORIGINS
    site = request.headers.get("Sec-Fetch-Site")
    return site == "same-origin"
