"""No page of the portal says anything is wrong in the browser: Chromium, in a light and a dark
colour scheme, opens every kind of page (the customer's, the embed in an iframe on another site,
the staff's, the admin pages the project changed), fills and sends what a person would, and the test
fails on any console error, any uncaught exception, any request that fails and any sub-resource
answered with an error (a missing favicon, a script refused by the Content-Security-Policy, ...).
Each error page's own status (400, 403, 404, 413, 429) is what the test asks for, not a failure.
One browser context per scheme walks all of it."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client

from sandbox.models import Ticket
from sandbox.store import reply_as_agent
from tests.browser.conftest import ARTIFACTS
from tests.browser.sites import form_frame, support_site
from tests.browser.test_delivery import fill_required
from tests.examples import EXAMPLE_POST
from tests.integration.test_portal_flow import closed_port_url, confirmation_key
from tests.integration.test_ticket_page import HOSTILE, reply_token
from tickets.models import Article, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-console-123"
NAVIGATION_STATUS = "performance.getEntriesByType('navigation')[0].responseStatus"


class Watch:
    """Everything a page (and its frames) reports as wrong, labelled with the step it came in."""

    def __init__(self, page) -> None:
        self.step = "start"
        self.problems: list[str] = []
        self.error_documents: set[str] = set()  # asked for with an error status on purpose
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._add(f"uncaught {error.name}: {error.message}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        self.page, self.in_flight = page, 0
        page.on("request", lambda request: self._count(1))
        page.on("requestfinished", lambda request: self._count(-1))
        page.on("requestfailed", lambda request: self._count(-1))

    def _count(self, change: int) -> None:
        self.in_flight = max(0, self.in_flight + change)

    def settle(self, quiet_ms: int = 150, timeout_ms: int = 10_000) -> None:
        """The page has loaded, its scripts have run and what they fetched at once has come back:
        no request in flight for `quiet_ms` (Playwright's "networkidle" waits 500 ms)."""
        self.page.wait_for_load_state()
        quiet = waited = 0
        while quiet < quiet_ms and waited < timeout_ms:
            self.page.wait_for_timeout(25)
            waited += 25
            quiet = quiet + 25 if self.in_flight == 0 else 0

    def _add(self, problem: str) -> None:
        self.problems.append(f"{self.step}: {problem}")

    def _console(self, message) -> None:
        where = message.location.get("url", "")
        # Chromium's word for a page answered with an error status: the status the step asked for.
        if where in self.error_documents and message.text.startswith("Failed to load resource"):
            return
        if message.type == "error":
            self._add(f"console error: {message.text} ({where})")

    def _failed(self, request) -> None:
        # A script's request still out when the test moves on (a status page asks for news every
        # few seconds) is cancelled by that navigation: not the page's failure.
        if request.failure == "net::ERR_ABORTED" and request.resource_type in ("fetch", "xhr"):
            return
        self._add(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type == "document":
            self.error_documents.add(response.url)
        elif response.status >= 400:
            request = response.request
            self._add(
                f"{response.status} for {request.resource_type} {request.method} {request.url}"
            )


def visit(page, watch: Watch, url: str, status: int = 200) -> None:
    watch.step = url
    response = page.goto(url)
    # None where Chromium took it for the page already shown (a form's own address after its
    # POST): the status of what it loaded, then.
    if response is None:
        page.wait_for_load_state()
    got = response.status if response else page.evaluate(NAVIGATION_STATUS)
    assert got == status, (url, got)
    watch.settle()


def send(target, button: str) -> None:
    """Send the form as it is, the browser's own checks off (the server's are the point)."""
    target.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    target.get_by_role("button", name=button).click()


def a_ticket_with_a_conversation() -> str:
    """A filed ticket's key: an agent answered with HTML that tries to run and load things and a
    file, and the customer answered with a file."""
    client = Client(headers={"Origin": "http://testserver"})
    token = re.search(
        r'name="form_token" value="([^"]+)"', client.get("/forms/support/").content.decode()
    )
    key = confirmation_key(client.post("/forms/support/", {**EXAMPLE_POST, "form_token": token[1]}))
    page = f"/tickets/{key}/"
    ticket = Ticket.objects.get(pk=Submission.objects.get(public_key=key).api_id)
    reply_as_agent(ticket, HOSTILE, files=[ContentFile(b"step 1\n", name="steps.txt")])
    files = [ContentFile(b"all good", name="after.txt")]
    client.post(
        f"{page}reply/",
        {"form_token": reply_token(client, page), "text": "Thanks!", "files": files},
    )
    return key


def customer_pages(page, watch: Watch, portal: str, article: Article, settings) -> str:
    """The customer's pages, and a filed ticket's key (its page has a conversation)."""
    for path in ("/", "/?lang=uk", "/privacy/", "/forms/billing/", "/forms/technical/",
                 f"/articles/{article.pk}/", "/forms/support/answered/", "/embed/support/",
                 "/embed/support/answered/"):  # fmt: skip
        visit(page, watch, portal + path)
    visit(page, watch, f"{portal}/embed/support/?ctx=forged.sig", status=400)
    visit(page, watch, f"{portal}/forms/nope/", status=404)
    visit(page, watch, f"{portal}/tickets/no-such-key/", status=404)

    # A subject typed: articles suggested, one opened in place, "This answered my question".
    visit(page, watch, f"{portal}/forms/support/")
    watch.step = "/forms/support/: articles suggested and opened"
    page.locator("#id_title").press_sequentially(article.title["en"], delay=5)
    region = page.locator("[data-article-suggestions]")
    region.get_by_role("button").first.click()
    region.get_by_role("button", name="This answered my question").click()
    page.wait_for_url(re.compile(r"/answered/"))
    watch.settle()

    # Sent with mistakes: the form again, with its errors.
    visit(page, watch, f"{portal}/forms/billing/")
    watch.step = "/forms/billing/: sent with mistakes"
    page.get_by_label("I would like a refund").check()
    page.get_by_label("Refund amount").fill("-5")
    send(page, "Send")
    page.locator("#error-summary").wait_for()
    watch.settle()

    # Sent: the status page; sent again past the limit (429).
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    visit(page, watch, f"{portal}/forms/support/")
    watch.step = "/forms/support/: sent"
    fill_required(page, title="Sent from the console test")
    page.get_by_role("button", name="Send").click()
    page.locator("[data-ticket-status]").wait_for()
    watch.settle()
    visit(page, watch, f"{portal}/forms/support/")
    watch.step = "/forms/support/: sent past the limit (429)"
    fill_required(page, title="Sent too often")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send").click()
    assert answer.value.status == 429
    watch.settle()
    settings.TICKETS_THROTTLE_ADDRESS = []

    # Too large to read (413): sent as a browser without the page's script would send it.
    settings.TICKETS_MAX_FILES, settings.TICKETS_MAX_FILE_MB = 1, 0.01
    visit(page, watch, f"{portal}/forms/support/")
    watch.step = "/forms/support/: too large (413)"
    big = {"name": "big.bin", "mimeType": "application/octet-stream", "buffer": b"x" * 3_000_000}
    page.locator("input[type=file]").set_input_files([big])
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("form[data-ticket-form]").evaluate("f => f.submit()")
    assert answer.value.status == 413
    watch.settle()
    settings.TICKETS_MAX_FILES, settings.TICKETS_MAX_FILE_MB = 5, 10

    # A ticket's page: the conversation, a reply sent empty (400); one still waiting.
    key = a_ticket_with_a_conversation()
    visit(page, watch, f"{portal}/tickets/{key}/")
    watch.step = f"/tickets/{key}/: an empty reply"
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send reply").click()
    assert answer.value.status == 400
    watch.settle()
    return key


def challenge_pages(page, watch: Watch, portal: str, settings) -> None:
    """The proof-of-work challenge on: the widget fetches and solves it as the form is sent."""
    settings.TICKETS_CHALLENGE, settings.TICKETS_CHALLENGE_MAX_NUMBER = True, 1000
    visit(page, watch, f"{portal}/forms/support/")
    watch.step = "/forms/support/: the challenge solved and sent"
    fill_required(page, title="Sent past the challenge")
    page.get_by_role("button", name="Send").click()
    page.locator("[data-ticket-status]").wait_for()
    watch.settle()


def helpdesk_down_pages(page, watch: Watch, portal: str, key: str, settings) -> None:
    """The helpdesk down (last: the portal then waits before it tries again): a reply kept to
    send later, a ticket kept until it can be filed, their pages asking for news."""
    settings.TICKETS_API_URL = closed_port_url()
    visit(page, watch, f"{portal}/tickets/{key}/")
    watch.step = f"/tickets/{key}/: a reply kept while the helpdesk is down"
    page.get_by_label("Your reply").fill("Still there?")
    page.get_by_role("button", name="Send reply").click()
    page.locator("[data-pending-reply]", has_text="Still there?").wait_for()
    watch.settle()
    visit(page, watch, f"{portal}/forms/support/")
    watch.step = "/forms/support/: kept while the helpdesk is down"
    fill_required(page, title="Kept until the helpdesk is back")
    page.get_by_role("button", name="Send").click()
    page.locator("[data-reference]").wait_for()
    watch.settle()


def embedded_pages(page, watch: Watch, portal: str, settings) -> None:
    """The embed on another site: the form, its errors, its status and ticket page."""
    with support_site(portal) as host:
        settings.EMBED_ALLOWED_ORIGINS = [host]
        visit(page, watch, host)
        watch.step = "host page: the embedded form"
        frame = form_frame(page)
        watch.settle()
        watch.step = "host page: the embedded form sent with mistakes"
        send(frame, "Send")
        frame = form_frame(page, "invalid")
        watch.settle()
        watch.step = "host page: the embedded form sent"
        fill_required(frame, title="Sent from the embedded form")
        frame.get_by_role("button", name="Send").click()
        page.wait_for_function("window.portalEvents.some(e => e.type === 'submitted')")
        watch.settle()


def staff_pages(page, watch: Watch, portal: str, settings) -> None:
    users = get_user_model().objects
    agent = users.create_user("olena", "olena.koval@sandbox.invalid", PASSWORD, is_staff=True)
    users.create_user("locked", "locked@example.com", PASSWORD, is_staff=True)
    visit(page, watch, f"{portal}/staff/")  # to the sign-in page
    watch.step = "/staff/login/: signed in"
    page.get_by_label("Username").fill("olena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal}/staff/")
    watch.settle()
    for slug in ("billing", "technical", "support"):
        visit(page, watch, f"{portal}/staff/forms/{slug}/")
    watch.step = "/staff/forms/support/: sent with mistakes"
    send(page, "File the ticket")
    page.locator("#error-summary").wait_for()
    watch.settle()

    staff = Client()
    staff.force_login(agent)
    form = staff.get("/staff/forms/support/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form)[1]
    post = {**EXAMPLE_POST, "form_token": token, "files": ContentFile(b"log", name="log.txt")}
    filed = staff.post("/staff/forms/support/", post)
    assert filed.status_code == 302, filed.content.decode()[-2000:]
    visit(page, watch, portal + filed["Location"])

    # Sign-in locked (429).
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/staff/login/", {"username": "locked", "password": f"guess-{n}"})
    visit(page, watch, f"{portal}/staff/login/")
    watch.step = "/staff/login/: locked (429)"
    page.get_by_label("Username").fill("locked")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    watch.settle()


def admin_pages(page, watch: Watch, portal: str) -> None:
    """The admin pages the project changed or added, signed in as a superuser."""
    users = get_user_model().objects
    admin = Client()
    admin.force_login(users.create_superuser("root", "root@example.com", PASSWORD))
    session = admin.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": portal}]
    )
    visit(page, watch, f"{portal}/admin/")
    submission = Submission.objects.exclude(attachments=None).first()
    olena = users.get(username="olena")
    for path in ("/admin/tickets/submission/", f"/admin/tickets/submission/{submission.pk}/change/",
                 "/admin/tickets/submission/personal-data/?email=customer@example.com",
                 f"/admin/auth/user/{olena.pk}/change/", "/admin/tickets/article/",
                 "/admin/tickets/articlecount/"):  # fmt: skip
        visit(page, watch, portal + path)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_reports_an_error_in_the_browser(
    site_browser, live_server, sandbox_api, articles, settings, scheme
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = site_browser.new_context(
        viewport={"width": 1000, "height": 900}, color_scheme=scheme, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = Watch(page)
    try:
        portal = live_server.url
        key = customer_pages(page, watch, portal, articles.first(), settings)
        embedded_pages(page, watch, portal, settings)
        staff_pages(page, watch, portal, settings)
        admin_pages(page, watch, portal)
        challenge_pages(page, watch, portal, settings)
        helpdesk_down_pages(page, watch, portal, key, settings)
    except Exception as error:  # what the page said on the way may be why a step went wrong
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"console-{scheme}.png", full_page=True)
        raise AssertionError(f"{watch.step}: {error}\n" + "\n".join(watch.problems)) from error
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
