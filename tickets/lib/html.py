"""Untrusted HTML made safe to show: what agents write in the helpdesk, or an email turned into a
post, sanitised by nh3 (the Rust sanitiser ammonia) to a small allow-list.

What survives: paragraphs, line breaks, lists, emphasis, links, code and quotes. Links get
`rel="noopener noreferrer nofollow"` and http(s) or mailto addresses only (a link to anything
else keeps its words alone). Nothing loads: no image, style, frame or script survives; an image
becomes a link to it that says it was not shown, so the person can open it on purpose. A quoted
email history (a trailing `<blockquote>`) is folded under a `<details>`.
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

TAGS = {
    "p", "br", "div", "span", "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "a",
    "code", "pre", "blockquote", "hr", "details", "summary",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

_FINAL = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={"script", "style", "title", "textarea", "select", "noscript"},
    attributes=ATTRIBUTES,
    url_schemes=SCHEMES,
    link_rel=LINK_REL,
)
# The first pass keeps images (their address and words only) so that the second can say where
# they were; the final pass then runs on everything, so no rewrite here can let markup through.
_FIRST = nh3.Cleaner(
    tags=TAGS | {"img"},
    clean_content_tags={"script", "style", "title", "textarea", "select", "noscript"},
    attributes={**ATTRIBUTES, "img": {"src", "alt"}},
    url_schemes=SCHEMES,
    link_rel=LINK_REL,
)
# A link whose address was refused keeps its words, but not `rel`: HTML allows `rel` only on a
# link with an address. nh3 writes every attribute value in double quotes, `"` and `>` escaped.
_NO_ADDRESS = re.compile(rf'<a((?: (?!href=)[\w-]+="[^"]*")*) rel="{LINK_REL}">')
_IMAGE = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')
_TRAILING_QUOTE = re.compile(r"(<blockquote>.*</blockquote>)\s*$", re.S)


def agent_html(
    text: str, image_label: str = "Image not shown", quote_label: str = ""
) -> SafeString:
    """`text` as safe HTML. `image_label` says an image was not shown; with `quote_label` a
    trailing quotation (the email being answered) is folded under that summary."""
    first = _FIRST.clean(text or "")
    first = _IMAGE.sub(lambda m: _image_link(m.group(0), image_label), first)
    if quote_label:
        summary = f"<summary>{html.escape(quote_label)}</summary>"
        first = _TRAILING_QUOTE.sub(lambda m: f"<details>{summary}{m.group(1)}</details>", first)
    return mark_safe(_NO_ADDRESS.sub(r"<a\1>", _FINAL.clean(first)))  # sanitised just now


def _image_link(tag: str, label: str) -> str:
    found = dict(_ATTRIBUTE.findall(tag))
    alt = html.unescape(found.get("alt", "")).strip()
    words = html.escape(f"[{label}: {alt}]" if alt else f"[{label}]")
    src = found.get("src", "")
    return f'<a href="{src}">{words}</a>' if src.startswith(("http://", "https://")) else words


def plain_text(text: str) -> str:
    """What a person typed, as HTML the helpdesk shows as they wrote it: escaped, paragraphs and
    line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", (text or "").strip())
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in paragraph.splitlines()) + "</p>"
        for paragraph in paragraphs
        if paragraph.strip()
    )
