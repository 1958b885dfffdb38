"""Attachments are kept on the server from the POST that brought them.

A form that comes back with an error cannot refill a browser's file input, so each upload is
stored at once and the re-rendered form carries a signed list of what it already holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from .client import Upload
from .models import Attachment

if TYPE_CHECKING:
    from .forms import TicketForm

SALT = "tickets.attachments"


def store(uploads: Iterable[UploadedFile]) -> list[Attachment]:
    stored = []
    for upload in uploads:
        attachment = Attachment(
            name=(upload.name or "file")[:255],
            size=upload.size or 0,
            content_type=(upload.content_type or "")[:255],
        )
        # created_at is needed by the upload path before the row exists.
        attachment.created_at = timezone.now()
        attachment.file.save(attachment.key, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def sign(attachments: Sequence[Attachment]) -> str:
    return signing.dumps([a.key for a in attachments], salt=SALT) if attachments else ""


def keep(form: TicketForm) -> list[Attachment]:
    """Store a posted form's acceptable uploads and hand the form every file it now holds.

    Nothing is stored for a POST whose token is not good: only a page the portal rendered may
    leave files on the server.
    """
    if form.token is None:
        return []
    kept = [a for a in form.kept if a.key not in form.removed]
    kept += store(form.acceptable_files)
    form.hold_attachments(kept)
    return kept


def held(post: Mapping[str, str]) -> list[Attachment]:
    """The files earlier POSTs of this form stored, from its signed `attachments` value."""
    return unsign(post.get("attachments", ""))


def unsign(value: str) -> list[Attachment]:
    """The attachments a signed list names, in order; unknown or already-sent ones are dropped."""
    if not value:
        return []
    try:
        keys = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return []
    if not isinstance(keys, list):
        return []
    # A file whose ticket was filed is never sent again with another.
    pending = Attachment.objects.filter(key__in=keys).exclude(submission__state="sent")
    found = {a.key: a for a in pending}
    return [found[k] for k in keys if k in found]


def discard_files(attachments: Iterable[Attachment]) -> None:
    """Once the helpdesk holds the files, the portal keeps only their names and sizes."""
    attachments = list(attachments)
    for attachment in attachments:
        attachment.file.delete(save=False)
    # An update, not save(): the rows in hand may not know which submission they now belong to.
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(file="")


def uploads(attachments: Iterable[Attachment]) -> list[Upload]:
    """Open streams for the client; the caller closes them (see `close`)."""
    return [Upload(a.name, a.content_type, a.file.open("rb")) for a in attachments]


def close(files: Iterable[Upload]) -> None:
    for upload in files:
        upload.stream.close()
