"""The plain records that pass between the layers on the one way through.

    form --Handover--> delivery --Outcome (with its Status)--> view
    helpdesk directory --StaffDirectory--> staff form

They carry values only (no form, no model, no request): delivery never needs to know a form, and
a form never needs to know the database or the API client.

Imports: Django's file type only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class ApiMessage:
    """One entry of the API's `errors` list."""

    code: str
    title: str
    details: str
    field: str = ""  # the one request field its words name ("title", "custom_fields[99]")

    def __str__(self) -> str:
        return self.details or self.title or self.code


@dataclass(frozen=True)
class Uploads:
    """The files a posted form carries."""

    stored: tuple[str, ...] = ()  # keys of files earlier POSTs of the same rendering stored
    new: tuple[UploadedFile, ...] = ()  # this POST's uploads that fit the form's limits
    nonce: str = ""  # the rendering's token nonce ("": not a good token, nothing may be stored)
    removed: tuple[str, ...] = ()  # keys the person chose to remove: deleted at once
    client: str = ""  # the sender's address, hashed ("": not counted per address, e.g. staff)


@dataclass(frozen=True)
class Sender:
    """Who sent a customer's form, as the throttles count it (staff are not throttled)."""

    client: str  # the sender's address, keyed (embedding.origin.client_key; "": unknown)
    verified: bool = True  # the POST carries a solved challenge, or the challenge is off
    past_limit: bool = False  # its address is past its limit (it files with a solved challenge)


@dataclass(frozen=True)
class Filing:
    """A valid form's ticket: what to file, once per rendered form."""

    nonce: str  # the rendered form's one-time token: a second POST of it finds the first filing
    form_slug: str
    audience: str  # "customer" or "staff"
    payload: dict[str, Any]  # the create-ticket body, built only from what the form shows
    language: str = ""  # the person's language, for the pages about this filing
    filed_by: int | None = None  # the staff user filing for a client
    sender: Sender | None = None  # a customer's: counted against the throttles once kept
    consent_version: str = ""  # the version of the consent box the person ticked ("": none)


@dataclass(frozen=True)
class Handover:
    """What a posted form hands to delivery."""

    uploads: Uploads  # nothing new when the form's token is not good: only a real page stores
    filing: Filing | None  # None: the form is not valid, so nothing is filed


@dataclass(frozen=True)
class StoredFile:
    """An attachment the portal keeps, as a page lists it."""

    key: str
    name: str
    size: int


NOT_KEPT = "not_kept"  # the portal's own database refused the submission: nothing was kept
UPLOADS_FULL = "uploads_full"  # the portal holds as many unsent files as it may: none taken


@dataclass(frozen=True)
class Status:
    """Where a submission stands, as a person reads it (delivery/status.py makes it)."""

    state: str  # filed, received, attention or cancelled
    reference: str
    unique_id: str

    @property
    def final(self) -> bool:
        """Nothing will change without a person: the page stops asking."""
        return self.state != "received"

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "reference": self.reference,
            "uniqueId": self.unique_id,
            "final": self.final,
        }


@dataclass(frozen=True)
class Outcome:
    """What delivery made of a handover, for the view to show."""

    files: tuple[StoredFile, ...] = ()  # what is stored for the form, listed if it comes back
    submission_key: str = ""  # the filing's public key ("" when nothing was filed)
    failure: str = ""  # why the form comes back: REJECTED, NOT_KEPT, UPLOADS_FULL; "" if accepted
    messages: tuple[ApiMessage, ...] = ()  # the API's word on a rejection
    new: bool = False  # this POST made the submission (not a repeat of an earlier one)
    status: Status | None = None  # where an accepted submission stands

    @property
    def accepted(self) -> bool:
        """Filed, or being filed: the person goes on to the confirmation."""
        return bool(self.submission_key) and not self.failure


@dataclass(frozen=True)
class ReplyFiling:
    """A valid reply box: what the person wrote, and its rendering's token nonce (a reply box
    sent again finds the reply it made)."""

    nonce: str
    text: str


@dataclass(frozen=True)
class ReplyOutcome:
    """What delivery made of a posted reply box, for the view."""

    files: tuple[StoredFile, ...] = ()  # what is stored for the box, listed if it comes back
    failure: str = ""  # NOT_KEPT, UPLOADS_FULL; "" when kept (or nothing was to be kept)
    reply_id: int | None = None  # the kept reply
    state: str = ""  # where it stands: sending, sent, ...

    @property
    def accepted(self) -> bool:
        return self.reply_id is not None and not self.failure


# --- What the helpdesk says of people and tickets (tickets.helpdesk.directory reads them) --------
@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    is_staff: bool

    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


@dataclass(frozen=True)
class TicketRef:
    id: int
    unique_id: str
    title: str


@dataclass(frozen=True)
class StaffDirectory:
    """The helpdesk's answers a staff form needs, read before the form is built.

    The form only reads these: it never calls the API. `tickets` and `people` hold what the posted
    parent ticket and client turned out to be (None: there is no such one); a reference missing
    from them could not be checked (the helpdesk did not answer).
    """

    staff: tuple[Person, ...] = ()
    staff_unavailable: bool = False
    agent_id: int | None = None
    tickets: Mapping[str, TicketRef | None] = field(default_factory=dict)
    people: Mapping[int, Person | None] = field(default_factory=dict)
