"""A ticket's posts as the API gives them, read tolerantly into plain dicts the portal keeps.

The shape is known from third-party clients only (NOTES, "Ticket pages"): `id`, `user_id`,
`text`, `date_created` as "HH:MM:SS DD.MM.YYYY" on the helpdesk's clock, and `files`, each with
some of `id`, `name`, `url` or `link`. One integration reports them newest first, so they are
sorted here, oldest first. A post that cannot be read is left out, never guessed.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..lib.values import as_int

DATE_FORMATS = ("%H:%M:%S %d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%H:%M %d.%m.%Y")


def helpdesk_moment(value: Any) -> datetime | None:
    """A date as the helpdesk writes it, on its own clock (TICKETS_HELPDESK_TIME_ZONE)."""
    text = str(value or "").strip()
    for form in DATE_FORMATS:
        try:
            moment = datetime.strptime(text, form)
        except ValueError:
            continue
        return timezone.make_aware(moment, zoneinfo.ZoneInfo(settings.TICKETS_HELPDESK_TIME_ZONE))
    return None


def _file(item: Any) -> dict[str, str] | None:
    if not isinstance(item, Mapping):
        return None
    url = str(item.get("url") or item.get("link") or "").strip()
    if not url.startswith(("http://", "https://", "/")):
        return None
    name = str(item.get("name") or url.rstrip("/").rsplit("/", 1)[-1] or "file").strip()
    return {"name": name[:255], "url": url}


def _post(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, Mapping):
        return None
    post_id = as_int(item.get("id"))
    moment = helpdesk_moment(item.get("date_created"))
    if post_id is None or moment is None:
        return None
    files = [f for f in (_file(i) for i in (item.get("files") or ())) if f]
    return {
        "id": post_id,
        "user_id": as_int(item.get("user_id")) or 0,
        "text": str(item.get("text") or ""),
        "at": moment.isoformat(),
        "files": files,
    }


def read_posts(items: Iterable[Any]) -> list[dict[str, Any]]:
    """The posts the portal keeps, oldest first (by time, then id)."""
    posts = [p for p in (_post(i) for i in items) if p]
    return sorted(posts, key=lambda p: (datetime.fromisoformat(p["at"]), p["id"]))
