"""The customer's ticket page over real HTTP to the sandbox: the conversation once filed (status,
agents' replies made safe, their files through the portal), the reply box (kept, posted once,
whatever the API does), a closed ticket, and what a page view costs in API requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sandbox.models import Post, Ticket
from sandbox.store import reply_as_agent
from tests.integration.test_delivery import forwarding
from tests.integration.test_lost_answers import every_create_lost
from tests.integration.test_portal_flow import (
    FORM_URL,
    closed_port_url,
    confirmation_key,
    get_token,
    run_worker,
    valid_post_data,
)
from tests.stub_server import stub_server
from tickets.delivery import conversations
from tickets.models import Attachment, Conversation, Reply, Submission

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = (
    '<p>We fixed it.</p><script>alert("x")</script><img src="https://tracker.example/p.png" '
    'alt="logo" onerror="alert(1)"><a href="javascript:alert(2)">click</a>'
    '<a href="https://docs.example/fix">the fix</a>'
)


def filed(client) -> tuple[str, Submission]:
    response = client.post(FORM_URL, valid_post_data(get_token(client)))
    key = confirmation_key(response)
    submission = Submission.objects.get(public_key=key)
    assert submission.state == "filed"
    return f"/tickets/{key}/", submission


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def forward_to(sandbox_api: str):
    """A stub API in front of the sandbox that passes every request on (and counts them)."""
    return forwarding(sandbox_api, lambda answer: answer)


def replies_due() -> None:
    """The replies waiting for their next attempt, and their tasks, are due now."""
    Reply.objects.exclude(next_attempt_at=None).update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def reply_token(client, page: str) -> str:
    """The token of the page's reply box."""
    html = client.get(page).content.decode()
    box = html.split("data-reply-form", 1)[1]
    return re.search(r'name="form_token" value="([^"]+)"', box).group(1)


def reply_post(client, page: str, text: str, files=(), **extra) -> requests.Response:
    token = reply_token(client, page)
    return client.post(
        f"{page}reply/", {"form_token": token, "text": text, "files": list(files)}, **extra
    )


def test_the_page_shows_the_conversation_made_safe_with_its_files(client, sandbox_api):
    page, submission = filed(client)
    ticket = Ticket.objects.get(pk=submission.api_id)
    reply_as_agent(ticket, HOSTILE, files=[ContentFile(b"step 1\nstep 2\n", name="steps.txt")])

    response = client.get(page)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Conversation" in html and "Status:" in text_of(response)
    assert "Open" in text_of(response)  # the helpdesk's name of the status, in English
    assert "Support" in text_of(response) and "We fixed it." in html
    conversation = html.split('id="conversation-title"')[1].split("</section>")[0]
    for bad in ("<script", "onerror", "javascript:", "<img", 'tracker.example/p.png"'):
        assert bad not in conversation.replace('href="https://tracker.example/p.png"', ""), bad
    assert '<a href="https://docs.example/fix" rel="noopener noreferrer nofollow">' in html
    assert "[Image not shown: logo]" in html
    # What the person first sent is folded under the conversation, and theirs is "You".
    assert "<details" in html and "What you sent" in html
    assert re.search(r"You\s*<span", html)

    link = re.search(r'href="(/tickets/[^"]+/files/(\d+)/)"', html)
    assert link, "the reply's file is linked through the portal"
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"step 1\nstep 2\n"
    assert download["Content-Disposition"] == "attachment; filename*=UTF-8''steps.txt"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{page}files/99/").status_code == 404


def test_a_file_of_another_ticket_is_never_served(client, sandbox_api):
    page, _mine = filed(client)
    other_page, other = filed(client)
    reply_as_agent(
        Ticket.objects.get(pk=other.api_id), "Here", files=[ContentFile(b"secret", name="s.txt")]
    )
    client.get(other_page)
    client.get(page)  # this ticket's conversation has only its own first post and file
    assert client.get(f"{page}files/1/").status_code == 404
    assert client.get(f"{other_page}files/1/").status_code == 200


