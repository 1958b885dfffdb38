"""Text in several languages (a schema's labels, the API's names), shown in the reader's language;
a file's size as the reader's language writes it.

The API writes a text as a plain string or as {"en": ..., "ru": ..., "ua": ...}; Ukrainian is `ua`
to the API and `uk` to Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.html import avoid_wrapping
from django.utils.translation import get_language, gettext, ngettext

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


def file_size(size: int) -> str:
    """A file's size as the reader's language writes it, one way everywhere: "512 bytes",
    "1.5 kB", "20 MB" (the same units in Cyrillic in Russian and Ukrainian), never Django's
    "20.0 MB" beside a browser's "20 MB", nor its Ukrainian spelling beside the browser's.

    Counted in 1024s, as the portal's limits are (TICKETS_MAX_FILE_MB), with at most one decimal
    (rounded half up, none when it is 0) and thousands grouped as the language groups them; the
    units are Unicode CLDR's short ones, which a browser's Intl.NumberFormat also writes. A size
    never breaks across lines. static/js/attachments.js writes a chosen file's size the same way;
    tests/browser/test_formats.py holds the two to the same text.
    """
    count = max(int(size), 0)
    if count < 1024:
        text = ngettext("%(size)s byte", "%(size)s bytes", count)
        return avoid_wrapping(text % {"size": number_format(count, force_grouping=True)})
    if count < 1024**2:
        text, amount = gettext("%(size)s kB"), Decimal(count) / 1024
    elif count < 1024**3:
        text, amount = gettext("%(size)s MB"), Decimal(count) / 1024**2
    else:
        text, amount = gettext("%(size)s GB"), Decimal(count) / 1024**3
    amount = amount.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    return avoid_wrapping(text % {"size": number_format(amount, force_grouping=True)})
