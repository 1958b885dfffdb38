"""The portal's field kinds: one class per field_type, registered in tickets.schema.kinds.

A kind answers everything that depends on a field's type: the schema's questions (options,
nesting, conditions, a pattern), how its form field is built, what it posts, how a cleaned value
becomes the API value of create-ticket.txt (empty values included), how an API value reads for
people, which values can drive a condition, and how the API (the sandbox) checks and echoes it.
Adding a type is one subclass of FieldKind, registered with `register(MyKind())`.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MinValueValidator, RegexValidator
from django.utils import formats
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..lib.text import LocalText, lazy_text
from ..lib.values import api_date, as_int, is_checked
from ..schema.kinds import kind_of, register
from ..schema.types import Field
from .fields import HierarchyField, LineField, TextField
from .patterns import browser_pattern
from .widgets import DateInput, TimeInput, fixed, say_as_server

NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def form_name(field: Field) -> str:
    return f"cf_{field.id}"


def example(text: LocalText) -> str:
    """A placeholder that reads as an example, never as a value already typed ("e.g. A-12345")."""
    return lazy(lambda: gettext("e.g. %(example)s") % {"example": text.get()}, str)()


def help_text(field: Field, hint: str | None) -> str:
    """The schema's help, then what the kind says of every field of its type; escaped (crispy
    shows help as HTML), each on a line of its own."""

    def render() -> str:
        lines = [escape(text) for text in (field.help.get(), str(hint or "")) if text]
        if len(lines) == 1:
            return lines[0]
        # Safe HTML, as escape() makes one line: the portal's own field templates show it as it is.
        return mark_safe("".join(f'<span class="d-block">{line}</span>' for line in lines))

    return lazy(render, str)()


class FieldKind:
    """The behaviour shared by every type; subclasses set what differs."""

    name = ""  # the API's field_type
    has_options = False
    nests = False
    is_flag = False
    drives_conditions = False
    has_pattern = False
    has_bounds = False
    empty: Any = ""  # the API value of an empty field
    template: str | None = None  # a crispy field template, where the default one will not do
    hint: str | None = None  # what a person should know of every field of this type

    # --- The form field ---------------------------------------------------------------------------
    def formfield(self, field: Field, required: bool) -> forms.Field:
        formfield = self.make(field, required)
        formfield.label = lazy_text(field.name)
        if field.help or self.hint:
            formfield.help_text = help_text(field, self.hint)
        if field.placeholder:
            formfield.widget.attrs["placeholder"] = example(field.placeholder)
        return formfield

    def make(self, field: Field, required: bool) -> forms.Field:
        raise NotImplementedError

    def input_names(self, field: Field) -> list[str]:
        """The names the field's inputs post under."""
        return [form_name(field)]

    # --- Values -----------------------------------------------------------------------------------
    def to_api(self, value: Any) -> Any:
        return self.empty if value in (None, "") else str(value)

    def display(self, field: Field, value: Any) -> str:
        """The API value as a person reads it on the confirmation page."""
        return "" if value in (None, "") else str(value)

    # --- Conditions (show_if naming a field of this kind) --------------------------------------------
    def condition_values(self, values: tuple[Any, ...]) -> frozenset[str]:
        """A condition's values as the browser reports the field's value."""
        return frozenset(str(v) for v in values)

    def condition_holds(self, cleaned: Any, wanted: frozenset[str]) -> bool:
        return cleaned is not None and str(cleaned) in wanted

    # --- The API's side (the sandbox checks and echoes values as the API does) ----------------------
    def check_value(self, field: Field, value: Any) -> str | None:
        return None if isinstance(value, str) else "must be a string"

    def echo(self, field: Field, value: Any) -> Any:
        return "" if value is None else str(value)


def kind_for(field: Field) -> FieldKind:
    """The kind of a field the schema let through (it refuses a type with no kind)."""
    return cast(FieldKind, kind_of(field.field_type))


class TextKind(FieldKind):
    name = "text"
    max_length = 1000

    def make(self, field, required):
        return LineField(required=required, max_length=self.max_length)


class TextareaKind(TextKind):
    name = "textarea"
    max_length = 50_000

    def make(self, field, required):
        return TextField(
            required=required, max_length=self.max_length, widget=forms.Textarea(attrs={"rows": 4})
        )


