"""Widgets the stock ones do not cover: the hierarchy's chained selects, several files in one
input, labelled date and time pickers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..lib.text import lazy_text
from ..schema.types import Option


def fixed(choices: list) -> Callable[[], list]:
    """Choices as a callable, which Django reads only when they are iterated and which each form's
    copy shares (a callable is copied as itself): a schema's options, which every form would
    otherwise copy again. Never changed in place: a form that needs others assigns new ones."""
    return lambda: choices


def say_as_server(widget: forms.Widget, **messages: str) -> forms.Widget:
    """Have the browser's own check of a rule the server also checks speak the server's message.

    Each keyword names a ValidityState flag (`pattern_mismatch` for patternMismatch) and becomes
    a data-msg-* attribute that static/js/ticket-form.js sets as the input's message while that
    flag is up. Lazy messages stay lazy: the attribute reads in the language of the page.
    """
    for state, message in messages.items():
        widget.attrs[f"data-msg-{state.replace('_', '-')}"] = message
    return widget


def required_as_server(field: forms.Field) -> None:
    """A required field left empty: the browser's own check says what the server says of it (its
    "required" message, in the page's language) instead of the browser's "Please fill out this
    field.", as say_as_server has it say the other rules. Messages a field already carries stay
    (the consent box's; a hierarchy's, level by level); files are attachments.js's to judge."""
    widgets = [field.widget, *getattr(field.widget, "widgets", ())]
    if not field.required or isinstance(field, forms.FileField):
        return
    if any("data-msg-value-missing" in widget.attrs for widget in widgets):
        return
    say_as_server(field.widget, value_missing=field.error_messages["required"])


class OptionSelect(forms.Select):
    """One hierarchy level: its own label, options grouped by parent, each marked with its parent.

    Without JavaScript the groups let a person find the children of what they chose above; with
    it, static/js/ticket-form.js keeps only the options whose data-parent is the choice above.
    """

    def __init__(self, label: str, options: Sequence[Option], level: int, parents: dict[int, Any]):
        super().__init__(attrs={"class": "form-select", "data-level": str(level)})
        self.label = label
        self.level = level
        self.parent_of = {str(o.id): str(o.pid) for o in options}
        if level == 1:
            choices = [("", _("Choose…"))] + [(str(o.id), lazy_text(o.name)) for o in options]
        else:
            groups: dict[int, list] = {}
            for option in options:
                groups.setdefault(option.pid, []).append((str(option.id), lazy_text(option.name)))
            choices = [("", _("Choose…"))] + [
                (parents[pid], items) for pid, items in groups.items()
            ]
        self.choices = fixed(choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.parent_of:
            option["attrs"]["data-parent"] = self.parent_of[str(value)]
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["label"] = self.label
        context["widget"]["level"] = self.level
        return context


class HierarchyWidget(forms.MultiWidget):
    template_name = "tickets/widgets/hierarchy.html"

    def __init__(self, widgets: Sequence[OptionSelect]):
        super().__init__(widgets)
        # The level a refused choice is about (HierarchyField sets it): only that one is marked,
        # and the error summary's link leads to it.
        self.invalid_level: int | None = None

    def id_for_label(self, id_: str) -> str:
        if id_ and self.invalid_level is not None:
            return f"{id_}_{self.invalid_level}"
        return super().id_for_label(id_)

    def decompress(self, value: Sequence[int] | None) -> list[str]:
        value = list(value or [])
        return [str(v) for v in value] + [""] * (len(self.widgets) - len(value))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Django marks no level of a field whose levels are optional one by one. A required
        # hierarchy's first level is required as it stands (a deeper one once it shows, which
        # static/js/ticket-form.js knows), so the browser and screen readers are told.
        levels = context["widget"]["subwidgets"]
        if self.is_required and self.use_required_attribute(value):
            levels[0]["attrs"]["required"] = True
        if self.invalid_level is not None:
            for index, level in enumerate(levels):
                attrs = level["attrs"]
                classes = [c for c in attrs.get("class", "").split() if c != "is-invalid"]
                attrs.pop("aria-invalid", None)
                if index == self.invalid_level:
                    classes.append("is-invalid")
                    attrs["aria-invalid"] = "true"
                attrs["class"] = " ".join(classes)
        return context


class HiddenHierarchyWidget(forms.MultiWidget):
    """A hierarchy kept out of sight: one hidden input per level, as the visible one posts."""

    def __init__(self, levels: int):
        super().__init__([forms.HiddenInput() for _level in range(levels)])

    decompress = HierarchyWidget.decompress


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _parsed(value: str, input_formats: Iterable[str]) -> datetime | None:
    for input_format in input_formats:
        try:
            return datetime.strptime(value.strip(), input_format)
        except ValueError:
            continue
    return None


class DateInput(forms.DateInput):
    """`<input type="date">` whose value is always one the input allows: YYYY-MM-DD or empty.

    A posted value comes back as the form received it. One the field reads (`input_formats`,
    such as a prefilled 31.12.2026) comes back as YYYY-MM-DD; anything else (a crafted
    "garbage", 2027-02-30) as empty: a browser's date picker could never have sent it.
    """

    input_type = "date"

    def __init__(self, attrs=None, input_formats: Iterable[str] = ("%Y-%m-%d",)):
        super().__init__(attrs, format="%Y-%m-%d")
        self.input_formats = tuple(input_formats)

    def format_value(self, value):
        if isinstance(value, str):
            parsed = _parsed(value, self.input_formats)
            value = parsed.date() if parsed else None
        if isinstance(value, datetime):
            value = value.date()
        # isoformat, not strftime: the year has its four digits below 1000 too.
        return value.isoformat() if isinstance(value, date) else None


class TimeInput(forms.TimeInput):
    """`<input type="time">` whose value is always one the input allows: HH:MM or empty."""

    input_type = "time"

    def __init__(self, attrs=None, input_formats: Iterable[str] = ("%H:%M", "%H:%M:%S")):
        super().__init__(attrs, format="%H:%M")
        self.input_formats = tuple(input_formats)

    def format_value(self, value):
        if isinstance(value, str):
            parsed = _parsed(value, self.input_formats)
            value = parsed.time() if parsed else None
        return value.strftime("%H:%M") if isinstance(value, time) else None


class LabelledDateTimeWidget(forms.SplitDateTimeWidget):
    """The browser's own date and time pickers, each with its label."""

    template_name = "tickets/widgets/datetime.html"

    def __init__(self, attrs=None):
        # Not super().__init__: it would make Django's inputs, which echo any posted text.
        forms.MultiWidget.__init__(self, [DateInput(attrs), TimeInput(attrs)])
