"""The ticket's page in Chromium against the sandbox: a customer files, an agent answers with a
file (and with HTML that tries to run and load things), the open page shows the answer without a
reload, the file downloads, the customer answers with a file: one post; a withdrawn link is a
404; the same conversation and reply box inside an iframe on another site."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from sandbox.models import Post, Ticket
from sandbox.store import reply_as_agent
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_delivery import fill_required
from tests.browser.test_embedding import frame_of, host_page  # noqa: F401
from tickets.delivery import conversations
from tickets.models import Conversation, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = (
    "<p>We have <strong>fixed</strong> it.</p><script>alert('script')</script>"
    '<img src="https://tracker.example/pixel.png" alt="pixel" onerror="alert(\'img\')">'
    "<a href=\"javascript:alert('link')\">run me</a>"
)


def agent_answers(submission: Submission, text: str, files=()) -> None:
    """An agent answers in the helpdesk, and the worker reads what changed."""
    reply_as_agent(Ticket.objects.get(pk=submission.api_id), text, files=list(files))
    conversations.refresh(Conversation.objects.get(submission=submission))


def test_a_customer_follows_and_answers_their_ticket(page, live_server, sandbox_api, axe_check):
    dialogs, remote = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request", lambda request: remote.append(request.url) if "tracker" in request.url else None
    )
    page.clock.install()  # the page's own time: it runs as usual, and is moved on below
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="My order is stuck")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Conversation").wait_for()
    submission = Submission.objects.get()
    assert submission.state == "filed"
    axe_check(page, "the ticket's page")

    agent_answers(submission, HOSTILE, [ContentFile(b"1. restart\n2. retry\n", name="steps.txt")])
    # The open page shows the answer by itself (it asks every 20 s), announced politely.
    page.clock.fast_forward(20_000)
    page.get_by_text("fixed it.", exact=False).wait_for()
    assert page.locator("[data-posts]").get_attribute("aria-live") == "polite"
    assert page.get_by_role("link", name="steps.txt").is_visible()
    axe_check(page, "the ticket's page with an answer")

    with page.expect_download() as download:
        page.get_by_role("link", name="steps.txt").click()
    assert download.value.suggested_filename == "steps.txt"
    assert Path(download.value.path()).read_bytes() == b"1. restart\n2. retry\n"

    page.get_by_label("Your reply").fill("Restarted, it works. Thank you!")
    page.get_by_label("Add files").set_input_files(
        [{"name": "after.txt", "mimeType": "text/plain", "buffer": b"all good"}]
    )
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Restarted, it works.", exact=False).wait_for()
    posts = Post.objects.filter(
        ticket_id=submission.api_id, user_id=submission.api_response["user_id"]
    )
    assert posts.count() == 1
    assert [f.name for f in posts.get().files.all()] == ["after.txt"]

    assert dialogs == [] and remote == []  # nothing ran, nothing loaded

    # On a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "ticket-page-390.png", full_page=True)

    # Shared by mistake: a new address, and the old one is a 404 at once.
    old = page.url.split("#")[0]
    page.get_by_text("Shared this page's address by mistake?").click()
    page.get_by_role("button", name="Get a new address for this page").click()
    page.get_by_text("new address", exact=False).first.wait_for()
    assert page.url.split("?")[0] != old
    assert page.request.get(old).status == 404


def ticket_frame(page, showing: str):
    """The iframe once it shows the ticket's page with `showing` on it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "/embed/tickets/" in frame.url and showing in frame.locator("body").inner_text():
                return frame
        page.wait_for_timeout(100)  # lets Playwright hear of the frame's navigation
    raise AssertionError(f"no ticket page in the iframe showing {showing!r}")


def test_the_conversation_and_reply_box_work_in_an_iframe(host_page, axe_check):  # noqa: F811
    frame = frame_of(host_page)
    fill_required(frame, title="From the iframe")
    frame.get_by_role("button", name="Send").click()
    frame = ticket_frame(host_page, "Conversation")
    submission = Submission.objects.get()
    agent_answers(submission, "<p>Answered in the helpdesk.</p>")
    frame.goto(frame.url)  # a reload, as without JavaScript
    frame = ticket_frame(host_page, "Answered in the helpdesk.")
    frame.get_by_label("Your reply").fill("Seen, thanks.")
    frame.get_by_role("button", name="Send reply").click()
    frame = ticket_frame(host_page, "Seen, thanks.")
    assert (
        Post.objects.filter(ticket_id=submission.api_id, text__contains="Seen, thanks.").count()
        == 1
    )
    assert host_page.context.cookies() == []
    axe_check(frame, "the embedded ticket page")


def test_times_are_the_browsers_and_written_as_the_server_writes_them(
    browser, live_server, sandbox_api, client
):
    """A post's time in the reader's own zone (Tokyo here, the helpdesk's UTC), in the one
    date-time format of the page's language: the server's (in Russian: the date, ", ", 10:37)."""
    from zoneinfo import ZoneInfo

    from django.utils import formats, translation
    from django.utils.dateparse import parse_datetime

    from tests.integration.test_portal_flow import (
        FORM_URL,
        confirmation_key,
        get_token,
        valid_post_data,
    )

    key = confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="ru-RU")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/tickets/{key}/?lang=ru")
        moment = page.locator("time[data-local-time]").first
        written = parse_datetime(moment.get_attribute("datetime"))
        with translation.override("ru"):
            expected = formats.date_format(
                written.astimezone(ZoneInfo("Asia/Tokyo")), "DATETIME_FORMAT"
            )
        assert moment.inner_text() == expected
    finally:
        context.close()
