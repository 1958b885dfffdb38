"""The browser checks the attachments before the form is sent (static/js/attachments.js): a file
over TICKETS_MAX_FILE_MB, or more files than TICKETS_MAX_FILES (those already attached and not
marked "Remove" included), is refused with a message on the field and nothing is uploaded; a
choice that fits clears it and the form is sent and filed. The server checks the same limits."""

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model

from sandbox.models import Ticket
from tests.browser.test_delivery import fill_required
from tests.browser.test_embedding import host_site
from tests.browser.test_staff import PASSWORD, sign_in
from tests.browser.waits import wait_until
from tickets.helpdesk.client import close_clients

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_FILE_MB = 0.01
MAX_BYTES = int(MAX_FILE_MB * 1024 * 1024)  # 10485: the server refuses a file larger than that


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.TICKETS_MAX_FILE_MB = MAX_FILE_MB
    settings.TICKETS_MAX_FILES = 2
    yield
    close_clients()  # no live-server thread is left serving an idle keep-alive connection


def a_file(name: str, size: int) -> dict:
    return {"name": name, "mimeType": "text/plain", "buffer": b"x" * size}


def watch_posts(page) -> list:
    """Every POST the page (or a frame in it) sends from now on."""
    posts: list = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else 0)
    return posts


def send_and_expect_refusal(frame) -> None:
    """Click Send and wait until the browser has refused the form (its `invalid` event)."""
    frame.locator("#id_files").evaluate(
        "input => { window.refused = false;"
        " input.addEventListener('invalid', () => { window.refused = true; }, { once: true }); }"
    )
    frame.get_by_role("button", name="Send").click()
    wait_until(frame, "window.refused === true")
    frame.wait_for_timeout(200)  # time enough for a request to start, were one sent


def browser_error(frame) -> str:
    return frame.locator("#id_files_check").inner_text().replace("\xa0", " ").strip()


def assert_marked(frame, *messages: str) -> None:
    """The browser's messages, one a line, on the field as the server's look, linked and set as
    the input's own validity message."""
    files = frame.locator("#id_files")
    assert browser_error(frame).splitlines() == list(messages)
    assert frame.locator("#id_files_check").get_attribute("class") == "invalid-feedback d-block"
    assert "is-invalid" in files.get_attribute("class").split()
    assert files.get_attribute("aria-invalid") == "true"
    assert "id_files_check" in files.get_attribute("aria-describedby").split()
    assert files.evaluate("i => i.validationMessage").replace("\xa0", " ") == " ".join(messages)


def assert_clear(frame) -> None:
    files = frame.locator("#id_files")
    assert browser_error(frame) == ""
    assert not frame.locator("#id_files_check").get_attribute("class")
    assert "is-invalid" not in files.get_attribute("class").split()
    assert files.get_attribute("aria-invalid") is None
    assert "id_files_check" not in (files.get_attribute("aria-describedby") or "").split()
    assert files.evaluate("i => i.validity.valid") is True


def filed_files(page) -> list[str]:
    unique_id = page.locator("[data-unique-id]").inner_text()
    return [f.name for f in Ticket.objects.get(unique_id=unique_id).files.all()]


def test_a_file_too_large_is_refused_before_anything_is_sent(
    page, live_server, sandbox_api, axe_check
):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page)
    posts = watch_posts(page)
    files = page.locator("#id_files")
    files.set_input_files([a_file("notes.txt", 100), a_file("screenshot.png", MAX_BYTES + 1)])

    assert_marked(page, "screenshot.png: larger than 10.2 kB.")  # notes.txt fits: not named
    axe_check(page, "the form with the browser's error")
    send_and_expect_refusal(page)
    assert posts == []
    assert Ticket.objects.count() == 0

    # Exactly the limit fits, in the browser as on the server.
    files.set_input_files([a_file("notes.txt", 100), a_file("screenshot.png", MAX_BYTES)])
    assert_clear(page)
    page.get_by_role("button", name="Send").click()
    assert sorted(filed_files(page)) == ["notes.txt", "screenshot.png"]
    assert len(posts) == 1


