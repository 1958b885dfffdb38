"""The server's side of the form polish (issue 13): a number's least value and whole numbers, read
from the schema and refused with the message the browser shows; the confirmation's rows in the
reader's language, empty fields left out; placeholders that say they are examples."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.utils import translation

from tickets.forms.building import build_form_class
from tickets.forms.summary import summarize
from tickets.schema import SchemaError, get_schema, parse_schema

pytestmark = pytest.mark.django_db


def number_schema(**keys):
    return parse_schema(
        {
            "fields": [{"id": 1, "field_type": "number", "name": "Count", **keys}],
            "forms": [{"slug": "support", "title": "Support", "fields": [1]}],
        },
        Path("test.json"),
    )


def errors_for(schema, value: str) -> list[str]:
    cls = build_form_class(schema, schema.form("support"), "customer")
    form = cls(data={"cf_1": value})
    form.is_valid()
    return form.errors.get("cf_1", [])


def browser_message(schema, state: str) -> str:
    cls = build_form_class(schema, schema.form("support"), "customer")
    return str(cls.base_fields["cf_1"].widget.attrs[f"data-msg-{state}"])


def test_a_number_is_at_least_0_unless_the_schema_says_otherwise():
    plain = number_schema()
    assert errors_for(plain, "-5.5") == ["Ensure this value is greater than or equal to 0."]
    assert errors_for(plain, "-5.5") == [browser_message(plain, "range-underflow")]
    assert errors_for(plain, "2.5") == []
    assert errors_for(number_schema(min=-10), "-5.5") == []
    assert errors_for(number_schema(min=-10), "-11") == [
        "Ensure this value is greater than or equal to -10."
    ]
    assert errors_for(number_schema(min=None), "-1000") == []


def test_an_integer_number_takes_whole_numbers_alone_in_the_browsers_words():
    count = number_schema(integer=True)
    assert errors_for(count, "2.5") == ["Enter a whole number."]
    assert errors_for(count, "2.5") == [browser_message(count, "step-mismatch")]
    assert errors_for(count, "-1") == [browser_message(count, "range-underflow")]
    assert errors_for(count, "12") == []


def test_the_shipped_count_of_users_is_whole_and_the_refund_any_amount():
    schema = get_schema()
    assert schema.fields[98].integer and schema.fields[98].minimum == 0
    assert not schema.fields[111].integer


def test_the_browsers_messages_follow_the_page_language():
    schema = number_schema()
    with translation.override("ru"):
        (server,) = errors_for(schema, "-1")
        assert browser_message(schema, "range-underflow") == server
        assert "0" in server and server != "Ensure this value is greater than or equal to 0."


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ({"min": "0"}, "min must be a number or null"),
        ({"min": float("inf")}, "min must be a number or null"),  # JSON's Infinity
        ({"min": float("nan")}, "min must be a number or null"),  # and NaN
        ({"integer": "yes"}, "integer must be true or false"),
        ({"integer": True, "min": 0.5}, "min of an integer field must be a whole number"),
    ],
)
def test_the_schema_refuses_a_bad_min_or_integer(keys, problem):
    with pytest.raises(SchemaError) as caught:
        number_schema(**keys)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_the_schema_refuses_min_on_a_field_that_is_not_a_number():
    with pytest.raises(SchemaError) as caught:
        parse_schema(
            {"fields": [{"id": 1, "field_type": "text", "name": "T", "min": 1}]}, Path("t")
        )
    assert any("takes no 'min' or 'integer'" in p for p in caught.value.problems)


# --- The confirmation's rows -------------------------------------------------------------------
PAYLOAD = {
    "user_email": "ada@example.com",
    "title": "Checkout fails",
    "description": "It spins.",
    "custom_fields": {"96": "A-1", "97": "", "98": "", "101": "30.11.2026", "102": ""},
}


def test_rows_leave_out_what_was_left_empty():
    labels = [label for label, _value in summarize(get_schema(), PAYLOAD, "customer")]
    assert "Order number" in labels
    assert "Date the problem started" in labels
    for empty in ("Steps to reproduce", "Number of affected users", "Time the problem started"):
        assert empty not in labels


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "November 30, 2026"), ("ru", "30 ноября 2026 г."), ("uk", "30 листопада 2026 р.")],
)
def test_a_date_reads_as_the_readers_language_writes_it(language, shown):
    with translation.override(language):
        rows = dict(summarize(get_schema(), PAYLOAD, "customer"))
    assert shown in rows.values()


# --- Placeholders and hints in the form's HTML --------------------------------------------------
def test_a_placeholder_is_an_example_and_a_time_says_its_zone(client):
    page = html.unescape(client.get("/forms/support/").content.decode())
    assert 'placeholder="e.g. A-12345"' in page
    assert ">Your local time<" in page
    assert 'autocomplete="email"' in page
