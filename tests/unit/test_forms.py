"""TicketForm: fields per audience, the payload a valid form files, the form token."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from crispy_forms.utils import render_crispy_form

from tickets.forms import tokens
from tickets.forms.building import build_form_class, form_class
from tickets.forms.ticket import api_field_name
from tickets.schema import get_schema, load_schema

CUSTOM_FIELDS_FILLED = {
    "96": "A-12345",
    "97": "Open the cart, press pay",
    "98": "3",
    "99": "192",
    "100": {"1": 198, "2": 204, "3": 210},
    "101": "01.01.2027",
    "102": "09:00",
    "103": "ann@example.com",
    "104": "1",
    "105": "1",
    "106": "45928",
}


@pytest.fixture
def spec():
    return get_schema().form("support")


def post(**changes) -> dict:
    """A complete customer POST of the shipped `support` form."""
    data = {
        "form_token": tokens.issue("support", "customer"),
        "homepage": "",
        "user_email": "ann@example.com",
        "title": "Payment fails",
        "description": "The pay button does nothing.",
        "cf_96": "A-12345",
        "cf_97": "Open the cart, press pay",
        "cf_98": "3",
        "cf_99": "192",
        "cf_100_0": "198",
        "cf_100_1": "204",
        "cf_100_2": "210",
        "cf_101": "2027-01-01",
        "cf_102": "09:00",
        "cf_103": "ann@example.com",
        "cf_104": "on",
        "cf_105": "on",
        "cf_106": "45928",
    }
    data.update(changes)
    return data


class Inputs(HTMLParser):
    """The attributes of each <input>."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def valid_form(spec, data):
    form = form_class(spec, "customer")(data=data)
    assert form.is_valid(), form.errors
    return form


# --- Fields per audience -------------------------------------------------------------------------------
def test_a_staff_only_field_is_absent_for_customers(spec):
    assert "cf_107" not in form_class(spec, "customer").base_fields


def test_a_staff_only_field_is_present_for_staff(spec):
    assert "cf_107" in form_class(spec, "staff").base_fields


def test_requiredness_follows_the_audiences_permission(spec):
    assert form_class(spec, "customer").base_fields["cf_96"].required is True
    assert form_class(spec, "staff").base_fields["cf_96"].required is False


def test_the_form_class_is_built_once_per_form_and_audience(spec):
    assert form_class(spec, "customer") is form_class(spec, "customer")
    assert form_class(spec, "customer") is not form_class(spec, "staff")


def test_each_form_has_fields_of_its_own(spec):
    """Choosing another list for one form's field (as the staff form does) leaves every other
    form and the class as they were."""
    cls = form_class(spec, "customer")
    first, second = cls(), cls()
    assert first.fields["cf_99"] is not second.fields["cf_99"]
    assert first.fields["cf_99"].widget is not second.fields["cf_99"].widget
    levels = first.fields["cf_100"].fields
    assert levels[0] is not second.fields["cf_100"].fields[0]
    before = list(cls.base_fields["cf_99"].choices)
    first.fields["cf_99"].choices = [("1", "only")]
    first.fields["cf_100"].widget.invalid_level = 2
    assert second.fields["cf_99"].choices == before == cls.base_fields["cf_99"].choices
    assert cls().fields["cf_99"].choices == before
    assert second.fields["cf_100"].widget.invalid_level is None
    assert valid_form(spec, post()).cleaned_data["cf_99"] == 192


def test_each_forms_widgets_are_its_own(spec):
    """The same for the widgets, a hierarchy's levels included: a form's copy has widgets of its
    own (their attributes its own), with the class's choices."""
    cls = form_class(spec, "customer")
    first, second = cls(), cls()
    pairs = [(first.fields["cf_99"].widget, cls.base_fields["cf_99"].widget)]
    levels = first.fields["cf_100"].widget.widgets, cls.base_fields["cf_100"].widget.widgets
    pairs += zip(*levels, strict=True)
    for copied, original in pairs:
        assert copied is not original and copied.attrs is not original.attrs
        assert copied.choices == original.choices
    level = first.fields["cf_100"].widget.widgets[1]
    level.attrs["data-mine"] = "1"
    first.fields["cf_99"].widget.choices = [("1", "only")]
    assert "data-mine" not in second.fields["cf_100"].widget.widgets[1].attrs
    assert "data-mine" not in cls.base_fields["cf_100"].widget.widgets[1].attrs
    assert second.fields["cf_99"].widget.choices == cls.base_fields["cf_99"].widget.choices
    assert len(list(cls().fields["cf_99"].widget.choices)) > 1


# --- The payload ---------------------------------------------------------------------------------------
def test_payload_holds_the_core_fields_defaults_and_every_custom_field(spec):
    assert valid_form(spec, post()).payload() == {
        "title": "Payment fails",
        "description": "The pay button does nothing.",
        "user_email": "ann@example.com",
        "department_id": 1,
        "type_id": 1,
        "priority_id": 1,
        "custom_fields": CUSTOM_FIELDS_FILLED,
    }


def test_payload_sends_empty_values_for_visible_fields_left_empty(spec):
    empty = {f"cf_{n}": "" for n in (97, 98, 99, 101, 102, 103, 104, 105, 106)}
    payload = valid_form(spec, post(cf_100_0="200", cf_100_1="209", cf_100_2="", **empty)).payload()
    assert payload["custom_fields"] == {
        "96": "A-12345",
        "97": "",
        "98": "",
        "99": "",
        "100": {"1": 200, "2": 209},
        "101": "",
        "102": "",
        "103": "",
        "104": "",
        "105": "",
        "106": "",
    }


