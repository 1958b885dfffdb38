"""Checks a create-ticket or new-post body as the API would: every problem becomes one `errors`
entry.

`validate_ticket()` returns the model values of a good body, or raises `ValidationFailed` with one
`Problem` per mistake (field name in bracket style, e.g. `custom_fields[99]`). Ids that must name
a stored user or ticket are checked by `relations`. `validate_post()` does the same for
`POST /tickets/{id}/posts/`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tickets.lib.values import api_date, as_flag
from tickets.lib.values import as_int as _as_int
from tickets.schema import TICKET_DEFAULT_KEYS, Schema, kind_of

from .problems import Problem, ValidationFailed
from .relations import post_user_problems, relation_problems

INT_KEYS = ("pid", "priority_id", "type_id", "department_id", "owner_id", "user_id")
BOOL_DEFAULTS = {"ticket_lock": False, "create_from_user": True}
# Ticket parameters checked against the schema's references when it lists any (0 = not set).
REFERENCE_KEYS = TICKET_DEFAULT_KEYS
SLA_RE = re.compile(r"^\d{2}\.\d{2}\.\d{4} ([01]\d|2[0-3]):[0-5]\d$")


# --- Plain values ---------------------------------------------------------------------------------
def as_int(value: Any) -> int | None:
    """A non-negative whole number, from a number or a numeric string; None otherwise."""
    return _as_int(value, minimum=0)


def as_bool(value: Any) -> bool | None:
    """A flag as the API reads one; an empty value is false."""
    return False if isinstance(value, str) and not value.strip() else as_flag(value)


def is_sla_date(value: str) -> bool:
    return bool(SLA_RE.match(value)) and api_date(value.split(" ")[0]) is not None


def is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# --- Core ticket parameters -----------------------------------------------------------------------
def _required_text(data: Mapping, key: str, problems: list[Problem]) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Problem(key, f"The {key} field is required."))
        return ""
    if not isinstance(value, str):
        problems.append(Problem(key, f"The {key} field must be a string."))
        return ""
    return value


def _ints(data: Mapping, problems: list[Problem]) -> dict[str, int]:
    values = {}
    for key in INT_KEYS:
        raw = data.get(key, "")
        number = 0 if raw in ("", None) else as_int(raw)
        if number is None:
            problems.append(Problem(key, f"The {key} field must be a whole number, got {raw!r}."))
        else:
            values[key] = number
    return values


def _bools(data: Mapping, problems: list[Problem]) -> dict[str, bool]:
    values = {}
    for key, default in BOOL_DEFAULTS.items():
        flag = as_bool(data[key]) if key in data and data[key] is not None else default
        if flag is None:
            problems.append(Problem(key, f"The {key} field must be 1, 0, true or false."))
        else:
            values[key] = flag
    return values


def _status(data: Mapping, problems: list[Problem]) -> str:
    value = data.get("status_id")
    if value in (None, ""):
        return "open"
    if not isinstance(value, str):
        problems.append(Problem("status_id", "The status_id field must be a status id string."))
        return "open"
    return value


def _references(data: Mapping, schema: Schema, problems: list[Problem]) -> None:
    """Sent ids must be in the schema's references, where it lists any (0 or "" is "not set")."""
    for key, kind in REFERENCE_KEYS.items():
        known = {str(ref.id) for ref in schema.references.get(kind, ())}
        value = data.get(key)
        if not known or value in (None, "", 0, "0") or any(p.field == key for p in problems):
            continue
        if str(value).strip() not in known:
            problems.append(Problem(key, f"{key} {value!r} is not one of the helpdesk's {kind}."))


def _text(data: Mapping, key: str, problems: list[Problem], check: Callable[[str], bool]) -> str:
    value = data.get(key, "")
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not check(value):
        problems.append(Problem(key, f"The {key} field {value!r} is not valid."))
        return ""
    return value


def _list(data: Mapping, key: str, problems: list[Problem], item: Callable[[Any], Any]) -> list:
    raw = data.get(key, [])
    if raw in ("", None):
        return []
    if not isinstance(raw, list):
        problems.append(Problem(key, f"The {key} field must be an array."))
        return []
    items = [item(value) for value in raw]
    if any(value is None for value in items):
        problems.append(Problem(key, f"The {key} field holds values that are not valid: {raw!r}."))
        return []
    return items


def _email_item(value: Any) -> str | None:
    return value if isinstance(value, str) and is_email(value) else None


def _tag_item(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        return None
    return str(value)


# --- Custom fields --------------------------------------------------------------------------------
def _custom_fields(data: Mapping, schema: Schema, problems: list[Problem]) -> dict[str, Any]:
    raw = data.get("custom_fields", {})
    if raw in ("", None):
        return {}
    if not isinstance(raw, Mapping):
        problems.append(Problem("custom_fields", "custom_fields must be an object: id -> value."))
        return {}
    for key, value in raw.items():
        name = f"custom_fields[{key}]"
        field = schema.fields.get(as_int(key))
        if field is None:
            problems.append(Problem(name, f"{name}: there is no custom field with id {key!r}."))
            continue
        # Each field kind says how the API checks its values (tickets/forms/kinds.py).
        message = kind_of(field.field_type).check_value(field, value)
        if message:
            problems.append(Problem(name, f"Field {key} ({field.field_type}): {message}."))
    return dict(raw)


# --- The whole body -------------------------------------------------------------------------------
def validate_ticket(data: Any, schema: Schema) -> dict[str, Any]:
    """Model values for a create-ticket body; raises ValidationFailed listing every problem."""
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("body", "The request body must be a JSON object.")])
    problems: list[Problem] = []
    values: dict[str, Any] = {
        "title": _required_text(data, "title", problems),
        "description": _required_text(data, "description", problems),
        "status_id": _status(data, problems),
        **_ints(data, problems),
        **_bools(data, problems),
        "user_email": _text(data, "user_email", problems, is_email),
        "sla_date": _text(data, "sla_date", problems, is_sla_date),
        "cc": _list(data, "cc", problems, _email_item),
        "bcc": _list(data, "bcc", problems, _email_item),
        "followers": _list(data, "followers", problems, as_int),
        "tags": _list(data, "tags", problems, _tag_item),
        "custom_fields": _custom_fields(data, schema, problems),
    }
    _references(data, schema, problems)
    problems.extend(relation_problems(values))
    if problems:
        raise ValidationFailed(problems)
    return values


# --- A new post -----------------------------------------------------------------------------------
def validate_post(data: Any, client_id: int) -> tuple[str, int]:
    """The text and user id (0: not given) of a `POST /tickets/{id}/posts/` body, for a ticket
    whose client is `client_id`; raises ValidationFailed listing every problem. Files come
    beside the body (multipart `files[N]`) and are not checked: no limit is documented."""
    if not isinstance(data, Mapping):
        raise ValidationFailed([Problem("body", "The request body must be a JSON object.")])
    problems: list[Problem] = []
    text = _required_text(data, "text", problems)
    raw = data.get("user_id", "")
    user_id = 0 if raw in ("", None) else as_int(raw)
    if user_id is None:
        problems.append(
            Problem("user_id", f"The user_id field must be a whole number, got {raw!r}.")
        )
    else:
        problems.extend(post_user_problems(user_id, client_id))
    if problems:
        raise ValidationFailed(problems)
    return text, user_id or 0
