"""Reading a form's POST within its limits, whatever the sender claims.

Django stores every uploaded file before the form sees it. Here a file larger than
TICKETS_MAX_FILE_MB, or past the TICKETS_MAX_FILES the form can keep, streams past unstored: the
form gets a stand-in with the file's name and the size seen, refuses it by name, and keeps
everything else that was typed. A body Django refuses to read at all (more text than
DATA_UPLOAD_MAX_MEMORY_SIZE, which no browser sends: every text control has a maxlength) is
said to the person plainly instead of a bare "400 Bad Request".
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext as _


class LimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: what the form could never keep is never stored."""

    def __init__(self, request: HttpRequest | None = None):
        super().__init__(request)
        self.limit = settings.TICKETS_MAX_FILE_MB * 1024 * 1024
        self.passed = 0  # files handed on to Django's own handlers to store
        self.seen = 0
        self.skipping = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.skipping = self.passed >= settings.TICKETS_MAX_FILES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            self.skipping = True
        return None if self.skipping else raw_data  # None: the handlers after this see nothing

    def file_complete(self, file_size: int) -> SimpleUploadedFile | None:
        if not self.skipping:
            self.passed += 1
            return None  # Django's own handler completes the stored file
        stand_in = SimpleUploadedFile(self.file_name or "", b"", self.content_type)
        stand_in.size = self.seen  # what the form's checks read: too big, or one too many
        return stand_in


def read(request: HttpRequest) -> str:
    """Read the POST with the limits in place; "" when it was read, else why it was not."""
    request.upload_handlers.insert(0, LimitedUploadHandler(request))
    try:
        request.POST, request.FILES  # noqa: B018  (reading is the point)
    except RequestDataTooBig:
        return _(
            "What you typed is longer than this form accepts. Go back, shorten the longest "
            "text and send again: everything you typed is still in your browser."
        )
    except (TooManyFieldsSent, TooManyFilesSent):
        return _("The form sent more than it has. Open it again and send it from there.")
    return ""
