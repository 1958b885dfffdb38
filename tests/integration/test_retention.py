"""What the portal keeps, and for how long: a settled submission's content erased in place after
TICKETS_KEEP_CONTENT_DAYS (its page still works), files gone once filed on every path, and one
person's data found, exported and erased on request, leaving no trace in the database or media."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client

from sandbox.models import Ticket
from sandbox.store import reply_as_agent
from tests.integration.test_lost_answers import every_create_lost
from tests.integration.test_portal_flow import (
    FORM_URL,
    closed_port_url,
    confirmation_key,
    get_token,
    make_due,
    run_worker,
    valid_post_data,
)
from tests.integration.test_ticket_page import reply_post, text_of
from tests.stub_server import stub_server
from tickets.delivery import tasks
from tickets.models import Attachment, Conversation, Reply, Submission

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = "Zanzibar-ostrich-7731"  # words of the description, to be found nowhere after erasure


def send(client, email: str = "erase.me@example.com", files=(), **changes) -> Submission:
    data = valid_post_data(get_token(client), user_email=email, description=WORDS, **changes)
    key = confirmation_key(client.post(FORM_URL, {**data, "files": list(files)}))
    return Submission.objects.get(public_key=key)


def a_file(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG " + WORDS.encode(), "image/png")


def traces(*needles: str, database: bool = True) -> list[str]:
    """Where the portal's database (every table but the sandbox's) or its media still holds any
    of these, ignoring case."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models() if database else ():
            if model._meta.app_label == "sandbox":
                continue
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            cursor.execute(f"SELECT {', '.join(map(connection.ops.quote_name, columns))} FROM "
                           f"{connection.ops.quote_name(table)}")  # fmt: skip
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row).casefold()
                found += [f"{table}: {n}" for n in needles if n.casefold() in text]
    media = Path(django_settings.MEDIA_ROOT)
    for path in media.rglob("*") if media.exists() else ():
        if path.is_file() and "sandbox" not in path.parts:
            data = path.read_bytes().decode("utf-8", "replace").casefold()
            found += [f"{path}: {n}" for n in needles if n.casefold() in data]
    return found


def test_a_filed_tickets_content_is_erased_after_the_retention(client, sandbox_api, settings):
    settings.TICKETS_KEEP_CONTENT_DAYS = 0
    submission = send(client, files=[a_file()])
    page = f"/tickets/{submission.public_key}/"
    assert reply_post(client, page, f"My reply {WORDS}").status_code == 303
    assert submission.api_id and WORDS in str(Submission.objects.get().payload)

    tasks.sweep.call()  # one sweep

    erased = Submission.objects.get()
    assert erased.content_erased_at is not None
    assert erased.payload == {} and erased.api_messages == []
    assert erased.api_response == {"id": submission.api_id, "unique_id": submission.unique_id}
    assert (erased.reference, erased.state, erased.unique_id) == (
        submission.reference, "filed", submission.unique_id,
    )  # fmt: skip
    assert Reply.objects.get().text == ""
    assert not Attachment.objects.exists()
    assert traces(WORDS, "erase.me@example.com") == []
    # Its page still shows the number and the conversation, read again from the helpdesk.
    shown = client.get(page)
    assert shown.status_code == 200
    assert submission.unique_id in text_of(shown)
    assert "no longer kept here" in text_of(shown)
    assert WORDS in shown.content.decode()  # the helpdesk's copy, read for the page
    assert Conversation.objects.get().posts  # read again: the cache of the helpdesk's copy


def test_content_is_kept_for_the_retention_and_while_not_filed(client, sandbox_api, settings):
    settings.TICKETS_KEEP_CONTENT_DAYS = 30
    filed = send(client)
    settings.TICKETS_API_URL = closed_port_url()
    waiting = send(client, email="waiting@example.com")
    assert waiting.state == "queued"
    settings.TICKETS_KEEP_CONTENT_DAYS = 0
    Submission.objects.update(sent_at=filed.sent_at)
    call_command("erase_content", stdout=io.StringIO())
    assert Submission.objects.get(pk=filed.pk).content_erased_at is not None
    assert Submission.objects.get(pk=waiting.pk).payload["user_email"] == "waiting@example.com"


def test_the_admin_says_content_erased(admin_client, client, sandbox_api, settings):
    settings.TICKETS_KEEP_CONTENT_DAYS = 0
    submission = send(client)
    call_command("erase_content", stdout=io.StringIO())
    page = admin_client.get(f"/admin/tickets/submission/{submission.pk}/change/")
    assert "erased" in page.content.decode().lower()
    assert "erase.me@example.com" not in page.content.decode()