class NumberKind(FieldKind):
    name = "number"
    has_bounds = True

    def make(self, field, required):
        formfield: forms.IntegerField | forms.DecimalField
        if field.integer:
            # The browser's own step is 1: a fraction is refused there as here.
            formfield = forms.IntegerField(
                required=required, min_value=field.minimum, widget=forms.NumberInput()
            )
        else:
            formfield = forms.DecimalField(
                required=required,
                max_digits=30,
                min_value=field.minimum,
                widget=forms.NumberInput(attrs={"step": "any"}),
            )
        invalid = formfield.error_messages["invalid"]
        say_as_server(formfield.widget, bad_input=invalid, step_mismatch=invalid)
        for validator in formfield.validators:
            if isinstance(validator, MinValueValidator):
                say_as_server(formfield.widget, range_underflow=_limit_message(validator))
        return formfield

    def to_api(self, value: Decimal | int | None) -> str:
        """The number as the person typed it: the API keeps a number as text and the helpdesk
        shows that text, so "12.50" (an amount) stays "12.50", never "12.5". The cleaned Decimal
        keeps every digit typed, and is written out in the plain notation the API reads ("1e2"
        -> "100", ".5" -> "0.5", "-0.0" -> "0.0"); a whole-number field's value is an int."""
        if value is None:
            return ""
        number = Decimal(value)
        return format(number.copy_abs() if number.is_zero() else number, "f")

    def check_value(self, field, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        if isinstance(value, str) and (value == "" or NUMBER_RE.match(value)):
            return None
        return f"{value!r} is not a number"


def _limit_message(validator: MinValueValidator) -> str:
    """The validator's message as the server words it, in the language of the page."""
    return lazy(lambda: validator.message % {"limit_value": validator.limit_value}, str)()


def _option_choices(field: Field, pid: int = 0) -> list[tuple[Any, str]]:
    return [(o.id, lazy_text(o.name)) for o in field.children(pid)]


def _named_option(field: Field, option_id: int | None) -> dict[str, Any] | str:
    found = field.option(option_id) if option_id else None
    return {"id": found.id, "name": found.name.as_api()} if found else ""


class SelectKind(FieldKind):
    name = "select"
    has_options = True
    drives_conditions = True

    def make(self, field, required):
        return forms.TypedChoiceField(
            required=required,
            coerce=int,
            empty_value=None,
            choices=fixed([("", _("Choose…")), *_option_choices(field)]),
        )

    def display(self, field, value):
        option = field.option(as_int(value))
        return option.name.get() if option else super().display(field, value)

    def check_value(self, field, value):
        if value == "":
            return None
        option_id = as_int(value, minimum=0)
        if option_id is None:
            return f"{value!r} is not an option id"
        if field.option(option_id) is None:
            return f"option {option_id} is not an option of field {field.id}"
        return None

    def echo(self, field, value):
        return _named_option(field, as_int(value, minimum=0))


class MultiButtonKind(SelectKind):
    name = "multi_button"
    template = "tickets/fields/multi_button.html"

    def make(self, field, required):
        return forms.TypedChoiceField(
            required=required,
            coerce=int,
            empty_value=None,
            # An optional group needs a way back to no choice: radios cannot be unticked.
            choices=fixed(
                ([] if required else [("", _("Not specified"))]) + _option_choices(field)
            ),
            # No autocomplete="off" (Bootstrap's advice for .btn-check): HTML allows it on no
            # radio or checkbox input.
            widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        )


def hierarchy_levels(value: Any) -> list[int] | None:
    """`{"1": 198, "2": 204}` -> `[198, 204]` (stopping at the first 0); None if malformed."""
    if not isinstance(value, dict) or not all(str(k).isdigit() for k in value):
        return None
    levels = sorted(int(k) for k in value)
    if levels != list(range(1, len(levels) + 1)):
        return None
    ids = [as_int(value[str(level)], minimum=0) for level in levels]
    if any(option_id is None for option_id in ids):
        return None
    chosen = ids[: ids.index(0)] if 0 in ids else ids
    if any(ids[len(chosen) :]):
        return None  # an option below an empty level
    return chosen


class HierarchyKind(FieldKind):
    name = "hierarchy"
    has_options = True
    nests = True
    drives_conditions = True
    empty = {"1": 0}
    template = "tickets/fields/hierarchy.html"

    def make(self, field, required):
        return HierarchyField(field, required)

    def input_names(self, field):
        return [f"{form_name(field)}_{level}" for level in range(field.depth)]

    def to_api(self, value: tuple[int, ...] | None) -> dict[str, int]:
        if not value:
            return dict(self.empty)
        return {str(level): option_id for level, option_id in enumerate(value, start=1)}

    def display(self, field, value):
        if not isinstance(value, dict):
            return ""
        names = []
        for level in sorted(value, key=int):
            option = field.option(as_int(value[level]) or 0)
            if option:
                names.append(option.name.get())
        return " › ".join(names)

    def condition_holds(self, cleaned, wanted):
        # Any chosen level's option shows the dependent field.
        return any(str(option_id) in wanted for option_id in cleaned or ())

    def check_value(self, field, value):
        chosen = hierarchy_levels(value)
        if chosen is None:
            return (
                'must be an object of level -> option id, e.g. {"1": 198, "2": 204}, '
                'levels numbered from 1 without gaps; {"1": 0} for empty'
            )
        parent = 0
        for level, option_id in enumerate(chosen, start=1):
            option = field.option(option_id)
            if option is None:
                return f"option {option_id} (level {level}) is not an option of field {field.id}"
            if option.pid != parent:
                above = (
                    f"option {parent} chosen at level {level - 1}" if parent else "the top level"
                )
                return f"option {option_id} (level {level}) does not belong under {above}"
            parent = option_id
        return None

    def echo(self, field, value):
        chosen = hierarchy_levels(value) or []
        levels = {str(n): _named_option(field, oid) for n, oid in enumerate(chosen, start=1)}
        return levels or ""


DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


class DateKind(FieldKind):
    name = "date"

    def make(self, field, required):
        return forms.DateField(
            required=required,
            input_formats=DATE_FORMATS,
            widget=DateInput(input_formats=DATE_FORMATS),
        )

    def to_api(self, value: date | None) -> str:
        return "" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year:04d}"

    def display(self, field, value):
        # As the reader's language writes a date ("November 30, 2026" in English: portal/formats/).
        day = api_date(value)
        return formats.date_format(day, "DATE_FORMAT") if day else super().display(field, value)

    def check_value(self, field, value):
        if value == "" or api_date(value):
            return None
        return f"{value!r} is not a date in the form DD.MM.YYYY"


