"""Kept files come back in the order they came, though the query leaves the sorting to Python;
a rendering's files, read as SQL, are exactly those the ORM's filter names."""

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
    # order, so the tie between c and d is decided by the sort, not by the table.
    for attachment in reversed(stored):
        Attachment.objects.filter(pk=attachment.pk).update(
            created_at=now - timedelta(seconds=ages[attachment.name])
        )
    names = [a.name for a in storage.in_order(storage.unsent().filter(token="nonce"))]
    assert names == ["b", "a", "c", "d"]
    assert [a.name for a in storage.rendering_files("nonce")] == names
    assert names == [a.name for a in Attachment.objects.filter(token="nonce")]  # the model's order


def test_a_renderings_files_are_its_own_unsent_ones():
    mine = storage.store([SimpleUploadedFile(n, b"data") for n in ("kept", "sent", "gone")], "n1")
    storage.store([SimpleUploadedFile("other", b"data")], token="n2")
    submission = Submission.objects.create(token="t", form_slug="support", payload={})
    Attachment.objects.filter(pk=mine[1].pk).update(submission=submission)
    Attachment.objects.filter(pk=mine[2].pk).update(file="")  # its ticket has the file now

    found = storage.rendering_files("n1")
    assert [a.name for a in found] == ["kept"]
    assert [a.name for a in storage.unsent().filter(token="n1")] == ["kept"]
    kept = found[0]
    assert (kept.key, kept.size, kept.submission_id) == (mine[0].key, 4, None)
    assert kept.file.read() == b"data"  # a model row as the ORM makes it, its file included
    assert storage.rendering_files("nobody") == []