def test_a_reply_with_a_file_is_posted_once_as_the_client(client, sandbox_api):
    page, submission = filed(client)
    token = reply_token(client, page)
    data = {"form_token": token, "text": "It works now.\nThank you!",
            "files": [SimpleUploadedFile("after.png", b"\x89PNG fine", "image/png")]}  # fmt: skip
    first = client.post(f"{page}reply/", data)
    again = client.post(f"{page}reply/", {**data, "files": []})  # a double click, Back and Send

    assert first.status_code == again.status_code == 303
    assert first["Location"] == f"{page}#replies"
    posts = Post.objects.filter(ticket_id=submission.api_id)
    assert posts.count() == 1
    post = posts.get()
    assert post.user_id == submission.api_response["user_id"]  # the client's, not the portal's
    assert "It works now.<br>Thank you!" in post.text
    assert [f.name for f in post.files.all()] == ["after.png"]
    reply = Reply.objects.get()
    assert (reply.state, reply.post_id) == ("sent", post.pk)
    assert not Attachment.objects.filter(reply=reply).exclude(file="").exists()  # deleted once sent

    shown = client.get(page)
    assert shown.content.decode().count("Thank you!") == 1  # the post, not also as pending


def test_a_reply_is_validated_as_the_form_is(client, sandbox_api):
    page, _submission = filed(client)
    empty = reply_post(client, page, "   ")
    assert empty.status_code == 400
    assert "Your reply has not been sent yet" in empty.content.decode()
    forged = client.post(f"{page}reply/", {"form_token": "forged", "text": "Hello"})
    assert forged.status_code == 400 and "could not be verified" in forged.content.decode()
    assert "Hello" in forged.content.decode()  # what was typed is kept
    elsewhere = reply_post(client, page, "Hi", HTTP_ORIGIN="https://evil.example")
    assert elsewhere.status_code == 403
    assert Reply.objects.count() == 0


def test_with_the_api_down_a_reply_is_kept_and_posted_once_when_it_is_back(
    client, sandbox_api, settings
):
    page, submission = filed(client)
    token = reply_token(client, page)
    settings.TICKETS_API_URL = closed_port_url()
    response = client.post(f"{page}reply/", {"form_token": token, "text": "Still broken"})
    assert response.status_code == 303
    reply = Reply.objects.get()
    assert reply.state == "received"
    assert "sending…" in text_of(client.get(page))

    settings.TICKETS_API_URL = sandbox_api
    replies_due()
    run_worker()
    assert Post.objects.filter(ticket_id=submission.api_id).count() == 1
    assert Reply.objects.get().state == "sent"


