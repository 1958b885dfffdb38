"""What makes a view embeddable: who may frame it, whom it talks to, how it looks.

A host page's script tag (static/embed.js) frames /embed/<slug>/ with parameters: `parent` (the
host's origin, which the frame posts its height and events to), `lang`, and a theme (`color`,
`font`, `radius`, `bg=transparent`, `scheme=light|dark`: the host page's look, `canvas`: the
colour scheme the host gives the frame). Each is checked here before it reaches a page.
"""

from __future__ import annotations

import re
from functools import wraps

from csp.constants import NONE
from django.conf import settings
from django.http import HttpRequest

from ..lib import colours

THEME = {
    "color": re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$"),
    "radius": re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})?)(?:px|rem|em)$|^0$"),
    "font": re.compile(r"^[\w \-,'\"]{1,120}$"),
}


def allowed_origins() -> list[str]:
    return list(settings.EMBED_ALLOWED_ORIGINS)


def embeddable(view):
    """Let EMBED_ALLOWED_ORIGINS, and only them, frame this view's pages."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # django-csp reads _csp_replace, as its csp_replace decorator sets it; the origins are
        # read per request so a changed setting takes effect at once.
        response._csp_replace = {"frame-ancestors": allowed_origins() or [NONE]}
        response.xframe_options_exempt = True
        return response

    return wrapped


def frame_context(request: HttpRequest) -> dict:
    """The embed page's parameters, each one checked; what fails a check is left out."""
    parent = request.GET.get("parent", "").rstrip("/")
    theme = {
        key: value
        for key, pattern in THEME.items()
        if (value := request.GET.get(key, "").strip()) and pattern.match(value)
    }
    return {
        "parent_origin": parent if parent in allowed_origins() else "",
        "properties": _properties(theme),
        "transparent": request.GET.get("bg") == "transparent",
        "scheme": _scheme(request.GET.get("scheme", "")),
        "canvas": _scheme(request.GET.get("canvas", "")),
    }


def _scheme(value: str) -> str:
    return value if value in ("light", "dark") else ""


def _properties(theme: dict[str, str]) -> dict[str, str]:
    """The frame's CSS custom properties (--portal-<name>): the host's font and radius, and from
    its colour every shade the buttons need, each readable (lib/colours.py)."""
    properties = {name: theme[name] for name in ("font", "radius") if name in theme}
    if "color" in theme:
        properties |= colours.accent(theme["color"])
    return properties
