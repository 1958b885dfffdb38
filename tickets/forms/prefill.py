"""The values a form starts with, whatever they come from (tickets/embedding/prefill.py reads
them from a URL and a signed context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Prefill:
    initial: dict[str, Any] = field(default_factory=dict)  # form field name -> cleaned value
    hidden: set[str] = field(default_factory=set)  # kept out of sight (and never read)
    locked: set[str] = field(default_factory=set)  # shown read-only (and never read)
    ticket: dict[str, Any] = field(default_factory=dict)  # ticket parameters from a signed ctx
    custom: dict[str, Any] = field(default_factory=dict)  # API values of fields not on the form
