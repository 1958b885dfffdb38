"""The schema in service: parsed once per change of the file, the last good one kept."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

from .parsing import SchemaError, load_schema
from .types import Schema

logger = logging.getLogger(__name__)


class _SchemaCache:
    """The current schema, parsed once per change of the file (one stat() a call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._schema: Schema | None = None

    def get(self, path: Path) -> Schema:
        try:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
        except OSError:
            key = (str(path), None, None)
        if key == self._key and self._schema is not None:
            return self._schema
        with self._lock:
            if key != self._key or self._schema is None:
                try:
                    self._schema = load_schema(path)
                except SchemaError:
                    # A broken edit keeps the last good schema in service.
                    if self._schema is None or self._schema.path != path:
                        raise
                    logger.exception("Schema file changed but fails its checks; keeping the old")
                self._key = key
        return self._schema

    def clear(self) -> None:
        with self._lock:
            self._key = self._schema = None


_cache = _SchemaCache()


def get_schema() -> Schema:
    """The schema named by settings.TICKETS_SCHEMA_FILE, reloaded when the file changes."""
    return _cache.get(Path(settings.TICKETS_SCHEMA_FILE))


def clear_cache() -> None:
    _cache.clear()
