"""Attachments are kept on the server from the POST that brought them.

A form that comes back with an error cannot refill a browser's file input, so each upload is
stored at once; the re-rendered form lists what it already holds (tickets/forms/uploads.py signs
that list) and the next POST hands the keys back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from ..helpdesk.client import Upload
from ..models import Attachment, Submission
from ..records import StoredFile, Uploads


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


def held(keys: Sequence[str]) -> list[Attachment]:
    """The stored attachments these keys name, in order; unknown or already-sent ones dropped."""
    if not keys:
        return []
    # A file whose ticket was filed is never sent again with another.
    pending = Attachment.objects.filter(key__in=keys).exclude(
        submission__state=Submission.State.FILED
    )
    found = {a.key: a for a in pending}
    return [found[k] for k in keys if k in found]


def keep(uploads: Uploads) -> list[Attachment]:
    """Every file a posted form now holds: those it kept from earlier POSTs, and its new ones."""
    return held(uploads.held) + store(uploads.new)


def described(attachments: Iterable[Attachment]) -> tuple[StoredFile, ...]:
    return tuple(StoredFile(a.key, a.name, a.size) for a in attachments)


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
