"""The API's documented answer shapes (/work/shared/api/NOTES.md), each served over real HTTP by
tests/stub_server.py as the notes show it, and read by the portal's own code: TicketsClient,
the directory's look-ups, the look-up of a lost answer and the delivery of a submission.

The stubs answer from a table of canned bodies, so each test is deterministic and sleeps never.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.stub_server import Request, stub_server
from tickets.delivery import attempts
from tickets.helpdesk import directory
from tickets.helpdesk.client import TicketsClient, close_clients
from tickets.helpdesk.errors import (
    ApiMessage,
    ApiRejected,
    ApiUnavailable,
    NotSent,
)
from tickets.helpdesk.governor import get_governor
from tickets.helpdesk.lookup import find_filed
from tickets.models import Submission
from tickets.records import Person, TicketRef

EMAIL = "portal@example.com"
API_KEY = "portal-key-0123456789"
JSON = "application/json"

Handler = Callable[[Request], tuple[int, str, bytes] | None]


@pytest.fixture(autouse=True)
def _close_api_connections():
    yield
    close_clients()


@contextmanager
def api(answer: Handler) -> Iterator[tuple[TicketsClient, list[Request]]]:
    """A stub API and a governed client for it (the portal's own kind)."""
    with stub_server(answer) as (url, seen):
        yield TicketsClient(f"{url}/api/v2", EMAIL, API_KEY, 1, 5), seen


@contextmanager
def portal_api(settings, answer: Handler) -> Iterator[list[Request]]:
    """A stub API the portal's configured client (get_client()) speaks to."""
    with stub_server(answer) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        yield seen


def query(request: Request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(request.path).query).items()}


def route(request: Request) -> str:
    return urlsplit(request.path).path.removeprefix("/api/v2")


def answer_json(text: str | dict, status: int = 200) -> tuple[int, str, bytes]:
    body = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    return status, JSON, body.encode()


def ticket(ticket_id: int, title: str = "", email: str = "") -> dict:
    """A ticket of a list, as `GET /tickets/` gives it (dates as NOTES shows them)."""
    return {
        "id": ticket_id,
        "pid": 0,
        "unique_id": f"ABC-{100 + ticket_id}",
        "date_created": "2016-08-15 17:05:19",
        "date_updated": "2016-08-15 17:05:19",
        "title": title or f"Ticket {ticket_id}",
        "status_id": "open",
        "owner_email": "agent@example.com",
        "user_email": email or f"client{ticket_id}@example.com",
        "freeze_date": "null",
        "freeze": 0,
    }


# --- 1 and 2. A tickets list: keyed by id or an array, `total` a string, over 2 pages ----------
SEVEN = [2, 8, 11, 12, 15, 21, 40]  # ids; 5 a page: 2 pages


def tickets_page(page: int, keyed: bool, pagination: dict) -> dict:
    ids = SEVEN[(page - 1) * 5 : page * 5]
    items = [ticket(i) for i in ids]
    data = {str(t["id"]): t for t in items} if keyed else items
    return {"data": data, "pagination": {**pagination, "current_page": page}}


PAGINATIONS = {
    "total as a string, with total_pages": {"total": "7", "per_page": 5, "total_pages": 2},
    "total as a string, no total_pages": {"total": "7", "per_page": 5},
    "every number as a string": {"total": "7", "per_page": "5", "total_pages": "2"},
}


@pytest.mark.parametrize("keyed", [True, False], ids=["data keyed by id", "data an array"])
@pytest.mark.parametrize("pagination", PAGINATIONS.values(), ids=PAGINATIONS.keys())
def test_a_tickets_list_is_read_whole_over_two_pages(keyed, pagination):
    def answer(request):
        page = int(query(request)["page"])
        if page > 2:
            return answer_json({"errors": [{"code": "e-404", "title": "No such page"}]}, 404)
        return answer_json(tickets_page(page, keyed, pagination))

    with api(answer) as (client, seen):
        items = client.get_all("tickets/", {"status_list": "open"}, max_pages=2, whole=True)

    assert [t["id"] for t in items] == SEVEN
    assert [query(r)["page"] for r in seen] == ["1", "2"]  # page 2 read, no page 3 asked
    assert all(query(r)["status_list"] == "open" for r in seen)
    assert items[0]["freeze_date"] == "null"  # kept as the API wrote it, not taken for None


