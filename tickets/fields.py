"""One builder per field_type: a schema Field -> a Django form field, and a cleaned value -> the
API value of create-ticket.txt (empty values included), and an API value -> text for people.

Builders are chosen from BUILDERS by field_type; the schema refuses unknown types when it loads, so
every type it lets through has a builder here (checked at import).
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .schema import FIELD_TYPES, Field, LocalText
from .widgets import HiddenHierarchyWidget, HierarchyWidget, OptionSelect


def local(text: LocalText) -> str:
    """A lazy string: the text in the language of whichever request renders it."""
    return lazy(text.get, str)()


def local_html(text: LocalText) -> str:
    """Lazy and escaped, for places crispy renders as safe HTML (help texts): labels are text."""
    return lazy(lambda: escape(text.get()), str)()


def form_name(field: Field) -> str:
    return f"cf_{field.id}"


class FieldBuilder:
    """The behaviour shared by every type; subclasses set what differs."""

    empty: Any = ""
    template: str | None = None  # a crispy field template, where the default one will not do

    def formfield(self, field: Field, required: bool) -> forms.Field:
        formfield = self.make(field, required)
        formfield.label = local(field.name)
        if field.help:
            formfield.help_text = local_html(field.help)
        if field.placeholder:
            formfield.widget.attrs["placeholder"] = local(field.placeholder)
        return formfield

    def make(self, field: Field, required: bool) -> forms.Field:
        raise NotImplementedError

    def to_api(self, value: Any) -> Any:
        return self.empty if value in (None, "") else str(value)

    def display(self, field: Field, value: Any) -> str:
        """The API value as a person reads it on the confirmation page."""
        return "" if value in (None, "") else str(value)


class TextBuilder(FieldBuilder):
    max_length = 1000

    def make(self, field, required):
        return forms.CharField(required=required, max_length=self.max_length)


class TextareaBuilder(TextBuilder):
    max_length = 50_000

    def make(self, field, required):
        return forms.CharField(
            required=required, max_length=self.max_length, widget=forms.Textarea(attrs={"rows": 4})
        )


class NumberBuilder(FieldBuilder):
    def make(self, field, required):
        return forms.DecimalField(
            required=required, max_digits=30, widget=forms.NumberInput(attrs={"step": "any"})
        )

    def to_api(self, value: Decimal | None) -> str:
        # "2.50" -> "2.5", "1E+2" -> "100": the number as written, once normalised.
        if value is None:
            return ""
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text


def _option_choices(field: Field, pid: int = 0) -> list[tuple[Any, str]]:
    return [(o.id, local(o.name)) for o in field.children(pid)]


class SelectBuilder(FieldBuilder):
    def make(self, field, required):
        return forms.TypedChoiceField(
            required=required,
            coerce=int,
            empty_value=None,
            choices=[("", _("Choose…")), *_option_choices(field)],
        )

    def display(self, field, value):
        option = field.option(int(value)) if str(value).isdigit() else None
        return option.name.get() if option else super().display(field, value)


class MultiButtonBuilder(SelectBuilder):
    template = "tickets/fields/multi_button.html"

    def make(self, field, required):
        return forms.TypedChoiceField(
            required=required,
            coerce=int,
            empty_value=None,
            # An optional group needs a way back to no choice: radios cannot be unticked.
            choices=([] if required else [("", _("Not specified"))]) + _option_choices(field),
            widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
        )


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
        subfields = [forms.ChoiceField(required=False, choices=self._choices(n)) for n in levels]
        parents = {o.id: local(o.name) for o in field.options}
        widget = HierarchyWidget(
            [
                OptionSelect(local(field.level_name(n)), self._level_options(n), n, parents)
                for n in levels
            ]
        )
        super().__init__(subfields, required=required, require_all_fields=False, widget=widget)
        self.hidden_widget = partial(HiddenHierarchyWidget, len(subfields))

    def _level_options(self, level: int):
        ids = [o.id for o in self.schema_field.children(0)]
        for _level in range(level - 1):
            ids = [c.id for pid in ids for c in self.schema_field.children(pid)]
        return [self.schema_field.option(i) for i in ids]

    def _choices(self, level: int) -> list[tuple[Any, str]]:
        return [("", "")] + [(str(o.id), o.id) for o in self._level_options(level)]

    def compress(self, data_list: list[str]) -> tuple[int, ...]:
        field = self.schema_field
        chosen: list[int] = []
        for level, raw in enumerate(data_list or [], start=1):
            if raw in (None, ""):
                if any(v not in (None, "") for v in data_list[level:]):
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
            raise forms.ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"level": field.level_name(len(chosen) + 1).get()},
            )
        return tuple(chosen)


class HierarchyBuilder(FieldBuilder):
    empty = {"1": 0}
    template = "tickets/fields/hierarchy.html"

    def make(self, field, required):
        return HierarchyField(field, required)

    def to_api(self, value: tuple[int, ...] | None) -> dict[str, int]:
        if not value:
            return dict(self.empty)
        return {str(level): option_id for level, option_id in enumerate(value, start=1)}

    def display(self, field, value):
        if not isinstance(value, dict):
            return ""
        names = []
        for level in sorted(value, key=int):
            option = field.option(int(value[level] or 0))
            if option:
                names.append(option.name.get())
        return " › ".join(names)


class DateBuilder(FieldBuilder):
    def make(self, field, required):
        return forms.DateField(
            required=required,
            input_formats=["%Y-%m-%d", "%d.%m.%Y"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def to_api(self, value: date | None) -> str:
        return "" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


class TimeBuilder(FieldBuilder):
    def make(self, field, required):
        return forms.TimeField(
            required=required,
            input_formats=["%H:%M", "%H:%M:%S"],
            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        )

    def to_api(self, value: time | None) -> str:
        return "" if value is None else f"{value.hour:02d}:{value.minute:02d}"


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


class RegexBuilder(FieldBuilder):
    def make(self, field, required):
        message = (
            local(field.pattern_message) if field.pattern_message else _("Enter a valid value.")
        )
        validators = [RegexValidator(field.pattern, message)] if field.pattern else []
        formfield = forms.CharField(required=required, max_length=1000, validators=validators)
        if pattern := browser_pattern(field.pattern):
            formfield.widget.attrs["pattern"] = pattern
        return formfield


class CheckboxBuilder(FieldBuilder):
    def make(self, field, required):
        return forms.BooleanField(required=required)

    def to_api(self, value: bool | None) -> str:
        return "1" if value else ""

    def display(self, field, value):
        return str(_("Yes")) if str(value) == "1" else str(_("No"))


class ButtonBuilder(CheckboxBuilder):
    template = "tickets/fields/button.html"


BUILDERS: dict[str, FieldBuilder] = {
    "text": TextBuilder(),
    "textarea": TextareaBuilder(),
    "number": NumberBuilder(),
    "select": SelectBuilder(),
    "hierarchy": HierarchyBuilder(),
    "date": DateBuilder(),
    "time": TimeBuilder(),
    "regex": RegexBuilder(),
    "checkbox": CheckboxBuilder(),
    "button": ButtonBuilder(),
    "multi_button": MultiButtonBuilder(),
}
assert set(BUILDERS) == FIELD_TYPES, "every field_type the schema accepts needs a builder"


def builder_for(field: Field) -> FieldBuilder:
    return BUILDERS[field.field_type]
