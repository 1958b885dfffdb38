"""The schema file: read it, check every part of it, and hand out frozen dataclasses (types.py).

The file's `fields` mirror the API's `GET /custom_fields/` (plus portal-only keys); `forms` are the
portal's own. Every mistake is collected and reported together, each message naming the file, the
field and the problem, so a person can fix the file in one pass.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..lib.text import EMPTY_TEXT, LocalText, level_keyed
from ..lib.values import as_flag, as_int, as_list
from .kinds import kind_of, known
from .types import (
    AUDIENCES,
    CONSENT_KEYS,
    CONSENT_VERSION_MAX,
    PERMISSION_FLAGS,
    TICKET_DEFAULT_KEYS,
    Consent,
    Field,
    FormField,
    FormSpec,
    Option,
    Permission,
    Reference,
    Schema,
    ShowIf,
)

FORMAT = 1
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEFAULT_FORM_TITLE = LocalText(
    (("en", "Contact support"), ("ru", "Связаться с поддержкой"), ("ua", "Звернутися до підтримки"))
)


class SchemaError(Exception):
    """The schema file cannot be used; `problems` lists every mistake found."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


# --- Parsing ------------------------------------------------------------------------------------
class _Problems:
    """Collects mistakes while parsing goes on, so all are reported at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"{where}: {problem}")


def _local_text(value: Any, where: str, problems: _Problems, required: bool = False) -> LocalText:
    if value is None or value == "":
        if required:
            problems.add(where, "is missing")
        return EMPTY_TEXT
    text = LocalText.of(value)
    if text is None:
        problems.add(where, 'must be a string or {"en": ..., "ru": ..., "ua": ...}')
        return EMPTY_TEXT
    if required and not text:
        problems.add(where, "has no text in any language")
    return text


def _permissions(value: Any, where: str, problems: _Problems) -> Mapping[str, Permission]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        problems.add(where, "permissions must be an object with 'user' and/or 'staff'")
        return MappingProxyType({})
    result = {}
    for key in ("user", "staff"):
        raw = value.get(key)
        if raw is None:
            continue
        if not isinstance(raw, Mapping):
            problems.add(where, f"permissions.{key} must be an object")
            continue
        flags = {}
        for flag, default in PERMISSION_FLAGS:
            flags[flag] = as_flag(raw.get(flag, default))
            if flags[flag] is None:
                problems.add(where, f"permissions.{key}.{flag} must be true or false")
                flags[flag] = default
        result[key] = Permission(flags["view"], flags["edit"], flags["required_to_create_ticket"])
    return MappingProxyType(result)


def _options(raw: Any, where: str, field_type: str, problems: _Problems) -> tuple[Option, ...]:
    kind = kind_of(field_type)
    if not kind.has_options:
        if raw:
            problems.add(where, f"a {field_type} field has no options")
        return ()
    if not isinstance(raw, list) or not raw:
        problems.add(where, f"a {field_type} field needs a non-empty list of options")
        return ()
    options: list[Option] = []
    seen: set[int] = set()
    for index, item in enumerate(raw):
        at = f"{where}: option #{index + 1}"
        option_id = as_int(item.get("id"), minimum=1) if isinstance(item, Mapping) else None
        if option_id is None:
            problems.add(at, "needs a numeric id above 0")
            continue
        pid = as_int(item.get("pid") or 0, minimum=0)
        if option_id in seen:
            problems.add(f"{where}: option {option_id}", "duplicate option id")
            continue
        if pid is None:
            problems.add(f"{where}: option {option_id}", "pid must be a number")
            continue
        seen.add(option_id)
        name = _local_text(item.get("name"), f"{where}: option {option_id}: name", problems, True)
        options.append(Option(option_id, pid, name))
    for option in options:
        if option.pid and option.pid not in seen:
            problems.add(
                f"{where}: option {option.id}", f"pid {option.pid} is not an option of this field"
            )
        if option.pid and not kind.nests:
            problems.add(
                f"{where}: option {option.id}", f"a {field_type} field has only top-level options"
            )
    if _has_cycle(options):
        problems.add(where, "the options' pid links form a cycle")
        return ()
    return tuple(options)


def _has_cycle(options: list[Option]) -> bool:
    parent = {o.id: o.pid for o in options}
    for start in parent:
        seen, current = set(), start
        while current in parent and current not in seen:
            seen.add(current)
            current = parent[current]
        if current in seen:
            return True
    return False


def _bounds(
    raw: Mapping, where: str, kind: Any, problems: _Problems
) -> tuple[Decimal | None, bool]:
    """A number field's `min` (absent: 0, null: none) and `integer` (absent: false)."""
    minimum, integer = raw.get("min", 0), raw.get("integer", False)
    if not getattr(kind, "has_bounds", False):
        if "min" in raw or "integer" in raw:
            problems.add(where, f"a {kind.name} field takes no 'min' or 'integer'")
        return Field.minimum, Field.integer
    if not isinstance(integer, bool):
        problems.add(where, "integer must be true or false")
        integer = False
    if minimum is None:
        return None, integer
    if (
        isinstance(minimum, bool)
        or not isinstance(minimum, int | float)
        or not math.isfinite(minimum)
    ):
        problems.add(where, "min must be a number or null")  # JSON's Infinity and NaN are not
        return Field.minimum, integer
    if integer and minimum != int(minimum):
        problems.add(where, "min of an integer field must be a whole number")
    return Decimal(str(minimum)), integer


