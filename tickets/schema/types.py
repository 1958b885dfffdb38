"""The schema in service: frozen dataclasses made from the schema file (see parsing.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..lib.text import EMPTY_TEXT, LocalText

AUDIENCES = ("customer", "staff")
# The API's permission key for each portal audience.
PERMISSION_KEYS = {"customer": "user", "staff": "staff"}
# What the portal reads of a field's permissions, as the API names it, and its default.
PERMISSION_FLAGS = (("view", True), ("edit", True), ("required_to_create_ticket", False))
# Ticket parameters a form may default, and the reference list each one's values come from.
TICKET_DEFAULT_KEYS = {
    "department_id": "departments",
    "type_id": "types",
    "priority_id": "priorities",
    "status_id": "statuses",
}
# The keys of a form's `consent`, and the longest `version` (Submission.consent_version keeps it).
CONSENT_KEYS = ("text", "link", "version", "tag", "custom_field")
CONSENT_VERSION_MAX = 64


@dataclass(frozen=True)
class Option:
    id: int
    pid: int
    name: LocalText


@dataclass(frozen=True)
class Permission:
    view: bool = True
    edit: bool = True
    required: bool = False


@dataclass(frozen=True)
class Field:
    id: int
    field_type: str
    name: LocalText
    level_names: tuple[LocalText, ...] = ()
    permissions: Mapping[str, Permission] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    help: LocalText = EMPTY_TEXT
    placeholder: LocalText = EMPTY_TEXT
    pattern: str = ""
    pattern_message: LocalText = EMPTY_TEXT
    # A number field's least value (the file's `min`; None: any) and whether it takes whole
    # numbers alone (`integer`). No count or amount a person reports is below 0.
    minimum: Decimal | None = Decimal(0)
    integer: bool = False

    def permission(self, audience: str) -> Permission:
        return self.permissions.get(PERMISSION_KEYS[audience], Permission())

    def children(self, pid: int) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.pid == pid)

    def option(self, option_id: int | None) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def depth(self) -> int:
        """Levels of the option tree (a hierarchy's number of selects)."""
        by_id = {o.id: o for o in self.options}

        def level(option: Option) -> int:
            return 1 if option.pid == 0 else 1 + level(by_id[option.pid])

        return max((level(o) for o in self.options), default=1)

    def level_name(self, level: int) -> LocalText:
        """The label of hierarchy level `level` (1-based)."""
        if level <= len(self.level_names):
            return self.level_names[level - 1]
        return self.name


@dataclass(frozen=True)
class ShowIf:
    field: int
    values: tuple[Any, ...]


@dataclass(frozen=True)
class FormField:
    id: int
    show_if: ShowIf | None = None


@dataclass(frozen=True)
class Consent:
    """A box the person must tick to send a customer form (the schema's `consent`)."""

    text: LocalText  # what the person agrees to, plain text
    version: str  # kept on the submission: which wording was agreed to
    link: LocalText = EMPTY_TEXT  # an http(s) address per language (the privacy policy)
    tag: str = ""  # added to the ticket's tags
    custom_field: int | None = None  # a checkbox field the ticket gets ticked


@dataclass(frozen=True)
class FormSpec:
    slug: str
    title: LocalText
    intro: LocalText
    audience: frozenset[str]
    ticket: Mapping[str, Any]
    fields: tuple[FormField, ...]
    # The ticket's page names the agent who answered ("Support (Olena)"), not only "Support".
    agent_names: bool = False
    # A box a customer must tick to send the form; staff filing for a client never see it.
    consent: Consent | None = None
    # Knowledge-base articles suggested under the subject (when TICKETS_ARTICLES is on): False
    # turns them off for this form; `article_categories` limits them to these categories.
    articles: bool = True
    article_categories: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reference:
    id: Any
    name: LocalText


@dataclass(frozen=True)
class Schema:
    path: Path
    fields: Mapping[int, Field]
    references: Mapping[str, tuple[Reference, ...]]
    forms: tuple[FormSpec, ...]

    def form(self, slug: str) -> FormSpec | None:
        return next((f for f in self.forms if f.slug == slug), None)

    def forms_for(self, audience: str) -> tuple[FormSpec, ...]:
        return tuple(f for f in self.forms if audience in f.audience)
