"""Bring the schema file in step with the helpdesk's custom fields and reference lists.

`fields` and `references` are rewritten from the API; the portal's own keys (`forms`, and each
field's `help`, `placeholder`, `pattern`, `pattern_message`, `min`, `integer`) are kept. Forms
that name what the helpdesk no longer has are mended and the mending reported. The new file is
checked like any schema file and written atomically: any failure leaves the old file as it was.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..helpdesk.client import TicketsClient
from ..helpdesk.errors import ApiError
from ..lib.text import LocalText, level_keyed
from ..lib.values import as_flag, as_int, as_list
from .kinds import kind_of, known
from .parsing import SchemaError, parse_schema
from .types import PERMISSION_FLAGS, TICKET_DEFAULT_KEYS

PORTAL_FIELD_KEYS = ("help", "placeholder", "pattern", "pattern_message", "min", "integer")
REFERENCE_PATHS = {
    "departments": "departments/",
    "priorities": "priorities/",
    "types": "types/",
    "statuses": "statuses/",
}


class SyncError(Exception):
    """The sync could not finish; the schema file was not touched."""


@dataclass
class SyncResult:
    document: dict[str, Any]
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what needs a person (no file change)
    changed: bool = False


# --- Reading the API ----------------------------------------------------------------------------
def fetch(client: TicketsClient) -> tuple[list[dict], dict[str, list[dict]]]:
    """The helpdesk's fields (with their options) and reference lists."""
    try:
        fields = [_api_field(item) for item in client.get_all("custom_fields/")]
        for item in fields:
            if _kind(item["field_type"], "has_options"):
                raw = client.get_all(f"custom_fields/{item['id']}/options/")
                item["options"] = [_api_option(option, item["id"]) for option in raw]
        references = {
            kind: [_api_reference(r, kind) for r in client.get_all(path)]
            for kind, path in REFERENCE_PATHS.items()
        }
    except ApiError as error:
        detail = "; ".join(str(m) for m in error.messages)
        raise SyncError(
            f"the API failed: {error.reason}{f' ({detail})' if detail else ''}"
        ) from None
    return fields, references


def _kind(field_type: str, trait: str) -> bool:
    """A trait of a field type, False for a type the portal has no kind for."""
    return field_type in known() and getattr(kind_of(field_type), trait)


def _id(value: Any, what: str) -> int:
    number = as_int(value, minimum=1)
    if number is None:
        raise SyncError(f"malformed answer: {what} has id {value!r}")
    return number


def _api_field(item: Any) -> dict:
    if not isinstance(item, dict):
        raise SyncError(f"malformed answer: a custom field is {type(item).__name__}, not an object")
    field_id = _id(item.get("id"), "a custom field")
    if not isinstance(item.get("field_type"), str):
        raise SyncError(f"malformed answer: custom field {field_id} has no field_type")
    result = {"id": field_id, "field_type": item["field_type"], "name": item.get("name", "")}
    if isinstance(item.get("permissions"), dict):
        result["permissions"] = item["permissions"]
    return result


def _api_option(item: Any, field_id: int) -> dict:
    if not isinstance(item, dict):
        raise SyncError(f"malformed answer: an option of field {field_id} is not an object")
    option_id = _id(item.get("id"), f"an option of field {field_id}")
    pid = item.get("pid")
    # The top level comes as 0, "0", null or nothing at all.
    pid = 0 if pid in (None, "", 0, "0") else _id(pid, f"the parent of option {option_id}")
    return {"id": option_id, "pid": pid, "name": item.get("name", "")}


def _api_reference(item: Any, kind: str) -> dict:
    if not isinstance(item, dict) or item.get("id") in (None, ""):
        raise SyncError(f"malformed answer: an item of {kind} has no id")
    return {"id": item["id"], "name": item.get("name", "")}


# --- Building the new document ----------------------------------------------------------------
def build(current: dict, api_fields: list[dict], references: dict[str, list]) -> SyncResult:
    """The schema document with the API's fields and references, and what that changes."""
    document = copy.deepcopy(current)
    result = SyncResult(document)
    old_fields = {_key(f.get("id")): f for f in _field_list(current.get("fields"))}
    new_fields = []
    for api_field in api_fields:
        if api_field["field_type"] not in known():
            result.notes.append(
                f"field {api_field['id']} ({_name(api_field)}): type {api_field['field_type']!r} "
                "is not one the portal can show; left out"
            )
            continue
        if _kind(api_field["field_type"], "has_options") and not api_field.get("options"):
            old = old_fields.get(api_field["id"])
            if old and old.get("field_type") == api_field["field_type"] and old.get("options"):
                # Options gone for a moment (being edited): the forms keep the field as it was.
                result.notes.append(
                    f"field {api_field['id']} ({_name(api_field)}): the helpdesk lists no options "
                    "right now; the ones in the file are kept"
                )
                new_fields.append(old)
                continue
            result.notes.append(
                f"field {api_field['id']} ({_name(api_field)}): a {api_field['field_type']} with "
                "no options yet; left out until it has some"
            )
            continue
        merged = dict(api_field)
        old = old_fields.get(api_field["id"], {})
        merged.update({k: old[k] for k in PORTAL_FIELD_KEYS if k in old})
        if _kind(merged["field_type"], "has_pattern") and not merged.get("pattern"):
            result.notes.append(
                f"field {merged['id']} ({_name(merged)}): a regex field without a 'pattern' in the "
                "schema file accepts any text until one is added"
            )
        new_fields.append(merged)
    document["fields"] = new_fields
    document["references"] = references
    _describe_field_changes(old_fields, new_fields, result.changes)
    _describe_reference_changes(current.get("references") or {}, references, result.changes)
    _mend_forms(document, result.changes)
    result.changed = _canonical(document) != _canonical(current)
    if result.changed and not result.changes:
        result.changes.append("details the portal does not show (extra keys, empty languages)")
    return result


