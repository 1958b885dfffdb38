"""The plain records that pass between the layers on the one way through.

    form --Handover--> delivery --Outcome--> view

They carry values only (no form, no model, no request): delivery never needs to know a form, and
a form never needs to know the database or the API.

Imports: Django's file type and `tickets.helpdesk.errors` (the API's messages) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from .helpdesk.errors import ApiMessage


@dataclass(frozen=True)
class Uploads:
    """The files a posted form carries."""

    held: tuple[str, ...] = ()  # keys of files earlier POSTs of the same rendering stored
    new: tuple[UploadedFile, ...] = ()  # this POST's uploads that fit the form's limits


@dataclass(frozen=True)
class Filing:
    """A valid form's ticket: what to file, once per rendered form."""

    nonce: str  # the rendered form's one-time token: a second POST of it finds the first filing
    form_slug: str
    audience: str  # "customer" or "staff"
    payload: dict[str, Any]  # the create-ticket body, built only from what the form shows
    language: str = ""  # the person's language, for the pages about this filing
    filed_by: int | None = None  # the staff user filing for a client


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


@dataclass(frozen=True)
class Outcome:
    """What delivery made of a handover, for the view to show."""

    files: tuple[StoredFile, ...] = ()  # what the form holds now, to list if it is shown again
    submission_key: str = ""  # the filing's public key ("" when nothing was filed)
    failure: str = ""  # why it is not filed: a Submission.Error value; "" when it is
    messages: tuple[ApiMessage, ...] = ()  # the API's word on a rejection

    @property
    def accepted(self) -> bool:
        """Filed, or being filed: the person goes on to the confirmation."""
        return bool(self.submission_key) and not self.failure
