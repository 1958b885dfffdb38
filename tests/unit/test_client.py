"""TicketsClient against a real tiny HTTP server on 127.0.0.1: envelopes, errors, transport."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

import pytest

from portal import __version__
from tickets.helpdesk.client import TicketsClient, Upload, flatten
from tickets.helpdesk.errors import ApiMessage, ApiOutcomeUnknown, ApiRejected, ApiUnavailable

EMAIL = "agent@example.com"
API_KEY = "s3cret-api-key-0123"
BAN = {
    "errors": [
        {
            "code": "e-401",
            "title": "Ban",
            "details": "Ban for 20 min. API limit reached (300 request per minute).",
        }
    ]
}


class Received(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Handler(BaseHTTPRequestHandler):
    """Records each request, then answers with `server.answer`.

    The answer is (status, body[, headers]), a function of the Received request giving one, or
    "drop" (hang up without a word) or "truncate" (a 201 whose body breaks off).
    """

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = Received(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        self.server.received.append(request)
        answer = self.server.answer
        answer = answer(request) if callable(answer) else answer
        if answer == "drop":
            self.close_connection = True
            return
        if answer == "truncate":
            self.send_response(201)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b'{"data": {"id": 2, ')
            self.close_connection = True
            return
        status, content, headers = (*answer, {})[:3]
        data = content if isinstance(content, bytes) else json.dumps(content).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.received = []
    httpd.answer = (200, {"data": {}})
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def client_for(port: int, read_timeout: float = 5.0) -> TicketsClient:
    return TicketsClient(
        f"http://127.0.0.1:{port}/api/v2",
        EMAIL,
        API_KEY,
        connect_timeout=1,
        read_timeout=read_timeout,
    )


@pytest.fixture
def client(server) -> TicketsClient:
    return client_for(server.server_address[1])


def multipart(request: Received) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, content) of each part of a multipart body."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


# --- flatten --------------------------------------------------------------------------------------------
def test_flatten_gives_bracket_keys_for_nested_values():
    payload = {"custom_fields": {"100": {"1": 198}, "96": "x"}, "tags": ["a", "b"]}
    pairs = [pair for key, value in payload.items() for pair in flatten(value, key)]
    assert pairs == [
        ("custom_fields[100][1]", "198"),
        ("custom_fields[96]", "x"),
        ("tags[0]", "a"),
        ("tags[1]", "b"),
    ]


def test_flatten_writes_booleans_as_one_and_zero_and_none_as_empty():
    assert list(flatten({"a": True, "b": False, "c": None}, "x")) == [
        ("x[a]", "1"),
        ("x[b]", "0"),
        ("x[c]", ""),
    ]


# --- Answers ------------------------------------------------------------------------------------------------
def test_a_2xx_answer_returns_the_envelopes_data(server, client):
    server.answer = (200, {"data": {"id": 2, "unique_id": "ABC-124"}})
    assert client.get_ticket(2) == {"id": 2, "unique_id": "ABC-124"}
    assert (server.received[0].method, server.received[0].path) == ("GET", "/api/v2/tickets/2/")


def test_create_accepts_201_and_posts_the_payload_as_json(server, client):
    server.answer = (201, {"data": {"id": 2, "unique_id": "ABC-124"}})
    payload = {"title": "T", "description": "D", "custom_fields": {"100": {"1": 198}}}
    assert client.create_ticket(payload) == {"id": 2, "unique_id": "ABC-124"}
    request = server.received[0]
    assert (request.method, request.path) == ("POST", "/api/v2/tickets/")
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == payload


def test_a_400_with_errors_raises_rejected_with_the_apis_messages(server, client):
    server.answer = (
        400,
        {
            "errors": [
                {"code": "e-1", "title": "Invalid", "details": "The title field is required."}
            ]
        },
    )
    with pytest.raises(ApiRejected) as caught:
        client.create_ticket({"title": ""})
    assert caught.value.messages == (
        ApiMessage("e-1", "Invalid", "The title field is required.", "title"),
    )
    assert caught.value.status == 400


def test_a_200_with_an_errors_list_raises_rejected(server, client):
    server.answer = (
        200,
        {"errors": [{"code": "e-2", "title": "Bad option", "details": "999"}]},
    )
    with pytest.raises(ApiRejected) as caught:
        client.create_ticket({"title": "T"})
    assert caught.value.messages == (ApiMessage("e-2", "Bad option", "999"),)


def test_an_s_code_in_the_errors_list_is_a_success(server, client):
    # A delete is answered so (two SDKs show it): only e- codes mean failure.
    server.answer = (200, {"errors": [{"code": "s-204", "title": "No content"}]})
    assert client.get("tickets/7/") is None
    server.answer = (200, {"data": {"id": 7}, "errors": [{"code": "s-200", "title": "OK"}]})
    assert client.get("tickets/7/") == {"id": 7}
    server.answer = (200, {"errors": [{"code": "s-204"}, {"code": "e-1", "title": "No"}]})
    with pytest.raises(ApiRejected) as caught:
        client.get("tickets/7/")
    assert [m.code for m in caught.value.messages] == ["e-1"]


def test_a_500_to_a_post_is_an_unknown_outcome(server, client):
    # The request arrived: a server error part-way may have filed the ticket.
    server.answer = (500, b"<html>Internal Server Error</html>")
    with pytest.raises(ApiOutcomeUnknown) as caught:
        client.create_ticket({"title": "T"})
    assert caught.value.status == 500


def test_a_503_to_a_post_and_a_500_to_a_get_are_unavailable(server, client):
    server.answer = (503, b"busy")
    with pytest.raises(ApiUnavailable):
        client.create_ticket({"title": "T"})
    server.answer = (500, b"oops")
    with pytest.raises(ApiUnavailable):
        client.get("departments/")


def test_a_401_ban_raises_unavailable(server, client):
    server.answer = (401, BAN)
    with pytest.raises(ApiUnavailable) as caught:
        client.create_ticket({"title": "T"})
    assert caught.value.status == 401
    assert caught.value.messages[0].title == "Ban"


def test_a_2xx_without_a_data_envelope_is_an_unknown_outcome(server, client):
    server.answer = (200, {"id": 2})
    with pytest.raises(ApiOutcomeUnknown):
        client.create_ticket({"title": "T"})


# --- Transport ------------------------------------------------------------------------------------------------
def test_a_closed_port_raises_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ApiUnavailable):
        client_for(port).create_ticket({"title": "T"})


def test_a_server_that_never_answers_is_an_unknown_outcome():
    with socket.socket() as silent:  # the kernel accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        client = client_for(silent.getsockname()[1], read_timeout=0.3)
        with pytest.raises(ApiOutcomeUnknown):
            client.create_ticket({"title": "T"})


def test_a_post_is_sent_once_when_the_connection_drops_after_it(server, client):
    server.answer = "drop"
    with pytest.raises(ApiOutcomeUnknown):
        client.create_ticket({"title": "T"})
    assert len(server.received) == 1


def test_an_answer_that_breaks_off_after_a_post_is_an_unknown_outcome(server, client):
    server.answer = "truncate"
    with pytest.raises(ApiOutcomeUnknown):
        client.create_ticket({"title": "T"})
    assert len(server.received) == 1


def test_a_redirected_post_is_not_followed(server, client):
    def answer(request):
        if request.method == "POST":
            return (301, b"", {"Location": "/api/v2/elsewhere/"})
        return (200, {"data": [{"id": 1}]})

    server.answer = answer
    with pytest.raises(ApiUnavailable):
        client.create_ticket({"title": "T"})
    assert [r.method for r in server.received] == ["POST"]


def test_a_failed_tls_handshake_raises_unavailable(server):
    client = TicketsClient(
        f"https://127.0.0.1:{server.server_address[1]}/api/v2", EMAIL, API_KEY, 1, 2
    )
    with pytest.raises(ApiUnavailable):
        client.create_ticket({"title": "T"})
    assert server.received == []


def test_basic_auth_and_the_user_agent_are_sent(server, client):
    client.get("/statuses/")
    headers = server.received[0].headers
    assert headers["authorization"] == "Basic " + base64.b64encode(
        f"{EMAIL}:{API_KEY}".encode()
    ).decode("ascii")
    assert headers["user-agent"].split()[0] == f"ticket-portal/{__version__}"


def test_files_go_as_multipart_with_bracket_keys(server, client):
    payload = {"title": "T", "custom_fields": {"96": "x", "100": {"1": 198}}, "tags": ["a"]}
    files = [
        Upload("a.txt", "text/plain", io.BytesIO(b"first")),
        Upload("b.pdf", "application/pdf", io.BytesIO(b"%PDF-1.4")),
    ]
    client.create_ticket(payload, files)
    request = server.received[0]
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert multipart(request) == {
        "title": (None, b"T"),
        "custom_fields[96]": (None, b"x"),
        "custom_fields[100][1]": (None, b"198"),
        "tags[0]": (None, b"a"),
        "files[0]": ("a.txt", b"first"),
        "files[1]": ("b.pdf", b"%PDF-1.4"),
    }


def test_repr_does_not_show_the_api_key():
    client = client_for(9)
    assert API_KEY not in repr(client)
    assert "/api/v2/" in repr(client)


# --- The portal's share of the API, across processes (the rate governor) --------------------------
@pytest.fixture
def budget_client(server, settings):
    from tickets.helpdesk.client import TicketsClient

    url = f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    return TicketsClient(url, EMAIL, API_KEY, 1, 1)


def test_requests_past_the_portals_share_are_not_sent(server, budget_client, settings):
    settings.TICKETS_API_MAX_PER_MINUTE = 2
    server.answer = (200, b'{"data": []}')
    budget_client.get("departments/")
    budget_client.get("departments/")
    with pytest.raises(ApiUnavailable) as caught:
        budget_client.get("departments/")
    assert "share" in caught.value.reason
    assert len(server.received) == 2


def test_after_a_ban_nothing_is_sent_until_it_is_over(server, budget_client, settings):
    server.answer = (401, BAN)
    with pytest.raises(ApiUnavailable):
        budget_client.create_ticket({"title": "T"})
    server.answer = (201, b'{"data": {"id": 1}}')
    with pytest.raises(ApiUnavailable) as caught:
        budget_client.create_ticket({"title": "T"})
    assert "ban" in caught.value.reason
    assert len(server.received) == 1


# --- The environment, read once -------------------------------------------------------------------
def test_the_environments_proxy_is_used_and_no_proxy_is_honoured(monkeypatch, settings):
    """HTTP(S)_PROXY and NO_PROXY are read when the client is made, as requests reads them: a
    proxied request goes to the proxy with the API's whole address, a bypassed one straight on."""
    from tests.stub_server import stub_server

    answer = (200, "application/json", b'{"data": []}')
    with (
        stub_server(lambda r: answer) as (proxy, via_proxy),
        stub_server(lambda r: answer) as (
            api,
            direct,
        ),
    ):
        for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy)
        TicketsClient(f"{api}/api/v2", EMAIL, API_KEY, 1, 1, governed=False).get("departments/")
        assert [r.path for r in via_proxy] == [f"{api}/api/v2/departments/"] and not direct

        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        TicketsClient(f"{api}/api/v2", EMAIL, API_KEY, 1, 1, governed=False).get("departments/")
        assert [r.path for r in direct] == ["/api/v2/departments/"] and len(via_proxy) == 1


