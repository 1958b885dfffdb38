"""The consent box a form may ask for (the schema's `consent`): a customer ticks it to send.

The box is a required checkbox just above the Send button, refused by the server when it is not
ticked (the browser's `required` is a convenience), labelled by the schema's text, with the link
to the policy right after the label. Staff filing for a client cannot consent on the client's
behalf: a staff form has no box, and its submission keeps no consent.
"""

from __future__ import annotations

from crispy_forms.layout import Field as LayoutField
from django import forms
from django.utils.translation import gettext_lazy as _

from ..lib.text import LocalText, lazy_text
from ..schema.types import Consent, FormSpec
from .widgets import say_as_server

NAME = "consent"
TEMPLATE = "tickets/fields/consent.html"
NOT_TICKED = _("To send the form, tick this box.")


class ConsentField(forms.BooleanField):
    """The box: required, with the server's message in the browser too."""

    def __init__(self, consent: Consent):
        super().__init__(
            label=lazy_text(consent.text),
            required=True,
            error_messages={"required": NOT_TICKED},
            widget=say_as_server(forms.CheckboxInput(), value_missing=NOT_TICKED),
        )
        # The policy's address in each language, for the field's template.
        self.link: LocalText = consent.link


def asked(spec: FormSpec, audience: str) -> bool:
    """Whether this form asks for consent of this audience: a customer's, when the schema says."""
    return spec.consent is not None and audience == "customer"


def layout_item() -> LayoutField:
    return LayoutField(NAME, template=TEMPLATE)
