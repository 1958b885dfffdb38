"""The API's envelopes: `{"data": ...}` (plus `pagination` for lists) and `{"errors": [...]}`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse

from tickets.lib.values import as_int

TICKETS_PER_PAGE = 30
USERS_PER_PAGE = 30
FIELDS_PER_PAGE = 30
OPTIONS_PER_PAGE = 50
POSTS_PER_PAGE = 30
KB_ARTICLES_PER_PAGE = 10


@dataclass(frozen=True)
class ApiError:
    """One entry of an `errors` list. No public client shows another key than these three: the
    field a validation error is about is named in its `details` only."""

    code: str
    title: str
    details: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "title": self.title, "details": self.details}


def data_response(data: Any, status: int = 200, pagination: dict | None = None) -> JsonResponse:
    body: dict[str, Any] = {"data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return JsonResponse(body, status=status, safe=False)


def errors_response(status: int, errors: Sequence[ApiError]) -> JsonResponse:
    return JsonResponse({"errors": [e.as_dict() for e in errors]}, status=status)


def error_response(status: int, title: str, details: str) -> JsonResponse:
    return errors_response(status, [ApiError(f"e-{status}", title, details)])


def page_number(request: HttpRequest) -> int:
    """`?page=N`, 1 when missing or not a positive number."""
    return as_int(request.GET.get("page", ""), minimum=1) or 1


def paginate(
    items: Sequence | QuerySet, page: int, per_page: int
) -> tuple[Sequence | QuerySet, dict[str, int]]:
    """One page of `items` and the API's `pagination` object for it."""
    total = items.count() if isinstance(items, QuerySet) else len(items)
    start = (page - 1) * per_page
    pagination = {
        "total": total,
        "per_page": per_page,
        "current_page": page,
        "total_pages": max(1, math.ceil(total / per_page)),
    }
    return items[start : start + per_page], pagination
