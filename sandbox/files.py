"""The files of a conversation, named by kind and id: `ticket-<id>` (a file sent on create, in the
ticket's first post) and `post-<id>` (a file of a later post or comment). Their bytes are served
at `/sandbox/api/v2/files/<kind>-<id>/`, to the API's credentials only."""

from __future__ import annotations

from .models import PostFile, TicketFile

TICKET_FILE, POST_FILE = "ticket", "post"
KINDS: dict[str, type[TicketFile] | type[PostFile]] = {TICKET_FILE: TicketFile, POST_FILE: PostFile}
UNKNOWN_TYPE = "application/octet-stream"


def key_of(kind: str, file_id: int) -> str:
    """`ticket-3`, `post-1000001`: what the file's URL ends with."""
    return f"{kind}-{file_id}"


def find(key: str) -> TicketFile | PostFile | None:
    """The stored file a key names, or None."""
    kind, _, number = key.partition("-")
    model = KINDS.get(kind)
    if model is None or not number.isdigit():
        return None
    return model.objects.filter(pk=int(number)).first()


def data_type(item: TicketFile | PostFile) -> str:
    """The file's MIME type as it was sent (or guessed from its name); a generic one if none."""
    return item.content_type or UNKNOWN_TYPE
