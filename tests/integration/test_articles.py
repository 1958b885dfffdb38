"""Knowledge-base articles suggested on the forms, over real HTTP to the sandbox's knowledge base:
the portal's copy kept in step (what changed, and a full pass that removes what is gone or no
more public), suggestions that never ask the API, an article opened in place, "This answered my
question" counted as a deflection unless a ticket comes from the same page after all."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from sandbox.models import KbArticle
from tests.integration.test_delivery import forwarding
from tests.integration.test_portal_flow import (
    FORM_URL,
    confirmation_key,
    get_token,
    valid_post_data,
)
from tests.stub_server import stub_server
from tickets.knowledge import sync
from tickets.models import Article, ArticleCount

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_whole_public_knowledge_base_is_read(articles):
    assert articles.count() == KbArticle.objects.filter(public=True).count() > 30


def suggestions(client, query: str, lang: str = "en", **params) -> list[int]:
    response = client.get("/forms/support/articles/", {"q": query, "lang": lang, **params})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return [int(i) for i in re.findall(r"/articles/(\d+)/", response.content.decode())][::2]


def test_the_copy_keeps_public_articles_and_follows_changes(articles, settings, sandbox_api):
    hidden = KbArticle.objects.filter(public=False).values_list("pk", flat=True)
    assert hidden and not Article.objects.filter(pk__in=hidden).exists()
    edited = KbArticle.objects.filter(public=True).first()
    edited.title_en = "A brand new title about parcels"
    edited.save()
    unpublished = KbArticle.objects.filter(public=True).exclude(pk=edited.pk).first()
    unpublished.public = False
    unpublished.save()

    with stub_server(forwarding(sandbox_api, lambda answer: answer)) as (url, seen):
        settings.TICKETS_API_URL = f"{url}/api/v2"
        done = sync.sync()  # what changed since the last pass
    settings.TICKETS_API_URL = sandbox_api
    assert not done.full
    assert all("from_date_updated=" in r.path for r in seen)
    assert Article.objects.get(pk=edited.pk).title["en"] == "A brand new title about parcels"
    assert not Article.objects.filter(pk=unpublished.pk).exists()

    gone = KbArticle.objects.filter(public=True).last()
    gone.delete()
    call_command("sync_articles", "--full", stdout=io.StringIO())
    assert not Article.objects.filter(pk=gone.pk).exists()


def test_the_worker_keeps_them_in_step_only_when_on_and_due(settings, sandbox_api):
    settings.TICKETS_ARTICLES = False
    assert sync.keep_in_step() is None and not Article.objects.exists()
    settings.TICKETS_ARTICLES = True
    cache.delete(sync.LAST_KEY)
    assert sync.keep_in_step().full
    assert Article.objects.exists()
    assert sync.keep_in_step() is None  # not due again yet


def test_suggestions_follow_the_subject_and_never_ask_the_api(client, articles, settings):
    settings.TICKETS_API_URL = "http://127.0.0.1:9/api/v2"  # nothing there: not needed
    assert suggestions(client, "forgot") == []  # fewer than three words
    found = suggestions(client, "forgot my password cannot log in")
    assert found and len(found) <= 3
    title = Article.objects.get(pk=found[0]).title["en"].lower()
    assert "password" in title or "log" in title or "sign" in title
    assert suggestions(client, "forgot", left="1")  # on leaving the field, any words
    assert ArticleCount.objects.get(form_slug="support").shown == 2


def test_russian_with_a_typo_finds_its_article_first(client, articles):
    # "I cannot log in to my account", misspelt twice: the article on signing in comes first.
    assert suggestions(client, "не магу вайти в личный кабинет", "ru")[0] == 142
    assert suggestions(client, "не могу войти в личный кабинет", "ru")[0] == 142


def test_an_article_opened_then_answered_counts_a_deflection(client, articles):
    page = client.get(FORM_URL)
    assert "js/articles" in page.content.decode()  # the script, only on forms that suggest
    found = suggestions(client, "where is my order delivery")
    opened = client.get(f"/forms/support/articles/{found[0]}/")
    assert opened.status_code == 200 and "This answered my question" in opened.content.decode()
    token = get_token(client)
    answered = client.post("/forms/support/answered/", {"form_token": token})
    assert answered.status_code == 303
    thanks = client.get(answered["Location"])
    assert "Glad it helped" in thanks.content.decode()
    count = ArticleCount.objects.get(form_slug="support")
    assert (count.opened, count.answered, count.deflected) == (1, 1, 1)

    # A ticket from the same page after all: no deflection, and filed after opening one.
    data = {**valid_post_data(token), "articles_opened": "1"}
    confirmation_key(client.post(FORM_URL, data))
    count.refresh_from_db()
    assert (count.answered, count.deflected, count.filed_after_opening) == (1, 0, 1)


def test_a_form_can_turn_suggestions_off_or_limit_them(client, articles, use_schema, settings):
    document = json.loads(Path(settings.BASE_DIR, "portal", "ticket_schema.json").read_text())
    document["forms"][0]["articles"] = False
    use_schema(document)
    assert client.get("/forms/support/articles/", {"q": "where is my order"}).status_code == 404
    assert "articles.js" not in client.get(FORM_URL).content.decode()
    category = Article.objects.first().category_id
    document["forms"][0]["articles"] = {"categories": [category]}
    use_schema(document)
    for article in suggestions(client, "payment card declined refund order delivery", left="1"):
        assert Article.objects.get(pk=article).category_id == category


def test_off_by_default(client, settings):
    settings.TICKETS_ARTICLES = False
    assert client.get("/forms/support/articles/", {"q": "a b c"}).status_code == 404
    assert "articles.js" not in client.get(FORM_URL).content.decode()
    assert client.get("/articles/1/").status_code == 404


def test_an_article_page_is_made_safe(client, articles):
    article = KbArticle.objects.filter(public=True).first()
    article.body_en = '<p>Fine</p><script>alert(1)</script><img src="https://x.example/t.png">'
    article.save()
    Article.objects.filter(pk=article.pk).update(body={"en": article.body_en})
    page = client.get(f"/articles/{article.pk}/").content.decode()
    main = page.split("<main", 1)[1].split("</main>")[0]
    assert "<p>Fine</p>" in main and "<script" not in main and "<img" not in main
