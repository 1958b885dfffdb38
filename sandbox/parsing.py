"""Request bodies: JSON, or form data whose keys are flattened in bracket style.

`custom_fields[100][1]=198`, `tags[0]=a`, `files[0]=<file>` become the same structure as the JSON
body (`{"custom_fields": {"100": {"1": "198"}}, "tags": ["a"]}`); every form value is a string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

KEY_RE = re.compile(r"^(?P<head>[^\[\]]+)(?P<rest>(?:\[[^\[\]]*\])*)$")
PART_RE = re.compile(r"\[([^\[\]]*)\]")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class BodyError(Exception):
    """The body cannot be read at all; the message says why."""


def key_path(key: str) -> list[str]:
    """`custom_fields[100][1]` -> `["custom_fields", "100", "1"]`; `[]` stays as `""`."""
    match = KEY_RE.match(key)
    if not match:
        raise BodyError(f"The form key {key!r} is not in bracket style (name[key][key]...).")
    return [match["head"], *PART_RE.findall(match["rest"])]


def _insert(tree: dict[str, Any], path: list[str], value: Any, key: str) -> None:
    node = tree
    for part in path[:-1]:
        part = part or str(len(node))
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise BodyError(f"The form key {key!r} conflicts with another key.")
        node = child
    last = path[-1] or str(len(node))
    if last in node:
        raise BodyError(f"The form key {key!r} is given twice or conflicts with another key.")
    node[last] = value


def _listify(value: Any) -> Any:
    """Objects keyed exactly "0".."n-1" become lists, as PHP's json_encode does."""
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v) for k, v in value.items()}
    if converted and set(converted) == {str(i) for i in range(len(converted))}:
        return [converted[str(i)] for i in range(len(converted))]
    return converted


def unflatten(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Bracket-style form keys and their values -> nested objects and lists."""
    tree: dict[str, Any] = {}
    for key, value in pairs:
        _insert(tree, key_path(key), value, key)
    return {k: _listify(v) for k, v in tree.items()}


def _form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    pairs = []
    for key, values in request.POST.lists():
        if len(values) == 1:
            pairs.append((key, values[0]))
        else:  # `tags=a&tags=b` is taken as `tags[]=a&tags[]=b`
            pairs.extend((f"{key}[]" if "[" not in key else key, v) for v in values)
    return pairs


def _files(request: HttpRequest) -> list[UploadedFile]:
    """Uploaded files in the order of their `files[N]` index."""
    files = []
    for key, uploads in request.FILES.lists():
        path = key_path(key)
        if path[0] != "files":
            continue
        index = int(path[1]) if len(path) > 1 and path[1].isdigit() else 10**9
        files.extend((index, n, upload) for n, upload in enumerate(uploads))
    return [upload for *_, upload in sorted(files, key=lambda item: item[:2])]


def parse_body(request: HttpRequest) -> tuple[Any, list[UploadedFile]]:
    """The decoded body and its uploaded files (none for JSON)."""
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        return unflatten(_form_pairs(request)), _files(request)
    if content_type == "application/json" or not content_type:
        try:
            return json.loads(request.body or b"null"), []
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BodyError(f"The body is not valid JSON: {exc}.") from None
    raise BodyError(f"Unsupported Content-Type {content_type!r}: send JSON or multipart/form-data.")
