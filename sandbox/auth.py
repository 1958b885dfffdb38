"""HTTP Basic auth against the sandbox's one account (SANDBOX_API_EMAIL : SANDBOX_API_KEY)."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare


class AuthError(Exception):
    """The request carries no valid credentials; the message says why."""


def basic_credentials(request: HttpRequest) -> tuple[str, str]:
    """The (email, key) pair of the Authorization header."""
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise AuthError("HTTP Basic authentication is required (staff email and API key).")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthError("The Authorization header is not valid Basic credentials.") from None
    email, sep, key = decoded.partition(":")
    if not sep:
        raise AuthError("The Authorization header is not valid Basic credentials.")
    return email, key


def authenticate(request: HttpRequest) -> str:
    """The account (its email) the request is made as; raises AuthError."""
    email, key = basic_credentials(request)
    email_ok = constant_time_compare(email.lower(), settings.SANDBOX_API_EMAIL.lower())
    key_ok = constant_time_compare(key, settings.SANDBOX_API_KEY)
    if not (email_ok and key_ok):
        raise AuthError("Wrong email or API key.")
    return settings.SANDBOX_API_EMAIL