def test_a_lost_answer_to_a_reply_is_looked_up_never_posted_twice(client, sandbox_api, settings):
    page, submission = filed(client)
    token = reply_token(client, page)
    with stub_server(every_create_lost(sandbox_api)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        client.post(f"{page}reply/", {"form_token": token, "text": "Lost on the way back"})
        assert Reply.objects.get().state == "uncertain"
        assert Post.objects.filter(ticket_id=submission.api_id).count() == 1  # it arrived
        replies_due()
        run_worker()
    assert Reply.objects.get().state == "sent"
    assert Post.objects.filter(ticket_id=submission.api_id).count() == 1
    assert sum(1 for r in seen if r.method == "POST") == 1


def test_a_closed_ticket_takes_no_reply(client, sandbox_api):
    page, submission = filed(client)
    token = reply_token(client, page)
    reply_as_agent(Ticket.objects.get(pk=submission.api_id), "Solved, closing.", close=True)
    Conversation.objects.update(read_at=None)  # read again at the next view
    shown = client.get(page)
    assert "Closed" in text_of(shown)
    assert "takes no more replies" in text_of(shown)
    assert 'name="text"' not in shown.content.decode()
    refused = client.post(f"{page}reply/", {"form_token": token, "text": "One more thing"})
    assert refused.status_code == 409
    assert "One more thing" in refused.content.decode()
    assert Reply.objects.count() == 0


def test_a_fresh_page_costs_no_api_request(client, sandbox_api, settings):
    page, submission = filed(client)

    with stub_server(forward_to(sandbox_api)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        # First view, just after filing: the ticket is as the create's answer gave it, and
        # only its posts are read.
        assert "Open" in text_of(client.get(page))
        assert [r.path.split("?")[0] for r in seen] == [
            f"/api/v2/tickets/{submission.api_id}/posts/"
        ]
        for _ in range(5):
            client.get(page)
            client.get(page, HTTP_X_PORTAL_UPDATE="conversation")
        assert len(seen) == 1  # fresh: shown from what is kept

        Conversation.objects.update(read_at=timezone.now() - timezone.timedelta(minutes=5))
        client.get(page, HTTP_X_PORTAL_UPDATE="conversation")
        assert len(seen) == 1  # an open page's own update never waits for the API
        client.get(page)
        assert [r.path.split("?")[0] for r in seen[1:]] == [
            f"/api/v2/tickets/{submission.api_id}/",
            f"/api/v2/tickets/{submission.api_id}/posts/",
        ]  # a visit to a stale page reads the ticket and its posts again


def test_a_page_first_opened_later_reads_the_ticket_itself(client, sandbox_api, settings):
    """The create's answer stands for a read only while a read would be fresh: a page opened an
    hour after filing reads the ticket (an agent may have closed it since)."""
    page, submission = filed(client)
    Ticket.objects.filter(id=submission.api_id).update(status_id="closed")
    Submission.objects.update(sent_at=timezone.now() - timezone.timedelta(hours=1))
    with stub_server(forward_to(sandbox_api)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        client.get(page)
        assert [r.path.split("?")[0] for r in seen] == [
            f"/api/v2/tickets/{submission.api_id}/",
            f"/api/v2/tickets/{submission.api_id}/posts/",
        ]
    assert Conversation.objects.get().status_id == "closed"


def test_pages_with_a_key_are_private(client, sandbox_api):
    page, _submission = filed(client)
    for response in (client.get(page), client.get(f"{page}status/"), client.get(f"/embed{page}")):
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"


def test_a_new_link_withdraws_the_old_one_at_once(client, sandbox_api):
    page, _submission = filed(client)
    html = client.get(page).content.decode()
    link_token = re.search(r'name="link_token" value="([^"]+)"', html).group(1)
    elsewhere = client.post(
        f"{page}new-link/", {"link_token": link_token}, HTTP_ORIGIN="https://evil.example"
    )
    assert elsewhere.status_code == 403
    forged = client.post(f"{page}new-link/", {"link_token": "forged"})
    assert forged.status_code == 403

    renewed = client.post(f"{page}new-link/", {"link_token": link_token})
    assert renewed.status_code == 303
    new_page = renewed["Location"].split("?")[0]
    assert new_page != page and new_page.startswith("/tickets/")
    assert "new address" in text_of(client.get(renewed["Location"]))
    old, wrong = client.get(page), client.get("/tickets/no-such-key/")
    assert old.status_code == wrong.status_code == 404
    assert old.content == wrong.content  # the same page: a withdrawn key tells nothing
    assert client.get(f"{page}status/").status_code == 404
    assert client.post(f"{page}reply/", {"form_token": "x", "text": "y"}).status_code == 404


def test_a_cancelled_submission_is_the_same_404(client, sandbox_api):
    page, _submission = filed(client)
    Submission.objects.update(state="cancelled")
    assert client.get(page).content == client.get("/tickets/no-such-key/").content
    assert client.get(page).status_code == 404


def test_the_admin_withdraws_a_link(admin_client, client, sandbox_api):
    page, submission = filed(client)
    admin_client.post(
        "/admin/tickets/submission/",
        {"action": "withdraw_link", "_selected_action": [submission.pk]},
        HTTP_ORIGIN="http://testserver",
    )
    assert client.get(page).status_code == 404
    renewed = Submission.objects.get().public_key
    assert client.get(f"/tickets/{renewed}/").status_code == 200


def test_the_worker_reads_only_the_followed_tickets_that_changed(client, sandbox_api, settings):
    (page, one), (other_page, _other) = filed(client), filed(client)
    client.get(page), client.get(other_page)  # both followed now
    long_ago = timezone.now() - timezone.timedelta(minutes=10)
    Ticket.objects.update(date_updated=long_ago)
    Conversation.objects.update(read_at=timezone.now())
    reply_as_agent(Ticket.objects.get(pk=one.api_id), "An answer while the page is open")

    with stub_server(forward_to(sandbox_api)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        cache.delete(conversations.CHECKED_KEY)
        assert conversations.keep_fresh() == 1
        assert [r.path.split("?")[0] for r in seen] == [
            "/api/v2/tickets/",  # what changed: one request for every followed ticket
            f"/api/v2/tickets/{one.api_id}/",
            f"/api/v2/tickets/{one.api_id}/posts/",
        ]
        assert "from_date_updated=" in seen[0].path
        assert conversations.keep_fresh() == 0  # once a minute at most
        assert len(seen) == 3
        # The open page's own update shows the answer from what the worker read.
        update = client.get(page, HTTP_X_PORTAL_UPDATE="conversation")
        assert "An answer while the page is open" in update.content.decode()
        assert len(seen) == 3
        # A page nobody looked at for a while is not followed.
        Conversation.objects.update(viewed_at=timezone.now() - timezone.timedelta(hours=2))
        cache.delete(conversations.CHECKED_KEY)
        assert conversations.keep_fresh() == 0
        assert len(seen) == 3


def test_a_form_may_name_the_agent_who_answered(client, sandbox_api, use_schema, settings):
    import json

    document = json.loads(Path(settings.BASE_DIR, "portal", "ticket_schema.json").read_text())
    for form in document["forms"]:
        form["agent_names"] = True
    use_schema(document)
    page, submission = filed(client)
    reply_as_agent(Ticket.objects.get(pk=submission.api_id), "Olena here.", agent_id=2)
    assert "Support (Olena)" in text_of(client.get(page))

    for form in document["forms"]:
        form["agent_names"] = False
    use_schema(document)
    Conversation.objects.update(read_at=None)
    shown = text_of(client.get(page))
    assert "Olena" not in shown.replace("Olena here.", "") and "Support" in shown


def test_replies_are_throttled_per_ticket(client, sandbox_api, settings):
    settings.TICKETS_THROTTLE_REPLIES = ["2/h"]
    page, submission = filed(client)
    for n in range(2):
        assert reply_post(client, page, f"Reply {n}").status_code == 303
    third = reply_post(client, page, "One too many")
    assert third.status_code == 429
    assert "very many replies" in text_of(third) and "One too many" in third.content.decode()
    assert Post.objects.filter(ticket_id=submission.api_id).count() == 2


def test_once_the_share_for_conversations_is_used_pages_do_not_ask_for_it(
    client, sandbox_api, settings, monkeypatch
):
    """A page view past TICKETS_API_FOLLOW_PER_MINUTE shows what is kept; once the governor has
    held one read back, the next views do not ask it again until the wait it said is over (each
    ask waits a moment for the rate store's lock: a person's page would spend it for nothing)."""
    from tickets.helpdesk import governor

    settings.TICKETS_API_FOLLOW_PER_MINUTE = 1  # a new ticket's first read: its posts
    pages = [filed(client)[0] for _ in range(3)]
    asked = []
    take = governor.Governor.take
    monkeypatch.setattr(
        governor.Governor, "take", lambda self, *a, **k: (asked.append(a), take(self, *a, **k))[1]
    )
    client.get(pages[0])  # read: the share is used
    assert len(asked) == 1
    assert client.get(pages[1]).status_code == 200  # held back, and said so
    assert len(asked) == 2 and cache.get(conversations.HELD_KEY)
    third = client.get(pages[2])
    assert third.status_code == 200 and len(asked) == 2  # not asked again
    assert Conversation.objects.filter(read_at=None).count() == 2  # both show what the form sent
    cache.delete(conversations.HELD_KEY)  # the wait is over
    client.get(pages[2])
    assert len(asked) == 3
