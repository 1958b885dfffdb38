"""Adding a field type is one new kind: registered, it renders, validates, is filed, is checked
and echoed by the sandbox, drives a condition and reads on the confirmation, with nothing else
touched."""

from __future__ import annotations

import re

import pytest
import requests
from django import forms
from django.conf import settings as django_settings
from django.core.validators import RegexValidator

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    confirmation_key,
    hidden_value,
    page_text,
)
from tickets.checks import check_field_kinds, check_schema_file
from tickets.forms.kinds import FieldKind
from tickets.helpdesk.errors import field_named_in
from tickets.schema import kinds

pytestmark = pytest.mark.django_db(transaction=True)

COLOUR = re.compile(r"^#[0-9a-f]{6}$")


class ColourKind(FieldKind):
    """A colour picker: `#rrggbb`, shown to people by its hex code and a name when it has one."""

    name = "colour"
    drives_conditions = True
    NAMES = {"#ff0000": "red", "#0000ff": "blue"}

    def make(self, field, required):
        return forms.CharField(
            required=required,
            widget=forms.TextInput(attrs={"type": "color"}),
            validators=[RegexValidator(COLOUR, "Pick a colour.")],
        )

    def display(self, field, value):
        return f"{value} ({self.NAMES[value]})" if value in self.NAMES else str(value)

    def check_value(self, field, value):
        if value == "" or (isinstance(value, str) and COLOUR.match(value)):
            return None
        return f"{value!r} is not a colour"

    def echo(self, field, value):
        return {"hex": value}


SCHEMA = {
    "fields": [
        {"id": 500, "field_type": "colour", "name": {"en": "Paint colour"}},
        {"id": 501, "field_type": "text", "name": {"en": "Shade of red"}},
    ],
    "forms": [
        {
            "slug": "paint",
            "title": "Order paint",
            "fields": [500, {"id": 501, "show_if": {"field": 500, "in": ["#ff0000"]}}],
        }
    ],
}
CORE = {
    "user_email": "ann@example.com",
    "title": "Paint",
    "description": "Two litres",
    "homepage": "",
}


@pytest.fixture
def colour_kind():
    kinds.register(ColourKind())
    yield
    kinds.unregister("colour")


def token(client) -> str:
    return hidden_value(client.get("/forms/paint/"), "form_token")


def test_without_its_kind_the_type_is_refused_when_the_schema_loads(use_schema):
    use_schema(SCHEMA)
    errors = check_schema_file()
    assert any("unknown field_type 'colour'" in e.msg for e in errors), errors


def test_a_registered_kind_renders_validates_and_is_filed(
    client, use_schema, sandbox_api, colour_kind
):
    use_schema(SCHEMA)
    assert check_schema_file() == []
    html = client.get("/forms/paint/").content.decode()
    assert re.search(r'<input type="color" name="cf_500"[^>]*id="id_cf_500"', html)
    assert "Paint colour" in html
    # Its condition data for the browser: the colour's own input and value.
    assert (
        'data-show-if="{&quot;names&quot;: [&quot;cf_500&quot;], &quot;in&quot;: [&quot;#ff0000&quot;]}"'
        in html
    )

    refused = client.post("/forms/paint/", {**CORE, "form_token": token(client), "cf_500": "red"})
    assert refused.context["form"].errors["cf_500"] == ["Pick a colour."]
    assert Ticket.objects.count() == 0

    # Blue: the condition does not hold, so the shade is neither required nor sent.
    post = {**CORE, "form_token": token(client), "cf_500": "#0000ff", "cf_501": "crimson"}
    key = confirmation_key(client.post("/forms/paint/", post))
    ticket = Ticket.objects.get()
    assert ticket.custom_fields == {"500": "#0000ff"}
    confirmation = page_text(client.get(f"/tickets/{key}/"))
    assert "Paint colour #0000ff (blue)" in confirmation

    # Red: the shade is sent.
    post = {**CORE, "form_token": token(client), "cf_500": "#ff0000", "cf_501": "crimson"}
    confirmation_key(client.post("/forms/paint/", post))
    assert Ticket.objects.latest("pk").custom_fields == {"500": "#ff0000", "501": "crimson"}

    # The API's side: the sandbox checks and echoes the new kind's values as the kind says.
    auth = (django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY)
    read = requests.get(f"{sandbox_api}/tickets/{ticket.pk}/", auth=auth, timeout=10).json()
    assert read["data"]["custom_fields"] == [
        {"id": 500, "field_type": "colour", "field_value": {"hex": "#0000ff"}}
    ]
    body = {**CORE, "user_email": "ann@example.com", "custom_fields": {"500": "ochre"}}
    answer = requests.post(f"{sandbox_api}/tickets/", json=body, auth=auth, timeout=10)
    assert answer.status_code == 400
    assert field_named_in(answer.json()["errors"][0]["details"]) == "custom_fields[500]"
    assert "'ochre' is not a colour" in answer.json()["errors"][0]["details"]


def test_a_kind_that_cannot_build_a_form_field_stops_start_up():
    class Broken(FieldKind):
        name = "broken"

    kinds.register(Broken())
    try:
        errors = check_field_kinds()
    finally:
        kinds.unregister("broken")
    assert [e.id for e in errors] == ["tickets.E002"]
    assert "field kind 'broken' cannot build a form field" in errors[0].msg
    assert check_field_kinds() == []
