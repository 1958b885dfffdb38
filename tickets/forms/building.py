"""Form classes made from the schema: one per (form, audience), built once and reused."""

from __future__ import annotations

import copy
import threading
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field as LayoutField
from django import forms
from django.conf import settings
from django.forms.widgets import ChoiceWidget

from ..schema.service import get_schema
from ..schema.types import FormSpec, Schema
from . import challenge
from .kinds import form_name, kind_for
from .layout import custom_items
from .ticket import TicketForm


def build_form_class(
    schema: Schema, spec: FormSpec, audience: str, base: type[TicketForm] = TicketForm
) -> type[TicketForm]:
    """A TicketForm subclass for one form and audience: visible fields, their requiredness."""
    attrs: dict[str, Any] = {"schema": schema, "spec": spec, "audience": audience}
    custom = []
    for item in spec.fields:
        field = schema.fields[item.id]
        permission = field.permission(audience)
        if not permission.view:
            continue
        formfield = kind_for(field).formfield(field, permission.required and permission.edit)
        formfield.disabled = not permission.edit
        attrs[form_name(field)] = formfield
        custom.append(field)
        if item.show_if:
            # Without JavaScript every field shows: the browser must not demand one whose
            # condition may not hold; the server decides. With it, the field is required in the
            # browser while it shows (static/js/ticket-form.js reads the mark).
            formfield.widget.use_required_attribute = lambda initial: False
            if formfield.required:
                formfield.widget.attrs["data-required-when-shown"] = ""
            controller = schema.fields[item.show_if.field]
            condition = (form_name(controller), item.show_if, controller)
            attrs.setdefault("conditions", {})[form_name(field)] = condition
    attrs["custom_fields"] = tuple(custom)
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = base.layout(custom_items(attrs["custom_fields"], attrs.get("conditions", {})))
    if challenge.is_on(audience):
        attrs[challenge.NAME] = challenge.ChallengeField()
        helper.layout.append(LayoutField(challenge.NAME, template="tickets/fields/challenge.html"))
    attrs["helper"] = helper
    cls = type(f"{base.__name__}_{spec.slug}_{audience}", (base,), attrs)
    cls.base_fields = FieldsSharingChoices(cls.base_fields)
    return cls


class FieldsSharingChoices(dict):
    """A form class's fields. Django deep-copies them for every form it makes, choices and all;
    here the copies share the lists of choices, which are made once from the schema and only
    ever replaced, never changed in place (a form that needs others assigns a new list). Copying
    a hierarchy's every option at every level was most of the cost of making a form; and
    Django's copy of a choice widget normalizes all its choices again (a fifth of making a form,
    validation included), where a copy that shares them is as good."""

    def __init__(self, fields: dict):
        super().__init__(fields)
        parts = [
            part for field in fields.values() for part in (field, *getattr(field, "fields", ()))
        ]
        self._choices = [
            part._choices for part in parts if isinstance(getattr(part, "_choices", None), list)
        ]
        self._choice_widgets = [
            widget
            for part in parts
            for widget in _widgets(part.widget)
            if isinstance(widget, ChoiceWidget)
        ]

    def __deepcopy__(self, memo: dict) -> dict:
        memo.update((id(choices), choices) for choices in self._choices)
        for widget in self._choice_widgets:
            # Widget's own copy (attributes its own, in the memo), not ChoiceWidget's, which
            # normalizes every choice again: the copy shares the choices, as its field does.
            forms.Widget.__deepcopy__(widget, memo)
        return {name: copy.deepcopy(field, memo) for name, field in self.items()}


def _widgets(widget: forms.Widget) -> list[forms.Widget]:
    """A widget and, for a MultiWidget, every widget within it."""
    return [widget, *(w for inner in getattr(widget, "widgets", ()) for w in _widgets(inner))]


_classes: dict[tuple[str, str, str, bool], type[TicketForm]] = {}
_classes_lock = threading.Lock()


def form_class(
    spec: FormSpec, audience: str, schema: Schema | None = None, base: type[TicketForm] = TicketForm
) -> type[TicketForm]:
    """The form class for (form, audience), built once per schema in service, from that
    schema's own spec of the form (`spec` may come from one read a moment before a change)."""
    schema = schema or get_schema()
    key = (spec.slug, audience, base.__name__, settings.TICKETS_CHALLENGE)
    cls = _classes.get(key)
    if cls is None or cls.schema is not schema:
        with _classes_lock:
            cls = build_form_class(schema, schema.form(spec.slug) or spec, audience, base)
            _classes[key] = cls
    return cls
