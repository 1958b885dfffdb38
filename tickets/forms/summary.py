"""What a payload files, for people: the rows of a confirmation page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..lib.values import as_int
from ..schema.types import Schema
from .kinds import kind_for


def summarize(schema: Schema, payload: dict[str, Any], audience: str) -> list[tuple[str, str]]:
    """(label, value) pairs of what a payload files, in the reader's language; a field left
    empty is left out (it files nothing)."""
    rows = [
        (
            _("Your email") if audience == "customer" else _("Client's email"),
            payload.get("user_email", ""),
        ),
        (_("Subject"), payload.get("title", "")),
        (_("Description"), payload.get("description", "")),
    ]
    for field_id, value in (payload.get("custom_fields") or {}).items():
        field = schema.fields.get(as_int(field_id))
        if field is not None:
            rows.append((field.name.get(), kind_for(field).display(field, value)))
    return [(label, text) for label, text in rows if text]
