"""Values a form starts with, from its URL (a host site's script tag passes them on).

- Plain parameters prefill what the form shows and the customer may edit: `title`, `description`,
  `email`, `cf_<id>` (a hierarchy as `cf_100=198,204`). `hide=` and `lock=` name prefilled fields
  to keep out of sight or read-only. A person can edit the URL, so these are a convenience, not a
  guarantee; a value the field would refuse is dropped.
- `ctx` is signed by the host site's server with EMBED_CONTEXT_SECRET (HMAC-SHA256) and carries
  what a customer must not change: their `user_id`, their `email`, `cf_<id>` values. Those fields
  are locked and their posted values never read; `user_id` reaches only the ticket. A `ctx` may
  name the one `form` it is for, and lives at most EMBED_CONTEXT_MAX_AGE seconds.

The form posts to its own URL, so the same parameters apply, and are checked again, on the POST.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from ..forms import consent
from ..forms.prefill import Prefill
from ..forms.ticket import TicketForm
from ..lib.values import as_int, is_checked

URL_NAMES = {"title": "title", "description": "description", "email": "user_email"}
CONTEXT_TICKET_KEYS = ("user_id",)


class ContextError(Exception):
    """A signed context that is tampered with, expired or not understood."""


def read_context(value: str, slug: str) -> dict[str, Any]:
    """The claims of a signed `ctx`, checked: signature (any configured secret), expiry, form."""
    secrets = settings.EMBED_CONTEXT_SECRETS
    if not secrets:
        raise ContextError(_("This site does not accept signed form links."))
    payload, _dot, signature = value.rpartition(".")
    expected = (hmac.new(s.encode(), payload.encode(), hashlib.sha256).hexdigest() for s in secrets)
    if not payload or not any(hmac.compare_digest(signature, e) for e in expected):
        raise ContextError(_("This form's link is not valid: it may have been changed."))
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        raise ContextError(_("This form's link is not valid: it may have been changed.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int | float):
        raise ContextError(_("This form's link is not valid: it has no expiry."))
    now = time.time()
    if data["exp"] < now:
        raise ContextError(_("This form's link has expired. Open the form again from its site."))
    if data["exp"] > now + settings.EMBED_CONTEXT_MAX_AGE:
        raise ContextError(_("This form's link is not valid: it is meant to last too long."))
    if data.get("form", slug) != slug:
        raise ContextError(_("This form's link was made for another form."))
    return data


def from_request(params: Mapping[str, str], form_cls: type[TicketForm]) -> Prefill:
    """The prefill a request's query string asks for; ContextError for a bad `ctx`."""
    prefill = Prefill()
    fields = form_cls.base_fields
    for key, raw in params.items():
        name = URL_NAMES.get(key, key if key.startswith("cf_") else None)
        # Only what the customer could type themselves: never a field shown read-only.
        if name in fields and raw != "" and not fields[name].disabled:
            value = _cleaned(fields[name], raw, complete=False)
            if value is not None:
                prefill.initial[name] = value
    for key, target in (("hide", prefill.hidden), ("lock", prefill.locked)):
        for item in params.get(key, "").split(","):
            name = URL_NAMES.get(item.strip(), item.strip())
            # Only a value the form would accept as it is: a locked empty or half-chosen field
            # would leave the customer stuck.
            if name in prefill.initial and _cleaned(fields[name], params[_url_key(name)]):
                target.add(name)
    if params.get("ctx"):
        claims = read_context(params["ctx"], form_cls.spec.slug)
        _apply_context(prefill, claims, form_cls)
    return prefill


def _apply_context(prefill: Prefill, claims: dict[str, Any], form_cls: type[TicketForm]) -> None:
    fields = form_cls.base_fields
    for key, value in claims.items():
        if key in ("exp", "form"):
            continue
        if key in CONTEXT_TICKET_KEYS:
            prefill.ticket[key] = value
            continue
        name = URL_NAMES.get(key, key)
        if name == consent.NAME:
            # Consent is the person's to give on the form: no link ticks it for them.
            raise ContextError(_("This form's link names something the form does not have."))
        if name in fields:
            cleaned = _cleaned(fields[name], str(value))
            if cleaned is None:
                raise ContextError(_("This form's link holds a value the form cannot take."))
            prefill.initial[name] = cleaned
            prefill.locked.add(name)
            prefill.hidden.discard(name)
        elif key.startswith("cf_") and as_int(key[3:], minimum=1) in form_cls.schema.fields:
            # Trusted (the host's server signed it), under the field's id as the API writes it.
            prefill.custom[str(as_int(key[3:]))] = value
        else:
            raise ContextError(_("This form's link names something the form does not have."))


def _url_key(name: str) -> str:
    return next((key for key, value in URL_NAMES.items() if value == name), name)


def _cleaned(formfield: forms.Field, raw: str, complete: bool = True) -> Any:
    """A query-string value as the field cleans it, or None when the field would refuse it.

    Not `complete`: as a start the person finishes (a hierarchy chosen part of the way).
    """
    if isinstance(formfield, forms.BooleanField):
        return is_checked(raw)
    # A copy: cleaning marks a hierarchy's widget with the level it refused, and the form
    # class's own field is what every later form (and its reused HTML) is copied from.
    formfield = copy.deepcopy(formfield)
    if not complete:
        formfield.required = False
    value: Any = raw
    if isinstance(formfield, forms.MultiValueField):
        parts = [part.strip() for part in raw.split(",")]
        value = parts + [""] * (len(formfield.fields) - len(parts))
    try:
        cleaned = formfield.clean(value)
    except forms.ValidationError:
        return None
    return None if cleaned in (None, "", ()) else cleaned
