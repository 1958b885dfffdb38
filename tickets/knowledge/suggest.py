"""Suggestions of articles for what a person types, and how they did, counted.

The index (search.py) is built from the kept articles once per process and built again when they
change (their count or last sync moves); a suggestion never asks the API. Counts are kept per
form and week, and hold nothing of any person: a rendered form's random nonce is remembered for a
week when its page says an article answered the question, so that a ticket sent from the same
page afterwards is not counted a deflection.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.html import strip_tags

from ..models import Article, ArticleCount
from .search import Doc, Index

ANSWERED_FOR = 7 * 86400  # seconds a page's "answered" is remembered
_lock = threading.Lock()
_built: dict[str, object] = {"version": None, "index": None}


def _version() -> tuple:
    found = Article.objects.aggregate(count=Count("id"), last=Max("synced_at"))
    return found["count"], found["last"]


def _docs():
    for article in Article.objects.all():
        for lang, title in article.title.items():
            # A space before every tag: paragraphs and list items never run together.
            body = strip_tags(article.body.get(lang, "").replace("<", " <"))
            yield Doc(article.id, lang, title, body, article.category_id)


def index() -> Index:
    """The search index of the kept articles, as they are now."""
    version = _version()
    with _lock:
        if _built["version"] != version:
            _built["index"], _built["version"] = Index.build(_docs()), version
        return _built["index"]


def suggest(query: str, lang: str, categories=None, limit: int = 3) -> list[Article]:
    """Up to `limit` articles for what the person typed, best first."""
    ids = index().search(query, lang, limit=limit, categories=categories or None)
    found = Article.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


# --- Counts ---------------------------------------------------------------------------------------
def _week(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday())


def count(form_slug: str, **increments: int) -> None:
    """Add to this week's counts of a form (shown=1, opened=1, ...)."""
    row, _new = ArticleCount.objects.get_or_create(form_slug=form_slug, week=_week())
    ArticleCount.objects.filter(pk=row.pk).update(
        **{name: F(name) + value for name, value in increments.items()}
    )


def answered(form_slug: str, nonce: str) -> None:
    """The page of this rendered form says an article answered the question."""
    count(form_slug, answered=1)
    if nonce:
        cache.set(f"articles:answered:{nonce}", True, ANSWERED_FOR)


def filed(form_slug: str, nonce: str, opened: bool) -> None:
    """A ticket was filed from a form page: after an article was opened there, or after the page
    said one answered the question (which then was no deflection after all)."""
    increments = {}
    if opened:
        increments["filed_after_opening"] = 1
    if nonce and cache.get(f"articles:answered:{nonce}"):
        increments["answered_then_filed"] = 1
        cache.delete(f"articles:answered:{nonce}")
    if increments:
        count(form_slug, **increments)