def test_payload_ignores_ticket_parameters_added_to_the_post(spec):
    smuggled = post(
        owner_id="7",
        user_id="8",
        status_id="closed",
        department_id="2",
        priority_id="3",
        cf_107="Give me a refund",
        custom_fields="{}",
    )
    payload = valid_form(spec, smuggled).payload()
    assert set(payload) == {
        "title",
        "description",
        "user_email",
        "department_id",
        "type_id",
        "priority_id",
        "custom_fields",
    }
    assert (payload["department_id"], payload["priority_id"]) == (1, 1)
    assert payload["custom_fields"] == CUSTOM_FIELDS_FILLED


def test_the_payload_is_json(spec):
    payload = valid_form(spec, post()).payload()
    assert json.loads(json.dumps(payload)) == payload


# --- The form token ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "token",
    [
        tokens.issue("other-form", "customer"),
        tokens.issue("support", "staff"),
        "forged-token",
        tokens.issue("support", "customer")[:-2] + "xx",
    ],
    ids=["another-form", "another-audience", "forged", "tampered"],
)
def test_a_token_not_made_for_this_form_is_an_error_on_form_token(spec, token):
    form = form_class(spec, "customer")(data=post(form_token=token))
    assert not form.is_valid()
    assert list(form.errors) == ["form_token"]


def test_a_missing_token_is_an_error_on_form_token(spec):
    data = post()
    del data["form_token"]
    form = form_class(spec, "customer")(data=data)
    assert list(form.errors) == ["form_token"]


def test_an_unbound_form_carries_a_token_for_itself(spec):
    form = form_class(spec, "customer")()
    token = tokens.read(form.initial["form_token"], "support", "customer")
    assert (token.slug, token.audience) == ("support", "customer")


# --- API error field names -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("api_name", "form_name"),
    [
        ("custom_fields[99]", "cf_99"),
        ("custom_fields.99", "cf_99"),
        ("custom_fields[100][1]", "cf_100"),
        ("title", "title"),
    ],
)
def test_api_field_name(api_name, form_name):
    assert api_field_name(api_name) == form_name


# --- show_if --------------------------------------------------------------------------------------------
@pytest.fixture
def show_if_schema(tmp_path):
    """Field 103 (required for customers) is shown only when field 99 is 192."""
    data = {
        "format": 1,
        "fields": [
            {
                "id": 99,
                "field_type": "select",
                "name": "Operating system",
                "options": [
                    {"id": 192, "pid": 0, "name": "Windows"},
                    {"id": 193, "pid": 0, "name": "macOS"},
                ],
            },
            {
                "id": 103,
                "field_type": "regex",
                "name": "Windows licence key",
                "pattern": "^[A-Z0-9-]+$",
                "permissions": {"user": {"required_to_create_ticket": True}},
            },
        ],
        "forms": [
            {
                "slug": "support",
                "fields": [99, {"id": 103, "show_if": {"field": 99, "in": [192]}}],
            }
        ],
    }
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    schema = load_schema(path)
    return build_form_class(schema, schema.form("support"), "customer")


def _show_if_post(**changes):
    data = {
        "form_token": tokens.issue("support", "customer"),
        "homepage": "",
        "user_email": "ann@example.com",
        "title": "Printing",
        "description": "It does not print.",
    }
    return {**data, **changes}


def test_a_field_whose_condition_holds_is_required(show_if_schema):
    form = show_if_schema(data=_show_if_post(cf_99="192", cf_103=""))
    assert list(form.errors) == ["cf_103"]


def test_a_required_field_hidden_by_its_condition_is_not_required(show_if_schema):
    form = show_if_schema(data=_show_if_post(cf_99="193", cf_103=""))
    assert form.is_valid(), form.errors


def test_a_field_hidden_by_its_condition_files_no_value(show_if_schema):
    form = show_if_schema(data=_show_if_post(cf_99="193", cf_103="ABC-1"))
    assert form.is_valid(), form.errors
    assert form.payload()["custom_fields"].get("103", "") == ""


# --- Rendered HTML -------------------------------------------------------------------------------------
@pytest.mark.parametrize("bound", [False, True], ids=["new", "refused"])
def test_no_checkbox_or_radio_carries_autocomplete(spec, bound):
    # HTML allows autocomplete on text-like inputs, select, textarea and form only.
    form = form_class(spec, "customer")(data=post(cf_96="", cf_104="") if bound else None)
    assert not bound or form.errors
    inputs = Inputs(render_crispy_form(form)).inputs
    toggles = [i for i in inputs if i.get("type") in ("checkbox", "radio")]
    assert {i["name"] for i in toggles} >= {"cf_104", "cf_105", "cf_106"}
    assert [i for i in toggles if "autocomplete" in i] == []


@pytest.mark.parametrize(
    ("posted", "shown"),
    [
        ({"cf_101": "garbage", "cf_102": "<b>9</b>"}, {"cf_101": None, "cf_102": None}),
        ({"cf_101": "2027-02-30", "cf_102": "25:00"}, {"cf_101": None, "cf_102": None}),
        ({"cf_101": "2027-01-01", "cf_102": "09:00"}, {"cf_101": "2027-01-01", "cf_102": "09:00"}),
        (
            {"cf_101": "31.12.2026", "cf_102": "09:00:30"},
            {"cf_101": "2026-12-31", "cf_102": "09:00"},
        ),
    ],
)
def test_date_and_time_inputs_show_only_values_their_type_allows(spec, posted, shown):
    form = form_class(spec, "customer")(data=post(**posted))
    inputs = {i.get("name"): i for i in Inputs(render_crispy_form(form)).inputs}
    assert (inputs["cf_101"]["type"], inputs["cf_102"]["type"]) == ("date", "time")
    assert {name: inputs[name].get("value") or None for name in shown} == shown
