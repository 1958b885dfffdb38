"""The knowledge base's seed: a file kept by hand (sandbox/knowledge_base.json, or the file the
SANDBOX_KNOWLEDGE_BASE setting names), read into KbCategory and KbArticle rows.

    {"categories": [{"id": 1, "name": {"en": "...", "ru": "...", "ua": "..."}}],
     "articles": [{"id": 1, "category_id": 1, "public": true, "pin": false, "views": 12,
                   "date_created": "2026-01-10 09:00:00", "date_updated": "2026-02-01 12:00:00",
                   "title": {"en": "...", "ru": "...", "ua": "..."},
                   "body": {"en": "<p>HTML</p>", "ru": "...", "ua": "..."}}]}

Dates are written as the API writes them, on the helpdesk's clock (SANDBOX_CLOCK_HOURS off the
portal's). A name, title or body may also be one string for every language; a missing date is the
moment of seeding (date_updated: date_created).

`seed_if_empty` runs after every `migrate` and `flush` (apps.py) and fills the knowledge base only
while it holds no category and no article: a new database, or one just flushed (as between tests).
What an agent edits, unpublishes or deletes in the admin stays through later migrations (`make run`
migrates every time); `manage.py sandbox_knowledge_base` puts the file's content back (`replace`).
Without the file nothing is seeded. A file that is no JSON object, or entries that cannot be read
(a missing id, an unknown category, a date in another format), are logged as warnings and skipped:
seeding never stops a migration.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tickets.lib.values import as_flag, as_int, as_list

from .models import KB_LANGUAGES, KbArticle, KbCategory
from .serializers import DATE_FORMAT, clock_offset

logger = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).resolve().parent / "knowledge_base.json"


class SeedError(ValueError):
    """The file cannot be read as a knowledge base at all."""


class _Skip(ValueError):
    """One entry of the file that cannot be read; the message says why."""


@dataclass
class Seed:
    """What a file holds: field values of KbCategory and KbArticle rows, and the entries skipped."""

    categories: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def seed_file() -> Path:
    return Path(getattr(settings, "SANDBOX_KNOWLEDGE_BASE", DEFAULT_FILE))


def read(path: Path) -> Seed | None:
    """The file's categories and articles; None when there is no file. SeedError when it is no
    JSON object; entries that cannot be read are left out and named in `problems`."""
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: not JSON, or not UTF-8
        raise SeedError(f"{path} cannot be read as JSON: {exc}") from None
    if not isinstance(document, dict):
        raise SeedError(f"{path} must hold an object with `categories` and `articles`.")
    seed = Seed()
    for where, raw in _entries(document, "categories", seed):
        _add(seed, seed.categories, where, lambda raw=raw: _category(raw))
    category_ids = {row["id"] for row in seed.categories}
    for where, raw in _entries(document, "articles", seed):
        _add(seed, seed.articles, where, lambda raw=raw: _article(raw, category_ids))
    return seed


def seed_if_empty(category_model: Any, article_model: Any, using: str = "default") -> int:
    """Fill an empty knowledge base from the file; the number of articles added.

    Takes the model classes, as the post_migrate handler passes the migration's own.
    """
    categories = category_model._default_manager.db_manager(using)
    articles = article_model._default_manager.db_manager(using)
    if categories.exists() or articles.exists():
        return 0
    path = seed_file()
    try:
        seed = read(path)
    except SeedError as exc:
        logger.warning("The sandbox's knowledge base is not seeded: %s", exc)
        return 0
    if seed is None:
        return 0
    for problem in seed.problems:
        logger.warning("Sandbox knowledge base %s: %s", path, problem)
    _insert(seed, category_model, article_model, using)
    return len(seed.articles)


def replace(path: Path | None = None, using: str = "default") -> Seed:
    """Replace the whole knowledge base (edits and deletions included) with the file's."""
    path = path or seed_file()
    seed = read(path)
    if seed is None:
        raise SeedError(f"There is no knowledge base file at {path}.")
    with transaction.atomic(using=using):
        KbArticle.objects.using(using).all().delete()
        KbCategory.objects.using(using).all().delete()
        _insert(seed, KbCategory, KbArticle, using)
    return seed