def _field_list(raw: Any) -> list[dict]:
    return [item for item in as_list(raw) or [] if isinstance(item, dict)]


def _key(value: Any) -> Any:
    """An id as a number where it is one, so that 7 and "7" are the same field."""
    number = as_int(value)
    return value if number is None else number


def _name(item: dict) -> str:
    """An item's name in English (or the first language it has), for the sync's report."""
    name = item.get("name")
    if level_keyed(name):
        name = name[sorted(name, key=int)[0]]
    text = LocalText.of(name)
    return text.get("en") if text is not None else str(name)


def _describe_field_changes(old: dict, new: list[dict], changes: list[str]) -> None:
    new_by_id = {f["id"]: f for f in new}
    for field_id, item in new_by_id.items():
        before = old.get(field_id)
        label = f"field {field_id} ({_name(item)})"
        if before is None:
            changes.append(f"added {label}, {item['field_type']}")
            continue
        if before.get("field_type") != item["field_type"]:
            changes.append(f"retyped {label}: {before.get('field_type')} -> {item['field_type']}")
        if before.get("name") != item["name"]:
            changes.append(f"renamed field {field_id}: {_name(before)!r} -> {_name(item)!r}")
        if _permission_flags(before) != _permission_flags(item):
            changes.append(f"permissions changed on {label}: {_permission_text(item)}")
        _describe_option_changes(
            label, before.get("options") or [], item.get("options") or [], changes
        )
    for field_id, item in old.items():
        if field_id not in new_by_id:
            changes.append(f"removed field {field_id} ({_name(item)})")


def _permission_flags(item: dict) -> dict:
    """What the portal reads of a field's permissions (the API sends more)."""
    permissions = item.get("permissions") or {}
    return {
        (who, flag): as_flag((permissions.get(who) or {}).get(flag, default)) is True
        for who in ("user", "staff")
        for flag, default in PERMISSION_FLAGS
    }


def _permission_text(item: dict) -> str:
    flags = _permission_flags(item)
    words = {"view": "sees", "edit": "edits", "required_to_create_ticket": "must fill"}
    return "; ".join(
        f"{who} "
        + (", ".join(words[f] for f, _ in PERMISSION_FLAGS if flags[(who, f)]) or "nothing")
        for who in ("user", "staff")
    )


def _describe_option_changes(label: str, old: list, new: list, changes: list[str]) -> None:
    old_by_id = {_key(o.get("id")): o for o in old if isinstance(o, dict)}
    new_by_id = {o["id"]: o for o in new}
    for option_id, option in new_by_id.items():
        before = old_by_id.get(option_id)
        if before is None:
            changes.append(f"{label}: added option {option_id} ({_name(option)})")
        elif before.get("name") != option["name"]:
            changes.append(
                f"{label}: renamed option {option_id}: {_name(before)!r} -> {_name(option)!r}"
            )
        elif _key(before.get("pid") or 0) != option["pid"]:
            changes.append(f"{label}: moved option {option_id} under {option['pid']}")
    for option_id, option in old_by_id.items():
        if option_id not in new_by_id:
            changes.append(f"{label}: removed option {option_id} ({_name(option)})")


def _describe_reference_changes(old: dict, new: dict, changes: list[str]) -> None:
    for kind, items in new.items():
        before = {str(r.get("id")): r for r in _field_list(old.get(kind))}
        after = {str(r["id"]): r for r in items}
        for ref_id in after.keys() - before.keys():
            changes.append(f"{kind}: added {ref_id} ({_name(after[ref_id])})")
        for ref_id in before.keys() - after.keys():
            changes.append(f"{kind}: removed {ref_id} ({_name(before[ref_id])})")
        for ref_id in before.keys() & after.keys():
            if before[ref_id].get("name") != after[ref_id].get("name"):
                changes.append(f"{kind}: renamed {ref_id} -> {_name(after[ref_id])!r}")


