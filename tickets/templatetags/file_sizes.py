"""`{{ bytes|file_size }}`: a file's size as the page's language writes it ("20 MB", "1.5 kB"),
the one way the portal and its scripts write sizes (tickets.lib.text.file_size), in place of
Django's `filesizeformat` ("20.0 MB", and Ukrainian units of its own)."""

from __future__ import annotations

from django import template

from ..lib.text import file_size as written

register = template.Library()


@register.filter
def file_size(size) -> str:
    """A number of bytes as people read it; "" for what is not a number."""
    try:
        return written(int(size))
    except (TypeError, ValueError):
        return ""
