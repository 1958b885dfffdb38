"""Finding helpdesk users: the `GET /users/` filters, staff checks, the client of a new email."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict

from tickets.lib.values import as_int, is_checked

from .models import CLIENTS, STAFF_GROUPS, User


def id_list(params: QueryDict, key: str) -> list[int] | None:
    """`key=1,2&key=3` (or `key[]=...`) -> `[1, 2, 3]`; None when the filter is not given.

    Parts that are not whole numbers are skipped, so a filter of only such parts matches nothing.
    """
    raw = [*params.getlist(key), *params.getlist(f"{key}[]")]
    parts = [part.strip() for value in raw for part in value.split(",")]
    if not any(parts):
        return None
    return [number for part in parts if (number := as_int(part, minimum=0)) is not None]


def search(found: QuerySet[User], text: str, exact: bool) -> QuerySet[User]:
    """Users whose name, lastname, "name lastname" or email contains `text` (ignoring case).

    `exact`: the email or the full name must equal `text` (still ignoring case).
    """
    folded = " ".join(text.split()).casefold()
    if not folded:
        return found
    if exact:
        return found.filter(Q(email_key=folded) | Q(name_key=folded))
    return found.filter(Q(email_key__contains=folded) | Q(name_key__contains=folded))


def filtered(params: QueryDict) -> QuerySet[User]:
    """The users `GET /users/` lists for these query parameters, by id.

    `organization_list` is accepted and ignored: the sandbox has no organizations.
    """
    found = User.objects.all()
    groups = id_list(params, "group_list")
    if groups is not None:
        found = found.filter(group__in=groups)
    ids = id_list(params, "id_list")
    if ids is not None:
        found = found.filter(id__in=ids)
    exact = is_checked(params.get("exact_search", ""))
    return search(found, params.get("search", ""), exact)


def existing_ids(ids: Iterable[int], staff_only: bool = False) -> set[int]:
    """Those of `ids` that are users (staff users with `staff_only`)."""
    found = User.objects.filter(id__in=set(ids))
    if staff_only:
        found = found.filter(group__in=STAFF_GROUPS)
    return set(found.values_list("id", flat=True))


def by_ids(ids: Iterable[int]) -> dict[int, User]:
    return {user.id: user for user in User.objects.filter(id__in={i for i in ids if i})}


def for_email(email: str) -> User:
    """The user with this email (any case); a new client when there is none, as the API does."""
    found = User.objects.filter(email_key=email.casefold()).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return User.objects.create(name=email.split("@")[0], email=email, group=CLIENTS)
    except IntegrityError:  # created a moment ago by another request
        return User.objects.get(email_key=email.casefold())


ACCOUNT_FALLBACK_ID = 1  # the Administrator of the seed (seed.py)


def account_user_id() -> int:
    """The user the API's credentials act as: the staff user with SANDBOX_API_EMAIL, or the
    Administrator when the sandbox has none (its account is not one of its users by default).
    A post sent without `user_id` is this user's."""
    found = User.objects.filter(
        email_key=settings.SANDBOX_API_EMAIL.casefold(), group__in=STAFF_GROUPS
    ).first()
    return found.id if found else ACCOUNT_FALLBACK_ID