def test_the_environments_ca_bundle_is_trusted(monkeypatch, tmp_path):
    """REQUESTS_CA_BUNDLE, read when the client is made, is what an API's certificate is checked
    against: trusted with it, a secure-connection failure (not a filed ticket) without."""
    import ssl

    from tests.servers import self_signed_certificate
    from tests.stub_server import stub_server

    cert, key = self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    answer = (200, "application/json", b'{"data": []}')
    with stub_server(lambda r: answer, tls=context) as (api, seen):
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        with pytest.raises(ApiUnavailable, match="secure connection"):
            TicketsClient(f"{api}/api/v2", EMAIL, API_KEY, 1, 1, governed=False).get("x/")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        assert TicketsClient(f"{api}/api/v2", EMAIL, API_KEY, 1, 1, governed=False).get("x/") == []
        assert [r.path for r in seen] == ["/api/v2/x/"]


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ("The title field is required.", "title"),
        ("Поле title обязательно", "title"),
        ("Field 99 (select): 999 is not one of its options.", "custom_fields[99]"),
        ("custom_fields[100][2]: level 2 needs level 1", "custom_fields[100]"),
        ("custom_fields.7 is not valid", "custom_fields[7]"),
        ("The user_email field 'nobody' is not a valid email.", "user_email"),
        # Naming none, or more than one: the whole form's message.
        ("The request is not valid.", ""),
        ("Something went wrong", ""),
        ("title and description are required", ""),
        ("Field 3 and field 4 disagree", ""),
        ("The subtitle is odd", ""),
    ],
)
def test_a_refusal_names_a_field_only_in_its_words(server, client, details, field):
    server.answer = (
        400,
        {"errors": [{"code": "e-400", "title": "Validation error", "details": details}]},
    )
    with pytest.raises(ApiRejected) as caught:
        client.create_ticket({"title": "T"})
    assert caught.value.messages == (ApiMessage("e-400", "Validation error", details, field),)
