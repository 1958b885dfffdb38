"""Colours as the browser computes them (`rgb(...)`/`rgba(...)` strings), measured with the
portal's own WCAG arithmetic (tickets/lib/colours.py)."""

from __future__ import annotations

import re

from tickets.lib import colours


def rgba(css: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    assert css.startswith("rgb") and len(numbers) in (3, 4), css
    return (*numbers[:3], numbers[3] if len(numbers) == 4 else 1.0)


def over(colour: str, background: str) -> str:
    """A colour as it shows over an opaque background, as #rrggbb."""
    r, g, b, a = rgba(colour)
    br, bg, bb, _ = rgba(background)
    shown = (r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a))
    return "#" + "".join(f"{round(c):02x}" for c in shown)


def contrast(colour: str, background: str) -> float:
    """WCAG contrast of a computed colour against a computed (opaque) background."""
    return colours.contrast(over(colour, background), over(background, background))
