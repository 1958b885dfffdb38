"""Readable colours from a host site's brand colour (WCAG 2.x relative luminance and contrast).

A host gives one colour (`data-color`); the embedded form needs text on it (the Send button), a
shade of it that reads as text on the page's light or dark background (outlined buttons,
toggles), and the button's hover and pressed shades. Each is chosen here so that text keeps at
least 4.5:1 (WCAG AA), whatever colour the host gave.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

BLACK, WHITE = "#000000", "#ffffff"
# Bootstrap 5's page backgrounds, light and dark (--bs-body-bg).
LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#212529"
AA = 4.5


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(255, max(0, c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(colour: str, towards: str, amount: float) -> str:
    """`colour` moved `amount` (0..1) of the way to `towards`."""
    start, end = _rgb(colour), _rgb(towards)
    return _hex(tuple(s + (e - s) * amount for s, e in zip(start, end, strict=True)))


def text_on(colour: str) -> str:
    """White, as brand buttons have it, where it reads (4.5:1); else black, which then always
    does (where white falls below 4.5:1, black is above 4.6:1)."""
    return WHITE if contrast(colour, WHITE) >= AA else BLACK


def readable_on(colour: str, background: str, minimum: float = AA) -> str:
    """`colour` itself when it reads as text on `background`, else the nearest shade of it that
    does: darker on a light background, lighter on a dark one."""
    towards = BLACK if luminance(background) > 0.5 else WHITE
    for step in range(21):
        shade = mix(colour, towards, step / 20)
        if contrast(shade, background) >= minimum:
            return shade
    return towards


@lru_cache(maxsize=256)
def accent(colour: str) -> Mapping[str, str]:
    """The shades the embedded form's buttons use, from the host's colour: the fill and its
    text, hover and pressed fills (moved away from the text's colour, so the text only gains),
    and the colour as text on the light and on the dark page. Worked out once a colour (every
    embedded page of a host asks for its own), and read-only, as it is shared."""
    text = text_on(colour)
    return MappingProxyType(
        {
            "accent": _hex(_rgb(colour)),
            "accent-text": text,
            "accent-hover": _pressed(colour, text, 0.15),
            "accent-active": _pressed(colour, text, 0.25),
            "accent-on-light": readable_on(colour, LIGHT_BACKGROUND),
            "accent-on-dark": readable_on(colour, DARK_BACKGROUND),
        }
    )


def _pressed(colour: str, text: str, amount: float) -> str:
    """A hover or pressed shade: away from the text's colour, so the text only gains; a colour
    already at that end (black under white text) moves towards the text as far as it stays
    readable."""
    away = WHITE if text == BLACK else BLACK
    shade = mix(colour, away, amount)
    if contrast(shade, colour) < 1.1:
        shade = mix(colour, text, amount)
        while contrast(shade, text) < AA:
            amount /= 2
            shade = mix(colour, text, amount)
    return shade
