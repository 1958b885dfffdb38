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
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..forms.fields import RefusedUpload


class LimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: what the form could never keep is never stored.

    Only the form's own file field is stored; a file there past TICKETS_MAX_FILES, or once it
    grows past TICKETS_MAX_FILE_MB, and a file under any other name, becomes a RefusedUpload.
    """

    FIELD = "files"

    def __init__(self, request: HttpRequest | None = None):
        super().__init__(request)
        self.limit = settings.TICKETS_MAX_FILE_MB * 1024 * 1024
        self.passed = 0  # files handed on to Django's own handlers to store
        self.seen = 0
        self.skipping = False

    def new_file(self, field_name: str, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.seen = 0
        self.skipping = field_name != self.FIELD or self.passed >= settings.TICKETS_MAX_FILES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.seen > self.limit and not self.skipping:
            self.skipping = True
            self._drop_what_was_passed()
        return None if self.skipping else raw_data  # None: the handlers after this see nothing

    def file_complete(self, file_size: int) -> RefusedUpload | None:
        if not self.skipping:
            self.passed += 1
            return None  # Django's own handler completes the stored file
        return RefusedUpload(self.file_name or "", self.content_type, self.seen)

    def _drop_what_was_passed(self) -> None:
        """The first chunks of a file found too large went on to Django's handlers: close what
        they hold (a temporary file is deleted as it closes)."""
        handlers = self.request.upload_handlers if self.request else []
        for handler in handlers[handlers.index(self) + 1 :] if self in handlers else []:
            partial = getattr(handler, "file", None)
            if partial is not None:
                partial.close()
                handler.file = None


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
