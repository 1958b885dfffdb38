"""Every page the portal serves is valid HTML, as the Nu HTML checker (vnu.jar) reads it.

Each kind of page is rendered over the test client against the sandbox API on `live_server`:
the front page, each form (customer and staff, on its own and embedded) fresh, prefilled and sent
back with errors (crafted values for every field type), refused (400, 403, 413, 429), the status
page in each state, the ticket page with a conversation (an agent's HTML, files, a pending reply)
and its reply box sent back, articles, privacy, sign-in and its lock, 403/404 pages, and the admin
pages the project changed. One run of the checker (one JVM start) reads them all; a failure lists
each page's address and the checker's messages. A fragment the form's script puts in its page
(article suggestions, an article opened in place) is checked inside a bare document.

`make test` installs the checker (npm's vnu-jar, pinned in the Makefile) into .tools/; without it
or Java the test skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, resolve

from sandbox.models import Ticket
from sandbox.store import reply_as_agent
from tests.examples import EXAMPLE_POST
from tests.integration.test_consent import consent_schema  # noqa: F401  (fixture)
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    closed_port_url,
    confirmation_key,
    hidden_value,
)
from tests.integration.test_ticket_page import HOSTILE, reply_token
from tickets.models import Article, Conversation, Submission

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "invalid-html"
VNU_JAR = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# The portal's routes that answer with no HTML page of their own: JSON, a file, a redirect.
NOT_HTML = {
    "tickets:challenge",
    "tickets:embed_about",
    "tickets:status",
    "tickets:file",
    "tickets:staff_status",
    "tickets:staff_client_search",
    "tickets:staff_ticket_lookup",
    "tickets:staff_staff_search",
    "tickets:staff_logout",
}

# A ticket the support form takes (it asks for consent here: `consent_schema`).
VALID = {**EXAMPLE_POST, "consent": "on"}
# What a person could send that the form must refuse, one crafted value per field type.
CRAFTED = {
    **EXAMPLE_POST,
    "user_email": "not an address",
    "title": "",
    "description": 'Quotes " and <b>tags</b> & ampersands',
    "cf_98": "1e999",  # number
    "cf_99": "999999",  # select: no such option
    "cf_100_0": "198",  # hierarchy: a level under another parent
    "cf_100_1": "209",
    "cf_100_2": "bogus",
    "cf_101": "2027-02-30",  # date
    "cf_102": "25:61",  # time
    "cf_103": "name@",  # regex
    "cf_104": "maybe",  # checkbox
    "cf_105": "yes",  # button
    "cf_106": "nope",  # multi_button
    "cf_109": '"><script>alert(1)</script>',
    "cf_110": "on",
    "cf_111": "-5",
}
STAFF_CRAFTED = {
    **CRAFTED,
    "user_id": "abc",
    "owner_id": "99999",
    "followers": ["1", "x"],
    "cc": "grace@, alan@example.com",
    "pid": "SBX-nope",
    "sla_date": "2027-13-45T99:99",
}


@pytest.fixture
def checker() -> list[str]:
    """The command that runs the checker; a skip (or, under CI, a failure) without it, before
    any page is rendered."""
    java = shutil.which("java")
    missing = [
        name for name, there in (("java", java), (str(VNU_JAR), VNU_JAR.exists())) if not there
    ]
    if missing:
        message = f"The HTML checker needs {' and '.join(missing)} (make test installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: under CI the HTML check must run.")
        pytest.skip(message)
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]


FRAGMENT_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fragment</title></head>'
    "<body><main>{}</main></body></html>"
)


@dataclass
class Pages:
    """The pages taken so far: (address, HTML), and the routes they cover."""

    taken: list[tuple[str, str]] = field(default_factory=list)
    routes: set[str] = field(default_factory=set)

    def take(self, response, status: int = 200, fragment: bool = False, label: str = ""):
        request = response.wsgi_request
        address = (
            f"{request.method} {request.get_full_path()} ({status}{', ' if label else ''}{label})"
        )
        assert response.status_code == status, (address, response.status_code)
        assert response["Content-Type"].startswith("text/html"), address
        html = response.content.decode()
        self.taken.append((address, FRAGMENT_PAGE.format(html) if fragment else html))
        match = resolve(request.path)
        self.routes.add(match.view_name)
        return response


def form_token(client, url: str) -> str:
    return hidden_value(client.get(url), "form_token")


def tickets_routes() -> set[str]:
    """Every named route of the portal's app."""
    resolver = get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "tickets":
            names |= {f"tickets:{p.name}" for p in pattern.url_patterns if p.name}
    return names


