"""Which regex fields the browser may check too: a pattern it reads exactly as the server does."""

from __future__ import annotations

import re

# Syntax the browser reads differently or not at all: such a pattern is checked on the server
# alone. Python's \w, \d and \b match Cyrillic letters and non-ASCII digits, JavaScript's do not.
SERVER_ONLY_REGEX = re.compile(r"\(\?P|\(\?#|\\[AZzwWdDbB]|\(\?[aiLmsux]+[):]|\*\+|\+\+|\?\+")


def _has_top_level_alternation(pattern: str) -> bool:
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def browser_pattern(pattern: str) -> str | None:
    """The pattern for the `pattern` attribute, when the browser would judge it as the server does.

    The attribute must match the whole value (`^(?:...)$`), so only a pattern anchored at both ends
    with no top-level `|` means the same in both places; and JavaScript must read it alike.
    """
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        return None
    inner = pattern[1:-1]
    if SERVER_ONLY_REGEX.search(pattern) or _has_top_level_alternation(inner):
        return None
    return inner


# What Django's validate_email takes, for the `pattern` of an email input: the browser's own
# check of type="email" (the characters of each part) lets through what the server refuses, a
# domain without a top-level label ("ada@example") or dots at the ends of the local part or side
# by side. Read by JavaScript with the `v` flag, hence the escaped "-" in a class. What the server
# takes and this refuses: a quoted local part and an [IP address] domain, which type="email"
# refuses anyway.
EMAIL_PATTERN = (
    r"[^.@\s]+(?:\.[^.@\s]+)*@"
    r"(?:localhost|[^@\s]+\.(?:\p{L}[\p{L}\-]{0,61}\p{L}|xn--[a-zA-Z0-9]{1,59}))"
)
