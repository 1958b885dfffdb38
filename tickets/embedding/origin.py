"""Whether a POST came from the portal's own page: on the customer path (which must work with
cookies blocked) this stands in for Django's CSRF cookie."""

import hashlib
import hmac
import ipaddress

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


def client_address(request: HttpRequest) -> str:
    """Who is asking, as one network: the address that reached the portal, or the one the
    configured number of trusted proxies in front of it (TICKETS_TRUSTED_PROXIES) saw; an IPv6
    address as its /64, which one person's devices share. "" when there is none to read."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TICKETS_TRUSTED_PROXIES
    if proxies:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h]
        # The proxies append what they saw: the last `proxies` entries are theirs to vouch for.
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(request: HttpRequest) -> str:
    """The client's address as the portal keeps it: a keyed hash, never the address itself."""
    address = client_address(request)
    if not address:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
