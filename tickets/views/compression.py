"""HTML compressed where that gives nothing away.

Compression leaks, through the size of a response, whether a secret in it matches text an
attacker put beside it (BREACH). A form page carries its one-time token; a page reached with a
query can reflect what the query says (prefilled values, `?title=...`). So a response is gzipped
only when it answers a GET that named nothing but the language: then the page reflects nothing
a third party chose. Static files are compressed ahead of time by whitenoise (gzip and brotli).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

SAFE_PARAMETERS = {"lang"}


def names_only_the_language(request: HttpRequest) -> bool:
    """Whether the request's query names nothing but `lang`: its page reflects nothing a third
    party chose."""
    return not set(request.GET) - SAFE_PARAMETERS


class SafeGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # A POST comes back with what was sent (which a third party may have chosen).
        if request.method not in ("GET", "HEAD") or not names_only_the_language(request):
            return response
        return super().process_response(request, response)
