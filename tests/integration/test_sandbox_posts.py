"""The sandbox's ticket conversations over real HTTP: `GET/POST /tickets/{id}/posts/`,
`GET /tickets/{id}/comments/`, the files of posts, and the agent's side (the admin's "Reply as
agent" and `manage.py sandbox_reply`), as NOTES' "Ticket pages: posts and comments" describes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from sandbox.models import FIRST_POST_ID, Post, PostFile, Ticket
from sandbox.store import reply_as_agent
from tickets import schema as ticket_schema
from tickets.helpdesk.errors import field_named_in

pytestmark = pytest.mark.django_db(transaction=True)

POST_KEYS = ["ticket_id", "id", "user_id", "text", "date_created", "date_updated", "files"]
POST_DATE_RE = re.compile(r"^\d{2}:\d{2}:\d{2} \d{2}\.\d{2}\.\d{4}$")  # time first
CLIENT, OTHER_CLIENT, AGENT, OTHER_AGENT, ADMINISTRATOR = 1001, 1002, 2, 3, 1


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    settings.SANDBOX_RATE_LIMIT = 0  # these tests are about conversations, not the limit
    ticket_schema.clear_cache()
    yield
    ticket_schema.clear_cache()


def _file_ticket(api, **extra) -> dict:
    """A ticket filed through the API with one file, by the client Ada (1001)."""
    form = {"title": "Printer jams", "description": "<p>It jams.</p>", "user_id": str(CLIENT)}
    files = {"files[0]": ("jam.jpg", b"\xff\xd8 fake jpeg", "image/jpeg")}
    response = api.post(api.url("tickets/"), data={**form, **extra}, files=files, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _posts(api, ticket_id: int, page: int = 1, kind: str = "posts") -> dict:
    response = api.get(api.url(f"tickets/{ticket_id}/{kind}/"), params={"page": page}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _ticket(api, ticket_id: int) -> dict:
    return api.get(api.url(f"tickets/{ticket_id}/"), timeout=10).json()["data"]


def _updated_since(api, moment) -> set[int]:
    """The ids `GET /tickets/?from_date_updated=...` lists for a moment (written on the
    helpdesk's clock, which is the portal's in these tests)."""
    since = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    found = api.get(api.url("tickets/"), params={"from_date_updated": since}, timeout=10)
    assert found.status_code == 200, found.text
    return {int(key) for key in found.json()["data"]}


def _errors(response: requests.Response) -> list[dict]:
    errors = response.json()["errors"]
    assert all(set(error) == {"code", "title", "details"} for error in errors), errors
    return errors


# --- Reading the conversation ---------------------------------------------------------------------
def test_the_conversation_comes_newest_first_30_a_page_with_the_first_post_last(api):
    ticket = _file_ticket(api)
    stored = Ticket.objects.get(pk=ticket["id"])
    replies = [
        reply_as_agent(stored, f"<p>Reply {n}</p>", agent_id=OTHER_AGENT if n % 2 else AGENT)
        for n in range(31)
    ]
    reply_as_agent(stored, "<p>Internal: call the vendor</p>", comment=True)

    first = _posts(api, ticket["id"])
    assert first["pagination"] == {"total": 32, "per_page": 30, "current_page": 1, "total_pages": 2}
    assert [p["text"] for p in first["data"]] == [f"<p>Reply {n}</p>" for n in range(30, 0, -1)]
    assert all(list(p) == POST_KEYS for p in first["data"])
    newest = first["data"][0]
    assert newest["id"] == replies[30].id and newest["user_id"] == AGENT
    assert newest["ticket_id"] == ticket["id"] and newest["files"] == []
    assert POST_DATE_RE.match(newest["date_created"]) and POST_DATE_RE.match(newest["date_updated"])

    second = _posts(api, ticket["id"], page=2)
    assert second["pagination"]["current_page"] == 2
    assert [p["text"] for p in second["data"]] == ["<p>Reply 0</p>", "<p>It jams.</p>"]
    first_post = second["data"][-1]
    # The first post is the description, by the client, with the ticket's files; its id is the
    # ticket's, below every stored post's.
    assert list(first_post) == POST_KEYS
    assert (first_post["id"], first_post["user_id"]) == (ticket["id"], CLIENT)
    assert ticket["id"] < FIRST_POST_ID <= min(r.id for r in replies)
    ((jpeg,),) = [first_post["files"]]
    assert set(jpeg) == {"id", "name", "url", "data_type"}
    assert (jpeg["name"], jpeg["data_type"]) == ("jam.jpg", "image/jpeg")
    ids = [p["id"] for p in first["data"] + second["data"]]
    assert len(set(ids)) == 32
    assert "Internal" not in str(first) + str(second)


def test_comments_are_never_posts_and_come_as_comments(api):
    ticket = _file_ticket(api)
    stored = Ticket.objects.get(pk=ticket["id"])
    reply_as_agent(stored, "<p>Public answer</p>")
    note = reply_as_agent(stored, "<p>Staff only: refund approved</p>", comment=True)

    posts = _posts(api, ticket["id"])
    assert [p["text"] for p in posts["data"]] == ["<p>Public answer</p>", "<p>It jams.</p>"]
    assert all("visible" not in p for p in posts["data"])
    comments = _posts(api, ticket["id"], kind="comments")
    assert comments["pagination"]["total"] == 1
    (comment,) = comments["data"]
    assert list(comment) == [*POST_KEYS, "visible"]
    assert (comment["id"], comment["visible"]) == (note.id, "staff")
    assert comment["text"] == "<p>Staff only: refund approved</p>"
    # Without the trailing slash as well.
    assert api.get(api.url(f"tickets/{ticket['id']}/comments"), timeout=10).json() == comments


# --- Posting ----------------------------------------------------------------------------------------
def test_a_json_post_by_the_client_is_answered_201_and_read_back(api):
    ticket = _file_ticket(api)
    body = {"text": "<p>Still jams after the update.</p>", "user_id": CLIENT}
    response = api.post(api.url(f"tickets/{ticket['id']}/posts/"), json=body, timeout=10)
    assert response.status_code == 201, response.text
    post = response.json()["data"]
    assert list(post) == POST_KEYS
    assert (post["ticket_id"], post["user_id"]) == (ticket["id"], CLIENT)
    assert post["text"] == body["text"] and post["files"] == []
    assert post["id"] >= FIRST_POST_ID
    assert _posts(api, ticket["id"])["data"][0] == post

    # Without user_id the post is the API account's own (the Administrator in the sandbox); a
    # staff user may be named too.
    by_account = api.post(api.url(f"tickets/{ticket['id']}/posts"), json={"text": "Hi"}, timeout=10)
    assert by_account.status_code == 201 and by_account.json()["data"]["user_id"] == ADMINISTRATOR
    by_agent = {"text": "On it", "user_id": str(OTHER_AGENT)}
    answered = api.post(api.url(f"tickets/{ticket['id']}/posts/"), json=by_agent, timeout=10)
    assert answered.status_code == 201 and answered.json()["data"]["user_id"] == OTHER_AGENT
    assert Post.objects.filter(ticket_id=ticket["id"], visible="all").count() == 3


def test_a_multipart_post_with_files_whose_urls_serve_the_bytes_only_with_auth(api, live_server):
    ticket = _file_ticket(api)
    pdf, log = b"%PDF-1.4 fake", b"error 42\n"
    files = {
        "files[1]": ("log.txt", log, "text/plain"),
        "files[0]": ("invoice.pdf", pdf, "application/pdf"),
    }
    form = {"text": "Here are the files", "user_id": str(CLIENT)}
    url = api.url(f"tickets/{ticket['id']}/posts/")
    response = api.post(url, data=form, files=files, timeout=10)
    assert response.status_code == 201, response.text
    post = response.json()["data"]
    assert [(f["name"], f["data_type"]) for f in post["files"]] == [
        ("invoice.pdf", "application/pdf"),
        ("log.txt", "text/plain"),
    ]
    assert _posts(api, ticket["id"])["data"][0]["files"] == post["files"]

    prefix = f"{live_server.url}/sandbox/api/v2/files/"
    for item, content in zip(post["files"], (pdf, log), strict=True):
        assert item["url"] == f"{prefix}post-{item['id']}/"
        served = api.get(item["url"], timeout=10)
        assert served.status_code == 200
        assert served.content == content
        assert served.headers["Content-Type"] == item["data_type"]
        anonymous = requests.get(item["url"], timeout=10)
        assert anonymous.status_code == 401 and content not in anonymous.content
        assert _errors(anonymous)[0]["code"] == "e-401"
        wrong = requests.get(item["url"], auth=("portal@sandbox.invalid", "nope"), timeout=10)
        assert wrong.status_code == 401

    (jpeg,) = _posts(api, ticket["id"], page=1)["data"][-1]["files"]  # the first post's file
    assert jpeg["url"] == f"{prefix}ticket-{jpeg['id']}/"
    assert api.get(jpeg["url"], timeout=10).content == b"\xff\xd8 fake jpeg"
    assert requests.get(jpeg["url"], timeout=10).status_code == 401
    for unknown in ("post-999999999", "ticket-0", "other-1", "post-x"):
        missing = api.get(f"{prefix}{unknown}/", timeout=10)
        assert missing.status_code == 404, unknown
        assert _errors(missing)[0]["code"] == "e-404"


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"user_id": CLIENT}, "", "The text field is required."),
        ({"text": "   ", "user_id": CLIENT}, "", "The text field is required."),
        ({"text": "Hi", "user_id": OTHER_CLIENT}, "user_id", "The user_id field must be"),
        ({"text": "Hi", "user_id": 99999}, "user_id", "The user_id field must be"),
        ({"text": "Hi", "user_id": "x"}, "user_id", "The user_id field must be a whole number"),
    ],
    ids=["no text", "blank text", "another client", "nobody", "not a number"],
)
def test_a_post_that_breaks_a_rule_is_refused_with_words_that_name_it(api, body, field, words):
    ticket = _file_ticket(api)
    response = api.post(api.url(f"tickets/{ticket['id']}/posts/"), json=body, timeout=10)
    assert response.status_code == 400, response.text
    (error,) = _errors(response)
    assert (error["code"], error["title"]) == ("e-400", "Validation error")
    assert error["details"].startswith(words)
    assert field_named_in(error["details"]) == field
    assert not Post.objects.exists()


def test_bodies_that_cannot_be_read_and_missing_tickets(api):
    ticket = _file_ticket(api)
    url = api.url(f"tickets/{ticket['id']}/posts/")
    listed = api.post(url, data=b"[1]", headers={"Content-Type": "application/json"}, timeout=10)
    assert listed.status_code == 400
    assert _errors(listed)[0]["details"] == "The request body must be a JSON object."
    broken = api.post(url, data=b"{", headers={"Content-Type": "application/json"}, timeout=10)
    assert broken.status_code == 400 and _errors(broken)[0]["title"] == "Bad request"
    for method, kind in (("POST", "posts"), ("GET", "posts"), ("GET", "comments")):
        missing = api.request(method, api.url(f"tickets/98765/{kind}/"), json={"text": "Hi"})
        assert missing.status_code == 404, (method, kind)
        assert _errors(missing)[0]["details"] == "Ticket 98765 does not exist."
    wrong = api.put(url, json={"text": "Hi"}, timeout=10)
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, POST"
    assert not Post.objects.exists()


# --- Status and date_updated ------------------------------------------------------------------------
def test_a_client_post_leaves_a_closed_ticket_closed_by_default(api):
    ticket = _file_ticket(api)
    reply_as_agent(Ticket.objects.get(pk=ticket["id"]), "Fixed, closing.", close=True)
    assert _ticket(api, ticket["id"])["status_id"] == "closed"
    body = {"text": "It jams again!", "user_id": CLIENT}
    response = api.post(api.url(f"tickets/{ticket['id']}/posts/"), json=body, timeout=10)
    assert response.status_code == 201
    assert _ticket(api, ticket["id"])["status_id"] == "closed"
    assert _posts(api, ticket["id"])["data"][0]["text"] == "It jams again!"


def test_a_client_post_reopens_a_closed_ticket_when_the_sandbox_plays_it_so(api, settings):
    settings.SANDBOX_CLIENT_POST_REOPENS = True
    ticket = _file_ticket(api)
    stored = Ticket.objects.get(pk=ticket["id"])
    reply_as_agent(stored, close=True)
    url = api.url(f"tickets/{ticket['id']}/posts/")
    # An agent's post is not the client's: the ticket stays closed.
    assert api.post(url, json={"text": "Note", "user_id": AGENT}, timeout=10).status_code == 201
    assert _ticket(api, ticket["id"])["status_id"] == "closed"
    assert api.post(url, json={"text": "Again", "user_id": CLIENT}, timeout=10).status_code == 201
    assert _ticket(api, ticket["id"])["status_id"] == "open"


def test_a_reply_and_a_status_change_move_date_updated(api):
    ticket = _file_ticket(api)
    long_ago = timezone.now() - timedelta(days=2)
    Ticket.objects.filter(pk=ticket["id"]).update(date_updated=long_ago)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    assert ticket["id"] not in _updated_since(api, an_hour_ago)

    body = {"text": "Any news?", "user_id": CLIENT}
    assert api.post(api.url(f"tickets/{ticket['id']}/posts/"), json=body).status_code == 201
    assert ticket["id"] in _updated_since(api, an_hour_ago)

    Ticket.objects.filter(pk=ticket["id"]).update(date_updated=long_ago)
    before = _ticket(api, ticket["id"])
    reply_as_agent(Ticket.objects.get(pk=ticket["id"]), close=True)  # a status change alone
    after = _ticket(api, ticket["id"])
    assert (before["status_id"], after["status_id"]) == ("open", "closed")
    assert after["date_updated"] > before["date_updated"]
    assert ticket["id"] in _updated_since(api, an_hour_ago)
    assert len(_posts(api, ticket["id"])["data"]) == 2  # closing wrote no post


# --- The agent's side ---------------------------------------------------------------------------------
def test_the_management_command_replies_closes_and_comments(api, tmp_path):
    ticket = _file_ticket(api)
    attachment = tmp_path / "manual.pdf"
    attachment.write_bytes(b"%PDF manual")
    call_command(
        "sandbox_reply",
        ticket["unique_id"].lower(),
        "--text",
        "<p>See the manual.</p>",
        "--file",
        str(attachment),
        "--agent",
        str(OTHER_AGENT),
        "--close",
    )
    newest = _posts(api, ticket["id"])["data"][0]
    assert (newest["text"], newest["user_id"]) == ("<p>See the manual.</p>", OTHER_AGENT)
    ((manual,),) = [newest["files"]]
    assert (manual["name"], manual["data_type"]) == ("manual.pdf", "application/pdf")
    assert api.get(manual["url"], timeout=10).content == b"%PDF manual"
    assert _ticket(api, ticket["id"])["status_id"] == "closed"

    call_command("sandbox_reply", str(ticket["id"]), "--text", "Refund?", "--comment")
    (comment,) = _posts(api, ticket["id"], kind="comments")["data"]
    assert (comment["text"], comment["user_id"], comment["visible"]) == ("Refund?", AGENT, "staff")
    assert len(_posts(api, ticket["id"])["data"]) == 2

    with pytest.raises(CommandError, match="not a staff user"):
        call_command("sandbox_reply", str(ticket["id"]), "--text", "Hi", "--agent", str(CLIENT))
    with pytest.raises(CommandError, match="no ticket"):
        call_command("sandbox_reply", "SBX-99999", "--text", "Hi")
    with pytest.raises(CommandError, match="No such file"):
        call_command("sandbox_reply", str(ticket["id"]), "--file", str(tmp_path / "none.pdf"))
    with pytest.raises(CommandError, match="Nothing to do"):
        call_command("sandbox_reply", str(ticket["id"]))
    assert Post.objects.count() == 2


def test_the_admin_replies_as_an_agent_with_a_file_and_closes(api, admin_client):
    ticket = _file_ticket(api)
    reply_url = f"/admin/sandbox/ticket/{ticket['id']}/reply/"
    change_url = f"/admin/sandbox/ticket/{ticket['id']}/change/"
    assert reply_url in admin_client.get(change_url).text  # the "Reply as agent" link
    # The changelist action leads to the same form, for one ticket.
    chosen = {"action": "reply", "_selected_action": [ticket["id"]]}
    assert admin_client.post("/admin/sandbox/ticket/", chosen).url == reply_url
    page = admin_client.get(reply_url)
    assert page.status_code == 200 and "Close the ticket" in page.text

    empty = admin_client.post(reply_url, {"agent": AGENT, "text": ""})
    assert empty.status_code == 200 and "Write a text or add a file" in empty.text
    assert not Post.objects.exists()

    upload = SimpleUploadedFile("steps.txt", b"1. open the tray", content_type="text/plain")
    form = {"agent": OTHER_AGENT, "text": "<p>Try these steps.</p>", "file": upload, "close": "on"}
    sent = admin_client.post(reply_url, form)
    assert sent.status_code == 302 and sent.url == change_url
    newest = _posts(api, ticket["id"])["data"][0]
    assert (newest["text"], newest["user_id"]) == ("<p>Try these steps.</p>", OTHER_AGENT)
    ((steps,),) = [newest["files"]]
    assert api.get(steps["url"], timeout=10).content == b"1. open the tray"
    assert _ticket(api, ticket["id"])["status_id"] == "closed"
    assert "Try these steps." in admin_client.get(change_url).text

    note = {"agent": AGENT, "text": "Internal only", "comment": "on"}
    assert admin_client.post(reply_url, note).status_code == 302
    assert [c["text"] for c in _posts(api, ticket["id"], kind="comments")["data"]] == [
        "Internal only"
    ]
    assert "Internal only" not in str(_posts(api, ticket["id"]))
    assert PostFile.objects.count() == 1


def test_the_admin_closes_tickets_in_bulk(api, admin_client):
    one, two = _file_ticket(api), _file_ticket(api)
    chosen = {"action": "close_tickets", "_selected_action": [one["id"], two["id"]]}
    assert admin_client.post("/admin/sandbox/ticket/", chosen).status_code == 302
    assert {_ticket(api, t["id"])["status_id"] for t in (one, two)} == {"closed"}
    assert not Post.objects.exists()