def test_a_string_total_is_what_ends_the_list():
    # Two full pages and no total_pages: only `total` ("10", a string) says page 2 is the last.
    # Misread, the full second page would make the client ask for a third.
    def answer(request):
        page = int(query(request)["page"])
        if page > 2:
            return answer_json({"errors": [{"code": "e-404", "title": "No such page"}]}, 404)
        ids = range(page * 10, page * 10 + 5)
        data = {str(i): ticket(i) for i in ids}
        return answer_json({"data": data, "pagination": {"total": "10", "per_page": 5}})

    with api(answer) as (client, seen):
        items = client.get_all("tickets/")

    assert [t["id"] for t in items] == [10, 11, 12, 13, 14, 20, 21, 22, 23, 24]
    assert len(seen) == 2


@pytest.mark.parametrize("keyed", [True, False], ids=["data keyed by id", "data an array"])
def test_the_lookup_reads_the_listing_over_two_pages_and_finds_the_ticket(settings, keyed):
    # A lost answer's look-up: the search finds nothing (its fields are undocumented), so the
    # tickets since the day before are listed; the one is on page 2, and its first post (the
    # description, as HTML, with the post shape of NOTES) carries the portal's reference.
    reference = "TP-ABCDE-FGHJK"
    title, email = "Printer jam", "ada@example.com"
    listing = {
        1: [ticket(2), ticket(8), ticket(11), ticket(12), ticket(15)],
        2: [ticket(21), ticket(40, title, email)],
    }

    def answer(request):
        params, path = query(request), route(request)
        if path == "/tickets/" and "search" in params:
            return answer_json({"data": [], "pagination": {"total": "0", "per_page": 30}})
        if path == "/tickets/":
            page = int(params["page"])
            items = listing[page]
            data = {str(t["id"]): t for t in items} if keyed else items
            pagination = {"total": "7", "per_page": 5, "current_page": page, "total_pages": 2}
            return answer_json({"data": data, "pagination": pagination})
        if path == "/tickets/40/posts/":
            return answer_json(
                posts_page(f"<p>It jams.</p><p>{settings.TICKETS_REFERENCE_LABEL}: {reference}</p>")
            )
        return answer_json({"errors": [{"code": "e-404", "title": "Not found"}]}, 404)

    since = datetime(2016, 8, 14, 17, 5, 19, tzinfo=UTC)
    with api(answer) as (client, seen):
        found = find_filed(client, reference, title, email, since)

    assert found == TicketRef(40, "ABC-140", title)
    listed = [query(r) for r in seen if route(r) == "/tickets/" and "search" not in query(r)]
    assert [q["page"] for q in listed] == ["1", "2"]
    assert {q["from_date_created"] for q in listed} == {"2016-08-14 17:05:19"}
    assert all(r.method == "GET" for r in seen)  # a look-up never files


# --- 3. A success answered with an `s-` code in `errors` --------------------------------------
NO_CONTENT = {"errors": [{"code": "s-204", "title": "No content"}]}


def test_an_s_code_answer_is_a_success_for_the_client():
    with api(lambda request: answer_json(NO_CONTENT)) as (client, seen):
        assert client.get("tickets/9/") is None  # no data, and no error
        assert client.create_ticket({"title": "t", "description": "d"}) is None
    assert [r.method for r in seen] == ["GET", "POST"]
    assert get_governor().pause.until() < time.time()  # nothing to pause for


