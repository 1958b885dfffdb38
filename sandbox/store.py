"""Saving a validated ticket and its files."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from . import users
from .models import Ticket, TicketFile


@transaction.atomic
def create_ticket(values: dict[str, Any], files: list[UploadedFile]) -> Ticket:
    """Store a ticket; a `user_email` without `user_id` names (or creates) its client."""
    values = dict(values)
    if not values.get("user_id") and values.get("user_email"):
        values["user_id"] = users.for_email(values["user_email"]).id
    ticket = Ticket.objects.create(**values)
    for upload in files:
        TicketFile.objects.create(
            ticket=ticket,
            file=upload,
            name=upload.name or "file",
            size=upload.size or 0,
            content_type=upload.content_type or "",
        )
    return ticket
