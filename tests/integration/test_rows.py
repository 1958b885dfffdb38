"""Rows read and written as SQL (tickets/lib/rows.py) are the ORM's: a row read is the instance
the ORM makes, field by field (JSON, dates, nulls, a file, a foreign key), and a row written holds
what QuerySet.update() would have written; the WHERE matches as the ORM's filter does. On
SQLite here, on PostgreSQL in make test's second pass."""

import gc
import threading
import weakref
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connections

from tickets.delivery import storage
from tickets.lib.rows import select_where, update_where, value_where
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db

PAYLOAD = {"title": "Ünïcode ✓", "custom_fields": {"100": {"1": 199}}, "n": 1.5, "none": None}


def fields_of(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def own_values(row) -> dict:
    """Its fields but those every row has of its own (keys, token, times it was made)."""
    own = ("id", "token", "public_key", "reference", "created_at", "updated_at")
    return {k: v for k, v in fields_of(row).items() if k not in own}


def a_submission(**values) -> Submission:
    return Submission.objects.create(token=f"t{Submission.objects.count()}", form_slug="support",
                                     audience="customer", payload=PAYLOAD, **values)  # fmt: skip


def test_a_row_read_is_the_orms_row_field_by_field():
    staff = User.objects.create_user("agent")
    started = datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=UTC)
    full = a_submission(staff_user=staff, attempt_started_at=started, api_id=2**40,
                        api_response={"data": {"id": 7}}, api_messages=[{"field": "x"}])  # fmt: skip
    empty = a_submission()  # nulls: no dates, no staff, no answer

    for made in (full, empty):
        (read,) = select_where(Submission, "{public_key} = %s", [made.public_key])
        orm = Submission.objects.get(pk=made.pk)
        assert fields_of(read) == fields_of(orm)
        assert read._state.adding is False and read._state.db == "default"
    assert read.staff_user is None
    (read,) = select_where(Submission, "{id} = %s", [full.pk])
    assert read.staff_user == staff and read.attempt_started_at == started
    assert read.payload == PAYLOAD and read.created_at.tzinfo is not None


def test_files_read_are_the_orms_and_open():
    (kept,) = storage.store([SimpleUploadedFile("a.txt", b"data")], token="n")
    (read,) = select_where(Attachment, "{token} = %s", ["n"])
    assert fields_of(read) == fields_of(Attachment.objects.get(pk=kept.pk))
    assert read.file.read() == b"data"
    assert select_where(Attachment, "{token} = %s", ["nobody"]) == []


def test_a_value_is_the_column_as_stored_or_none():
    made = a_submission()
    assert value_where(Submission, "public_key", "{token} = %s", [made.token]) == made.public_key
    assert value_where(Submission, "public_key", "{token} = %s", ["nobody"]) is None


def test_a_row_written_holds_what_the_orms_update_writes():
    started = datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=UTC)
    mine, twin = a_submission(attempt_started_at=started), a_submission(attempt_started_at=started)
    values = {
        "state": Submission.State.FILED,
        "api_response": {"data": {"id": 7, "unique_id": "ÄB-1"}, "list": [1, None]},
        "api_id": 2**40,
        "unique_id": "ÄB-1",
        "sent_at": started + timedelta(seconds=1),
        "api_messages": [],
        "next_attempt_at": None,
    }
    equal = {"state": Submission.State.RECEIVED, "attempt_started_at": started}

    assert update_where(Submission, values, id=mine.pk, **equal) == 1
    Submission.objects.filter(pk=twin.pk, **equal).update(**values)
    written, orm = Submission.objects.get(pk=mine.pk), Submission.objects.get(pk=twin.pk)
    assert own_values(written) == own_values(orm)
    assert written.api_response == values["api_response"]
    assert written.sent_at == values["sent_at"]


def test_a_write_matches_as_the_orms_filter_does():
    started = datetime(2026, 12, 2, 1, 2, 3, tzinfo=UTC)  # no microseconds: stored without them
    made = a_submission(attempt_started_at=started)
    unstarted = a_submission()
    done = {"error_detail": "x"}

    assert (
        update_where(Submission, done, id=made.pk, attempt_started_at=started + timedelta(1)) == 0
    )
    assert update_where(Submission, done, id=made.pk, state=Submission.State.FILED) == 0
    assert update_where(Submission, done, id=made.pk, attempt_started_at=started) == 1
    assert update_where(Submission, done, id=unstarted.pk, attempt_started_at=None) == 1
    assert update_where(Submission, done, id=made.pk, attempt_started_at=None) == 0
    assert Submission.objects.filter(error_detail="x").count() == 2


@pytest.mark.django_db(transaction=True)
def test_what_a_read_keeps_goes_with_its_connection():
    # The converters a read finds are kept per connection: a thread's connection, once the
    # thread is done, is not held open by them.
    made = a_submission()
    seen = []

    def read() -> None:
        seen.append(weakref.ref(connections[DEFAULT_DB_ALIAS]))
        seen.append(select_where(Submission, "{id} = %s", [made.pk])[0].pk)
        connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    gc.collect()
    assert seen[1] == made.pk
    assert seen[0]() is None