def _parse_field(raw: Any, index: int, problems: _Problems) -> Field | None:
    if not isinstance(raw, Mapping):
        problems.add(f"field #{index + 1}", "must be an object")
        return None
    field_id = as_int(raw.get("id"))
    if field_id is None:
        problems.add(f"field #{index + 1}", "needs a numeric id")
        return None
    where = f"field {field_id}"
    field_type = raw.get("field_type")
    if field_type not in known():
        names = ", ".join(sorted(known()))
        problems.add(where, f"unknown field_type {field_type!r} (known: {names})")
        return None
    kind = kind_of(field_type)
    name_raw = raw.get("name")
    level_names: tuple[LocalText, ...] = ()
    if kind.nests and level_keyed(name_raw):
        level_names = tuple(
            _local_text(name_raw[k], f"{where}: name of level {k}", problems, True)
            for k in sorted(name_raw, key=int)
        )
        name = level_names[0]
    else:
        name = _local_text(name_raw, f"{where}: name", problems, True)
    pattern = raw.get("pattern") or ""
    if kind.has_pattern and pattern:
        if not isinstance(pattern, str):
            problems.add(where, "pattern must be a string")
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.add(where, f"pattern {pattern!r} does not compile: {exc}")
    minimum, integer = _bounds(raw, where, kind, problems)
    return Field(
        id=field_id,
        field_type=field_type,
        name=name,
        level_names=level_names,
        permissions=_permissions(raw.get("permissions"), where, problems),
        options=_options(raw.get("options"), where, field_type, problems),
        help=_local_text(raw.get("help"), f"{where}: help", problems),
        placeholder=_local_text(raw.get("placeholder"), f"{where}: placeholder", problems),
        pattern=pattern if isinstance(pattern, str) else "",
        pattern_message=_local_text(
            raw.get("pattern_message"), f"{where}: pattern_message", problems
        ),
        minimum=minimum,
        integer=integer,
    )


def _parse_fields(raw: Any, problems: _Problems) -> dict[int, Field]:
    # A sync may write the API's keyed-by-id object as it came; a list is the usual form.
    items = as_list(raw) if raw is not None else None
    if items is None:
        problems.add("fields", "must be a list of field objects")
        return {}
    fields: dict[int, Field] = {}
    for index, item in enumerate(items):
        parsed = _parse_field(item, index, problems)
        if parsed is None:
            continue
        if parsed.id in fields:
            problems.add(f"field {parsed.id}", "duplicate field id")
            continue
        fields[parsed.id] = parsed
    return fields