def a_file(name: str = "report.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"It broke at 9:00\n", content_type="text/plain")


def customer_pages(pages: Pages, client: Client, article: Article, settings) -> None:
    """The customer's pages: forms, their errors and refusals, articles, privacy, 404."""
    take = pages.take
    take(client.get("/"))
    take(client.get("/?lang=uk"))
    take(client.get("/privacy/"))
    for slug in ("support", "billing", "technical"):
        take(client.get(f"/forms/{slug}/"))
        take(client.get(f"/embed/{slug}/"))
        post = {**CRAFTED, "form_token": form_token(client, f"/forms/{slug}/"), "files": a_file()}
        take(client.post(f"/forms/{slug}/", post))
    take(client.get("/forms/support/?title=Printer&email=ada@example.com&cf_99=192&lang=ru"))
    embed_query = "?parent=https://help.example&color=%23c00&radius=4px&font=Georgia&scheme=dark"
    take(client.get(f"/embed/support/{embed_query}&bg=transparent&canvas=dark"))
    post = {**CRAFTED, "form_token": form_token(client, "/embed/support/"), "files": a_file()}
    take(client.post(f"/embed/support/{embed_query}", post))
    take(client.get("/embed/support/?ctx=forged.sig"), status=400)  # refused
    take(client.get("/forms/support/?ctx=forged.sig"), status=400)
    take(Client().post("/forms/support/", {"title": "No origin"}), status=403)

    # Too large to read (413), on its own and embedded.
    settings.TICKETS_MAX_FILES, settings.TICKETS_MAX_FILE_MB = 1, 0.01
    big = SimpleUploadedFile("big.bin", b"x" * (3 * 1024 * 1024))
    take(client.post("/forms/support/", {"files": big}), status=413)
    big.seek(0)
    take(client.post("/embed/support/", {"files": big}), status=413)
    settings.TICKETS_MAX_FILES, settings.TICKETS_MAX_FILE_MB = 5, 10

    # Throttled (429): what was typed comes back.
    settings.TICKETS_THROTTLE_ADDRESS = ["1/h"]
    post = {**VALID, "cf_109": "INV-1", "form_token": form_token(client, "/forms/billing/")}
    confirmation_key(client.post("/forms/billing/", post))
    for url in ("/forms/billing/", "/embed/billing/"):
        again = {**VALID, "cf_109": "INV-2", "form_token": form_token(client, url)}
        take(client.post(url, again), status=429)
    settings.TICKETS_THROTTLE_ADDRESS = []

    # Articles: suggested (fragments of the form's page), opened in place, on their own page.
    words = article.title["en"]
    take(client.get("/forms/support/articles/", {"q": words}), fragment=True)
    take(client.get("/forms/support/articles/", {"q": words, "embed": "1"}), fragment=True)
    take(client.get(f"/forms/support/articles/{article.pk}/"), fragment=True)
    take(client.get(f"/forms/support/articles/{article.pk}/?embed=1"), fragment=True)
    take(client.get(f"/articles/{article.pk}/"))
    take(client.get("/forms/support/answered/"))
    take(client.get(f"/embed/support/answered/{embed_query}"))

    take(client.get("/forms/nope/"), status=404)
    take(client.get("/tickets/no-such-key/"), status=404)
    take(client.get("/embed/tickets/no-such-key/"), status=404)


def ticket_pages(pages: Pages, client: Client, settings, sandbox_api: str) -> None:
    """A ticket's page in each state: filed with a conversation, its reply box sent back, kept
    while the helpdesk is down, needing attention; on its own and embedded."""
    take = pages.take
    post = {**VALID, "form_token": form_token(client, "/forms/support/"), "files": a_file()}
    key = confirmation_key(client.post("/forms/support/", post))
    page = f"/tickets/{key}/"
    submission = Submission.objects.get(public_key=key)
    ticket = Ticket.objects.get(pk=submission.api_id)
    reply_as_agent(ticket, HOSTILE, files=[ContentFile(b"step 1\n", name="steps.txt")])
    token = reply_token(client, page)
    client.post(f"{page}reply/", {"form_token": token, "text": "Thanks!\nIt works.",
                                  "files": [a_file("after.txt")]})  # fmt: skip
    take(client.get(page))
    take(client.get(f"{page}?renewed=1"))
    take(client.get(f"/embed{page}?parent=https://help.example&scheme=dark"))
    take(
        client.post(f"{page}reply/", {"form_token": reply_token(client, page), "text": "  "}),
        status=400,
    )
    token = reply_token(client, f"/embed{page}")
    take(client.post(f"/embed{page}reply/", {"form_token": token, "text": ""}), status=400)
    take(client.post(f"{page}new-link/", {"link_token": "forged"}), status=403)
    take(client.post(f"/embed{page}new-link/", {"link_token": "forged"}), status=403)
    take(Client().post(f"{page}reply/", {"text": "from elsewhere"}), status=403)

    # The helpdesk down: a reply waits, the conversation is shown as last read.
    settings.TICKETS_API_URL = closed_port_url()
    token = reply_token(client, page)
    client.post(f"{page}reply/", {"form_token": token, "text": "Still there?"})
    Conversation.objects.update(read_at=None)
    take(client.get(page), label="stale, a reply pending")
    # A new ticket kept until the helpdesk is back.
    post = {**VALID, "form_token": form_token(client, "/forms/support/")}
    received = confirmation_key(client.post("/forms/support/", post))
    take(client.get(f"/tickets/{received}/"), label="received")
    take(client.get(f"/embed/tickets/{received}/"), label="received")
    Submission.objects.filter(public_key=received).update(state=Submission.State.ATTENTION)
    take(client.get(f"/tickets/{received}/"), label="attention")
    settings.TICKETS_API_URL = sandbox_api

    # Closed by the helpdesk: no reply box.
    reply_as_agent(ticket, "Solved, closing.", close=True)
    Conversation.objects.update(read_at=None)
    take(client.get(page), label="closed")


def consent_and_challenge_pages(pages: Pages, client: Client, settings) -> None:
    """A form asking for consent, with the proof-of-work challenge on: fresh and sent back."""
    settings.TICKETS_CHALLENGE = True
    take = pages.take
    take(client.get("/forms/support/"), label="consent, challenge")
    take(client.get("/embed/support/"), label="consent, challenge")
    post = {**CRAFTED, "form_token": form_token(client, "/forms/support/")}
    take(client.post("/forms/support/", post), label="consent, challenge")
    settings.TICKETS_CHALLENGE = False


def staff_pages(pages: Pages, settings) -> None:
    """Sign-in (and its lock), the staff index, each staff form fresh and sent back with errors,
    a filing's confirmation, a signed-in non-staff user's 403."""
    take = pages.take
    users = get_user_model().objects
    visitor = Client()
    take(visitor.get("/staff/login/?next=/staff/"))
    take(visitor.post("/staff/login/", {"username": "olena", "password": "wrong"}))
    agent = users.create_user("olena", "olena.koval@sandbox.invalid", "pw-olena-123", is_staff=True)
    staff = Client()
    staff.force_login(agent)
    take(staff.get("/staff/"))
    for slug in ("support", "billing", "technical"):
        url = f"/staff/forms/{slug}/"
        take(staff.get(url))
        take(staff.post(url, {**STAFF_CRAFTED, "form_token": form_token(staff, url)}))
    url = "/staff/forms/support/"
    post = {**VALID, "form_token": form_token(staff, url), "user_email": "ada@example.com",
            "files": a_file()}  # fmt: skip
    response = staff.post(url, post)
    assert response.status_code == 302, response.content.decode()[-2000:]
    take(staff.get(response["Location"]))
    key = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    Submission.objects.filter(public_key=key).update(state=Submission.State.CANCELLED)
    take(staff.get(response["Location"]), label="cancelled")

    # An agent the helpdesk does not know: the form says so.
    unmapped = users.create_user("nobody", "nobody@example.com", "pw-nobody-123", is_staff=True)
    stranger = Client()
    stranger.force_login(unmapped)
    take(stranger.get(url), label="agent unknown to the helpdesk")
    # Signed in, not staff.
    customer = Client()
    customer.force_login(users.create_user("ada", "ada@example.com", "pw-ada-12345"))
    take(customer.get("/staff/"), status=403)

    # Locked out after too many wrong passwords (429).
    locked = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        locked.post("/staff/login/", {"username": "olena", "password": f"guess-{n}"})
    take(locked.post("/staff/login/", {"username": "olena", "password": "x"}), status=429)


def admin_pages(pages: Pages) -> None:
    """The admin pages the project changed or added (templates/admin, tickets/admin.py)."""
    take = pages.take
    users = get_user_model().objects
    admin = Client()
    admin.force_login(users.create_superuser("root", "root@example.com", "pw-root-12345"))
    submission = Submission.objects.exclude(attachments=None).first()
    take(admin.get("/admin/"))
    take(admin.get("/admin/tickets/submission/"))
    take(admin.get(f"/admin/tickets/submission/{submission.pk}/change/"))
    take(admin.get("/admin/tickets/submission/personal-data/?email=customer@example.com"))
    take(admin.get("/admin/tickets/submission/personal-data/?email=nonsense"))
    received = Submission.objects.exclude(state=Submission.State.FILED).first()
    mark = {"action": "mark_filed", "_selected_action": [received.pk]}
    take(admin.post("/admin/tickets/submission/", mark))
    take(admin.post("/admin/tickets/submission/", {**mark, "unique_id": ""}))
    olena = users.get(username="olena")
    take(admin.get(f"/admin/auth/user/{olena.pk}/change/"))
    take(admin.get("/admin/tickets/article/"))
    take(admin.get("/admin/tickets/articlecount/"))


def validate(checker: list[str], pages: Pages, folder: Path) -> dict[int, list[dict]]:
    """The checker's errors by page (its number in `pages.taken`), from one run over all."""
    files = []
    for number, (_address, html) in enumerate(pages.taken):
        files.append(folder / f"page-{number:03}.html")
        files[-1].write_text(html, encoding="utf-8")
    run = subprocess.run([*checker, *files], capture_output=True, text=True, timeout=300)
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"The checker gave no report (exit {run.returncode}):\n{run.stderr[-3000:]}")
    found: dict[int, list[dict]] = {}
    for message in messages:
        name = message.get("url", "").rsplit("/", 1)[-1]  # file:/.../page-007.html
        number = int(name[5:8]) if name.startswith("page-") else -1
        found.setdefault(number, []).append(message)
    return found


