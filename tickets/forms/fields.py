"""Form fields the stock ones do not cover: a hierarchy's chained levels, several files in one
input, lists of addresses and of tags."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ..lib.text import lazy_text
from ..schema.types import Field
from .widgets import (
    HiddenHierarchyWidget,
    HierarchyWidget,
    MultipleFileInput,
    OptionSelect,
    fixed,
    say_as_server,
)

SEPARATORS = re.compile(r"[\s,;]+")
# Control characters but tab and line feed; line breaks of every kind, for a one-line value.
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")


def one_line(value: str) -> str:
    """A single-line value as the API gets it: line breaks and tabs become one space (no header
    or field can be smuggled in with a CR/LF), other control characters go."""
    return CONTROLS.sub("", BREAKS.sub(" ", value))


def lines(value: str) -> str:
    """A multi-line value: its line breaks kept (as \n), control characters but tabs gone."""
    return CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class LineField(forms.CharField):
    """Text on one line (a subject, a text field)."""

    def to_python(self, value: Any) -> str:
        return super().to_python(one_line(value) if isinstance(value, str) else value)


class TextField(forms.CharField):
    """Text of several lines (a description, a textarea field)."""

    def to_python(self, value: Any) -> str:
        return super().to_python(lines(value) if isinstance(value, str) else value)


class RefusedUpload(SimpleUploadedFile):
    """A file the portal did not store (views/reading.py): its name and the size seen, for the
    form to refuse by name. Never kept, whatever its size says."""

    def __init__(self, name: str, content_type: str | None, size: int):
        super().__init__(name, b"", content_type)
        self.size = size


class HierarchyField(forms.MultiValueField):
    """One select per level; compress() checks the chain and returns the chosen ids in order."""

    default_error_messages = {
        "incomplete": _("Choose %(level)s."),
        "gap": _("Choose %(level)s before the levels below it."),
        "chain": _("%(choice)s does not belong to %(parent)s."),
    }

    def __init__(self, field: Field, required: bool):
        self.schema_field = field
        levels = range(1, field.depth + 1)
        subfields = [
            forms.ChoiceField(required=False, choices=fixed(self._choices(n))) for n in levels
        ]
        parents = {o.id: lazy_text(o.name) for o in field.options}
        widget = HierarchyWidget(
            [
                OptionSelect(lazy_text(field.level_name(n)), self._level_options(n), n, parents)
                for n in levels
            ]
        )
        super().__init__(subfields, required=required, require_all_fields=False, widget=widget)
        self.hidden_widget = partial(HiddenHierarchyWidget, len(subfields))
        if required:
            # A level left empty is told in the server's words: the first as any required
            # field, one below it (required once it shows) as compress() says it.
            levels = self.widget.widgets  # Field.__init__ copied `widget`
            say_as_server(levels[0], value_missing=self.error_messages["required"])
            for level, select in enumerate(levels[1:], start=2):
                say_as_server(select, value_missing=lazy(self._incomplete, str)(level))

    def _incomplete(self, level: int) -> str:
        return str(self.error_messages["incomplete"]) % {
            "level": self.schema_field.level_name(level).get()
        }

    def _level_options(self, level: int):
        ids = [o.id for o in self.schema_field.children(0)]
        for _level in range(level - 1):
            ids = [c.id for pid in ids for c in self.schema_field.children(pid)]
        return [self.schema_field.option(i) for i in ids]

    def _choices(self, level: int) -> list[tuple[Any, str]]:
        return [("", "")] + [(str(o.id), o.id) for o in self._level_options(level)]

    def clean(self, value: Any) -> Any:
        self.widget.invalid_level = None
        try:
            return super().clean(value)
        except forms.ValidationError:
            if self.widget.invalid_level is None:  # "required", before compress: the first level
                self.widget.invalid_level = 0
            raise

    def compress(self, data_list: list[str]) -> tuple[int, ...]:
        field = self.schema_field
        chosen: list[int] = []
        for level, raw in enumerate(data_list or [], start=1):
            if raw in (None, ""):
                if any(v not in (None, "") for v in data_list[level:]):
                    self.widget.invalid_level = level - 1
                    raise forms.ValidationError(
                        self.error_messages["gap"],
                        code="gap",
                        params={"level": field.level_name(level).get()},
                    )
                break
            option = field.option(int(raw))
            expected_parent = chosen[-1] if chosen else 0
            if option is None or option.pid != expected_parent:
                parent = field.option(expected_parent)
                self.widget.invalid_level = level - 1
                raise forms.ValidationError(
                    self.error_messages["chain"],
                    code="chain",
                    params={
                        "choice": option.name.get() if option else raw,
                        "parent": parent.name.get() if parent else field.level_name(1).get(),
                    },
                )
            chosen.append(option.id)
        if self.required and (not chosen or field.children(chosen[-1])):
            self.widget.invalid_level = len(chosen)  # the first level left empty
            raise forms.ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"level": field.level_name(len(chosen) + 1).get()},
            )
        return tuple(chosen)


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class EmailListField(forms.CharField):
    """Addresses separated by commas, semicolons or spaces; each one checked."""

    def clean(self, value: str) -> list[str]:
        value = super().clean(value)
        addresses = [a for a in SEPARATORS.split(value or "") if a]
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                bad.append(address)
        if bad:
            raise forms.ValidationError(
                _("Not an email address: %(list)s") % {"list": ", ".join(bad)}, code="invalid"
            )
        return addresses


class TagsField(LineField):
    def clean(self, value: str) -> list[str]:
        return [t.strip() for t in (super().clean(value) or "").split(",") if t.strip()]