def _parse_references(raw: Any, problems: _Problems) -> dict[str, tuple[Reference, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add("references", "must be an object of lists")
        return {}
    result = {}
    for kind, items in raw.items():
        items = as_list(items) if items is not None else None
        if items is None:
            problems.add(f"references.{kind}", "must be a list")
            continue
        refs = []
        for index, item in enumerate(items):
            if not isinstance(item, Mapping) or item.get("id") in (None, ""):
                problems.add(f"references.{kind} #{index + 1}", "needs an id")
                continue
            name = _local_text(item.get("name"), f"references.{kind} {item['id']}: name", problems)
            refs.append(Reference(item["id"], name))
        result[kind] = tuple(refs)
    return result


def _show_if(raw: Any, where: str, fields: Mapping[int, Field], problems: _Problems):
    if not isinstance(raw, Mapping) or as_int(raw.get("field")) is None:
        problems.add(where, 'show_if must be {"field": ID, "in": [values]}')
        return None
    target = fields.get(as_int(raw["field"]))
    values = raw.get("in")
    if target is None:
        problems.add(where, f"show_if names unknown field {raw['field']}")
        return None
    if not kind_of(target.field_type).drives_conditions:
        problems.add(where, f"show_if cannot depend on a {target.field_type} field")
        return None
    if not isinstance(values, list) or not values:
        problems.add(where, "show_if needs a non-empty 'in' list")
        return None
    if kind_of(target.field_type).is_flag:
        if not all(isinstance(v, bool) for v in values):
            problems.add(where, f"show_if on field {target.id} takes true or false")
    elif target.options:
        known = {o.id for o in target.options}
        unknown = [v for v in values if as_int(v) not in known]
        if unknown:
            problems.add(where, f"show_if values {unknown} are not options of field {target.id}")
        values = [as_int(v) for v in values]  # 192 and "192" are the same option
    return ShowIf(target.id, tuple(values))


_web_address = URLValidator(schemes=["http", "https"])


def _is_web_address(text: str) -> bool:
    try:
        _web_address(text)
    except ValidationError:
        return False
    return True


def _consent(
    raw: Any, where: str, audience: list, fields: Mapping[int, Field], problems: _Problems
) -> Consent | None:
    """A form's `consent`: the box a customer ticks, what is kept of it and added to the ticket."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(where, 'consent must be {"text": ..., "version": ..., ...}')
        return None
    found = len(problems.items)
    for key in raw:
        if key not in CONSENT_KEYS:
            allowed = ", ".join(CONSENT_KEYS)
            problems.add(where, f"consent.{key} is not a consent key (allowed: {allowed})")
    if "customer" not in audience:
        problems.add(where, "consent is asked of customers only, and this form has no customer")
    text = _local_text(raw.get("text"), f"{where}: consent.text", problems, required=True)
    version = raw.get("version")
    if version is None or version == "":
        problems.add(f"{where}: consent.version", "is missing")
    elif not isinstance(version, str) or not version.strip():
        problems.add(f"{where}: consent.version", 'must be text, such as "2026-12"')
    elif len(version.strip()) > CONSENT_VERSION_MAX:
        problems.add(
            f"{where}: consent.version", f"is longer than {CONSENT_VERSION_MAX} characters"
        )
    link = _local_text(raw.get("link"), f"{where}: consent.link", problems)
    for _lang, address in link.values:
        if address and not _is_web_address(address):
            problems.add(f"{where}: consent.link", f"{address!r} is not an http(s) address")
    tag = raw.get("tag", "")
    if not isinstance(tag, str) or ("tag" in raw and not tag.strip()):
        problems.add(f"{where}: consent.tag", "must be a tag name (text)")
    custom_field = None
    if "custom_field" in raw:
        custom_field = as_int(raw["custom_field"])
        target = fields.get(custom_field) if custom_field is not None else None
        if target is None:
            problems.add(
                f"{where}: consent.custom_field", f"names unknown field {raw['custom_field']!r}"
            )
        elif not kind_of(target.field_type).is_flag:
            problems.add(
                f"{where}: consent.custom_field",
                f"field {target.id} is a {target.field_type} field, not a checkbox",
            )
    if len(problems.items) > found:
        return None
    return Consent(
        text=text,
        version=version.strip(),
        link=link,
        tag=tag.strip(),
        custom_field=custom_field,
    )


def _parse_form(raw: Any, index: int, schema_parts: dict, problems: _Problems) -> FormSpec | None:
    fields: Mapping[int, Field] = schema_parts["fields"]
    references = schema_parts["references"]
    if not isinstance(raw, Mapping) or not isinstance(raw.get("slug"), str):
        problems.add(f"form #{index + 1}", "needs a 'slug'")
        return None
    slug = raw["slug"]
    where = f"form {slug!r}"
    if not SLUG_RE.match(slug):
        problems.add(where, "a slug is lower-case letters, digits, '-' and '_'")
    audience = raw.get("audience", list(AUDIENCES))
    if not isinstance(audience, list) or not audience or set(audience) - set(AUDIENCES):
        problems.add(where, f"audience must be a non-empty list of {AUDIENCES}")
        audience = list(AUDIENCES)
    ticket = raw.get("ticket", {})
    if not isinstance(ticket, Mapping):
        problems.add(where, "ticket must be an object")
        ticket = {}
    for key, value in ticket.items():
        if key == "tags":
            if not isinstance(value, list) or not all(isinstance(t, str | int) for t in value):
                problems.add(where, "ticket.tags must be a list of tag names")
        elif key not in TICKET_DEFAULT_KEYS:
            allowed = ", ".join([*TICKET_DEFAULT_KEYS, "tags"])
            problems.add(where, f"ticket.{key} is not a ticket default (allowed: {allowed})")
        elif references.get(TICKET_DEFAULT_KEYS[key]):
            ids = {str(r.id) for r in references[TICKET_DEFAULT_KEYS[key]]}
            if str(value) not in ids:
                problems.add(
                    where, f"ticket.{key} {value!r} is not in references.{TICKET_DEFAULT_KEYS[key]}"
                )
    articles, article_categories = _articles(raw.get("articles", True), where, problems)
    agent_names = raw.get("agent_names", False)
    if not isinstance(agent_names, bool):
        problems.add(where, "agent_names must be true or false")
        agent_names = False
    form_fields: list[FormField] = []
    raw_fields = raw.get("fields", [])
    if not isinstance(raw_fields, list):
        problems.add(where, "fields must be a list of field ids")
        raw_fields = []
    for item in raw_fields:
        field_id = as_int(item.get("id") if isinstance(item, Mapping) else item)
        if field_id is None or field_id not in fields:
            problems.add(where, f"names unknown field {item!r}")
            continue
        if any(f.id == field_id for f in form_fields):
            problems.add(where, f"lists field {field_id} twice")
            continue
        show_if = None
        if isinstance(item, Mapping) and "show_if" in item:
            show_if = _show_if(item["show_if"], f"{where}: field {field_id}", fields, problems)
            if show_if and not any(f.id == show_if.field for f in form_fields):
                problems.add(
                    f"{where}: field {field_id}",
                    f"show_if field {show_if.field} must come earlier in the same form",
                )
        form_fields.append(FormField(field_id, show_if))
    return FormSpec(
        slug=slug,
        title=_local_text(raw.get("title"), f"{where}: title", problems)
        or LocalText((("en", slug),)),
        intro=_local_text(raw.get("intro"), f"{where}: intro", problems),
        audience=frozenset(audience),
        ticket=MappingProxyType(dict(ticket)),
        fields=tuple(form_fields),
        agent_names=agent_names,
        articles=articles,
        article_categories=article_categories,
        consent=_consent(raw.get("consent"), where, audience, fields, problems),
    )


def _articles(raw: Any, where: str, problems: _Problems) -> tuple[bool, tuple[int, ...]]:
    """A form's `articles`: true (the default), false, or {"categories": [ids]}."""
    if isinstance(raw, bool):
        return raw, ()
    categories = raw.get("categories") if isinstance(raw, Mapping) else None
    ids = [as_int(c) for c in categories] if isinstance(categories, list) else [None]
    if not ids or None in ids or set(raw) - {"categories"}:
        problems.add(where, 'articles must be true, false or {"categories": [category ids]}')
        return True, ()
    return True, tuple(ids)


def _default_form(fields: Mapping[int, Field]) -> FormSpec:
    visible = tuple(FormField(f.id) for f in fields.values() if f.permission("customer").view)
    return FormSpec("support", DEFAULT_FORM_TITLE, EMPTY_TEXT, frozenset(AUDIENCES), {}, visible)


def parse_schema(data: Any, path: Path) -> Schema:
    """Check a decoded schema file; raise SchemaError listing every mistake."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise SchemaError(path, ["the file must hold a JSON object"])
    if data.get("format", FORMAT) != FORMAT:
        problems.add("format", f"{data.get('format')!r} is not supported (this portal reads 1)")
    fields = _parse_fields(data.get("fields", []), problems)
    references = _parse_references(data.get("references"), problems)
    parts = {"fields": fields, "references": references}
    if "forms" in data:
        raw_forms = data["forms"]
        if not isinstance(raw_forms, list) or not raw_forms:
            problems.add("forms", "must be a non-empty list (or left out for one 'support' form)")
            raw_forms = []
        forms = [_parse_form(raw, i, parts, problems) for i, raw in enumerate(raw_forms)]
        forms = [f for f in forms if f is not None]
        slugs = [f.slug for f in forms]
        for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
            problems.add(f"form {slug!r}", "duplicate slug")
    else:
        forms = [_default_form(fields)]
    if problems.items:
        raise SchemaError(path, problems.items)
    return Schema(path, MappingProxyType(fields), MappingProxyType(references), tuple(forms))


def load_schema(path: Path | str) -> Schema:
    """Read and check one schema file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise SchemaError(path, [f"is not UTF-8: {exc}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(path, [f"is not valid JSON: {exc.msg} (line {exc.lineno})"]) from None
    return parse_schema(data, path)
