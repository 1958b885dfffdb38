"""TicketForm: the core fields plus a FormSpec's custom fields for one audience.

A form class is built once per (form, audience) from the schema and reused. The API payload is
built only from the form's own cleaned fields and the form's configured defaults, so nothing a
request adds by hand (owner_id, status_id, a hidden custom field, ...) can reach the ticket.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from crispy_forms.layout import Field as LayoutField
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import attachments, conditions, tokens
from .client import ApiMessage
from .fields import builder_for, form_name
from .models import Attachment
from .schema import Field, FormSpec, Schema, ShowIf, get_schema

if TYPE_CHECKING:
    from .prefill import Prefill


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class TicketForm(forms.Form):
    """The fields every form has; `form_class()` adds the custom fields of a FormSpec."""

    schema: Schema
    spec: FormSpec
    audience: str
    custom_fields: tuple[Field, ...] = ()
    # Conditional fields: form name -> (the controller's form name, its show_if, the controller).
    conditions: dict[str, tuple[str, ShowIf, Field]] = {}

    form_token = forms.CharField(widget=forms.HiddenInput)
    attachments = forms.CharField(widget=forms.HiddenInput, required=False)
    user_email = forms.EmailField(label=_("Your email"), max_length=254)
    title = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000
    )
    files = MultipleFileField(label=_("Attachments"), required=False)
    remove = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    resend = forms.BooleanField(
        label=_("I have had no email about this ticket: send it again"), required=False
    )

    def __init__(self, *args: Any, kept: Sequence[Attachment] = (), **kwargs: Any):
        """`kept`: the files earlier POSTs of this form stored (see attachments.held)."""
        super().__init__(*args, **kwargs)
        self.kept: list[Attachment] = list(kept)
        self.offer_resend = False  # the last attempt's outcome is unknown: ask before sending again
        # Set by a signed prefill (tickets/prefill.py): ticket parameters and custom-field values
        # the customer cannot see or change.
        self.context_ticket: dict[str, Any] = {}
        self.context_custom: dict[str, Any] = {}
        self.acceptable_files: list = []  # this POST's uploads that may be kept (clean_files)
        self.token: tokens.FormToken | None = None
        self.inactive: set[str] = set()  # conditional fields whose condition does not hold
        if not self.is_bound:
            self.initial.setdefault("form_token", tokens.issue(self.spec.slug, self.audience))
        self.fields["remove"].choices = [(a.key, a.name) for a in self.kept]
        self.fields["files"].help_text = _("Up to %(count)d files, %(size)s each at most.") % {
            "count": settings.TICKETS_MAX_FILES,
            "size": filesizeformat(settings.TICKETS_MAX_FILE_MB * 1024 * 1024),
        }

    @classmethod
    def layout(cls, custom_items: list) -> Layout:
        """The form's presentation: core fields, the custom fields laid out, attachments."""
        return Layout(
            "form_token",
            "attachments",
            "user_email",
            "title",
            "description",
            *custom_items,
            LayoutField("files", template="tickets/fields/files.html"),
        )

    # --- Validation -----------------------------------------------------------------------------
    def full_clean(self) -> None:
        """Validate, ignoring conditional fields whose condition does not hold.

        Such a field is cleaned as optional and disabled (Django then takes its initial value,
        never the request's), then restored so that, shown again, it still holds what was typed.
        """
        self.inactive = self._inactive_fields() if self.is_bound else set()
        saved = {
            name: (self.fields[name].disabled, self.fields[name].required) for name in self.inactive
        }
        for name in self.inactive:
            self.fields[name].disabled, self.fields[name].required = True, False
        try:
            super().full_clean()
        finally:
            for name, (disabled, required) in saved.items():
                self.fields[name].disabled, self.fields[name].required = disabled, required

    def _inactive_fields(self) -> set[str]:
        inactive: set[str] = set()
        for name, (controller, show_if, field) in self.conditions.items():
            if controller not in self.fields or controller in inactive:
                inactive.add(name)
                continue
            bound = self[controller]
            # As the browser sees it: what is chosen so far counts, even if the controller itself
            # is not finished yet (a hierarchy chosen half-way, a required field left empty).
            probe = copy.copy(bound.field)
            probe.required = False
            try:
                value = probe.clean(bound.initial if bound.field.disabled else bound.data)
            except forms.ValidationError:
                value = None
            if not conditions.holds(show_if, field, value):
                inactive.add(name)
        return inactive

    def clean_form_token(self) -> str:
        value = self.cleaned_data["form_token"]
        try:
            token = tokens.read(value, self.spec.slug, self.audience)
        except tokens.TokenError as error:
            raise forms.ValidationError(
                _("This form has expired. Check your answers and send it again.")
                if error.expired
                else _("This form could not be verified. Check your answers and send it again."),
                code="token",
            ) from None
        if token.age < settings.TICKETS_MIN_FILL_SECONDS:
            # Faster than a person fills a form: most likely a bot. A person just sends again.
            raise forms.ValidationError(
                _("That was quick! Check your answers and send the form again."), code="too_fast"
            )
        self.token = token
        return value

    def clean_files(self) -> list:
        """Refuse files too big or too many; the acceptable ones are kept all the same."""
        files = self.cleaned_data["files"]
        limit = settings.TICKETS_MAX_FILE_MB * 1024 * 1024
        too_big = [f for f in files if f.size > limit]
        fitting = [f for f in files if f.size <= limit]
        room = settings.TICKETS_MAX_FILES - len([a for a in self.kept if a.key not in self.removed])
        self.acceptable_files = fitting[: max(room, 0)]
        errors = []
        if too_big:
            errors.append(
                forms.ValidationError(
                    _("%(names)s: larger than %(size)s.")
                    % {"names": ", ".join(f.name for f in too_big), "size": filesizeformat(limit)},
                    code="too_big",
                )
            )
        if len(fitting) > len(self.acceptable_files):
            errors.append(
                forms.ValidationError(
                    _("A ticket can carry at most %(count)d files.")
                    % {"count": settings.TICKETS_MAX_FILES},
                    code="too_many",
                )
            )
        if errors:
            raise forms.ValidationError(errors)
        return files

    # --- What the form holds after a POST ---------------------------------------------------------
    def prefill(self, values: Prefill) -> None:
        """Start from a URL's or a signed context's values (tickets/prefill.py).

        Locked and hidden fields are disabled: Django then takes these values and never the
        request's. A hidden one renders as hidden inputs, whatever its type.
        """
        self.initial.update(values.initial)
        for name in values.locked | values.hidden:
            self.fields[name].disabled = True
        for name in values.hidden:
            self.fields[name].widget = self.fields[name].hidden_widget()
        self.context_ticket = dict(values.ticket)
        self.context_custom = dict(values.custom)

    def hold_attachments(self, kept: list[Attachment]) -> None:
        """After a POST: the files this form now holds, listed again if it is shown again."""
        self.kept = kept
        data = self.data.copy()
        data["attachments"] = attachments.sign(kept)
        data.setlist("remove", [])
        self.data = data
        self.fields["remove"].choices = [(a.key, a.name) for a in kept]

    @property
    def removed(self) -> set[str]:
        return set(self.data.getlist("remove")) if hasattr(self.data, "getlist") else set()

    def renew_token(self) -> None:
        """A fresh token, so a person can send again a form whose token expired or failed."""
        data = self.data.copy()
        data["form_token"] = tokens.issue(self.spec.slug, self.audience)
        self.data = data

    def add_api_messages(self, messages: Sequence[ApiMessage]) -> None:
        """Show the API's messages on the fields they name, the rest at the top."""
        for message in messages:
            name = api_field_name(message.field)
            self.add_error(name if name in self.fields else None, str(message))

    # --- The ticket -----------------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {
            "title": data["title"],
            "description": data["description"],
            "user_email": data["user_email"],
        }
        payload.update(self.spec.ticket)
        payload.update(self.context_ticket)
        custom: dict[str, Any] = dict(self.context_custom)
        for field in self.custom_fields:
            name = form_name(field)
            if name in self.inactive:
                continue  # its condition does not hold: not sent
            value = builder_for(field).to_api(data.get(name))
            if self.fields[name].disabled and value == builder_for(field).empty:
                continue  # read-only and empty: nothing of the person's to send
            custom[str(field.id)] = value
        payload["custom_fields"] = custom
        return payload


