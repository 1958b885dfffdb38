"""The files a form holds across its POSTs, as the form carries them: a signed list.

A browser cannot refill a file input, so what earlier POSTs of a rendered form stored (see
tickets/delivery/storage.py) travels in the hidden `attachments` input: each file's key, name and
size, signed so that a page can only name files the portal handed to it, and listed again
without a look-up. Delivery still checks each key against what it stores.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core import signing

from ..lib.values import as_int
from ..records import StoredFile

SALT = "tickets.attachments"


def sign(files: Sequence[StoredFile]) -> str:
    return signing.dumps([[f.key, f.name, f.size] for f in files], salt=SALT) if files else ""


def unsign(value: str) -> tuple[StoredFile, ...]:
    """The files a signed list names, in order; none for anything the portal did not sign."""
    if not value:
        return ()
    try:
        items = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return ()
    if not isinstance(items, list):
        return ()
    return tuple(_file(item) for item in items if _file(item) is not None)


def _file(item) -> StoredFile | None:
    if isinstance(item, str):  # a page rendered before names travelled with the keys
        return StoredFile(item, item, 0)
    if isinstance(item, list) and len(item) == 3 and isinstance(item[0], str):
        return StoredFile(item[0], str(item[1]), as_int(item[2], minimum=0) or 0)
    return None
