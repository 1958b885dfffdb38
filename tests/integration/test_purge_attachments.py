from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tickets.delivery import storage
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db


def stored(name: str, age_days: float, submission=None) -> Attachment:
    (attachment,) = storage.store([SimpleUploadedFile(name, b"data")])
    Attachment.objects.filter(pk=attachment.pk).update(
        created_at=timezone.now() - timedelta(days=age_days), submission=submission
    )
    attachment.refresh_from_db()
    return attachment


def test_old_orphans_go_and_everything_else_stays():
    submission = Submission.objects.create(token="t", form_slug="support", audience="customer")
    old_orphan = stored("old.txt", 3)
    new_orphan = stored("new.txt", 0.5)
    sent = stored("sent.txt", 30, submission)
    out = StringIO()

    call_command("purge_attachments", stdout=out)

    assert "Deleted 1 attachment(s)" in out.getvalue()
    assert set(Attachment.objects.values_list("name", flat=True)) == {"new.txt", "sent.txt"}
    assert not old_orphan.file.storage.exists(old_orphan.file.name)
    assert new_orphan.file.storage.exists(new_orphan.file.name)
    assert sent.file.storage.exists(sent.file.name)


def test_dry_run_deletes_nothing():
    stored("old.txt", 3)
    out = StringIO()
    call_command("purge_attachments", "--dry-run", stdout=out)
    assert "Would delete 1" in out.getvalue()
    assert Attachment.objects.count() == 1
