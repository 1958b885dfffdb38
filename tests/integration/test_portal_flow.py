"""The portal end to end: Django's test client fills the form, the portal files over real HTTP.

The portal's TicketsClient talks to the sandbox on live_server (`sandbox_api`), or to tiny local
servers that stand for an API that is down, slow or refusing.
"""

from __future__ import annotations

import json
import re
import secrets
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sandbox.models import Ticket, TicketFile
from tests.examples import EXAMPLE_POST
from tests.stub_server import stub_server
from tickets import schema as ticket_schema
from tickets.forms import tokens
from tickets.helpdesk.client import close_clients
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db(transaction=True)

FORM_URL = "/forms/support/"
CONFIRMATION_RE = re.compile(r"^/tickets/(?P<key>[^/]+)/$")

# ... and as the API must receive them.
EXAMPLE_CUSTOM_FIELDS = {
    "96": "Field value of type (Text Field)",
    "97": "Field value of type (Text Area)",
    "98": "1",
    "99": "192",
    "100": {"1": 198, "2": 204, "3": 211},
    "101": "01.01.2027",
    "102": "09:00",
    "103": "name@example.com",
    "104": "1",
    "105": "1",
    "106": "45928",
}
REJECTION = {
    "errors": [
        {
            "code": "e-400",
            "title": "Validation error",
            "details": "Field 96: the order number is already used",
        },
        {"code": "e-400", "title": "Validation error", "details": "Something general"},
    ]
}


@pytest.fixture(autouse=True)
def _close_api_connections(settings):
    """The portal keeps one client per API configuration, with pooled keep-alive connections;
    closing them after each test leaves no live-server thread waiting on an idle connection."""
    yield
    close_clients()


# --- Reading the rendered form ----------------------------------------------------------------------
class _FormState(HTMLParser):
    """What a browser would send for the ticket form as rendered: name -> values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str | None, value: str) -> None:
        if name:
            self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form":
            self._in_form = "data-ticket-form" in attr
        if not self._in_form:
            return
        if tag == "input":
            kind = attr.get("type", "text")
            if kind == "file":
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attr:
                    self._add(attr.get("name"), attr.get("value") or "on")
                return
            self._add(attr.get("name"), attr.get("value") or "")
        elif tag == "select":
            self._select = attr.get("name")
        elif tag == "option" and self._select and "selected" in attr:
            self._add(self._select, attr.get("value") or "")
        elif tag == "textarea":
            self._textarea = attr.get("name")
            self._add(self._textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_state(response) -> dict[str, list[str]]:
    parser = _FormState()
    parser.feed(response.content.decode())
    # A textarea's content starts after one newline, which browsers drop.
    return {
        name: [v[1:] if v.startswith("\n") else v for v in values]
        for name, values in parser.values.items()
    }


def hidden_value(response, name: str) -> str:
    values = form_state(response).get(name)
    assert values and len(values) == 1, f"no single {name!r} in the form"
    return values[0]


def get_token(client) -> str:
    response = client.get(FORM_URL)
    assert response.status_code == 200
    return hidden_value(response, "form_token")


def valid_post_data(token: str, **changes: str) -> dict[str, str]:
    return {"form_token": token, **EXAMPLE_POST, **changes}


def assert_values_kept(response) -> None:
    """Every value of EXAMPLE_POST is in the re-rendered form, as a browser would send it again."""
    state = form_state(response)
    for name, value in EXAMPLE_POST.items():
        assert state.get(name) == [value], f"{name}: {state.get(name)!r} instead of {value!r}"


def confirmation_key(response, status: int = 303) -> str:
    """The key of the status page an answer sends the browser to (303 See Other)."""
    assert response.status_code == status, response.content.decode()[:2000]
    match = CONFIRMATION_RE.match(response["Location"])
    assert match, response["Location"]
    return match["key"]


def resent_key(response) -> str:
    """The key a form sent again is sent on to (303): the status page of its first submission."""
    return confirmation_key(response, status=303)


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def error_block(response, field_id: str) -> str:
    match = re.search(
        rf'<div id="{field_id}_error"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    assert match, f"no error block for {field_id}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match[1])).split())


def error_summary(response) -> str:
    match = re.search(r'<div[^>]*id="error-summary".*?</ul>', response.content.decode(), re.S)
    assert match, "no error summary"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match[0])).split())


# --- Stand-ins for an API that misbehaves --------------------------------------------------------------
def closed_port_url() -> str:
    """A URL on which nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v2"


