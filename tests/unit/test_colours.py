"""Whatever colour a host site gives, the embedded form's text on it and its shades of it read at
4.5:1 or more (WCAG AA), light page and dark."""

import itertools

import pytest

from tickets.lib.colours import DARK_BACKGROUND, LIGHT_BACKGROUND, accent, contrast

STEPS = ["00", "33", "66", "99", "cc", "ff"]
EVERY_WEB_COLOUR = ["#" + "".join(rgb) for rgb in itertools.product(STEPS, repeat=3)]


def test_the_contrast_formula_gives_wcags_figures():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#ffcc00", "#ffffff") == pytest.approx(1.51, abs=0.01)  # the yellow
    assert contrast("#0d6efd", "#212529") == pytest.approx(3.42, abs=0.01)  # Bootstrap's blue, dark


@pytest.mark.parametrize("colour", [*EVERY_WEB_COLOUR, "#0a7", "#0a7d52", "#0d6efd", "#777777"])
def test_every_shade_reads(colour):
    shades = accent(colour)
    assert contrast(shades["accent"], shades["accent-text"]) >= 4.5
    assert contrast(shades["accent-hover"], shades["accent-text"]) >= 4.5
    assert contrast(shades["accent-active"], shades["accent-text"]) >= 4.5
    assert contrast(shades["accent-on-light"], LIGHT_BACKGROUND) >= 4.5
    assert contrast(shades["accent-on-dark"], DARK_BACKGROUND) >= 4.5
    assert shades["accent-hover"] != shades["accent"]  # a hover is seen


def test_a_readable_colour_is_kept_as_the_host_gave_it():
    shades = accent("#0a7d52")
    assert shades["accent"] == shades["accent-on-light"] == "#0a7d52"
    assert shades["accent-text"] == "#ffffff"
    assert accent("#ffcc00")["accent-text"] == "#000000"
