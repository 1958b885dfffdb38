"""A form's consent box (the schema's `consent`): read and checked like the rest of the file, asked
of customers alone, refused when not ticked, and what the ticket and the filing get of it."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from django.utils import translation

from tickets.forms import consent, tokens
from tickets.forms.building import build_form_class
from tickets.forms.staff import StaffTicketForm
from tickets.lib.text import LocalText
from tickets.models import Submission
from tickets.schema import Consent, SchemaError, parse_schema
from tickets.schema.sync import build
from tickets.schema.types import CONSENT_VERSION_MAX

PATH = Path("schema.json")
CONSENT = {
    "text": {
        "en": "I agree that my data is used to answer this ticket.",
        "ru": "Я согласен, что мои данные используются для ответа на заявку.",
        "ua": "Я погоджуюся, що мої дані використовуються для відповіді на заявку.",
    },
    "link": {"en": "https://example.com/privacy", "ru": "https://example.com/ru/privacy"},
    "version": "2026-12",
    "tag": "consent-2026-12",
    "custom_field": 3,
}


def document(**consent_changes) -> dict:
    """A small schema whose one form asks for consent; None as a change drops that key."""
    given = {**copy.deepcopy(CONSENT), **consent_changes}
    return {
        "format": 1,
        "fields": [
            {"id": 1, "field_type": "text", "name": "Order number"},
            {
                "id": 2,
                "field_type": "select",
                "name": "Plan",
                "options": [{"id": 21, "pid": 0, "name": "Basic"}],
            },
            {"id": 3, "field_type": "checkbox", "name": "Agreed to the privacy policy"},
            {"id": 4, "field_type": "button", "name": "Consent (button)"},
        ],
        "forms": [
            {
                "slug": "support",
                "ticket": {"tags": ["web"]},
                "fields": [1, 2],
                "consent": {k: v for k, v in given.items() if v is not None},
            },
            {"slug": "plain", "fields": [1]},
        ],
    }


def problems_of(data: dict) -> list[str]:
    with pytest.raises(SchemaError) as caught:
        parse_schema(data, PATH)
    return caught.value.problems


# --- Reading it ------------------------------------------------------------------------------------
def test_every_key_is_read():
    spec = parse_schema(document(), PATH).form("support")
    assert spec.consent == Consent(
        text=LocalText(tuple(CONSENT["text"].items())),
        version="2026-12",
        link=LocalText(tuple(CONSENT["link"].items())),
        tag="consent-2026-12",
        custom_field=3,
    )
    # Each language's address, with the fallback of every text.
    assert spec.consent.link.get("ru") == "https://example.com/ru/privacy"
    assert spec.consent.link.get("uk") == "https://example.com/privacy"


def test_text_and_version_are_enough_and_a_plain_string_link_serves_every_language():
    spec = parse_schema(
        document(link="http://example.com/privacy", tag=None, custom_field=None), PATH
    ).form("support")
    assert (spec.consent.tag, spec.consent.custom_field) == ("", None)
    assert spec.consent.link.get("ru") == "http://example.com/privacy"
    spec = parse_schema(
        document(text="I agree", link=None, tag=None, custom_field=None), PATH
    ).form("support")
    assert spec.consent == Consent(LocalText((("en", "I agree"),)), "2026-12")


def test_a_form_without_consent_has_none():
    assert parse_schema(document(), PATH).form("plain").consent is None


def test_a_button_field_is_a_checkbox_too():
    assert parse_schema(document(custom_field=4), PATH).form("support").consent.custom_field == 4


def test_the_version_fits_the_submission_record():
    assert Submission._meta.get_field("consent_version").max_length == CONSENT_VERSION_MAX
    version = "v" * CONSENT_VERSION_MAX
    assert parse_schema(document(version=version), PATH).form("support").consent.version == version


# --- Every mistake, named -------------------------------------------------------------------------
WHERE = "form 'support': "


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"version": None}, "consent.version: is missing"),
        ({"version": ""}, "consent.version: is missing"),
        ({"version": 2026}, 'consent.version: must be text, such as "2026-12"'),
        ({"version": "   "}, 'consent.version: must be text, such as "2026-12"'),
        ({"version": "v" * 65}, "consent.version: is longer than 64 characters"),
        ({"text": None}, "consent.text: is missing"),
        ({"text": {"en": "", "ru": ""}}, "consent.text: has no text in any language"),
        ({"text": ["I agree"]}, "consent.text: must be a string or"),
        ({"link": "ftp://example.com/privacy"}, "consent.link: 'ftp://example.com/privacy' is not"),
        ({"link": "javascript:alert(1)"}, "consent.link: 'javascript:alert(1)' is not an http(s)"),
        ({"link": {"en": "https://example.com/p", "ua": "privacy.html"}}, "consent.link: 'privacy"),
        ({"link": 7}, "consent.link: must be a string or"),
        ({"tag": ""}, "consent.tag: must be a tag name (text)"),
        ({"tag": ["consent"]}, "consent.tag: must be a tag name (text)"),
        ({"custom_field": 99}, "consent.custom_field: names unknown field 99"),
        ({"custom_field": "three"}, "consent.custom_field: names unknown field 'three'"),
        ({"custom_field": 2}, "consent.custom_field: field 2 is a select field, not a checkbox"),
        ({"agree": True}, "consent.agree is not a consent key (allowed: text, link, version, tag"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else "",
)
def test_a_mistake_is_named(changes, expected):
    found = problems_of(document(**changes))
    assert any(p.startswith(WHERE + expected) for p in found), found


def test_consent_that_is_not_an_object_is_refused():
    data = document()
    data["forms"][0]["consent"] = "I agree"
    assert problems_of(data) == [WHERE + 'consent must be {"text": ..., "version": ..., ...}']


def test_consent_on_a_form_no_customer_sees_is_refused():
    data = document()
    data["forms"][0]["audience"] = ["staff"]
    assert problems_of(data) == [
        WHERE + "consent is asked of customers only, and this form has no customer"
    ]


def test_every_mistake_is_reported_together_with_the_others():
    data = document(version=None, link="mailto:dpo@example.com", custom_field=2)
    data["fields"][3]["field_type"] = "colour"
    found = problems_of(data)
    assert len(found) == 4, found
    assert found[0].startswith("field 4: unknown field_type 'colour'")
    assert found[1:] == [
        WHERE + "consent.version: is missing",
        WHERE + "consent.link: 'mailto:dpo@example.com' is not an http(s) address",
        WHERE + "consent.custom_field: field 2 is a select field, not a checkbox",
    ]


# --- The sync keeps the box when its checkbox field goes -----------------------------------------
@pytest.mark.parametrize(
    ("api_field", "why"),
    [
        (None, "it is gone"),
        ({"id": 3, "field_type": "text", "name": "Agreed"}, "it is now a text field"),
    ],
)
def test_the_sync_drops_a_consent_field_the_helpdesk_no_longer_has(api_field, why):
    current = document()
    api_fields = [f for f in current["fields"] if f["id"] != 3]
    if api_field:
        api_fields.append(api_field)
    result = build(current, copy.deepcopy(api_fields), {})
    assert f"form 'support': consent no longer ticks field 3: {why}" in result.changes
    kept = result.document["forms"][0]["consent"]
    assert "custom_field" not in kept and kept["version"] == "2026-12"
    parse_schema(result.document, PATH)  # a file the portal takes


def test_the_sync_keeps_a_consent_field_that_is_still_a_checkbox():
    current = document()
    result = build(current, copy.deepcopy(current["fields"]), {})
    assert result.document["forms"][0]["consent"] == current["forms"][0]["consent"]
    assert not any("consent" in change for change in result.changes)


# --- The form ------------------------------------------------------------------------------------
@pytest.fixture
def schema():
    return parse_schema(document(), PATH)


def post(**changes) -> dict:
    data = {
        "form_token": tokens.issue("support", "customer"),
        "homepage": "",
        "user_email": "ann@example.com",
        "title": "Refund",
        "description": "Twice charged.",
        "cf_1": "A-1",
        "cf_2": "21",
    }
    return {**data, **changes}


def test_the_customer_form_asks_for_it_right_above_the_send_button(schema):
    cls = build_form_class(schema, schema.form("support"), "customer")
    field = cls.base_fields[consent.NAME]
    assert field.required and str(field.label) == CONSENT["text"]["en"]
    with translation.override("uk"):
        assert str(field.label) == CONSENT["text"]["ua"]
    assert cls.helper.layout.fields[-1].fields == [consent.NAME]  # the form's last item


def test_staff_never_consent_for_a_client(schema):
    cls = build_form_class(schema, schema.form("support"), "staff", StaffTicketForm)
    assert consent.NAME not in cls.base_fields


def test_a_form_without_consent_asks_nothing(schema):
    cls = build_form_class(schema, schema.form("plain"), "customer")
    assert consent.NAME not in cls.base_fields
    form = cls(data={**post(), "form_token": tokens.issue("plain", "customer")})
    assert form.is_valid(), form.errors
    assert form.consent_given is None
    filing = form.handover().filing
    assert filing.consent_version == ""
    assert filing.payload["custom_fields"] == {"1": "A-1"} and "tags" not in filing.payload


@pytest.mark.parametrize("value", [None, "", "false"])
def test_the_server_refuses_a_form_whose_box_is_not_ticked(schema, value):
    cls = build_form_class(schema, schema.form("support"), "customer")
    data = post() if value is None else post(consent=value)
    form = cls(data=data)
    assert not form.is_valid()
    assert form.errors == {consent.NAME: ["To send the form, tick this box."]}
    assert form.handover().filing is None


def test_a_ticked_box_is_kept_and_marks_the_ticket(schema):
    cls = build_form_class(schema, schema.form("support"), "customer")
    form = cls(data=post(consent="on"))
    filing = form.handover().filing
    assert filing.consent_version == "2026-12"
    assert filing.payload["tags"] == ["web", "consent-2026-12"]
    assert filing.payload["custom_fields"] == {"1": "A-1", "2": "21", "3": "1"}
    assert form.spec.ticket["tags"] == ["web"]  # the form's own defaults stay as they were


def test_a_tag_the_form_sends_anyway_is_not_sent_twice():
    data = document(tag="web", custom_field=None)
    schema = parse_schema(data, PATH)
    form = build_form_class(schema, schema.form("support"), "customer")(data=post(consent="on"))
    payload = form.handover().filing.payload
    assert payload["tags"] == ["web"] and "3" not in payload["custom_fields"]


def test_the_browser_says_the_servers_message(schema):
    cls = build_form_class(schema, schema.form("support"), "customer")
    widget = cls.base_fields[consent.NAME].widget
    with translation.override("ru"):
        assert str(widget.attrs["data-msg-value-missing"]) == (
            "Чтобы отправить форму, отметьте этот пункт."
        )
