"""Attachments are stored on the server from the POST that brought them until their ticket is
filed.

A form that comes back with an error cannot refill a browser's file input, so each upload is
stored at once; the re-rendered form lists what is stored for it (tickets/forms/uploads.py signs
that list) and the next POST hands the keys back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, Sum
from django.utils import timezone

from ..helpdesk.client import Upload
from ..models import Attachment, Submission
from ..records import StoredFile, Uploads


def store(uploads: Iterable[UploadedFile], token: str = "", client: str = "") -> list[Attachment]:
    stored = []
    for upload in uploads:
        attachment = Attachment(
            token=token,
            client=client,
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


def stored(keys: Sequence[str]) -> list[Attachment]:
    """The stored attachments these keys name, in order; unknown or already-sent ones dropped."""
    if not keys:
        return []
    # A file whose ticket was filed is never sent again with another.
    pending = Attachment.objects.filter(key__in=keys).exclude(
        submission__state=Submission.State.FILED
    )
    found = {a.key: a for a in pending}
    return [found[k] for k in keys if k in found]


class UploadsFull(Exception):
    """The portal holds TICKETS_UPLOADS_MAX_MB of files not yet filed: it takes no more now."""


def save(uploads: Uploads) -> list[Attachment]:
    """Every file stored for a posted form now: those earlier POSTs stored, and its new ones.

    Counted per rendering (the token's nonce) and per sender's address, whatever the POST's own
    list says: neither holds more than TICKETS_MAX_FILES files not yet filed, however many POSTs
    and renderings it makes; a removed file is deleted at once. UploadsFull when the new files
    would pass the portal's ceiling.
    """
    if uploads.nonce and uploads.removed:
        # Only this form's own files: those of its rendering, or on its signed list.
        mine = Q(token=uploads.nonce) | Q(key__in=uploads.stored)
        discard_unsent(Attachment.objects.unsent().filter(mine, key__in=uploads.removed))
    files = stored([k for k in uploads.stored if k not in uploads.removed])
    if not uploads.nonce:
        return files
    known = {a.key for a in files}
    files += [a for a in rendering_files(uploads.nonce) if a.key not in known]
    if not uploads.new:
        return files
    room = settings.TICKETS_MAX_FILES - len(files)
    if uploads.client:  # what this address's other renderings stored counts too
        others = Attachment.objects.unsent().filter(client=uploads.client)
        room -= others.exclude(key__in=[a.key for a in files]).count()
    new = list(uploads.new)[: max(0, room)]
    if (
        new
        and _total_stored() + sum(f.size or 0 for f in new) > settings.TICKETS_UPLOADS_MAX_MB * MB
    ):
        raise UploadsFull
    return files + store(new, token=uploads.nonce, client=uploads.client)


MB = 1024 * 1024


def rendering_files(nonce: str) -> list[Attachment]:
    """The unsent files a rendering (its token's nonce) brought, in the order they came."""
    return list(Attachment.objects.unsent().filter(token=nonce))


def _total_stored() -> int:
    return (
        Attachment.objects.exclude(file="")
        .exclude(submission__state=Submission.State.FILED)
        .aggregate(total=Sum("size"))["total"]
        or 0
    )


def discard_unsent(attachments) -> int:
    """Delete files no submission took (removed by the person, or abandoned)."""
    count = 0
    for attachment in attachments:
        attachment.file.delete(save=False)
        attachment.delete()
        count += 1
    return count


def abandoned(older_than: timedelta):
    """Files no submission took (forms abandoned after an error), older than `older_than`."""
    cutoff = timezone.now() - older_than
    return Attachment.objects.filter(submission__isnull=True, created_at__lt=cutoff)


def purge_abandoned(older_than: timedelta, limit: int | None = None) -> int:
    """Delete them (the sweep runs this a few at a time; purge_attachments all at once)."""
    orphans = abandoned(older_than)
    return discard_unsent(orphans[:limit] if limit else orphans.iterator())


def described(attachments: Iterable[Attachment]) -> tuple[StoredFile, ...]:
    return tuple(StoredFile(a.key, a.name, a.size) for a in attachments)


def discard_files(attachments: Iterable[Attachment]) -> None:
    """Once the helpdesk holds the files, the portal keeps only their names and sizes."""
    attachments = list(attachments)
    if not attachments:
        return
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
