"""The signed one-time token each rendered form carries.

It stands in for a CSRF cookie (customer forms work where cookies are blocked, as in a cross-site
iframe), makes every rendered form fileable once, and dates the rendering so a form sent faster
than a person could fill it can be refused.

It names the form and audience it was made for and a random nonce; the nonce becomes the
Submission's `token`, so a second POST of the same rendered form finds the first submission.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "tickets.form-token"


@dataclass(frozen=True)
class FormToken:
    nonce: str
    slug: str
    audience: str
    issued: float  # when the form was rendered (Unix time)

    @property
    def age(self) -> float:
        return time.time() - self.issued


class TokenError(Exception):
    """The token is forged, expired or made for another form."""

    def __init__(self, expired: bool = False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def issue(slug: str, audience: str) -> str:
    payload = {
        "n": secrets.token_urlsafe(18),
        "f": slug,
        "a": audience,
        "t": math.floor(time.time() * 100) / 100,
    }
    return signing.dumps(payload, salt=SALT)


def read(value: str, slug: str, audience: str) -> FormToken:
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.TICKETS_FORM_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenError(expired=True) from None
    except signing.BadSignature:
        raise TokenError() from None
    if not _made_for(data, slug, audience):
        raise TokenError()
    return FormToken(str(data["n"]), slug, audience, float(data.get("t", 0)))


def nonce_of(value: str, slug: str, audience: str) -> str:
    """The nonce of a genuine token made for this form, however old, or "": a form sent again (a
    reload of the page that answered it) is known by it, even once the token has expired."""
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return ""
    return str(data["n"]) if _made_for(data, slug, audience) else ""


def _made_for(data: object, slug: str, audience: str) -> bool:
    return isinstance(data, dict) and data.get("f") == slug and data.get("a") == audience


LINK = "link"  # the audience of a page's "new link" button's token


def for_link(reference: str) -> str:
    """The token of a ticket page's "new link" button (the page's own rendering only)."""
    return issue(f"link:{reference}", LINK)


def for_link_is_good(value: str, reference: str) -> bool:
    try:
        read(value, f"link:{reference}", LINK)
    except TokenError:
        return False
    return True