def api_field_name(field: str) -> str:
    """The form field an API error names: "title", "custom_fields[99]" or "custom_fields.99"."""
    field = field.strip()
    for prefix in ("custom_fields[", "custom_fields."):
        if field.startswith(prefix):
            field_id = field[len(prefix) :].split("]")[0].split("[")[0].split(".")[0]
            return f"cf_{field_id}"
    return field


def summarize(schema: Schema, payload: dict[str, Any], audience: str) -> list[tuple[str, str]]:
    """(label, value) pairs of what a payload files, for people."""
    rows = [
        (
            str(_("Your email") if audience == "customer" else _("Client's email")),
            payload.get("user_email", ""),
        ),
        (str(_("Subject")), payload.get("title", "")),
        (str(_("Description")), payload.get("description", "")),
    ]
    for field_id, value in (payload.get("custom_fields") or {}).items():
        field = schema.fields.get(int(field_id))
        if field is not None:
            rows.append((field.name.get(), builder_for(field).display(field, value)))
    return rows


# --- Building form classes ----------------------------------------------------------------------
class Conditional(Div):
    """A field shown only while its show_if holds (static/js/ticket-form.js does the showing)."""

    template = "tickets/fields/conditional.html"

    def __init__(self, item: Any, rule: str, hint: str):
        super().__init__(item)
        self.rule = rule
        self.hint = hint


