"""The forms' presentation, described next to them (crispy-forms layout objects)."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Div
from crispy_forms.layout import Field as LayoutField

from ..schema.types import Field, ShowIf
from . import conditions
from .kinds import form_name, kind_for


class Conditional(Div):
    """A field shown only while its show_if holds (static/js/ticket-form.js does the showing)."""

    template = "tickets/fields/conditional.html"

    def __init__(self, item: Any, rule: str):
        super().__init__(item)
        self.rule = rule


def custom_items(
    custom: tuple[Field, ...], conditional: dict[str, tuple[str, ShowIf, Field]]
) -> list:
    """The layout of a form's custom fields: each with its kind's template, conditions wrapped."""

    def item(field: Field):
        name = form_name(field)
        template = kind_for(field).template
        laid = LayoutField(name, template=template) if template else name
        if name not in conditional:
            return laid
        _controller, show_if, controller = conditional[name]
        rule = conditions.browser_rule(show_if, controller)
        return Conditional(laid, rule)

    return [item(f) for f in custom]
