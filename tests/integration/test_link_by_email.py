"""The link reaches the person: once a customer's ticket is filed, the worker mails them the link
to its page, once, in their language, through a real SMTP server (aiosmtpd on a free port of
localhost, started and stopped by the tests); never for staff filings, never without EMAIL_HOST,
and a mail server that refuses costs the filing nothing: a later sweep sends it, once."""

from __future__ import annotations

import logging
import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    closed_port_url,
    confirmation_key,
    get_token,
    make_due,
    page_text,
    run_worker,
    valid_post_data,
)
from tests.integration.test_staff import FORM as STAFF_FORM
from tests.integration.test_staff import REQUIRED as STAFF_REQUIRED
from tests.integration.test_staff import token as staff_token
from tickets.delivery import mailing, tasks
from tickets.models import LINK_MAIL_TRIES, Submission

pytestmark = pytest.mark.django_db(transaction=True)

PORTAL = "https://tickets.example.com"
PERSON = "customer@example.com"  # EXAMPLE_POST's user_email
SENDER = "support@example.com"


class Inbox:
    """What the SMTP server was given: (envelope sender, recipients, the message)."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class MailServer:
    """A real SMTP server on 127.0.0.1, stopped and started again on the same port."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def mails(self):
        return self.inbox.mails


@pytest.fixture
def mail_server(settings):
    """Mail on, through the SMTP server (pytest-django's locmem backend is replaced by Django's
    SMTP one); the portal's public address is PORTAL."""
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.PORTAL_URL = PORTAL
    yield server
    server.stop()


def file_as_customer(client, language: str = "") -> Submission:
    """A customer files the example ticket (in `language`, as the browser asks for it)."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    token = get_token(client)
    key = confirmation_key(client.post(FORM_URL, valid_post_data(token), **headers))
    return Submission.objects.get(public_key=key)


def texts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML alternative."""
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def link_mail_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=f"{tasks.__name__}.mail_link").count()


def long_ago() -> None:
    """Time passes: every link mail that waits is due, and was for longer than a task takes."""
    past = timezone.now() - tasks.LOST_AFTER - timedelta(seconds=1)
    Submission.objects.exclude(link_mail_due_at=None).update(link_mail_due_at=past)
    make_due()


def test_the_worker_mails_the_link_once_in_the_persons_language(
    client, sandbox_api, mail_server, caplog
):
    caplog.set_level(logging.INFO)
    submission = file_as_customer(client, language="ru")

    # Filed in the person's request; the mail is the worker's: the POST did not wait for it.
    assert submission.state == Submission.State.FILED
    assert submission.language == "ru"
    assert mail_server.mails == []
    assert link_mail_tasks() == 1
    page = page_text(client.get(f"/tickets/{submission.public_key}/", HTTP_ACCEPT_LANGUAGE="ru"))
    assert "Сохраните адрес этой страницы" in page
    assert f"Мы отправляем эту ссылку на {PERSON}." in page

    run_worker()

    assert len(mail_server.mails) == 1
    sender, recipients, message = mail_server.mails[0]
    assert (sender, recipients) == (SENDER, [PERSON])
    assert message["To"] == PERSON
    assert message["Subject"] == f"Ваша заявка {submission.unique_id}"
    assert message["Auto-Submitted"] == "auto-generated"
    link = f"{PORTAL}/tickets/{submission.public_key}/?lang=ru"
    plain, html = texts(message)
    assert link in plain
    assert f"Ваша заявка {submission.unique_id} принята." in plain
    assert "Сохраните это письмо" in plain
    assert f'<a href="{link}">' in html
    assert '<html lang="ru">' in html
    # Nothing else: the number and the link, not what the ticket says.
    assert "Test Ticket" not in plain + html and "Ticket Description" not in plain + html

    submission.refresh_from_db()
    assert submission.link_mailed_at is not None
    assert (submission.link_mail_attempts, submission.link_mail_due_at) == (1, None)
    page = page_text(client.get(f"/tickets/{submission.public_key}/", HTTP_ACCEPT_LANGUAGE="ru"))
    assert f"Мы отправили эту ссылку на {PERSON}." in page

    # The task queued again (a filing recorded twice), the sweep, a second worker: still one.
    tasks.mail_link.enqueue(submission.pk)
    tasks.mail_link.enqueue(submission.pk)
    long_ago()
    run_worker()
    assert mailing.send_link(submission.pk) == "not due"
    assert len(mail_server.mails) == 1

    # The portal's log names the reference, never the person (mail.log is the test server's).
    portal_log = [r.getMessage() for r in caplog.records if r.name != "mail.log"]
    assert f"{submission.reference}: the link to its page was mailed" in portal_log
    assert not [line for line in portal_log if PERSON in line]


def test_a_ticket_the_worker_files_later_is_mailed_once_it_is_filed(
    client, sandbox_api, mail_server, settings
):
    settings.TICKETS_API_URL = closed_port_url()
    submission = file_as_customer(client)
    assert submission.state == Submission.State.QUEUED
    page = page_text(client.get(f"/tickets/{submission.public_key}/"))
    assert "Keep this page's address: it is the only way back to your ticket" in page
    assert f"We will email this link to {PERSON} once the ticket is filed." in page
    run_worker()
    assert mail_server.mails == []  # not filed: nothing is mailed

    settings.TICKETS_API_URL = sandbox_api
    make_due()
    run_worker()

    submission.refresh_from_db()
    assert submission.state == Submission.State.FILED
    assert len(mail_server.mails) == 1
    _sender, recipients, message = mail_server.mails[0]
    assert recipients == [PERSON]
    assert message["Subject"] == f"Your ticket {submission.unique_id}"
    plain, _html = texts(message)
    assert f"{PORTAL}/tickets/{submission.public_key}/?lang=en" in plain
    assert f"Your ticket {submission.unique_id} has been filed." in plain