def _insert(seed: Seed, category_model: Any, article_model: Any, using: str) -> None:
    with transaction.atomic(using=using):
        category_model._default_manager.db_manager(using).bulk_create(
            [category_model(**row) for row in seed.categories]
        )
        article_model._default_manager.db_manager(using).bulk_create(
            [article_model(**row) for row in seed.articles]
        )


def _entries(document: dict, key: str, seed: Seed) -> list[tuple[str, Any]]:
    """`document[key]` (a list, or an object keyed by id) with where each entry is."""
    items = as_list(document.get(key))
    if items is None:
        seed.problems.append(f"`{key}` is not a list: none read.")
        return []
    return [(f"{key}[{n}]", raw) for n, raw in enumerate(items)]


def _add(seed: Seed, rows: list[dict[str, Any]], where: str, make) -> None:
    try:
        row = make()
    except _Skip as exc:
        seed.problems.append(f"{where} skipped: {exc}")
        return
    if any(other["id"] == row["id"] for other in rows):
        seed.problems.append(f"{where} skipped: id {row['id']} comes twice.")
        return
    rows.append(row)


def _category(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Skip("not an object.")
    return {"id": _id(raw), **_localised(raw, "name")}


def _article(raw: Any, category_ids: set[int]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Skip("not an object.")
    article_id = _id(raw)
    category_id = as_int(raw.get("category_id"), minimum=1)
    if category_id not in category_ids:
        raise _Skip(f"category_id {raw.get('category_id')!r} is no category of the file.")
    created = _moment(raw, "date_created") or timezone.now()
    return {
        "id": article_id,
        "category_id": category_id,
        "public": _flag(raw, "public", default=True),
        "pin": _flag(raw, "pin", default=False),
        "views": _views(raw),
        "date_created": created,
        "date_updated": _moment(raw, "date_updated") or created,
        **_localised(raw, "title"),
        **_localised(raw, "body"),
    }


def _id(raw: dict) -> int:
    found = as_int(raw.get("id"), minimum=1)
    if found is None:
        raise _Skip(f"id {raw.get('id')!r} is not a positive whole number.")
    return found


def _localised(raw: dict, key: str) -> dict[str, str]:
    """`key` in each language as `<key>_<lang>` fields; one string serves every language."""
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return {f"{key}_{lang}": value or "" for lang in KB_LANGUAGES}
    if not isinstance(value, dict):
        raise _Skip(f"{key} must be an object of languages or a string.")
    found = {f"{key}_{lang}": value.get(lang) or "" for lang in KB_LANGUAGES}
    if not all(isinstance(text, str) for text in found.values()):
        raise _Skip(f"{key} holds a value that is not a string.")
    return found


def _flag(raw: dict, key: str, default: bool) -> bool:
    found = as_flag(raw.get(key, default))
    if found is None:
        raise _Skip(f"{key} {raw.get(key)!r} is not true or false.")
    return found


def _views(raw: dict) -> int:
    found = as_int(raw.get("views", 0), minimum=0)
    if found is None:
        raise _Skip(f"views {raw.get('views')!r} is not a whole number.")
    return found


def _moment(raw: dict, key: str) -> datetime | None:
    """A date written as the API writes it, on the helpdesk's clock; None when missing."""
    value = raw.get(key)
    if value in (None, ""):
        return None
    try:
        moment = datetime.strptime(str(value), DATE_FORMAT)
    except ValueError:
        raise _Skip(f"{key} {value!r} is not YYYY-MM-DD HH:MM:SS.") from None
    return timezone.make_aware(moment) - clock_offset()
