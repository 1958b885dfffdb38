"""The signed one-time token each rendered form carries.

It names the form and audience it was made for and a random nonce; the nonce becomes the
Submission's `token`, so a second POST of the same rendered form finds the first submission.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "tickets.form-token"


@dataclass(frozen=True)
class FormToken:
    nonce: str
    slug: str
    audience: str


class TokenError(Exception):
    """The token is forged, expired or made for another form."""

    def __init__(self, expired: bool = False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def issue(slug: str, audience: str) -> str:
    return signing.dumps({"n": secrets.token_urlsafe(18), "f": slug, "a": audience}, salt=SALT)


def read(value: str, slug: str, audience: str) -> FormToken:
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.TICKETS_FORM_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenError(expired=True) from None
    except signing.BadSignature:
        raise TokenError() from None
    if not isinstance(data, dict) or data.get("f") != slug or data.get("a") != audience:
        raise TokenError()
    return FormToken(str(data["n"]), slug, audience)
