"""Renderings kept per form class and reused (a form's HTML, a fresh form's whole page).

A class is rebuilt for each schema in service and each TICKETS_CHALLENGE setting, so what is
kept for it names those too; one that goes away takes its renderings along. What is kept also
carries settings (the file limits and their help text, the challenge's address): a changed
setting (the tests change them; a deployment restarts) forgets everything.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from weakref import WeakKeyDictionary

from django.core.signals import setting_changed


class Kept:
    """HTML kept per (form class, key)."""

    def __init__(self) -> None:
        self._kept: WeakKeyDictionary[type, dict[Hashable, str]] = WeakKeyDictionary()
        self._lock = threading.Lock()
        setting_changed.connect(self.clear)

    def get(self, cls: type, key: Hashable) -> str | None:
        return self._kept.get(cls, {}).get(key)

    def keep(self, cls: type, key: Hashable, html: str) -> None:
        with self._lock:
            self._kept.setdefault(cls, {})[key] = html

    def count(self) -> int:
        """How many renderings are kept, of every class."""
        with self._lock:
            return sum(len(kept) for kept in self._kept.values())

    def clear(self, **_signal) -> None:
        with self._lock:
            self._kept.clear()
