"""Plain values as the API, a schema file, a URL or a setting may write them.

One reading of each: a whole number from a number or its digits, a yes/no flag from the many ways
of writing one, a list written as a list or as an object keyed by id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

# How the API and a schema file write a flag; a browser's checkbox and a person's setting also
# say "on", "yes", "off", "no".
STRICT_TRUE, STRICT_FALSE = frozenset({"1", "true"}), frozenset({"0", "false"})
TRUE_WORDS = STRICT_TRUE | {"on", "yes"}
FALSE_WORDS = STRICT_FALSE | {"off", "no"}
API_DATE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
API_DATETIME_RE = re.compile(r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$")


def as_int(value: Any, minimum: int | None = None) -> int | None:
    """A whole number from an int or a string of digits (" 12 ", "-3"); None for anything else.

    Booleans are not numbers here (JSON's true is not 1), nor are floats or "+2"; below `minimum`
    is None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        value = int(text) if digits.isascii() and digits.isdigit() else None
    if not isinstance(value, int):
        return None
    return None if minimum is not None and value < minimum else value


def as_flag(value: Any, words: bool = False) -> bool | None:
    """True or False as the API writes it (true/false, 1/0, "1"/"0", "true"/"false"); with
    `words`, also as people write it ("yes", "on", "no", "off"). None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in (TRUE_WORDS if words else STRICT_TRUE):
            return True
        if word in (FALSE_WORDS if words else STRICT_FALSE):
            return False
    return None


def is_checked(value: Any) -> bool:
    """Whether a posted or configured value means "ticked"."""
    return as_flag(value, words=True) is True


def as_list(value: Any) -> list | None:
    """A list as the API writes one: a JSON list, or an object keyed by id (its values, in order).

    None (nothing at all) is an empty list; anything else is not a list (None).
    """
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    return None


def api_date(value: Any) -> date | None:
    """A date as the API writes one, `DD.MM.YYYY`; None for anything else."""
    if not isinstance(value, str) or not API_DATE_RE.match(value):
        return None
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        return None


def api_datetime(value: Any) -> datetime | None:
    """A date and time as the API writes one (`sla_date`), `DD.MM.YYYY HH:MM`, on no stated
    clock (a naive datetime); None for anything else."""
    if not isinstance(value, str) or not API_DATETIME_RE.match(value):
        return None
    try:
        return datetime.strptime(value, "%d.%m.%Y %H:%M")
    except ValueError:
        return None
