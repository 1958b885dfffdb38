"""The portal's Bootstrap holds only the parts static/vendor/bootstrap/portal-bootstrap.scss
imports: a page that uses a class of a part left out (a badge, a table) would show it unstyled.
Every Bootstrap class the templates, the form code and the scripts name is in the built CSS."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.min.css"

# The first word of every class Bootstrap 5.3's components and helpers define (its utilities,
# all imported, are not listed: a utility the CSS lacks is caught by its own name below).
BOOTSTRAP_WORDS = {
    "accordion", "alert", "badge", "breadcrumb", "btn", "card", "carousel", "collapse",
    "collapsing", "dropdown", "dropend", "dropstart", "dropup", "figure", "form", "input",
    "img", "list", "modal", "nav", "navbar", "offcanvas", "page", "pagination", "placeholder",
    "popover", "progress", "ratio", "spinner", "table", "toast", "tooltip", "invalid", "valid",
    "was", "is", "visually", "stretched", "text", "vr", "hstack", "vstack", "sticky", "fixed",
    "clearfix", "link", "icon", "focus", "col", "row", "container", "g", "gx", "gy", "fade",
    "show", "active", "disabled", "lead", "display", "h1", "h2", "h3", "h4", "h5", "h6", "small",
    "mark", "initialism", "blockquote",
}  # fmt: skip
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
FORM_CLASS = re.compile(r'css_class\s*=\s*"([^"]*)"')
SCRIPT_CLASS = re.compile(r"""className\s*=\s*["']([^"']*)["']|classList\.\w+\(([^)]*)\)""")
TEMPLATE_CODE = re.compile(r"\{[%{].*?[%}]\}")


def classes_named() -> dict[str, set[str]]:
    """Each class token the portal's own templates, Python and scripts write, by file."""
    named: dict[str, set[str]] = {}
    sources = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("tickets/**/*.py")]
    for path in sources:
        text = path.read_text()
        for found in [*CLASS_ATTRIBUTE.findall(text), *FORM_CLASS.findall(text)]:
            words = TEMPLATE_CODE.sub(" ", found).split()
            named.setdefault(str(path.relative_to(ROOT)), set()).update(words)
    for path in ROOT.glob("static/js/*.js"):
        for assigned, listed in SCRIPT_CLASS.findall(path.read_text()):
            words = assigned.split() + re.findall(r"""["']([\w-]+)["']""", listed)
            named.setdefault(str(path.relative_to(ROOT)), set()).update(words)
    return named


def test_every_bootstrap_class_the_pages_use_is_in_its_css():
    css = CSS.read_text()
    defined = set(re.findall(r"\.(-?[A-Za-z][\w-]*)", css))
    missing = {
        f"{where}: {word}"
        for where, words in classes_named().items()
        for word in words
        if word.split("-")[0] in BOOTSTRAP_WORDS and word not in defined
    }
    assert not missing, "import the Bootstrap part in portal-bootstrap.scss: " + str(missing)


def test_the_check_finds_a_class_of_a_part_left_out():
    """It can fail: a badge and a table are classes of parts the CSS does not hold."""
    defined = set(re.findall(r"\.(-?[A-Za-z][\w-]*)", CSS.read_text()))
    assert "badge" not in defined and "table" not in defined
    assert {"btn", "alert", "card", "form-control", "nav-link", "list-group"} <= defined
    named = set().union(*classes_named().values())
    assert {"btn", "alert", "form-check-input", "card-body", "visually-hidden"} <= named