@contextmanager
def silent_server() -> Iterator[str]:
    """A server whose connections are accepted (by the kernel's backlog) and never answered."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/v2"


@contextmanager
def answering_server(status: int, body: dict) -> Iterator[tuple[str, list]]:
    """A server answering every request with `status` and `body`; yields (url, requests seen)."""
    payload = json.dumps(body).encode()
    with stub_server(lambda request: (status, "application/json", payload)) as (url, seen):
        yield f"{url}/api/v2", seen


# --- 1. Every field type, filed and read back ----------------------------------------------------------
def test_every_field_type_is_filed_with_the_api_values(client, sandbox_api, settings):
    response = client.post(FORM_URL, valid_post_data(get_token(client)))
    key = confirmation_key(response)

    ticket = Ticket.objects.get()
    assert ticket.custom_fields == EXAMPLE_CUSTOM_FIELDS
    reference = Submission.objects.get().reference
    # The description as typed, and the portal's reference after it (for a later look-up).
    assert (ticket.title, ticket.description) == (
        "Test Ticket",
        f"Ticket Description\n\nTicket portal reference: {reference}",
    )
    assert ticket.user_email == "customer@example.com"
    assert (ticket.department_id, ticket.type_id, ticket.priority_id) == (1, 1, 1)

    answer = requests.get(
        f"{sandbox_api}/tickets/{ticket.pk}/",
        auth=(settings.SANDBOX_API_EMAIL, settings.SANDBOX_API_KEY),
        timeout=10,
    )
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["custom_fields_sent"] == EXAMPLE_CUSTOM_FIELDS
    assert (data["department_id"], data["type_id"], data["priority_id"]) == (1, 1, 1)
    by_id = {item["id"]: item["field_value"] for item in data["custom_fields"]}
    assert [by_id[100][level]["id"] for level in ("1", "2", "3")] == [198, 204, 211]
    assert by_id[99]["id"] == 192 and by_id[106]["id"] == 45928

    submission = Submission.objects.get()
    assert submission.public_key == key
    assert submission.state == Submission.State.FILED
    assert (submission.api_id, submission.unique_id) == (ticket.pk, ticket.unique_id)
    assert submission.attempts == 1

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert re.search(
        rf"data-unique-id[^>]*>\s*{re.escape(ticket.unique_id)}\s*<", page.content.decode()
    )

    assert client.get(response["Location"]).status_code == 200  # a refresh files nothing
    assert Ticket.objects.count() == 1
    assert Submission.objects.count() == 1


# --- 2. Empty optional fields ---------------------------------------------------------------------------
@pytest.fixture
def hierarchy_optional(settings, tmp_path):
    """The shipped schema with field 100 optional for customers."""
    data = json.loads(settings.TICKETS_SCHEMA_FILE.read_text(encoding="utf-8"))
    field = next(f for f in data["fields"] if f["id"] == 100)
    field["permissions"]["user"]["required_to_create_ticket"] = False
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    settings.TICKETS_SCHEMA_FILE = path
    ticket_schema.clear_cache()
    yield path
    ticket_schema.clear_cache()


def test_empty_optional_fields_are_sent_as_the_apis_empty_values(
    client, sandbox_api, hierarchy_optional
):
    # What a browser sends when only the required fields are filled.
    data = valid_post_data(get_token(client), cf_96="A-12345")
    for name in ("cf_97", "cf_98", "cf_99", "cf_100_0", "cf_100_1", "cf_100_2", "cf_101"):
        data[name] = ""
    data.update(cf_102="", cf_103="")
    for name in ("cf_104", "cf_105", "cf_106"):
        del data[name]

    confirmation_key(client.post(FORM_URL, data))

    assert Ticket.objects.get().custom_fields == {
        "96": "A-12345",
        "97": "",
        "98": "",
        "99": "",
        "100": {"1": 0},
        "101": "",
        "102": "",
        "103": "",
        "104": "",
        "105": "",
        "106": "",
    }


# --- 3. Attachments -------------------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def two_files() -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile("report.txt", "Сбой при оплате\n".encode(), content_type="text/plain"),
        SimpleUploadedFile("screenshot.png", PNG, content_type="image/png"),
    ]


def test_two_attachments_reach_the_ticket(client, sandbox_api):
    response = client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})
    confirmation_key(response)

    ticket = Ticket.objects.get()
    files = list(TicketFile.objects.filter(ticket=ticket).order_by("id"))
    assert [(f.name, f.content_type) for f in files] == [
        ("report.txt", "text/plain"),
        ("screenshot.png", "image/png"),
    ]
    assert [f.file.read() for f in files] == ["Сбой при оплате\n".encode(), PNG]
    assert ticket.custom_fields["96"] == EXAMPLE_CUSTOM_FIELDS["96"]  # multipart keeps values
    page = client.get(response["Location"]).content.decode()
    assert "report.txt" in page and "screenshot.png" in page


# --- 4. The API is down: accepted, kept, filed by the worker when it is back ----------------------------
def run_worker() -> None:
    """The delivery worker runs what is due, then stops (as `delivery_worker --batch`).

    django-tasks' worker takes SIGINT and SIGTERM for its own graceful stop and leaves its
    handlers in place: they are put back after it, or a later Ctrl-C (or make test's stop) would
    exit from inside whichever test runs then, and the run would go on."""
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    handlers = {stop: signal.getsignal(stop) for stop in stops}
    try:
        call_command("delivery_worker", batch=True, verbosity=0)
    finally:
        for stop, handler in handlers.items():
            signal.signal(stop, handler)


def make_due() -> None:
    Submission.objects.exclude(next_attempt_at=None).update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_down_api_accepts_the_ticket_and_the_worker_files_it_with_its_attachments(
    client, sandbox_api, settings
):
    settings.TICKETS_API_URL = closed_port_url()
    response = client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})

    key = confirmation_key(response)
    page = page_text(client.get(response["Location"]))
    submission = Submission.objects.get()
    assert "Your ticket has been received" in page
    assert f"Its reference is {submission.reference}" in page
    assert "filed automatically" in page
    assert (submission.state, submission.error_kind) == ("queued", "unavailable")
    assert submission.next_attempt_at is not None
    assert client.get(f"/tickets/{key}/status/").json() == {
        "state": "received", "reference": submission.reference, "uniqueId": "", "final": False,
    }  # fmt: skip
    assert Ticket.objects.count() == 0

    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()

    ticket = Ticket.objects.get()
    assert [(f.name, f.file.read()) for f in ticket.files.order_by("id")] == [
        ("report.txt", "Сбой при оплате\n".encode()),
        ("screenshot.png", PNG),
    ]
    assert ticket.description.endswith(f"Ticket portal reference: {submission.reference}")
    submission.refresh_from_db()
    assert (submission.state, submission.attempts) == ("filed", 2)
    assert submission.unique_id == ticket.unique_id
    assert client.get(f"/tickets/{key}/status/").json()["uniqueId"] == ticket.unique_id
    assert ticket.unique_id in page_text(client.get(f"/tickets/{key}/"))


# --- 5. The API does not answer in time: looked up, never re-sent blindly -------------------------------------
def test_slow_api_is_received_and_settled_by_a_look_up(client, settings):
    settings.TICKETS_API_READ_TIMEOUT = 0.5
    with silent_server() as url:
        settings.TICKETS_API_URL = url
        response = client.post(FORM_URL, valid_post_data(get_token(client)))
    confirmation_key(response)
    assert "Your ticket has been received" in page_text(client.get(response["Location"]))
    submission = Submission.objects.get()
    assert (submission.state, submission.error_kind) == ("uncertain", "outcome_unknown")


# --- 6. The API refuses the ticket ----------------------------------------------------------------------------
def test_api_rejection_is_shown_on_the_field_it_names_and_at_the_top(client, settings):
    token = get_token(client)
    with answering_server(400, REJECTION) as (url, seen):
        settings.TICKETS_API_URL = url
        response = client.post(FORM_URL, valid_post_data(token))

    assert [r.path for r in seen] == ["/api/v2/tickets/"]
    assert response.status_code == 200
    assert error_block(response, "id_cf_96") == "Field 96: the order number is already used"
    summary = error_summary(response)
    assert "Something general" in summary
    assert "did not accept the ticket" in summary
    assert_values_kept(response)
    submission = Submission.objects.get()
    assert (submission.state, submission.error_kind) == ("attention", "rejected")
    assert submission.api_messages == [
        {**REJECTION["errors"][0], "field": "custom_fields[96]"},  # as its words name it
        {**REJECTION["errors"][1], "field": ""},
    ]


# --- 7. Only what the form shows -------------------------------------------------------------------------------
def test_a_customer_cannot_set_what_the_form_does_not_show(client, sandbox_api):
    extra = {
        "owner_id": "5",
        "user_id": "7",
        "status_id": "closed",
        "priority_id": "3",
        "department_id": "2",
        "type_id": "2",
        "cf_107": "hidden",
        "custom_fields[107]": "x",
    }
    confirmation_key(client.post(FORM_URL, {**valid_post_data(get_token(client)), **extra}))

    ticket = Ticket.objects.get()
    assert ticket.owner_id == 0
    assert ticket.user_id != 7
    assert ticket.status_id == "open"
    assert (ticket.priority_id, ticket.department_id, ticket.type_id) == (1, 1, 1)
    assert "107" not in ticket.custom_fields
    assert ticket.custom_fields == EXAMPLE_CUSTOM_FIELDS


# --- 8. One rendered form, one ticket ---------------------------------------------------------------------------
def test_a_double_post_of_one_form_files_one_ticket(client, sandbox_api):
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    second = client.post(FORM_URL, data)

    assert confirmation_key(first) == resent_key(second)
    assert Ticket.objects.count() == 1
    assert Submission.objects.count() == 1
    assert Submission.objects.get().attempts == 1


# --- 9. Tokens -----------------------------------------------------------------------------------------------
def _tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda real: "not-a-token", "could not be verified"),
        (_tampered, "could not be verified"),
        (lambda real: tokens.issue("other-form", "customer"), "could not be verified"),
        (lambda real: tokens.issue("support", "staff"), "could not be verified"),
    ],
    ids=["garbage", "tampered", "other-form", "staff-audience"],
)
def test_a_forged_or_foreign_token_files_nothing(client, sandbox_api, make_token, message):
    forged = make_token(get_token(client))
    response = client.post(FORM_URL, valid_post_data(forged))

    assert response.status_code == 200
    assert message in error_summary(response)
    assert_values_kept(response)
    assert Ticket.objects.count() == 0
    assert Submission.objects.count() == 0
    # The form comes back with a fresh token that does work.
    fresh = hidden_value(response, "form_token")
    assert fresh != forged
    confirmation_key(client.post(FORM_URL, valid_post_data(fresh)))
    assert Ticket.objects.count() == 1


def test_an_expired_token_files_nothing(client, sandbox_api, settings):
    token = get_token(client)
    settings.TICKETS_FORM_MAX_AGE = -1
    response = client.post(FORM_URL, valid_post_data(token))

    assert response.status_code == 200
    assert "This form has expired" in error_summary(response)
    assert Submission.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_a_token_stays_good_after_a_validation_error(client, sandbox_api):
    token = get_token(client)
    response = client.post(FORM_URL, valid_post_data(token, title="", cf_103="not an email"))

    assert response.status_code == 200
    assert error_block(response, "id_title") == "This field is required."
    assert "Enter an email address" in error_block(response, "id_cf_103")
    assert hidden_value(response, "form_token") == token
    assert Submission.objects.count() == 0

    confirmation_key(client.post(FORM_URL, valid_post_data(token)))
    assert Ticket.objects.count() == 1
    assert Submission.objects.count() == 1


# --- 10. Unknown pages, and the key stays on the server ----------------------------------------------------------
def test_unknown_form_or_ticket_is_404(client):
    assert client.get("/forms/no-such-form/").status_code == 404
    assert client.post("/forms/no-such-form/", {"title": "x"}).status_code == 404
    assert client.get("/tickets/no-such-key/").status_code == 404


def test_the_api_key_never_reaches_a_page(client, sandbox_api, settings):
    key = f"key-{secrets.token_hex(16)}"
    settings.SANDBOX_API_KEY = settings.TICKETS_API_KEY = key
    pages = [client.get(FORM_URL)]
    token = hidden_value(pages[0], "form_token")
    pages.append(client.post(FORM_URL, valid_post_data(token, title="")))  # field errors
    with answering_server(400, REJECTION) as (url, seen):
        settings.TICKETS_API_URL = url
        pages.append(client.post(FORM_URL, valid_post_data(token)))  # the API's errors
    assert seen[0].headers["Authorization"].startswith("Basic ")  # the key was in use
    settings.TICKETS_API_URL = closed_port_url()
    received = client.post(FORM_URL, valid_post_data(token))  # the API is down
    confirmation_key(received)
    pages.append(client.get(received["Location"]))  # received, to be filed
    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()
    pages.append(client.get(received["Location"]))  # filed

    assert [p.status_code for p in pages] == [200, 200, 200, 200, 200]
    assert Ticket.objects.count() == 1
    for page in pages:
        assert key not in page.content.decode()


# --- Bugs found while writing these tests, now fixed -------------------------------------------
def test_a_file_removed_before_a_retry_is_not_listed_as_sent(client, sandbox_api, settings):
    token = get_token(client)
    with answering_server(400, REJECTION) as (url, _seen):
        settings.TICKETS_API_URL = url
        response = client.post(FORM_URL, {**valid_post_data(token), "files": two_files()})
    assert Submission.objects.get().error_kind == "rejected"

    settings.TICKETS_API_URL = sandbox_api
    again = form_state(response)
    again["remove"] = [Attachment.objects.get(name="report.txt").key]  # "Remove report.txt"
    filed = client.post(FORM_URL, again)
    confirmation_key(filed)

    assert [f.name for f in Ticket.objects.get().files.all()] == ["screenshot.png"]
    assert "report.txt" not in page_text(client.get(filed["Location"]))
    assert [a.name for a in Submission.objects.get().attachments.all()] == ["screenshot.png"]


def test_a_too_big_file_does_not_cost_the_other_files(client, sandbox_api, settings):
    settings.TICKETS_MAX_FILE_MB = 0.001  # 1 KB
    small = SimpleUploadedFile("small.txt", b"fits", content_type="text/plain")
    big = SimpleUploadedFile("big.bin", b"x" * 5000, content_type="application/octet-stream")
    response = client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": [small, big]})

    assert response.status_code == 200
    assert "big.bin: larger than" in error_block(response, "id_files")
    assert "small.txt" in page_text(response)
    assert hidden_value(response, "attachments")


def test_a_wrong_api_key_is_not_blamed_on_the_customer(client, sandbox_api, settings):
    settings.TICKETS_API_KEY = "not-the-key"
    response = client.post(FORM_URL, valid_post_data(get_token(client)))

    # The portal's own configuration is at fault: received, retried, never put on the customer.
    confirmation_key(response)
    page = page_text(client.get(response["Location"]))
    assert "Your ticket has been received" in page
    assert "API key" not in page
    submission = Submission.objects.get()
    assert (submission.state, submission.error_kind) == ("queued", "unavailable")


def test_single_line_values_lose_line_breaks_and_control_characters(client, sandbox_api):
    post = valid_post_data(
        get_token(client),
        title="Hello\r\nBcc: victim@example.com\x00",
        description="First line\r\nSecond line\x07\r\n\tindented",
        cf_96="A-1\nX-Header: y",
    )
    confirmation_key(client.post(FORM_URL, post))
    ticket = Ticket.objects.get()
    assert ticket.title == "Hello Bcc: victim@example.com"
    assert ticket.description.startswith("First line\nSecond line\n\tindented\n\n")
    assert ticket.custom_fields["96"] == "A-1 X-Header: y"
