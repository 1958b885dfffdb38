"""Saving a validated ticket and its files."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from .models import Ticket, TicketFile

FIRST_USER_ID = 1000


def user_id_for(email: str) -> int:
    """The client's user id: the one of an earlier ticket with this email, else a new one.

    The API creates a user for an unknown `user_email`; the sandbox keeps no user table, so the
    id is made up once and reused for later tickets with the same email.
    """
    earlier = Ticket.objects.filter(user_email__iexact=email, user_id__gt=0).first()
    if earlier:
        return earlier.user_id
    highest = Ticket.objects.aggregate(top=Max("user_id"))["top"] or 0
    return max(highest, FIRST_USER_ID) + 1


@transaction.atomic
def create_ticket(values: dict[str, Any], files: list[UploadedFile]) -> Ticket:
    values = dict(values)
    if not values.get("user_id") and values.get("user_email"):
        values["user_id"] = user_id_for(values["user_email"])
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