def test_an_s_code_next_to_a_refusal_is_still_a_refusal():
    # Only the `s-` entries are set aside: an `e-` entry beside one still refuses.
    body = {"errors": [*NO_CONTENT["errors"], {"code": "e-400", "title": "Validation error"}]}
    with (
        api(lambda request: answer_json(body)) as (client, _seen),
        pytest.raises(ApiRejected) as refused,
    ):
        client.create_ticket({"title": "t"})
    assert [m.code for m in refused.value.messages] == ["e-400"]


# --- 4. A ban: 401 with the Ban error --------------------------------------------------------
BAN = {
    "errors": [
        {
            "code": "e-401",
            "title": "Ban",
            "details": "Ban for 20 min. API limit reached (300 request per minute).",
        }
    ]
}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_ban_is_unavailable_and_pauses_every_request(settings, method):
    settings.TICKETS_API_BAN_SECONDS = 20 * 60
    with api(lambda request: answer_json(BAN, 401)) as (client, seen):
        call = (
            (lambda: client.get("tickets/9/"))
            if method == "GET"
            else (lambda: client.create_ticket({"title": "t", "description": "d"}))
        )
        with pytest.raises(ApiUnavailable) as banned:
            call()
        # The governor was told: the next request is held back by the portal, not sent.
        with pytest.raises(NotSent) as held:
            call()

    error = banned.value
    assert not isinstance(error, NotSent | ApiRejected)  # the API's own answer, not a refusal
    assert error.status == 401
    assert error.messages == (ApiMessage("e-401", "Ban", BAN["errors"][0]["details"]),)
    assert len(seen) == 1  # no retry, quick or otherwise
    assert 20 * 60 - 30 < get_governor().pause.until() - time.time() <= 20 * 60
    assert held.value.retry_after > 20 * 60 - 30


def test_a_ban_on_a_person_look_up_is_raised_and_pauses_the_portal(settings):
    with portal_api(settings, lambda request: answer_json(BAN, 401)) as seen:
        with pytest.raises(ApiUnavailable) as banned:
            directory.person(1001)
        with pytest.raises(NotSent):
            directory.person(1002)
    assert banned.value.status == 401 and not isinstance(banned.value, NotSent)
    assert len(seen) == 1


# --- 5. Users: a localised group name, and an api_key the portal must not keep ----------------
STAFF_KEY, CLIENT_KEY = "a1b2c3d4e5-staff-key", "f6g7h8i9j0-client-key"
STAFF_USER = {
    "id": 1,
    "name": "Olga",
    "lastname": "Petrenko",
    "email": "olga@example.com",
    "group": {
        "id": 1,
        "type": "staff",
        "name": {"ru": "Администраторы", "en": "Administrators", "ua": "Адміністратори"},
    },
    "department": [1],
    "phone": "",
    "status": "active",
    "language": "ua",
    "date_created": "2016-08-15 17:05:19",
    "api_key": STAFF_KEY,
}
CLIENT_USER = {
    "id": 1001,
    "name": "Ada",
    "lastname": "Lovelace",
    "email": "ada@example.com",
    "group": {"id": 2, "type": "user", "name": {"ru": "Клиенты", "en": "Clients", "ua": "Клієнти"}},
    "department": [],
    "phone": "",
    "status": "active",
    "language": "en",
    "date_created": "2016-08-15 17:05:19",
    "api_key": CLIENT_KEY,
}
STAFF_PERSON = Person(1, "Olga Petrenko", "olga@example.com", True)
CLIENT_PERSON = Person(1001, "Ada Lovelace", "ada@example.com", False)