def test_too_many_files_are_refused_before_anything_is_sent(
    page, live_server, sandbox_api, axe_check
):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page)
    posts = watch_posts(page)
    files = page.locator("#id_files")
    files.set_input_files([a_file(f"log-{n}.txt", 10) for n in range(3)])

    assert_marked(page, "Too many files: a ticket can carry at most 2 files. Choose fewer.")
    axe_check(page, "the form with too many files")
    send_and_expect_refusal(page)
    assert posts == []

    # Too many and too large at once: both are said.
    files.set_input_files([a_file("log-0.txt", 10), a_file("big.bin", 20_000), a_file("c", 1)])
    assert_marked(
        page,
        "big.bin: larger than 10.2 kB.",
        "Too many files: a ticket can carry at most 2 files. Choose fewer.",
    )

    files.set_input_files([a_file("log-0.txt", 10), a_file("log-1.txt", 10)])
    assert_clear(page)
    page.get_by_role("button", name="Send").click()
    assert filed_files(page) == ["log-0.txt", "log-1.txt"]
    assert len(posts) == 1


def test_files_already_attached_count_until_marked_for_removal(
    page, live_server, sandbox_api, axe_check
):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="")
    page.locator("#id_files").set_input_files([a_file("first.txt", 10)])
    # The server keeps the file of a form it sends back (here: the subject is missing).
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Send").click()
    assert page.locator(".kept-files").inner_text().startswith("first.txt")
    posts = watch_posts(page)
    files = page.locator("#id_files")

    files.set_input_files([a_file("second.txt", 10)])  # 1 held + 1 new: fits
    assert_clear(page)
    files.set_input_files([a_file("second.txt", 10), a_file("third.txt", 10)])  # 1 + 2
    message = (
        "Too many files: a ticket can carry at most 2 files, including those already attached. "
        "Choose fewer or remove some."
    )
    assert_marked(page, message)
    axe_check(page, "the form with held files and too many new ones")
    send_and_expect_refusal(page)
    assert posts == []

    remove = page.get_by_label("Remove first.txt")
    remove.check()  # frees its place
    assert_clear(page)
    remove.uncheck()
    assert_marked(page, message)
    remove.check()
    page.get_by_label("Subject").fill("Two new files, the first one removed")
    page.get_by_role("button", name="Send").click()
    assert filed_files(page) == ["second.txt", "third.txt"]
    assert len(posts) == 1


@contextmanager
def embedded_form(browser, live_server, settings):
    """A host site on 127.0.0.1 framing the portal's form at localhost (another site)."""
    with host_site(live_server.url) as host:
        settings.EMBED_ALLOWED_ORIGINS = [host]
        context = browser.new_context(viewport={"width": 900, "height": 800})
        try:
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(host)
            page.wait_for_function("window.portalEvents.some(e => e.type === 'ready')")
            yield page, next(f for f in page.frames if "/embed/" in f.url)
        finally:
            context.close()


def test_the_check_works_inside_the_embed_iframe(
    browser, live_server, sandbox_api, settings, axe_check
):
    with embedded_form(browser, live_server, settings) as (page, frame):
        fill_required(frame, title="Filed from an iframe")
        posts = watch_posts(page)  # the host page hears its frames' requests too
        files = frame.locator("#id_files")
        files.set_input_files([a_file("huge.log", 50_000)])
        assert_marked(frame, "huge.log: larger than 10.2 kB.")
        axe_check(frame, "the embedded form with the browser's error")
        send_and_expect_refusal(frame)
        assert posts == []

        files.set_input_files([a_file("small.log", 50)])
        assert_clear(frame)
        frame.get_by_role("button", name="Send").click()
        page.wait_for_function("window.portalEvents.some(e => e.type === 'submitted')")
        assert [f.name for f in Ticket.objects.get().files.all()] == ["small.log"]
        assert len(posts) == 1


def test_the_staff_form_checks_too(page, live_server, sandbox_api):
    agent = get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", PASSWORD, is_staff=True
    )
    sign_in(page, live_server, agent)
    files = page.locator("#id_files")
    files.set_input_files([a_file("scan.pdf", MAX_BYTES + 1)])
    assert_marked(page, "scan.pdf: larger than 10.2 kB.")
    files.set_input_files([])
    assert_clear(page)


def test_the_message_is_in_the_page_language(page, live_server):
    page.goto(f"{live_server.url}/forms/support/?lang=ru")
    page.locator("#id_files").set_input_files([a_file("отчёт.pdf", MAX_BYTES + 1)])
    assert browser_error(page) == "отчёт.pdf: больше 10,2 кБ."
