"""One format a language everywhere: dates and times (portal/formats/), file sizes
(tickets/lib/text.file_size) and numbers as the person typed them, on the pages that show them
and in what the sandbox API receives."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
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
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.replace("&nbsp;", " ").replace("\xa0", " "))


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