def report(found: dict[int, list[dict]], pages: Pages) -> str:
    """Each invalid page's address and the checker's messages; the pages kept in
    test-artifacts/ to be read with the line numbers."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    lines = [f"Invalid HTML on {len(found)} of {len(pages.taken)} pages (kept in {ARTIFACTS}):"]
    for number, messages in sorted(found.items()):
        if number < 0:
            lines.append("The checker, of no page of this run:")
        else:
            address, html = pages.taken[number]
            kept = ARTIFACTS / f"page-{number:03}.html"
            kept.write_text(f"{html}\n<!-- {address} -->\n", encoding="utf-8")
            lines.append(f"{address} ({kept.name}):")
        for message in messages:
            lines.append(f"  line {message.get('lastLine', '?')}: {message.get('message')}")
            if message.get("extract"):
                lines.append(f"      {message['extract'].strip()!r}")
    return "\n".join(lines)


@pytest.mark.usefixtures("consent_schema")  # the support form asks for consent
def test_every_page_is_valid_html(checker, client, sandbox_api, settings, articles, tmp_path):
    # Passwords are not what is checked here: a fast hash for the users signed in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMBED_ALLOWED_ORIGINS = ["https://help.example"]
    settings.TICKETS_MAX_FILES, settings.TICKETS_MAX_FILE_MB = 5, 10
    pages = Pages()
    consent_and_challenge_pages(pages, client, settings)
    customer_pages(pages, client, articles.first(), settings)
    ticket_pages(pages, client, settings, sandbox_api)
    staff_pages(pages, settings)
    admin_pages(pages)

    uncovered = tickets_routes() - NOT_HTML - pages.routes
    assert not uncovered, f"Pages this test does not yet render and check: {sorted(uncovered)}"
    found = validate(checker, pages, tmp_path)
    if found:
        pytest.fail(report(found, pages), pytrace=False)