@pytest.fixture
def agent_client(sandbox_api) -> Client:
    """A staff member signed in (the helpdesk's sandbox knows Olena Koval's email)."""
    agent = get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", "pw-olena-123", is_staff=True
    )
    client = Client()
    client.force_login(agent)
    return client


def test_staff_filings_are_never_mailed(agent_client, mail_server):
    staff_client = agent_client
    post = {**STAFF_REQUIRED, "form_token": staff_token(staff_client), "user_email": PERSON}
    response = staff_client.post(STAFF_FORM, post)
    assert response.status_code == 302, response.content.decode()[-2000:]
    submission = Submission.objects.get()
    assert (submission.audience, submission.state) == ("staff", Submission.State.FILED)
    assert submission.link_mail_due_at is None

    run_worker()
    long_ago()
    run_worker()
    assert mail_server.mails == []
    assert link_mail_tasks() == 0


def test_without_email_host_nothing_is_mailed_or_promised(
    client, sandbox_api, mail_server, settings
):
    settings.EMAIL_HOST = ""
    submission = file_as_customer(client)
    assert submission.link_mail_due_at is None
    run_worker()
    long_ago()
    run_worker()
    assert mail_server.mails == []
    assert link_mail_tasks() == 0
    page = page_text(client.get(f"/tickets/{submission.public_key}/"))
    assert "Keep this page's address" in page
    assert "this link to" not in page

    # Mail switched on later mails no old ticket: only what is filed while it is on.
    settings.EMAIL_HOST = "127.0.0.1"
    long_ago()
    run_worker()
    assert mail_server.mails == []


def test_a_refusing_mail_server_leaves_the_ticket_filed_and_a_later_sweep_mails_it_once(
    client, sandbox_api, mail_server
):
    mail_server.stop()  # connections are refused
    submission = file_as_customer(client)
    run_worker()

    submission.refresh_from_db()
    assert submission.state == Submission.State.FILED
    assert submission.link_mailed_at is None
    assert submission.link_mail_attempts == 1
    assert submission.link_mail_due_at > timezone.now()  # the sweep's next try
    page = page_text(client.get(f"/tickets/{submission.public_key}/"))
    assert submission.unique_id in page

    # Still refusing at the sweep's next try: counted, put off again.
    long_ago()
    run_worker()
    submission.refresh_from_db()
    assert (submission.link_mail_attempts, submission.link_mailed_at) == (2, None)

    mail_server.start()
    long_ago()
    run_worker()
    assert len(mail_server.mails) == 1
    assert mail_server.mails[0][1] == [PERSON]
    submission.refresh_from_db()
    assert submission.link_mailed_at is not None
    assert submission.link_mail_attempts == 3

    long_ago()
    run_worker()
    assert len(mail_server.mails) == 1


def test_a_worker_that_died_mid_send_leaves_the_mail_to_the_sweep(client, sandbox_api, mail_server):
    submission = file_as_customer(client)
    DBTaskResult.objects.filter(task_path=f"{tasks.__name__}.mail_link").delete()  # lost
    # A try claimed the row (held a lease ahead) and its worker died before any answer.
    Submission.objects.filter(pk=submission.pk).update(
        link_mail_attempts=1, link_mail_due_at=timezone.now() + mailing.LEASE
    )
    run_worker()
    assert mail_server.mails == []  # the claim holds until its lease runs out

    long_ago()
    run_worker()
    assert len(mail_server.mails) == 1
    long_ago()
    run_worker()
    assert len(mail_server.mails) == 1


def test_the_mail_is_given_up_after_its_tries(client, sandbox_api, mail_server):
    mail_server.stop()
    submission = file_as_customer(client)
    for _ in range(LINK_MAIL_TRIES + 2):
        long_ago()
        run_worker()
    submission.refresh_from_db()
    assert submission.link_mail_attempts == LINK_MAIL_TRIES
    assert (submission.link_mail_due_at, submission.link_mailed_at) == (None, None)
    assert submission.state == Submission.State.FILED
    page = page_text(client.get(f"/tickets/{submission.public_key}/"))
    assert "Keep this page's address" in page and "this link to" not in page


# --- The embed tells its host page the ticket's own page ------------------------------------------
HOST = "https://help.example.com"


def test_the_embedded_status_page_carries_the_ticket_pages_address_for_filed(
    client, sandbox_api, settings
):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    submission = file_as_customer(client)
    response = Client().get(f"/embed/tickets/{submission.public_key}/?parent={HOST}&lang=uk")
    assert response.status_code == 200
    html = response.content.decode()
    # What static/js/embed-frame.js reads to post `filed` to the host: the number and the
    # absolute address of the page outside the frame, in the frame's language.
    url = f"http://testserver/tickets/{submission.public_key}/?lang=uk"
    found = re.search(r"<strong[^>]*\bdata-unique-id\b[^>]*>([^<]*)</strong>", html)
    assert found, "no number on the page"
    assert f'data-ticket-url="{url}"' in found[0]
    assert found[1].strip() == submission.unique_id
    assert '<body data-state="filed">' in html
    assert "/static/js/embed-frame.js" in html
    assert f'data-parent-origin="{HOST}"' in html
    # Inside a frame the address bar is the host's: the page shows its own address to keep.
    assert f'href="{url}"' in html
    assert "Збережіть адресу сторінки цієї заявки" in page_text(response)
    # The page on its own tells no host anything.
    alone = client.get(f"/tickets/{submission.public_key}/").content.decode()
    assert "data-ticket-url" not in alone
