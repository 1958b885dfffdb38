"""ReplyForm: the box under a ticket's conversation where its client answers, with files.

It validates as the ticket's form does (a signed one-time token in place of a CSRF cookie, the
same file limits) and hands over what to store and, when valid, the reply to post.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..records import ReplyFiling, Uploads
from . import tokens
from .attaching import AttachingForm
from .fields import TextField

AUDIENCE = "reply"


def token_slug(reference: str) -> str:
    """What a reply box's token is made for: the ticket's reference (a new link keeps it)."""
    return f"reply:{reference}"


class ReplyForm(AttachingForm):
    form_token = forms.CharField(widget=forms.HiddenInput)
    text = TextField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000
    )

    def __init__(self, *args: Any, reference: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.slug = token_slug(reference)
        self.token: tokens.FormToken | None = None
        if not self.is_bound:
            self.initial["form_token"] = tokens.issue(self.slug, AUDIENCE)
        self.fields["files"].label = _("Add files")

    def clean_form_token(self) -> str:
        value = self.cleaned_data["form_token"]
        try:
            self.token = tokens.read(value, self.slug, AUDIENCE)
        except tokens.TokenError as error:
            self._replace_data(form_token=tokens.issue(self.slug, AUDIENCE))
            raise forms.ValidationError(
                _("This page has expired. Check your reply and send it again.")
                if error.expired
                else _("This reply could not be verified. Check it and send it again."),
                code="token",
            ) from None
        return value

    def handover(self) -> tuple[Uploads, ReplyFiling | None]:
        """Validate; the files to store and, when valid, the reply to post."""
        valid = self.is_valid()
        files = self.uploads(self.token.nonce if self.token else "")
        if not valid:
            return files, None
        return files, ReplyFiling(self.token.nonce, self.cleaned_data["text"])

    def handover_stored(self) -> Uploads:
        """What a refused POST keeps: only the files earlier POSTs stored."""
        return Uploads(stored=self._stored_keys())


def nonce_of(value: str, reference: str) -> str:
    """The nonce of a genuine reply box's token for this ticket, however old, or ""."""
    return tokens.nonce_of(value, token_slug(reference), AUDIENCE)
