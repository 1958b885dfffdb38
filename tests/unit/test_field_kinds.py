"""Field builders: form input -> cleaned value -> API value, per field_type of the shipped schema."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import translation

from tickets.forms.kinds import kind_for
from tickets.forms.patterns import browser_pattern
from tickets.schema import load_schema

SCHEMA = load_schema(Path(django_settings.BASE_DIR) / "portal" / "ticket_schema.json")
EMAIL_PATTERN = SCHEMA.fields[103].pattern


def api_value(field_id: int, raw, required: bool = False):
    field = SCHEMA.fields[field_id]
    builder = kind_for(field)
    return builder.to_api(builder.formfield(field, required).clean(raw))


def refusal(field_id: int, raw, required: bool = False) -> ValidationError:
    field = SCHEMA.fields[field_id]
    with pytest.raises(ValidationError) as caught:
        kind_for(field).formfield(field, required).clean(raw)
    return caught.value


def codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


# --- text, textarea, regex ---------------------------------------------------------------------
def test_text_is_sent_as_typed():
    assert api_value(96, "A-12345") == "A-12345"


def test_textarea_keeps_its_lines():
    assert api_value(97, "Open cart\nPress pay") == "Open cart\nPress pay"


def test_regex_value_matching_the_pattern_is_sent():
    assert api_value(103, "ann@example.com") == "ann@example.com"


def test_empty_optional_text_is_an_empty_string():
    assert api_value(96, "") == ""


def test_regex_value_not_matching_is_refused_with_the_fields_message():
    assert refusal(103, "not an address").messages == [
        "Enter an email address, such as name@example.com"
    ]


def test_regex_message_follows_the_request_language():
    with translation.override("ru"):
        assert refusal(103, "nope").messages == ["Введите адрес почты, например name@example.com"]


# --- number --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "sent"),
    [
        ("1", "1"),
        ("2.50", "2.50"),
        (" 12.50 ", "12.50"),
        ("0.10", "0.10"),
        ("1e2", "100"),
        ("1.50e1", "15.0"),
        (".5", "0.5"),
        ("-0.0", "0.0"),
        ("", ""),
    ],
)
def test_number_is_sent_as_typed_in_plain_notation(raw, sent):
    assert api_value(111, raw) == sent  # the refund amount: any number, not only whole ones


@pytest.mark.parametrize(("raw", "sent"), [("12", "12"), ("12.0", "12"), ("-0", "0")])
def test_a_whole_number_is_sent_whole(raw, sent):
    assert api_value(98, raw) == sent  # the number of affected users: whole numbers alone


def test_number_refuses_letters():
    assert codes(refusal(98, "abc")) == ["invalid"]
    assert codes(refusal(111, "abc")) == ["invalid"]


# --- select, multi_button ------------------------------------------------------------------------
def test_select_sends_the_option_id_as_a_string():
    assert api_value(99, "192") == "192"


def test_select_refuses_an_unknown_option():
    assert codes(refusal(99, "999")) == ["invalid_choice"]


def test_empty_select_is_an_empty_string():
    assert api_value(99, "") == ""


def test_multi_button_sends_the_option_id_as_a_string():
    assert api_value(106, "45928") == "45928"


def test_multi_button_refuses_an_option_of_another_field():
    assert codes(refusal(106, "192")) == ["invalid_choice"]


# --- hierarchy -------------------------------------------------------------------------------------
def test_hierarchy_sends_level_to_option_id():
    assert api_value(100, ["198", "204", "210"]) == {"1": 198, "2": 204, "3": 210}


@pytest.mark.parametrize("raw", [[], ["", "", ""]])
def test_empty_hierarchy_is_level_one_zero(raw):
    assert api_value(100, raw) == {"1": 0}


def test_hierarchy_refuses_a_child_of_another_parent():
    error = refusal(100, ["198", "206", ""])
    assert codes(error) == ["chain"]
    assert error.messages == ["iOS app does not belong to Online store."]


def test_hierarchy_refuses_a_gap():
    error = refusal(100, ["198", "", "210"])
    assert codes(error) == ["gap"]
    assert error.messages == ["Choose Component before the levels below it."]


def test_required_hierarchy_refuses_stopping_above_a_leaf():
    error = refusal(100, ["198"], required=True)
    assert codes(error) == ["incomplete"]
    assert error.messages == ["Choose Component."]


def test_required_hierarchy_accepts_a_leaf_above_the_last_level():
    assert api_value(100, ["200", "209", ""], required=True) == {"1": 200, "2": 209}


def test_optional_hierarchy_may_stop_above_a_leaf():
    assert api_value(100, ["198", "", ""]) == {"1": 198}


def test_hierarchy_refuses_an_option_of_the_wrong_level():
    assert codes(refusal(100, ["198", "210", ""])) == ["invalid_choice"]


# --- date, time --------------------------------------------------------------------------------------
def test_date_is_sent_day_first():
    assert api_value(101, "2027-01-01") == "01.01.2027"


def test_date_refuses_a_day_that_does_not_exist():
    assert codes(refusal(101, "2027-02-30")) == ["invalid"]


def test_time_is_sent_as_hours_and_minutes():
    assert api_value(102, "09:00") == "09:00"


def test_empty_date_and_time_are_empty_strings():
    assert (api_value(101, ""), api_value(102, "")) == ("", "")


# --- checkbox, button ----------------------------------------------------------------------------------
@pytest.mark.parametrize("field_id", [104, 105])
@pytest.mark.parametrize(("raw", "sent"), [(True, "1"), ("on", "1"), (False, ""), ("", "")])
def test_checkbox_and_button_send_one_or_empty(field_id, raw, sent):
    assert api_value(field_id, raw) == sent


# --- required ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field_id", "empty"),
    [
        (96, ""),
        (97, ""),
        (98, ""),
        (99, ""),
        (100, ["", "", ""]),
        (101, ""),
        (102, ""),
        (103, ""),
        (104, False),
        (105, False),
        (106, ""),
    ],
)
def test_a_required_field_refuses_empty_input(field_id, empty):
    assert codes(refusal(field_id, empty, required=True)) == ["required"]


# --- the browser's pattern attribute -------------------------------------------------------------------
def test_browser_pattern_of_an_anchored_js_pattern_is_its_inner_part():
    assert browser_pattern(EMAIL_PATTERN) == "[^@\\s]+@[^@\\s]+\\.[^@\\s]+"


@pytest.mark.parametrize("pattern", ["[a-z]+", "^[a-z]+", "[a-z]+$", "^[a-z]+\\$"])
def test_browser_pattern_of_an_unanchored_pattern_is_none(pattern):
    assert browser_pattern(pattern) is None


@pytest.mark.parametrize("pattern", ["^(?P<code>[A-Z]{2})-\\d+$", "^(?i)abc$", "^abc\\Z$"])
def test_browser_pattern_of_python_only_syntax_is_none(pattern):
    assert browser_pattern(pattern) is None


def test_regex_input_carries_the_browser_pattern():
    field = SCHEMA.fields[103]
    widget = kind_for(field).formfield(field, False).widget
    assert widget.attrs["pattern"] == "[^@\\s]+@[^@\\s]+\\.[^@\\s]+"


def test_browser_pattern_of_a_top_level_alternation_is_none():
    assert re.search("^a|b$", "abc")
    assert browser_pattern("^a|b$") is None


def test_browser_pattern_of_unicode_classes_is_none():
    assert re.search(r"^\w+$", "Привет")
    assert browser_pattern(r"^\w+$") is None


# --- rendered widgets ----------------------------------------------------------------------------------------
class Element(NamedTuple):
    tag: str
    attrs: dict
    select: str | None  # the name of the <select> an <option> sits in
    optgroup: str | None  # the label of the <optgroup> an <option> sits in


class Elements(HTMLParser):
    """Start tags in order, each option with its select and optgroup; label texts by `for`."""

    def __init__(self, html: str):
        super().__init__()
        self.items: list[Element] = []
        self.labels: dict[str, str] = {}
        self._select = self._optgroup = self._label = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name")
        elif tag == "optgroup":
            self._optgroup = attrs.get("label")
        elif tag == "label":
            self._label = attrs.get("for")
            self.labels[self._label] = ""
        self.items.append(Element(tag, attrs, self._select, self._optgroup))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "optgroup":
            self._optgroup = None
        elif tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._label is not None:
            self.labels[self._label] += data.strip()

    def tags(self, tag: str) -> list[Element]:
        return [e for e in self.items if e.tag == tag]


def rendered(field_id: int, required: bool = False) -> Elements:
    field = SCHEMA.fields[field_id]
    formfield = kind_for(field).formfield(field, required)
    return Elements(formfield.widget.render(f"cf_{field_id}", None, {"id": f"id_cf_{field_id}"}))


def test_each_hierarchy_level_is_a_select_with_its_own_label():
    html = rendered(100)
    ids = [e.attrs["id"] for e in html.tags("select")]
    assert ids == ["id_cf_100_0", "id_cf_100_1", "id_cf_100_2"]
    assert html.labels == {
        "id_cf_100_0": "Product",
        "id_cf_100_1": "Component",
        "id_cf_100_2": "Area",
    }


def test_level_two_options_name_their_parent_and_are_grouped_by_it():
    level2 = {
        e.attrs["value"]: (e.attrs.get("data-parent"), e.optgroup)
        for e in rendered(100).tags("option")
        if e.select == "cf_100_1" and e.attrs["value"]
    }
    assert level2 == {
        "204": ("198", "Online store"),
        "205": ("198", "Online store"),
        "206": ("199", "Mobile app"),
        "207": ("199", "Mobile app"),
        "208": ("200", "Payments"),
        "209": ("200", "Payments"),
    }


def test_level_one_options_are_not_grouped():
    level1 = [e for e in rendered(100).tags("option") if e.select == "cf_100_0"]
    assert [e.attrs["value"] for e in level1] == ["", "198", "199", "200"]
    assert {e.optgroup for e in level1} == {None}


def test_multi_button_renders_radio_inputs_styled_as_buttons():
    inputs = rendered(106).tags("input")
    assert [(e.attrs["type"], e.attrs["value"]) for e in inputs] == [
        ("radio", ""),  # optional: a way back to no choice, chosen at first
        ("radio", "45928"),
        ("radio", "45929"),
        ("radio", "45930"),
    ]
    assert all("btn-check" in e.attrs["class"].split() for e in inputs)
    assert "checked" in inputs[0].attrs


# --- help --------------------------------------------------------------------------------------
@pytest.mark.parametrize("field_id", [96, 100, 102])
def test_help_is_escaped_once_whatever_template_shows_it(field_id):
    """The schema's help is text: shown by crispy's template (|safe) and by the portal's own
    (buttons, hierarchies: plain {{ }}) alike, "Don't <b>" reads as typed, never "Don&#x27;t",
    also beside a kind's own hint (a time's "Your local time", on a line of its own)."""
    from dataclasses import replace

    from django.template import Context, Template

    from tickets.lib.text import LocalText

    field = replace(SCHEMA.fields[field_id], help=LocalText.of("Don't <b>"))
    formfield = kind_for(field).formfield(field, False)
    for template in ("{{ help }}", "{{ help|safe }}"):
        shown = Template(template).render(Context({"help": formfield.help_text}))
        assert shown.startswith(
            ("Don&#x27;t &lt;b&gt;", '<span class="d-block">Don&#x27;t &lt;b&gt;')
        )
