"""The field-kind registry: the one table of what each `field_type` is and does.

Everything that depends on a field's type reads it from here: the schema (does it have options,
may they nest, can it drive a condition, does it carry a pattern), the forms (how it is built,
validated, sent and shown: tickets/forms/kinds.py, which registers the portal's kinds when the app
loads) and the sandbox (how the API checks a value and reads it back). Adding a field type is
registering one kind; the schema refuses a type no kind is registered for when the file loads.

This module holds the registry and the questions the lower layers ask (`KindTraits`), so that the
schema, the forms and the sandbox share one table without importing each other.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from .types import Field


class KindTraits(Protocol):
    """What the schema and the sandbox need to know of a field type."""

    name: str  # the API's field_type
    has_options: bool  # its values are option ids from the field's option list
    nests: bool  # its options form a tree (each level picked in turn)
    is_flag: bool  # its value is ticked or not ("1" / "")
    drives_conditions: bool  # another field's show_if may name it
    has_pattern: bool  # the schema file may give it a regular expression
    has_bounds: bool  # the schema file may give it a `min` and `integer`

    def check_value(self, field: Field, value: Any) -> str | None:
        """Why the API would refuse `value` for this field (None: it would take it)."""

    def echo(self, field: Field, value: Any) -> Any:
        """A stored value as the API reads it back in a ticket's `custom_fields`."""


_kinds: dict[str, KindTraits] = {}
_lock = threading.Lock()


def register(kind: KindTraits) -> KindTraits:
    """Make `kind` the one for its `name` (a later registration of the same name replaces it)."""
    with _lock:
        _kinds[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    with _lock:
        _kinds.pop(name, None)


def kind_of(name: str) -> KindTraits:
    """The kind registered for a field_type; KeyError for one the schema would have refused."""
    return _kinds[name]


def known() -> frozenset[str]:
    """Every field_type a schema file may use."""
    return frozenset(_kinds)


def registered() -> tuple[KindTraits, ...]:
    return tuple(_kinds.values())
