"""The portal's copy of the helpdesk's public knowledge-base articles, kept in step.

`manage.py sync_articles` and the worker's sweep read `GET /knowledge_base/articles/`: what
changed since the last pass (`from_date_updated`, every TICKETS_ARTICLES_SYNC_SECONDS), and once a
day every public article, so that one deleted in the helpdesk disappears here too. An article
that is not public (or no more) is never kept. Every request goes through the rate governor's
share for conversations and articles, which open pages and new tickets cannot be starved by.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from ..helpdesk.client import get_client
from ..helpdesk.errors import ApiError
from ..helpdesk.governor import FOLLOWING
from ..lib.text import LocalText, api_language
from ..lib.values import as_int, is_checked
from ..models import Article

logger = logging.getLogger(__name__)
PATH = "knowledge_base/articles/"
LAST_KEY, FULL_KEY = "articles:synced-at", "articles:full-at"
FULL_EVERY = timedelta(days=1)
LANGUAGES = ("en", "ru", "uk")


@dataclass(frozen=True)
class Synced:
    kept: int  # articles written (new or changed)
    removed: int  # articles no more public, or gone
    full: bool


def _texts(value: Any) -> dict[str, str]:
    """The text in each portal language it is written in ("uk" for the API's "ua"): the ones
    missing stay missing, so a search never takes a fallback copy for the person's language."""
    text = LocalText.of(value)
    written = dict(text.values) if text else {}
    return {lang: t for lang in LANGUAGES if (t := (written.get(api_language(lang)) or "").strip())}


def _public(item: Any) -> bool:
    return isinstance(item, dict) and is_checked(str(item.get("public", "")))


def _article(item: dict) -> Article | None:
    article_id = as_int(item.get("id"))
    title = _texts(item.get("title"))
    if not article_id or not any(title.values()):
        return None
    return Article(
        id=article_id,
        category_id=as_int(item.get("category_id")) or 0,
        title=title,
        body=_texts(item.get("body")),
        updated=str(item.get("date_updated") or "")[:32],
    )


def sync(full: bool = False, wait: float = 0) -> Synced:
    """Read what changed (or, `full`, every public article) and keep the public ones."""
    now = timezone.now()
    last = cache.get(LAST_KEY)
    full = full or not last or not Article.objects.exists()
    params: dict[str, Any] = {"public": 1} if full else {}
    if not full:
        local = (last - timedelta(minutes=5)).astimezone(
            zoneinfo.ZoneInfo(settings.TICKETS_HELPDESK_TIME_ZONE)
        )
        params["from_date_updated"] = local.strftime("%Y-%m-%d %H:%M:%S")
    items = get_client(FOLLOWING, wait).get_all(PATH, params, max_pages=None, whole=full)
    public = [a for a in (_article(i) for i in items if _public(i)) if a]
    hidden = {as_int(i.get("id")) for i in items if isinstance(i, dict) and not _public(i)}
    with transaction.atomic():
        for article in public:
            article.save()
        gone = Article.objects.filter(pk__in=hidden - {None})
        if full:
            gone = Article.objects.exclude(pk__in=[a.id for a in public])
        removed, _ = gone.delete()
    cache.set(LAST_KEY, now, None)
    if full:
        cache.set(FULL_KEY, now, None)
    return Synced(len(public), removed, full)


def keep_in_step(wait: float = 0) -> Synced | None:
    """The worker's: a pass when one is due (none while articles are off); None otherwise."""
    if not settings.TICKETS_ARTICLES:
        return None
    now = timezone.now()
    last, full_at = cache.get(LAST_KEY), cache.get(FULL_KEY)
    if last and now - last < timedelta(seconds=settings.TICKETS_ARTICLES_SYNC_SECONDS):
        return None
    try:
        return sync(full=not full_at or now - full_at > FULL_EVERY, wait=wait)
    except ApiError as error:
        logger.warning("The knowledge base could not be read: %s", error)
        return None
