"""Values a form starts with, from its URL (a host site's script tag passes them on).

- Plain parameters prefill what the form shows: `title`, `description`, `email`, `cf_<id>`
  (a hierarchy as `cf_100=198,204`). `hide=` and `lock=` name prefilled fields to keep out of sight
  or read-only. A person can edit the URL, so these are a convenience, not a guarantee.
- `ctx` is signed by the host site's server with EMBED_CONTEXT_SECRET (HMAC-SHA256) and carries
  what a customer must not change: their `user_id`, their `email`, `cf_<id>` values. Those fields
  are locked on the form and their posted values are never read; `user_id` reaches only the ticket.

The form posts to its own URL, so the same parameters apply, and are checked again, on the POST.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from .forms import TicketForm

URL_NAMES = {"title": "title", "description": "description", "email": "user_email"}
CONTEXT_TICKET_KEYS = ("user_id",)
TRUE = {"1", "true", "on", "yes"}


class ContextError(Exception):
    """A signed context that is tampered with, expired or not understood."""


@dataclass
class Prefill:
    initial: dict[str, Any] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    locked: set[str] = field(default_factory=set)
    ticket: dict[str, Any] = field(default_factory=dict)  # ticket parameters from ctx
    custom: dict[str, Any] = field(default_factory=dict)  # API values of fields not on the form

    def apply(self, form: TicketForm) -> None:
        """Prefill the form; lock what ctx set or the URL asked; hide what the URL asked."""
        form.initial.update(self.initial)
        for name in self.locked | self.hidden:
            # Disabled: Django takes the initial value and never reads the request's.
            form.fields[name].disabled = True
        for name in self.hidden:
            form.fields[name].widget = forms.HiddenInput()
        form.context_ticket = dict(self.ticket)
        form.context_custom = dict(self.custom)


def sign_context(data: Mapping[str, Any], secret: str) -> str:
    """What a host site's server does (see README): base64url(JSON) "." hex HMAC-SHA256."""
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def read_context(value: str, secret: str) -> dict[str, Any]:
    if not secret:
        raise ContextError(_("This site does not accept signed form links."))
    payload, _dot, signature = value.rpartition(".")
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    if not payload or not hmac.compare_digest(signature, expected):
        raise ContextError(_("This form's link is not valid: it may have been changed."))
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        raise ContextError(_("This form's link is not valid: it may have been changed.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int | float):
        raise ContextError(_("This form's link is not valid: it has no expiry."))
    if data["exp"] < time.time():
        raise ContextError(_("This form's link has expired. Open the form again from its site."))
    return data


def from_request(params: Mapping[str, str], form_cls: type[TicketForm]) -> Prefill:
    """The prefill a request's query string asks for; ContextError for a bad `ctx`."""
    prefill = Prefill()
    fields = form_cls.base_fields
    for key, value in params.items():
        name = URL_NAMES.get(key, key if key.startswith("cf_") else None)
        if name in fields and value != "":
            prefill.initial[name] = _form_value(fields[name], value)
    for key, target in (("hide", prefill.hidden), ("lock", prefill.locked)):
        for item in params.get(key, "").split(","):
            name = URL_NAMES.get(item.strip(), item.strip())
            if name in prefill.initial:  # only what has a value: an empty hidden field is a trap
                target.add(name)
    if params.get("ctx"):
        _apply_context(
            prefill, read_context(params["ctx"], settings.EMBED_CONTEXT_SECRET), form_cls
        )
    return prefill


def _apply_context(prefill: Prefill, data: dict[str, Any], form_cls: type[TicketForm]) -> None:
    fields = form_cls.base_fields
    for key, value in data.items():
        if key == "exp":
            continue
        if key in CONTEXT_TICKET_KEYS:
            prefill.ticket[key] = value
            continue
        name = URL_NAMES.get(key, key)
        if name in fields:
            prefill.initial[name] = _form_value(fields[name], str(value))
            prefill.locked.add(name)
            prefill.hidden.discard(name)
        elif key.startswith("cf_") and key[3:].isdigit() and int(key[3:]) in form_cls.schema.fields:
            prefill.custom[key[3:]] = value  # trusted: the host's server signed it
        else:
            raise ContextError(_("This form's link names something the form does not have."))


def _form_value(formfield: forms.Field, value: str) -> Any:
    """A query-string value as the field's initial value."""
    if isinstance(formfield, forms.BooleanField):
        return value.lower() in TRUE
    if isinstance(formfield, forms.MultiValueField):
        return [part.strip() for part in value.split(",")]
    return value
