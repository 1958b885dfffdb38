"""One format a language everywhere: dates and times (portal/formats/), file sizes
(tickets/lib/text.file_size) and numbers as the person typed them, on the pages that show them
and in what the sandbox API receives."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import formats, translation

from sandbox.models import Post, Ticket
from sandbox.store import reply_as_agent
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    confirmation_key,
    hidden_value,
    valid_post_data,
)
from tickets.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "ru", "uk"]
# The day the problem started (a date field) and the SLA deadline, as the pages must write them.
DAY, DEADLINE = date(2026, 12, 1), datetime(2026, 12, 10, 18, 0)
WRITTEN = {
    "en": ("December 1, 2026", "December 10, 2026, 18:00"),
    "ru": ("1 декабря 2026 г.", "10 декабря 2026 г., 18:00"),
    "uk": ("1 грудня 2026 р.", "10 грудня 2026 р., 18:00"),
}
DATETIME_SHAPE = {
    "en": r"[A-Z][a-z]+ [1-9]\d?, \d{4}, \d\d:\d\d",
    "ru": r"[1-9]\d? [а-я]+ \d{4} г\., \d\d:\d\d",
    "uk": r"[1-9]\d? [а-яіїєґ]+ \d{4} р\., \d\d:\d\d",
}


def text_of(response) -> str:
    """The page's text as a person reads it, spaces run together (NBSP included)."""
    return visible(response.content.decode())


def visible(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("&nbsp;", " ").replace("\xa0", " "))


@pytest.fixture
def staff(sandbox_api, db) -> Client:
    agent = get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", "pw-olena-123", is_staff=True
    )
    client = Client()
    client.force_login(agent)
    return client


# --- Dates and times ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_staff_confirmation_writes_a_deadline_as_it_writes_a_date(staff, lang):
    form = f"/staff/forms/support/?lang={lang}"
    post = {
        "form_token": hidden_value(staff.get(form), "form_token"),
        "title": "Phoned in",
        "description": "The client called.",
        "user_email": "ada@example.com",
        "cf_96": "A-100",
        "cf_100_0": "200",
        "cf_100_1": "209",
        "cf_101": DAY.isoformat(),
        "sla_date_0": DEADLINE.date().isoformat(),
        "sla_date_1": DEADLINE.strftime("%H:%M"),
    }
    answer = staff.post(form, post)
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    # What the API received is still its own "DD.MM.YYYY HH:MM".
    assert Ticket.objects.latest("pk").sla_date == "10.12.2026 18:00"

    assert answer["Location"].endswith(f"?lang={lang}")
    page = text_of(staff.get(answer["Location"]))
    day, deadline = WRITTEN[lang]
    assert day in page and deadline in page
    assert "10.12.2026" not in page and "Dec." not in page and "01 грудня" not in page
    with translation.override(lang):  # the deadline is the page's date, then its time
        assert deadline.startswith(formats.date_format(DEADLINE.date(), "DATE_FORMAT") + ", ")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_ticket_page_writes_a_posts_time_as_it_writes_a_date(client, sandbox_api, lang):
    answer = client.post(
        "/forms/support/",
        valid_post_data(
            hidden_value(client.get("/forms/support/"), "form_token"), cf_101=DAY.isoformat()
        ),
    )
    submission = Submission.objects.get(public_key=confirmation_key(answer))
    post = reply_as_agent(Ticket.objects.get(pk=submission.api_id), "We are on it.")
    Post.objects.filter(pk=post.pk).update(date_created=datetime(2026, 12, 5, 9, 5, tzinfo=UTC))

    response = client.get(f"/tickets/{submission.public_key}/?lang={lang}")
    page = text_of(response)
    day = WRITTEN[lang][0]
    replied = {
        "en": "December 5, 2026, 09:05",
        "ru": "5 декабря 2026 г., 09:05",
        "uk": "5 грудня 2026 р., 09:05",
    }[lang]
    assert day in page and replied in page
    # Every post's time is the one date-time format (static/js/conversation.js writes the same
    # in the browser's zone).
    times = re.findall(r"<time [^>]*>([^<]*)</time>", response.content.decode())
    assert len(times) >= 2 and replied in times
    assert all(re.fullmatch(DATETIME_SHAPE[lang], time) for time in times), times


@pytest.mark.parametrize(
    ("lang", "written"),
    [("en", "December 1, 2026"), ("ru", "1 декабря 2026 г."), ("uk", "1 грудня 2026 р.")],
)
def test_a_day_is_written_without_a_leading_zero(lang, written):
    with translation.override(lang):
        assert formats.date_format(DAY) == written
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == written
        moment = datetime(2026, 12, 1, 9, 5)
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == f"{written}, 09:05"
        assert formats.time_format(moment) == "09:05"


