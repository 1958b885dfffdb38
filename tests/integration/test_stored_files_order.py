"""Stored files come back in the order they came; a rendering's files are its own unsent ones."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tickets.delivery import storage
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db


def test_files_are_in_the_order_they_came_ties_by_their_row():
    stored = storage.store([SimpleUploadedFile(n, b"data") for n in "abcd"], token="nonce")
    now = timezone.now()
    # b came first; c and d came in the same instant, c's row before d's.
    ages = {"a": 1, "b": 2, "c": 0, "d": 0}
    # Written last row first: PostgreSQL (make test's second pass) then reads them back in that
    # order unless asked for another, so the tie between c and d is decided by the ordering.
    for attachment in reversed(stored):
        Attachment.objects.filter(pk=attachment.pk).update(
            created_at=now - timedelta(seconds=ages[attachment.name])
        )
    assert [a.name for a in storage.rendering_files("nonce")] == ["b", "a", "c", "d"]


def test_a_renderings_files_are_its_own_unsent_ones():
    mine = storage.store([SimpleUploadedFile(n, b"data") for n in ("kept", "sent", "gone")], "n1")
    storage.store([SimpleUploadedFile("other", b"data")], token="n2")
    submission = Submission.objects.create(token="t", form_slug="support", payload={})
    Attachment.objects.filter(pk=mine[1].pk).update(submission=submission)
    Attachment.objects.filter(pk=mine[2].pk).update(file="")  # its ticket has the file now

    found = storage.rendering_files("n1")
    assert [a.name for a in found] == ["kept"]
    assert [a.name for a in Attachment.objects.unsent().filter(token="n1")] == ["kept"]
    kept = found[0]
    assert (kept.key, kept.size, kept.submission_id) == (mine[0].key, 4, None)
    assert kept.file.read() == b"data"
    assert storage.rendering_files("nobody") == []