def test_files_are_deleted_once_filed_on_every_path(client, sandbox_api, settings):
    settings.TICKETS_KEEP_CONTENT_DAYS = 3650
    first = send(client, files=[a_file("at-once.png")])  # filed at once
    with stub_server(every_create_lost(sandbox_api)) as (url, _seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        found = send(client, files=[a_file("found.png")])  # filed, answer lost, found by look-up
        assert found.state == "uncertain"
        make_due()
        run_worker()
    settings.TICKETS_API_URL = closed_port_url()
    retried = send(client, files=[a_file("retried.png")])  # filed by the worker's retry
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    states = dict(Submission.objects.values_list("pk", "state"))
    assert {states[first.pk], states[retried.pk], states[found.pk]} == {"filed"}
    assert list(Attachment.objects.exclude(file="").values_list("name", flat=True)) == []
    assert traces(WORDS, database=False) == []  # no file's bytes left in media


def test_a_persons_data_is_found_exported_and_erased(client, sandbox_api, settings):
    settings.TICKETS_KEEP_CONTENT_DAYS = 3650
    mine = send(client, email="Erase.Me@Example.com", files=[a_file()])
    reply_post(client, f"/tickets/{mine.public_key}/", "A reply of mine")
    settings.TICKETS_API_URL = closed_port_url()
    waiting = send(client)  # not filed yet: it must not be filed later
    settings.TICKETS_API_URL = sandbox_api
    other = send(client, email="keep.me@example.com")
    reply_as_agent(Ticket.objects.get(pk=mine.api_id), "Agent's answer")

    listed = io.StringIO()
    call_command("personal_data", "erase.me@example.com", stdout=listed)
    assert mine.reference in listed.getvalue() and waiting.reference in listed.getvalue()
    assert other.reference not in listed.getvalue()

    exported = io.StringIO()
    call_command("personal_data", "erase.me@example.com", export="-", stdout=exported)
    data = json.loads(exported.getvalue())
    assert {d["reference"] for d in data} == {mine.reference, waiting.reference}
    record = next(d for d in data if d["reference"] == mine.reference)
    assert record["sent"]["user_email"] == "Erase.Me@Example.com"
    assert record["replies"][0]["text"] == "A reply of mine"
    assert record["files"] == [{"name": "photo.png", "size": len(b"\x89PNG " + WORDS.encode())}]

    call_command("personal_data", "erase.me@example.com", erase=True, stdout=io.StringIO())
    assert traces("erase.me@example.com", "A reply of mine") == []
    assert WORDS in str(Submission.objects.get(pk=other.pk).payload)  # another's: kept
    assert Submission.objects.get(pk=other.pk).content_erased_at is None
    assert Submission.objects.get(pk=waiting.pk).state == "cancelled"
    assert client.get(f"/tickets/{mine.public_key}/").status_code == 404  # the link is withdrawn
    make_due()
    run_worker()
    assert Ticket.objects.filter(title__contains="").count() == 2  # the waiting one never filed


def test_an_address_in_cc_is_found_too(client, sandbox_api):
    submission = send(client, email="client@example.com")
    Submission.objects.filter(pk=submission.pk).update(
        payload={**submission.payload, "cc": ["Copied@Example.com"]}
    )
    out = io.StringIO()
    call_command("personal_data", "copied@example.com", stdout=out)
    assert submission.reference in out.getvalue()
    call_command("personal_data", "copied@example.com", erase=True, stdout=io.StringIO())
    assert traces("copied@example.com") == []


def test_the_admin_finds_exports_and_erases_a_persons_data(admin_client, client, sandbox_api):
    mine = send(client, email="erase.me@example.com")
    other = send(client, email="keep.me@example.com")
    url = "/admin/tickets/submission/personal-data/"
    found = admin_client.get(url, {"email": "erase.me@example.com"})
    assert (
        mine.reference in found.content.decode() and other.reference not in found.content.decode()
    )
    exported = admin_client.post(url, {"email": "erase.me@example.com", "export": "1"})
    assert exported["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    assert [d["reference"] for d in exported.json()] == [mine.reference]
    admin_client.post(url, {"email": "erase.me@example.com", "erase": "1"})
    assert traces("erase.me@example.com") == []
    assert Submission.objects.get(pk=other.pk).payload["user_email"] == "keep.me@example.com"


def test_only_staff_who_may_see_content_reach_a_persons_data(
    client, sandbox_api, django_user_model
):
    staff = django_user_model.objects.create_user("clerk", password="pw-12345-xyz", is_staff=True)
    admin = Client()
    admin.force_login(staff)
    assert admin.get("/admin/tickets/submission/personal-data/").status_code == 403
