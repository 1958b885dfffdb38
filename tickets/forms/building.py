"""Form classes made from the schema: one per (form, audience), built once and reused."""

from __future__ import annotations

import threading
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field as LayoutField
from django.conf import settings

from ..schema.service import get_schema
from ..schema.types import FormSpec, Schema
from . import challenge, conditions, consent
from .kinds import form_name, kind_for
from .layout import custom_items
from .ticket import TicketForm
from .widgets import required_as_server


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
            # When it matters, said in its own help (for people without JavaScript).
            formfield.help_text = conditions.HelpWithNote(
                formfield.help_text, item.show_if, controller
            )
            condition = (form_name(controller), item.show_if, controller)
            attrs.setdefault("conditions", {})[form_name(field)] = condition
    attrs["custom_fields"] = tuple(custom)
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = base.layout(custom_items(attrs["custom_fields"], attrs.get("conditions", {})))
    if challenge.offered(audience):
        # Shown on every form with TICKETS_CHALLENGE, else only on one that comes back asking.
        attrs[challenge.NAME] = challenge.ChallengeField()
        attrs[challenge.NAME].widget.asked = challenge.is_on(audience)
        helper.layout.append(LayoutField(challenge.NAME, template="tickets/fields/challenge.html"))
    if consent.asked(spec, audience):
        # Last, right above the Send button: what the person agrees to by sending.
        attrs[consent.NAME] = consent.ConsentField(spec.consent)
        helper.layout.append(consent.layout_item())
    attrs["helper"] = helper
    built = type(f"{base.__name__}_{spec.slug}_{audience}", (base,), attrs)
    for formfield in built.base_fields.values():
        required_as_server(formfield)  # the browser's "fill out this field" in the server's words
    return built


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
