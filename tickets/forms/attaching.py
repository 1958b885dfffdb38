"""AttachingForm: files a person attaches, the same on a ticket's form and on its reply box.

A form that comes back with an error cannot refill a browser's file input, so delivery stores
each acceptable upload at once and the form shown again lists what is stored for it (a signed
list in `attachments`); the person may remove any of them (`remove`). The limits are the
portal's (TICKETS_MAX_FILES, TICKETS_MAX_FILE_MB), checked here and, first, in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..lib.text import file_size
from ..records import Sender, StoredFile, Uploads
from . import uploads
from .fields import MultipleFileField, RefusedUpload


class AttachingForm(forms.Form):
    """The attachments of a form: new files, the ones stored for it, and those to remove."""

    attachments = forms.CharField(widget=forms.HiddenInput, required=False)
    files = MultipleFileField(label=_("Attachments"), required=False)
    remove = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.acceptable_files: list = []  # this POST's uploads that may be kept (clean_files)
        # The files earlier POSTs of this rendering stored, as its signed list names them.
        self.stored: tuple[StoredFile, ...] = uploads.unsign(self.data.get("attachments", ""))
        self.fields["remove"].choices = [(f.key, f.name) for f in self.stored]
        count, size = settings.TICKETS_MAX_FILES, settings.TICKETS_MAX_FILE_MB * 1024 * 1024
        self.fields["files"].help_text = ngettext(
            "Up to %(count)d file, %(size)s at most.",
            "Up to %(count)d files, %(size)s each at most.",
            count,
        ) % {"count": count, "size": file_size(size)}

    @property
    def file_limits(self) -> dict[str, int]:
        """The attachment limits, for the browser's own check before the form is sent
        (templates/tickets/fields/files.html, static/js/attachments.js); clean_files decides."""
        return {
            "max_files": settings.TICKETS_MAX_FILES,
            # Whole bytes: a file is too large when its size is above this, as in clean_files.
            "max_bytes": int(settings.TICKETS_MAX_FILE_MB * 1024 * 1024),
        }

    def clean_files(self) -> list:
        """Refuse files too big or too many; the acceptable ones are stored all the same."""
        files = self.cleaned_data["files"]
        limit = settings.TICKETS_MAX_FILE_MB * 1024 * 1024
        too_big = [f for f in files if f.size > limit]
        fitting = [f for f in files if f.size <= limit]
        room = settings.TICKETS_MAX_FILES - len(self._stored_keys())
        storable = [f for f in fitting if not isinstance(f, RefusedUpload)]
        self.acceptable_files = storable[: max(room, 0)]
        errors = []
        if too_big:
            errors.append(
                forms.ValidationError(
                    _("%(names)s: larger than %(size)s.")
                    % {"names": ", ".join(f.name for f in too_big), "size": file_size(limit)},
                    code="too_big",
                )
            )
        if len(fitting) > len(self.acceptable_files):
            count = settings.TICKETS_MAX_FILES
            errors.append(
                forms.ValidationError(
                    ngettext(
                        "A ticket can carry at most %(count)d file.",
                        "A ticket can carry at most %(count)d files.",
                        count,
                    )
                    % {"count": count},
                    code="too_many",
                )
            )
        if errors:
            raise forms.ValidationError(errors)
        return files

    def uploads(self, nonce: str, sender: Sender | None = None) -> Uploads:
        """The files to store and keep for this POST. Only a page the portal rendered (a good
        token's `nonce`) may leave new files on the server."""
        removed = self._removed() if nonce else ()
        new = tuple(self.acceptable_files) if nonce else ()
        client = sender.client if sender else ""
        return Uploads(self._stored_keys(), new, nonce, removed, client)

    def _stored_keys(self) -> tuple[str, ...]:
        """Keys of the files earlier POSTs stored that the person did not remove."""
        removed = set(self._removed())
        return tuple(f.key for f in self.stored if f.key not in removed)

    def _removed(self) -> tuple[str, ...]:
        """Keys of stored files the person ticked to remove."""
        return tuple(self.data.getlist("remove")) if hasattr(self.data, "getlist") else ()

    def list_stored(self, files: Sequence[StoredFile]) -> None:
        """The files stored for this form now (as delivery has them), listed when it is shown
        again."""
        self.stored = tuple(files)
        self._replace_data(attachments=uploads.sign(self.stored), remove=[])
        self.fields["remove"].choices = [(f.key, f.name) for f in self.stored]

    def _replace_data(self, **values: Any) -> None:
        data = self.data.copy()
        for key, value in values.items():
            if isinstance(value, list):
                data.setlist(key, value)
            else:
                data[key] = value
        self.data = data