# --- File sizes -----------------------------------------------------------------------------------
SIZES = {  # the limit (20 MB), a file of 1536 bytes, the help under the field
    "en": ("20\xa0MB", "1.5\xa0kB", "Up to 10 files, 20\xa0MB each at most."),
    "ru": ("20\xa0МБ", "1,5\xa0кБ", "До 10 файлов, не больше 20\xa0МБ на файл."),
    "uk": ("20\xa0МБ", "1,5\xa0кБ", "До 10 файлів, не більше 20\xa0МБ на файл."),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_size_is_written_one_way_on_every_page(client, sandbox_api, settings, lang):
    settings.TICKETS_MAX_FILE_MB, settings.TICKETS_MAX_FILES = 20, 10
    limit, small, help_text = SIZES[lang]
    form = f"/forms/billing/?lang={lang}"
    empty = client.get(form).content.decode()
    assert help_text in empty
    # The message the browser shows for a file too large (static/js/attachments.js).
    assert re.search(r'data-too-large="\{names\}: [^"]*' + limit + r'\."', empty)

    sent = {
        "form_token": hidden_value(client.get(form), "form_token"),
        "homepage": "",
        "user_email": "ada@example.com",
        "title": "Invoice twice",
        "description": "Charged twice.",
        "cf_109": "INV-2026-0001",
        "cf_96": "",  # required: the form comes back, the file kept
    }
    upload = SimpleUploadedFile("receipt.txt", b"x" * 1536, content_type="text/plain")
    again = client.post(form, {**sent, "files": [upload]})
    assert again.status_code == 200
    shown = again.content.decode()
    assert re.search(r"receipt\.txt\s*(<[^>]*>\s*)*\(" + small + r"\)", shown)  # kept, listed

    sent |= {"form_token": hidden_value(again, "form_token"), "cf_96": "A-100"}
    sent["attachments"] = hidden_value(again, "attachments")
    filed = client.post(form, sent)
    assert filed.status_code == 303, filed.content.decode()[-2000:]
    page = client.get(filed["Location"])
    assert f"receipt.txt ({small})" in page.content.decode()
    said = [visible(html) for html in (empty, shown, page.content.decode())]
    said += re.findall(r'data-too-large="([^"]*)"', empty)
    # A size in another spelling of its unit, or with a ".0" (a reference may hold "KB").
    other_ways = (r"\d\s(?:KB|Кб|КБ|Мб|Гб)(?!\w)", r"\d[.,]0\s(?:kB|MB|GB|кБ|МБ|ГБ)(?!\w)")
    for text in said:
        for pattern in other_ways:
            assert not re.search(pattern, text), (pattern, re.search(pattern, text))


# --- Numbers as typed -----------------------------------------------------------------------------
REFUND = {"en": "Refund amount", "ru": "Сумма возврата", "uk": "Сума повернення"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_number_keeps_the_digits_typed_from_the_form_to_the_helpdesk(client, sandbox_api, lang):
    form = f"/forms/billing/?lang={lang}"
    sent = {
        "form_token": hidden_value(client.get(form), "form_token"),
        "homepage": "",
        "user_email": "ada@example.com",
        "title": "Refund",
        "description": "Charged twice.",
        "cf_109": "INV-2026-0001",
        "cf_96": "",  # required: the form comes back first
        "cf_110": "on",
        "cf_111": "12.50",
    }
    again = client.post(form, sent)
    assert again.status_code == 200
    assert hidden_value(again, "cf_111") == "12.50"

    sent |= {"form_token": hidden_value(again, "form_token"), "cf_96": "A-100"}
    filed = client.post(form, sent)
    assert filed.status_code == 303, filed.content.decode()[-2000:]
    submission = Submission.objects.get()
    assert submission.payload["custom_fields"]["111"] == "12.50"  # what the API was sent
    ticket = Ticket.objects.get()
    assert ticket.custom_fields["111"] == "12.50"  # what the sandbox API received
    page = text_of(client.get(filed["Location"]))
    assert f"{REFUND[lang]} 12.50 " in page


def test_a_staff_confirmation_shows_the_number_typed(staff):
    form = "/staff/forms/billing/"
    post = {
        "form_token": hidden_value(staff.get(form), "form_token"),
        "title": "Refund by phone",
        "description": "The client called.",
        "user_email": "ada@example.com",
        "cf_110": "on",
        "cf_111": "0.10",
    }
    answer = staff.post(form, post)
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    assert Ticket.objects.get().custom_fields["111"] == "0.10"
    assert "Refund amount 0.10 " in text_of(staff.get(answer["Location"]))
