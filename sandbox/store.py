"""Saving what the API and the helpdesk's agents add: a validated ticket and its files, the posts
and internal comments of its conversation, and status changes.

Every new post, comment or status change moves the ticket's `date_updated`, so that
`GET /tickets/?from_date_updated=...` lists the ticket as changed.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from . import users
from .models import Post, PostFile, Ticket, TicketFile

OPEN, CLOSED = "open", "closed"
DEFAULT_AGENT_ID = 2  # Olena Koval, a support agent of the seed (seed.py)


class ReplyRefused(ValueError):
    """An agent's reply that cannot be made; the message says why."""


def _file_values(upload: File) -> dict[str, Any]:
    """A stored file's row values: the file itself, its name, size and MIME type (as sent, or
    guessed from the name when the sender gave none)."""
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1] or "file"
    content_type = getattr(upload, "content_type", "") or mimetypes.guess_type(name)[0] or ""
    return {"file": upload, "name": name, "size": upload.size or 0, "content_type": content_type}


@transaction.atomic
def create_ticket(values: dict[str, Any], files: list[UploadedFile]) -> Ticket:
    """Store a ticket; a `user_email` without `user_id` names (or creates) its client. The
    ticket's files belong to its first post, the description (serializers.first_post)."""
    values = dict(values)
    if not values.get("user_id") and values.get("user_email"):
        values["user_id"] = users.for_email(values["user_email"]).id
    ticket = Ticket.objects.create(**values)
    for upload in files:
        TicketFile.objects.create(ticket=ticket, **_file_values(upload))
    return ticket


def _touch(ticket: Ticket, status_id: str | None = None) -> None:
    """Move the ticket's `date_updated` to now (and set its status, when given)."""
    ticket.date_updated = timezone.now()
    changes: dict[str, Any] = {"date_updated": ticket.date_updated}
    if status_id is not None:
        ticket.status_id = changes["status_id"] = status_id
    Ticket.objects.filter(pk=ticket.pk).update(**changes)


@transaction.atomic
def add_post(
    ticket: Ticket,
    text: str,
    user_id: int,
    files: Iterable[File] = (),
    visible: str = Post.PUBLIC,
    status_id: str | None = None,
) -> Post:
    """Store a post (`visible` "all") or an internal comment ("staff") by `user_id`, with its
    files; the ticket's `date_updated` moves, and its status becomes `status_id` when given."""
    now = timezone.now()
    post = Post.objects.create(
        ticket=ticket,
        user_id=user_id,
        text=text,
        visible=visible,
        date_created=now,
        date_updated=now,
    )
    for upload in files:
        PostFile.objects.create(post=post, **_file_values(upload))
    _touch(ticket, status_id)
    return post


def client_post_reopens() -> bool:
    """SANDBOX_CLIENT_POST_REOPENS (a test setting, False by default): see `post_from_api`."""
    return bool(getattr(settings, "SANDBOX_CLIENT_POST_REOPENS", False))


@transaction.atomic
def post_from_api(ticket: Ticket, text: str, user_id: int, files: Iterable[File] = ()) -> Post:
    """A public post filed through `POST /tickets/{id}/posts/` (its values already checked).

    Whether a client's post reopens a closed ticket is not documented (NOTES). The sandbox
    accepts the post and leaves the status as it is; with SANDBOX_CLIENT_POST_REOPENS = True, a
    post by the ticket's client on a "closed" ticket sets it "open", so tests can play both.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    reopens = client_post_reopens() and user_id == ticket.user_id and ticket.status_id == CLOSED
    return add_post(ticket, text, user_id, files, status_id=OPEN if reopens else None)


@transaction.atomic
def reply_as_agent(
    ticket: Ticket,
    text: str = "",
    *,
    agent_id: int = DEFAULT_AGENT_ID,
    files: Iterable[File] = (),
    close: bool = False,
    comment: bool = False,
) -> Post | None:
    """What an agent does on the helpdesk's own screen: answer the client (a public post), or
    with `comment` write an internal comment, as `agent_id` (a staff user), with `files`; with
    `close`, the ticket's status becomes "closed". Without text or files only the status changes
    (None is returned). The sandbox's admin ("Reply as agent") and `manage.py sandbox_reply`
    both come here. Raises ReplyRefused when the agent is not a staff user or there is nothing
    to do."""
    files = list(files)
    if not users.existing_ids([agent_id], staff_only=True):
        raise ReplyRefused(f"User {agent_id} is not a staff user of the helpdesk.")
    if not (text.strip() or files or close):
        raise ReplyRefused("Nothing to do: give a text or a file, or close the ticket.")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    status_id = CLOSED if close else None
    if not (text.strip() or files):
        _touch(ticket, status_id)
        return None
    visible = Post.STAFF if comment else Post.PUBLIC
    return add_post(ticket, text, agent_id, files, visible=visible, status_id=status_id)
