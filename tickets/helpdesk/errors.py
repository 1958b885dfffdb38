"""What the tickets API answers when it does not answer with data, as exceptions.

- ApiUnavailable: the request never reached the API, or the API could not serve it (5xx, a ban);
  nothing was filed, a later retry is safe.
- ApiRejected: the API refused the request (4xx with `errors`); retrying the same data will not help.
- ApiOutcomeUnknown: the request was sent but no answer came (read timeout, dropped connection);
  the ticket may or may not exist.
- ApiBadAnswer: the API answered, but not in a shape the portal understands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..lib.values import as_list
from ..records import ApiMessage

__all__ = ["ApiMessage"]  # defined with the other plain records; raised and read here


class ApiError(Exception):
    """Base of everything the client raises."""

    def __init__(self, reason: str, messages: Iterable[ApiMessage] = (), status: int | None = None):
        self.reason = reason
        self.messages = tuple(messages)
        self.status = status
        super().__init__(reason)


class ApiUnavailable(ApiError):
    """Nothing was filed: the API could not be reached or could not serve the request."""


class NotSent(ApiUnavailable):
    """The portal held the request back: past its share, during a ban, or its own rate store is
    down. `retry_after`: seconds until it is worth trying again."""

    def __init__(self, reason: str, retry_after: float):
        super().__init__(reason)
        self.retry_after = retry_after


class RateStoreDown(NotSent):
    """The portal's own rate store (its SQLite file or Redis) cannot be used: a fault of the
    portal, not of the helpdesk, and nothing was sent."""


class ApiRejected(ApiError):
    """The API refused the request and said why (see `messages`)."""


class ApiOutcomeUnknown(ApiError):
    """The request went out and no answer came back: the ticket may exist."""


class ListCutShort(Exception):
    """A list that had to be read whole has more pages than the caller may read."""


class ApiBadAnswer(ApiError):
    """The API answered, but not in a shape this client understands."""


def messages_of(body: Any) -> list[ApiMessage]:
    """The entries of an answer's `errors` list."""
    # A list, or tolerated: an object keyed by anything.
    errors = as_list(body.get("errors")) if isinstance(body, Mapping) else None
    if not errors:
        return []
    messages = []
    for item in errors:
        if isinstance(item, Mapping):
            messages.append(
                ApiMessage(
                    code=str(item.get("code", "")),
                    title=str(item.get("title", "")),
                    details=(details := str(item.get("details", "") or item.get("message", ""))),
                    field=field_named_in(details),
                )
            )
        elif item:
            messages.append(ApiMessage("", "", str(item)))
    return messages


# How an API message may name a custom field: custom_fields[99], custom_fields.99, "field 99".
_CUSTOM_FIELD = re.compile(
    r"custom_fields\s*(?:\[|\.)\s*(\d+)|\b(?:custom\s+)?field\s+#?(\d+)\b", re.I
)
# The ticket's own keys of create-ticket.txt, as whole words.
_TICKET_KEY = re.compile(
    r"(?<![\w\[.])(title|description|user_email|user_id|owner_id|pid|department_id|priority_id|"
    r"type_id|status_id|sla_date|cc|bcc|followers|tags)(?![\w\]])"
)


def field_named_in(details: str) -> str:
    """The one request field an API message's words name ("title", "custom_fields[99]"), or "".

    No client shows a per-field key in the API's error items: the words are all there is, and a
    message that names no field, or several, belongs to the whole form.
    """
    named = {f"custom_fields[{a or b}]" for a, b in _CUSTOM_FIELD.findall(details)}
    named |= set(_TICKET_KEY.findall(_CUSTOM_FIELD.sub(" ", details)))
    return named.pop() if len(named) == 1 else ""


def is_ban(messages: Iterable[ApiMessage]) -> bool:
    return any(m.title.lower() == "ban" or "ban for" in m.details.lower() for m in messages)
