"""Suggested articles in Chromium against the sandbox's knowledge base: typing a subject in
Russian with a typo shows the right article first; opening it and choosing "This answered my
question" counts one deflection and files nothing; the same inside an iframe on another site."""

from __future__ import annotations

import pytest

from sandbox.models import Ticket
from tests.browser.test_embedding import frame_of, host_page  # noqa: F401
from tickets.models import ArticleCount, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "не магу вайти в личный кабинет"  # "I cannot log in to my account", misspelt twice


def suggest_and_answer(frame, axe_check, label: str) -> None:
    frame.locator("#id_title").press_sequentially(TYPED, delay=20)
    region = frame.locator("[data-article-suggestions]")
    region.get_by_role("button").first.wait_for()
    first = region.get_by_role("button").first
    assert "войти" in first.inner_text().lower() or "вход" in first.inner_text().lower()
    first.click()  # opens in place
    answered = region.get_by_role("button", name="Это ответ на мой вопрос")
    answered.wait_for()
    assert first.get_attribute("aria-expanded") == "true"
    axe_check(frame, label)
    answered.click()


def test_an_article_answers_the_question_and_nothing_is_filed(
    page, live_server, articles, axe_check
):
    page.goto(f"{live_server.url}/forms/support/?lang=ru")
    suggest_and_answer(page, axe_check, "the form with an article open")
    page.get_by_role("heading", name="Рады, что это помогло").wait_for()
    count = ArticleCount.objects.get(form_slug="support")
    assert (count.shown >= 1, count.opened, count.answered, count.deflected) == (True, 1, 1, 1)
    assert Submission.objects.count() == 0 and Ticket.objects.count() == 0
    axe_check(page, "the thank-you page")


def test_the_same_inside_an_iframe(host_page, articles, axe_check):  # noqa: F811
    frame = frame_of(host_page)
    frame.goto(frame.url.replace("lang=en", "lang=ru"))
    for _ in range(100):
        frame = next(f for f in host_page.frames if "/embed/" in f.url)
        if "lang=ru" in frame.url and frame.locator("#id_title").count():
            break
        host_page.wait_for_timeout(100)
    suggest_and_answer(frame, axe_check, "the embedded form with an article open")
    for _ in range(100):
        frame = next(f for f in host_page.frames if "/embed/" in f.url)
        if "/answered/" in frame.url and frame.get_by_text("Рады, что это помогло").count():
            break
        host_page.wait_for_timeout(100)
    else:
        raise AssertionError("no thank-you in the iframe")
    assert ArticleCount.objects.get(form_slug="support").deflected == 1
    assert Submission.objects.count() == 0
    assert host_page.context.cookies() == []