def users_api(keyed: bool) -> Handler:
    def answer(request):
        path = route(request)
        if path == "/users/1/":
            return answer_json({"data": STAFF_USER})
        if path == "/users/1001/":
            return answer_json({"data": CLIENT_USER})
        if path == "/users/":
            users = [STAFF_USER, CLIENT_USER]
            data = {str(u["id"]): u for u in users} if keyed else users
            pagination = {"total": "2", "per_page": 30, "current_page": 1, "total_pages": 1}
            return answer_json({"data": data, "pagination": pagination})
        return answer_json({"errors": [{"code": "e-404", "title": "Not found"}]}, 404)

    return answer


def assert_no_key_kept(caplog) -> None:
    """Neither key is in a log line nor in what the directory cached."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    keys = ["directory:staff", "directory:staff:stale", "directory:person:1001"]
    keys.append("directory:search:" + hashlib.sha256(b"example").hexdigest())
    found = [directory.cache.get(key) for key in keys]
    assert any(found)  # something was cached, and none of it holds a key
    kept = repr(found)
    cache = caches["default"]  # with LocMemCache, every entry (pickled) is looked at too
    raw = b"".join(cache._cache.values()) if isinstance(cache, LocMemCache) else b""
    for text in (caplog.text, kept):
        assert STAFF_KEY not in text and CLIENT_KEY not in text
    assert STAFF_KEY.encode() not in raw and CLIENT_KEY.encode() not in raw


def test_a_user_read_by_id_is_a_person_without_the_api_key(settings, caplog):
    caplog.set_level(logging.DEBUG)
    with portal_api(settings, users_api(keyed=False)) as seen:
        staff, client = directory.person(1), directory.person(1001)
        summary = directory.for_summary({"user_id": 1001})
    assert (staff, client) == (STAFF_PERSON, CLIENT_PERSON)
    assert summary.people == {1001: CLIENT_PERSON}  # cached for the confirmation page
    assert [route(r) for r in seen][:2] == ["/users/1/", "/users/1001/"]
    assert_no_key_kept(caplog)


@pytest.mark.parametrize("keyed", [True, False], ids=["data keyed by id", "data an array"])
def test_users_found_by_search_are_people_without_the_api_key(settings, caplog, keyed):
    caplog.set_level(logging.DEBUG)
    settings.TICKETS_API_STAFF_GROUPS = []
    with portal_api(settings, users_api(keyed)) as seen:
        clients = directory.search_clients("example")
        staff = directory.staff_users()
    assert clients == [CLIENT_PERSON]  # an agent files for a client, never for staff
    assert staff == [STAFF_PERSON]
    assert query(seen[0])["search"] == "example"
    assert_no_key_kept(caplog)


# --- 6. Posts of a ticket ----------------------------------------------------------------------
def posts_page(first_text: str) -> dict:
    """`GET /tickets/{id}/posts/` as NOTES shows it: newest first, time before date, files with
    some of id, name, url or link, data_type."""
    return {
        "data": [
            {
                "ticket_id": 40,
                "id": 702,
                "user_id": 1,
                "text": "<p>We are on it.</p>",
                "date_created": "09:12:30 27.01.2017",
                "date_updated": "09:12:30 27.01.2017",
                "files": [],
            },
            {
                "ticket_id": 40,
                "id": 701,
                "user_id": 1001,
                "text": first_text,
                "date_created": "17:45:00 26.01.2017",
                "files": [
                    {
                        "id": 31,
                        "name": "jam.jpg",
                        "url": "https://helpdesk.example.com/files/31/jam.jpg",
                        "data_type": "image/jpeg",
                    },
                    {"name": "log.txt", "link": "https://helpdesk.example.com/files/32"},
                ],
            },
        ],
        "pagination": {"total": "2", "per_page": 30, "current_page": 1, "total_pages": 1},
    }


@pytest.mark.parametrize("keyed", [True, False], ids=["data keyed by id", "data an array"])
def test_posts_are_read_as_the_api_writes_them(keyed):
    # Nothing parses posts yet (the ticket page will): the client's list reading hands them over
    # whole, in the API's order, with their dates and files as written.
    page = posts_page("<p>It jams.</p>")
    if keyed:
        page["data"] = {str(p["id"]): p for p in page["data"]}
    with api(lambda request: answer_json(page)) as (client, seen):
        posts = client.get_all("tickets/40/posts/")

    expected = page["data"] if not keyed else list(page["data"].values())
    assert posts == expected
    assert [p["date_created"] for p in posts] == ["09:12:30 27.01.2017", "17:45:00 26.01.2017"]
    assert [set(f) for f in posts[1]["files"]] == [
        {"id", "name", "url", "data_type"},
        {"name", "link"},
    ]
    assert [route(r) for r in seen] == ["/tickets/40/posts/"]


# --- 7. Create answered 200 with the ticket object of create-ticket.txt ------------------------
# The Response Example of create-ticket.txt, as it stands but for two slips that make it invalid
# JSON (a comma after the regex field's last key, none after multi_button's "en"), and with
# `freeze_date` as the string "null", as NOTES says tickets may carry it.
CREATED = """{
"data": {
"id": 2,
"pid": 1,
"unique_id": "ABC-124",
"date_created": "2025-11-21 09:40:47",
"date_updated": "2025-11-21 10:33:34",
"title": "Test Ticket",
"source": "system",
"status_id": "open",
"priority_id": 1,
"type_id": 1,
"department_id": 1,
"department_name": "Support Department",
"owner_id": 1,
"owner_name": "Administrator",
"owner_lastname": "",
"user_id": 1,
"user_name": "user1",
"user_lastname": "",
"cc": [
],
"bcc": [
],
"followers": [
1
],
"ticket_lock": 0,
"sla_date": "01.01.2026 00:00",
"sla_flag": 0,
"freeze_date": "null",
"freeze": 0,
"viewed_by_staff": 1,
"viewed_by_client": 0,
"rate": "",
"rate_comment": "",
"rate_date": "",
"deleted": 0,
"custom_fields": [
{
"id": 96,
"field_type": "text",
"field_value": "Field value of type (Text Field)"
},
{
"id": 97,
"field_type": "textarea",
"field_value": "Field value of type (Text Area)"
},
{
"id": 98,
"field_type": "number",
"field_value": "1"
},
{
"id": 99,
"field_type": "select",
"field_value": {
"id": 192,
"name": {
"en": "Meaning 1",
"ru": "",
"ua": ""
}
}
},
{
"id": 100,
"field_type": "hierarchy",
"field_value": {
"1": {
"id": 198,
"name": {
"en": "First-level parent element",
"ru": "",
"ua": ""
}
},
"2": {
"id": 204,
"name": {
"en": "Second-level child element",
"ru": "",
"ua": ""
}
}
}
},
{
"id": 101,
"field_type": "date",
"field_value": "01.01.2027"
},
{
"id": 102,
"field_type": "time",
"field_value": "09:00"
},
{
"id": 103,
"field_type": "regex"
},
{
"id": 104,
"field_type": "checkbox",
"field_value": 1
},
{
"id": 105,
"field_type": "button",
"field_value": 1
},
{
"id": 106,
"field_type": "multi_button",
"field_value": {
"id": 45928,
"name": {
"en": "Meaning of button with ID 45928",
"ru": "",
"ua": ""
}
}
}
],
"tags": [
"1",
"2"
],
"jira_issues": []
}
}"""

PAYLOAD = {
    "title": "Test Ticket",
    "description": "Ticket Description",
    "user_email": "customer@example.com",
    "custom_fields": {"96": "Field value of type (Text Field)"},
}


def new_submission(**fields) -> Submission:
    return Submission.objects.create(
        token=f"contract-{time.monotonic_ns()}",
        form_slug="support",
        audience="customer",
        language="en",
        payload=PAYLOAD,
        **fields,
    )


def test_a_create_answered_200_gives_the_ticket():
    with api(lambda request: answer_json(CREATED, 200)) as (client, seen):
        data = client.create_ticket(PAYLOAD)
    assert data == json.loads(CREATED)["data"]
    assert (data["id"], data["unique_id"], data["freeze_date"]) == (2, "ABC-124", "null")
    assert [(r.method, route(r)) for r in seen] == [("POST", "/tickets/")]
    assert json.loads(seen[0].body) == PAYLOAD


@pytest.mark.django_db
def test_a_delivery_answered_200_is_filed_with_the_ticket_number(settings):
    submission = new_submission()
    with portal_api(settings, lambda request: answer_json(CREATED, 200)) as seen:
        attempts.deliver(submission.pk)
    submission.refresh_from_db()
    assert (submission.state, submission.api_id, submission.unique_id) == ("filed", 2, "ABC-124")
    assert submission.api_response["freeze_date"] == "null"
    assert [r.method for r in seen] == ["POST"]


@pytest.mark.django_db
def test_a_delivery_answered_with_an_s_code_is_filed_never_rejected(settings):
    submission = new_submission()
    with portal_api(settings, lambda request: answer_json(NO_CONTENT, 200)) as seen:
        attempts.deliver(submission.pk)
    submission.refresh_from_db()
    assert (submission.state, submission.error_kind) == ("filed", "")
    assert submission.api_messages == []
    assert len(seen) == 1


@pytest.mark.django_db
def test_a_delivery_met_by_a_ban_is_queued_and_not_sent_again_during_it(settings):
    submission = new_submission()
    with portal_api(settings, lambda request: answer_json(BAN, 401)) as seen:
        attempts.deliver(submission.pk)
        submission.refresh_from_db()
        assert (submission.state, submission.error_kind) == ("queued", "unavailable")
        Submission.objects.filter(pk=submission.pk).update(next_attempt_at=None)  # due again
        attempts.deliver(submission.pk)
    submission.refresh_from_db()
    assert submission.state == "queued"
    assert submission.next_attempt_at.timestamp() > time.time() + 20 * 60 - 60  # after the ban
    assert len(seen) == 1


# --- 8. A validation refusal: code, title and details, no `field` -----------------------------
REFUSAL = {
    "errors": [
        {"code": "e-400", "title": "Validation error", "details": "The title field is required."},
        {"code": "e-400", "title": "Validation error", "details": "Something went wrong."},
    ]
}


def assert_refused_as_served(messages) -> None:
    """The items as served; a `field` only where the details' words name one (none has a key)."""
    said = [(m["code"], m["title"], m["details"], m["field"]) for m in messages]
    assert [s[:3] for s in said] == [tuple(e.values()) for e in REFUSAL["errors"]]
    assert all(not field or field in details for _c, _t, details, field in said)
    assert said[1][3] == ""  # a message naming no field belongs to the whole form


@pytest.mark.parametrize("status", [400, 422, 200])
def test_a_validation_refusal_without_fields_is_a_refusal(status):
    with (
        api(lambda request: answer_json(REFUSAL, status)) as (client, seen),
        pytest.raises(ApiRejected) as refused,
    ):
        client.create_ticket({"title": "", "description": "d"})
    assert refused.value.status == status
    assert_refused_as_served([asdict(m) for m in refused.value.messages])
    assert [str(m) for m in refused.value.messages] == [e["details"] for e in REFUSAL["errors"]]
    assert len(seen) == 1
    assert get_governor().pause.until() < time.time()  # a refusal is no ban


@pytest.mark.django_db
def test_a_delivery_refused_without_fields_needs_attention(settings):
    submission = new_submission()
    with portal_api(settings, lambda request: answer_json(REFUSAL, 422)) as seen:
        attempts.deliver(submission.pk)
    submission.refresh_from_db()
    assert (submission.state, submission.error_kind) == ("attention", "rejected")
    assert_refused_as_served(submission.api_messages)
    assert len(seen) == 1
