"""Checks of a create-ticket (or new-post) body against what the sandbox stores: its users and
tickets.

Run on the values `validation` has already read, so an id that is not even a number is
reported once, as a format problem, and not again here.
"""

from __future__ import annotations

from typing import Any

from . import users
from .models import Ticket
from .problems import Problem


def _owner(values: dict[str, Any]) -> list[Problem]:
    owner_id = values.get("owner_id")
    if not owner_id or users.existing_ids([owner_id], staff_only=True):
        return []
    return [Problem("owner_id", f"owner_id {owner_id} is not a staff user.")]


def _followers(values: dict[str, Any]) -> list[Problem]:
    followers = values.get("followers") or []
    unknown = sorted(set(followers) - users.existing_ids(followers, staff_only=True))
    if not unknown:
        return []
    listed = ", ".join(str(i) for i in unknown)
    return [Problem("followers", f"followers must be staff user ids; not staff users: {listed}.")]


def _user(values: dict[str, Any]) -> list[Problem]:
    user_id = values.get("user_id")
    if not user_id or users.existing_ids([user_id]):
        return []
    return [Problem("user_id", f"user_id {user_id} is not a user of the helpdesk.")]


def _parent(values: dict[str, Any]) -> list[Problem]:
    pid = values.get("pid")
    if not pid or Ticket.objects.filter(pk=pid).exists():
        return []
    return [Problem("pid", f"pid {pid} is not the id of a ticket.")]


def relation_problems(values: dict[str, Any]) -> list[Problem]:
    """Owner and followers must be staff users, user_id a user, pid a ticket (0 = none)."""
    return [*_parent(values), *_owner(values), *_user(values), *_followers(values)]


def post_user_problems(user_id: int, client_id: int) -> list[Problem]:
    """A post's `user_id` (0 = not given: the API account's post) must be the ticket's client
    or a staff user."""
    if not user_id or user_id == client_id or users.existing_ids([user_id], staff_only=True):
        return []
    return [
        Problem(
            "user_id",
            f"The user_id field must be the ticket's client ({client_id}) or a staff user; "
            f"{user_id} is neither.",
        )
    ]
