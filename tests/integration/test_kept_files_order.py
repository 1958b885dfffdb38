"""Kept files come back in the order they came, though the query leaves the sorting to Python."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tickets.delivery import storage
from tickets.models import Attachment

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
    assert names == [a.name for a in Attachment.objects.filter(token="nonce")]  # the model's order