class TimeKind(FieldKind):
    name = "time"
    # The time goes to the helpdesk as typed, converted to no zone: the person's own clock.
    hint = _("Your local time")

    def make(self, field, required):
        return forms.TimeField(
            required=required,
            input_formats=TIME_FORMATS,
            widget=TimeInput(input_formats=TIME_FORMATS),
        )

    def to_api(self, value: time | None) -> str:
        return "" if value is None else f"{value.hour:02d}:{value.minute:02d}"

    def check_value(self, field, value):
        if value == "" or (isinstance(value, str) and TIME_RE.match(value)):
            return None
        return f"{value!r} is not a time in the form HH:MM"


class RegexKind(FieldKind):
    name = "regex"
    has_pattern = True

    def make(self, field, required):
        message = (
            lazy_text(field.pattern_message) if field.pattern_message else _("Enter a valid value.")
        )
        validators = [RegexValidator(field.pattern, message)] if field.pattern else []
        formfield = LineField(required=required, max_length=1000, validators=validators)
        if pattern := browser_pattern(field.pattern):
            formfield.widget.attrs["pattern"] = pattern
            say_as_server(formfield.widget, pattern_mismatch=message)
        return formfield

    def check_value(self, field, value):
        if not isinstance(value, str):
            return "must be a string"
        if value and field.pattern and not re.search(field.pattern, value):
            return f"{value!r} does not match the field's pattern"
        return None


class CheckboxKind(FieldKind):
    name = "checkbox"
    is_flag = True
    drives_conditions = True

    def make(self, field, required):
        return forms.BooleanField(required=required)

    def to_api(self, value: bool | None) -> str:
        return "1" if value else ""

    def display(self, field, value):
        return str(_("Yes")) if str(value) == "1" else str(_("No"))

    def condition_values(self, values):
        # A condition says true or false; the browser reports a ticked box as "1".
        return frozenset("1" if is_checked(v) else "" for v in values)

    def condition_holds(self, cleaned, wanted):
        return ("1" if cleaned else "") in wanted

    def check_value(self, field, value):
        if value in ("1", "", 1, 0, "0") and not isinstance(value, bool):
            return None
        return f'{value!r} is not "1" or ""'

    def echo(self, field, value):
        return 1 if str(value) == "1" else 0


class ButtonKind(CheckboxKind):
    name = "button"
    template = "tickets/fields/button.html"


KINDS = (
    TextKind(),
    TextareaKind(),
    NumberKind(),
    SelectKind(),
    HierarchyKind(),
    DateKind(),
    TimeKind(),
    RegexKind(),
    CheckboxKind(),
    ButtonKind(),
    MultiButtonKind(),
)
for _kind in KINDS:
    register(_kind)
