"""Text in several languages (a schema's labels, the API's names), shown in the reader's language.

The API writes a text as a plain string or as {"en": ..., "ru": ..., "ua": ...}; Ukrainian is `ua`
to the API and `uk` to Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language

API_LANGUAGES = ("en", "ru", "ua")


def api_language(lang: str | None = None) -> str:
    """The API's code for a Django language code (`uk` is `ua` to the API)."""
    code = (lang or get_language() or "en").split("-")[0].lower()
    return "ua" if code == "uk" else code


@dataclass(frozen=True)
class LocalText:
    """Text in several languages, shown in the request's language with a fallback."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: Any) -> LocalText | None:
        """A text from a string or a {language: text} object; None when it is neither."""
        if value is None or value == "":
            return EMPTY_TEXT
        if isinstance(value, str):
            return cls((("en", value),))
        if isinstance(value, Mapping) and all(
            isinstance(k, str) and isinstance(v, str | None) for k, v in value.items()
        ):
            return cls(tuple((k, v or "") for k, v in value.items()))
        return None

    def get(self, lang: str | None = None) -> str:
        found = dict(self.values)
        for code in (api_language(lang), *API_LANGUAGES):
            if found.get(code):
                return found[code]
        return next((text for text in found.values() if text), "")

    def as_api(self) -> dict[str, str]:
        """`{"en": ..., "ru": ..., "ua": ...}` as the API writes it, "" for a missing language."""
        return {**dict.fromkeys(API_LANGUAGES, ""), **dict(self.values)}

    def __str__(self) -> str:
        return self.get()

    def __bool__(self) -> bool:
        return any(text for _, text in self.values)


EMPTY_TEXT = LocalText(())


def level_keyed(value: Any) -> bool:
    """Whether a name is keyed by hierarchy level ("1", "2", ...) rather than by language."""
    return isinstance(value, Mapping) and bool(value) and all(str(k).isdigit() for k in value)


def lazy_text(text: LocalText) -> str:
    """A lazy string: the text in the language of whichever request renders it."""
    return lazy(text.get, str)()