def _input_names(field: Field) -> list[str]:
    """The names a field's inputs post under (a hierarchy posts one per level)."""
    name = form_name(field)
    if field.field_type == "hierarchy":
        return [f"{name}_{level}" for level in range(field.depth)]
    return [name]


def _custom_items(custom: tuple[Field, ...], conditional: dict[str, tuple]) -> list:
    def item(field: Field):
        name = form_name(field)
        template = builder_for(field).template
        laid = LayoutField(name, template=template) if template else name
        if name not in conditional:
            return laid
        _controller, show_if, controller = conditional[name]
        rule = conditions.browser_rule(show_if, controller, _input_names(controller))
        return Conditional(laid, rule, conditions.hint(show_if, controller))

    return [item(f) for f in custom]


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
        formfield = builder_for(field).formfield(field, permission.required and permission.edit)
        formfield.disabled = not permission.edit
        attrs[form_name(field)] = formfield
        custom.append(field)
        if item.show_if:
            # Without JavaScript every field shows: the browser must not demand one whose
            # condition may not hold; the server decides.
            formfield.widget.use_required_attribute = lambda initial: False
            controller = schema.fields[item.show_if.field]
            condition = (form_name(controller), item.show_if, controller)
            attrs.setdefault("conditions", {})[form_name(field)] = condition
    attrs["custom_fields"] = tuple(custom)
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = base.layout(_custom_items(attrs["custom_fields"], attrs.get("conditions", {})))
    attrs["helper"] = helper
    return type(f"{base.__name__}_{spec.slug}_{audience}", (base,), attrs)


_classes: dict[tuple[str, str, str], type[TicketForm]] = {}
_classes_lock = threading.Lock()


def form_class(
    spec: FormSpec, audience: str, schema: Schema | None = None, base: type[TicketForm] = TicketForm
) -> type[TicketForm]:
    """The form class for (form, audience), built once per schema in service."""
    schema = schema or get_schema()
    key = (spec.slug, audience, base.__name__)
    cls = _classes.get(key)
    if cls is None or cls.schema is not schema:
        with _classes_lock:
            cls = build_form_class(schema, spec, audience, base)
            _classes[key] = cls
    return cls