def _mend_forms(document: dict, changes: list[str]) -> None:
    """Forms keep working: what names a field, option or reference that is gone is dropped."""
    fields = {f["id"]: f for f in document["fields"]}
    for form in document.get("forms") or []:
        if not isinstance(form, dict):
            continue
        slug = form.get("slug")
        kept = []
        for item in form.get("fields") or []:
            field_id = _key(item.get("id") if isinstance(item, dict) else item)
            if field_id not in fields:
                changes.append(f"form {slug!r} no longer shows field {field_id}: it is gone")
                continue
            if isinstance(item, dict) and isinstance(item.get("show_if"), dict):
                item = _mend_condition(slug, field_id, item, fields, kept, changes)
                if item is None:
                    continue
            kept.append(item)
        if "fields" in form:
            form["fields"] = kept
        _mend_defaults(form, document["references"], changes)
        _mend_consent(form, fields, changes)


def _mend_condition(slug, field_id, item, fields, kept, changes) -> dict | None:
    rule = item["show_if"]
    controller_id = _key(rule.get("field"))
    earlier = {_key(k.get("id") if isinstance(k, dict) else k) for k in kept}
    if controller_id not in fields or controller_id not in earlier:
        why = f"the field its condition named ({controller_id}) is gone"
    elif not _kind(fields[controller_id]["field_type"], "drives_conditions"):
        why = f"field {controller_id} is now a {fields[controller_id]['field_type']} field"
    elif _kind(fields[controller_id]["field_type"], "is_flag") and not all(
        isinstance(v, bool) for v in rule.get("in") or []
    ):
        why = f"field {controller_id} is now a {fields[controller_id]['field_type']}"
    else:
        why = ""
    if why:
        changes.append(f"form {slug!r}: field {field_id} is now always shown: {why}")
        return {k: v for k, v in item.items() if k != "show_if"} or field_id
    options = {o["id"] for o in fields[controller_id].get("options") or []}
    if options:
        values = [v for v in rule.get("in") or [] if _key(v) in options]
        if not values:
            changes.append(
                f"form {slug!r} no longer shows field {field_id}: every option of its "
                f"condition on field {controller_id} is gone"
            )
            return None
        if len(values) != len(rule.get("in") or []):
            changes.append(f"form {slug!r}: the condition of field {field_id} lost options gone")
            item = {**item, "show_if": {**rule, "in": values}}
    return item


def _mend_defaults(form: dict, references: dict, changes: list[str]) -> None:
    ticket = form.get("ticket")
    if not isinstance(ticket, dict):
        return
    for key, kind in TICKET_DEFAULT_KEYS.items():
        known = {str(r["id"]) for r in references.get(kind) or []}
        if key in ticket and known and str(ticket[key]) not in known:
            changes.append(
                f"form {form.get('slug')!r}: default {key} {ticket[key]!r} is gone; dropped"
            )
            del ticket[key]


def _mend_consent(form: dict, fields: dict, changes: list[str]) -> None:
    """A consent box whose checkbox field is gone (or no longer one) stays, without ticking it."""
    consent = form.get("consent")
    if not isinstance(consent, dict) or "custom_field" not in consent:
        return
    field_id = _key(consent["custom_field"])
    field = fields.get(field_id)
    if field is None:
        why = "it is gone"
    elif not _kind(field["field_type"], "is_flag"):
        why = f"it is now a {field['field_type']} field"
    else:
        return
    changes.append(f"form {form.get('slug')!r}: consent no longer ticks field {field_id}: {why}")
    del consent["custom_field"]


def _canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


# --- The file -----------------------------------------------------------------------------------
def read_document(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"format": 1, "fields": [], "references": {}}
    except (OSError, ValueError) as error:
        raise SyncError(f"{path} cannot be read: {error}") from None
    if not isinstance(document, dict):
        raise SyncError(f"{path} does not hold a JSON object")
    return document


def write_atomically(path: Path, document: dict) -> None:
    """Write beside the file and rename over it: readers see the old file or the new, never half."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        # Keep the file's mode; a new file gets the usual 0644 less the umask, not mkstemp's 0600.
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sync(path: Path, client: TicketsClient, write: bool = True, force: bool = False) -> SyncResult:
    """Fetch, rebuild, check and (when `write` and anything changed) replace the schema file."""
    before = path.read_bytes() if path.exists() else None
    current = read_document(path)
    api_fields, references = fetch(client)
    result = build(current, api_fields, references)
    _refuse_mass_removal(current, result.document, force)
    try:
        parse_schema(result.document, path)
    except SchemaError as error:
        problems = "\n  ".join(error.problems)
        raise SyncError(f"the synced schema would not pass its checks:\n  {problems}") from None
    if write and result.changed:
        # A hand edit made while the sync was reading the API is not overwritten.
        if (path.read_bytes() if path.exists() else None) != before:
            raise SyncError(f"{path} was edited while the sync ran; run it again")
        write_atomically(path, result.document)
    return result


def _refuse_mass_removal(current: dict, document: dict, force: bool) -> None:
    """Most fields gone at once is likelier an API account that lost its rights than a helpdesk
    that dropped them: the sync stops unless told (--force)."""
    before = {_key(f.get("id")) for f in _field_list(current.get("fields"))}
    after = {f["id"] for f in document["fields"]}
    removed = before - after
    if not force and before and len(removed) * 2 > len(before):
        raise SyncError(
            f"the helpdesk lists {len(after)} of the file's {len(before)} fields; if removing "
            f"{len(removed)} is right, run again with --force"
        )
