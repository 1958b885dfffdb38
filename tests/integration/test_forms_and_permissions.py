"""Several forms with their own fields and defaults; permissions per audience; conditions on the
server, whatever the browser sent."""

import re

import pytest
import requests
from django.conf import settings as django_settings

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    confirmation_key,
    hidden_value,
)

pytestmark = pytest.mark.django_db(transaction=True)

CORE = {
    "user_email": "ann@example.com",
    "title": "A title",
    "description": "A description",
    "homepage": "",
}


def token_for(client, slug: str) -> str:
    return hidden_value(client.get(f"/forms/{slug}/"), "form_token")


def read_back(sandbox_api: str, ticket: Ticket) -> dict:
    auth = (django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY)
    return requests.get(f"{sandbox_api}/tickets/{ticket.pk}/", auth=auth, timeout=10).json()["data"]


def test_front_page_lists_each_customer_form_in_the_visitors_language(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    for slug, title in [
        ("support", "Связаться с поддержкой"),
        ("technical", "Техническая проблема"),
        ("billing", "Вопрос по оплате"),
    ]:
        assert f'href="/forms/{slug}/"' in html
        assert title in html
    assert "Счета, платежи и возвраты." in html  # the billing form's intro


def test_two_forms_file_with_their_own_fields_and_defaults(client, sandbox_api):
    billing = {
        **CORE,
        "form_token": token_for(client, "billing"),
        "cf_109": "INV-7",
        "cf_96": "A-1",
    }
    confirmation_key(client.post("/forms/billing/", billing))
    technical = {
        **CORE,
        "form_token": token_for(client, "technical"),
        "cf_99": "193",
        "cf_100_0": "200",
        "cf_100_1": "209",
    }
    confirmation_key(client.post("/forms/technical/", technical))

    first, second = (read_back(sandbox_api, t) for t in Ticket.objects.order_by("pk"))
    assert (first["department_id"], first["type_id"], first["priority_id"]) == (2, 1, 2)
    assert first["tags"] == ["billing"]
    assert [f["id"] for f in first["custom_fields"]] == [96, 106, 109, 110]
    assert (second["department_id"], second["type_id"], second["priority_id"]) == (1, 2, 2)
    assert second["tags"] == ["technical"]
    assert [f["id"] for f in second["custom_fields"]] == [97, 99, 100, 101, 102, 105]


def test_each_form_shows_its_own_fields_in_its_own_order(client):
    html = client.get("/forms/billing/").content.decode()
    names = dict.fromkeys(re.findall(r'name="(cf_\d+)"', html))
    assert list(names) == ["cf_109", "cf_96", "cf_110", "cf_111", "cf_106"]


def test_a_form_not_for_customers_is_not_offered_to_them(client, use_schema):
    use_schema(
        {
            "fields": [{"id": 1, "field_type": "text", "name": "Internal"}],
            "forms": [
                {"slug": "public", "title": "Public", "fields": []},
                {"slug": "desk", "title": "Desk", "audience": ["staff"], "fields": [1]},
            ],
        }
    )
    assert 'href="/forms/desk/"' not in client.get("/").content.decode()
    assert client.get("/forms/desk/").status_code == 404


PERMISSIONS_SCHEMA = {
    "fields": [
        {
            "id": 1,
            "field_type": "text",
            "name": "Account number",
            "permissions": {
                "user": {"view": True, "edit": False},
                "staff": {"view": True, "edit": True},
            },
        },
        {
            "id": 2,
            "field_type": "text",
            "name": "Staff note",
            "permissions": {"user": {"view": False}, "staff": {"view": True}},
        },
        {
            "id": 3,
            "field_type": "text",
            "name": "Serial",
            "permissions": {
                "user": {"required_to_create_ticket": True},
                "staff": {"required_to_create_ticket": False},
            },
        },
    ],
    "forms": [{"slug": "support", "title": "Support", "fields": [1, 2, 3]}],
}


def test_customer_permissions_shape_the_form(client, use_schema):
    use_schema(PERMISSIONS_SCHEMA)
    html = client.get("/forms/support/").content.decode()
    assert "Account number" in html and "Serial" in html
    assert "Staff note" not in html
    assert 'name="cf_1"' in html and "disabled" in html.split('name="cf_1"')[1].split(">")[0]
    assert "required" in html.split('name="cf_3"')[1].split(">")[0]


def test_read_only_and_hidden_fields_are_never_read_from_the_request(
    client, use_schema, sandbox_api
):
    use_schema(PERMISSIONS_SCHEMA)
    post = {**CORE, "form_token": token_for(client, "support")}
    refused = client.post("/forms/support/", post)
    assert "cf_3" in refused.context["form"].errors  # required for customers
    post.update(cf_1="set by hand", cf_2="also by hand", cf_3="SN-1")
    confirmation_key(client.post("/forms/support/", post))
    assert Ticket.objects.get().custom_fields == {"3": "SN-1"}


CONDITION_SCHEMA = {
    "fields": [
        {
            "id": 10,
            "field_type": "select",
            "name": "Device",
            "options": [{"id": 1, "name": "Phone"}, {"id": 2, "name": "Laptop"}],
        },
        {
            "id": 11,
            "field_type": "text",
            "name": "Phone model",
            "permissions": {"user": {"required_to_create_ticket": True}},
        },
        {"id": 12, "field_type": "checkbox", "name": "Under warranty"},
        {"id": 13, "field_type": "text", "name": "Warranty number"},
    ],
    "forms": [
        {
            "slug": "support",
            "title": "Support",
            "fields": [
                10,
                {"id": 11, "show_if": {"field": 10, "in": [1]}},
                12,
                {"id": 13, "show_if": {"field": 12, "in": [True]}},
            ],
        }
    ],
}


def test_a_condition_that_holds_requires_and_sends_its_field(client, use_schema, sandbox_api):
    use_schema(CONDITION_SCHEMA)
    post = {**CORE, "form_token": token_for(client, "support"), "cf_10": "1", "cf_12": "on"}
    refused = client.post("/forms/support/", post)
    assert list(refused.context["form"].errors) == ["cf_11"]
    post.update(cf_11="Pixel 9", cf_13="W-42")
    confirmation_key(client.post("/forms/support/", post))
    assert Ticket.objects.get().custom_fields == {
        "10": "1",
        "11": "Pixel 9",
        "12": "1",
        "13": "W-42",
    }


def test_a_condition_that_does_not_hold_ignores_whatever_was_sent(client, use_schema, sandbox_api):
    use_schema(CONDITION_SCHEMA)
    post = {
        **CORE,
        "form_token": token_for(client, "support"),
        "cf_10": "2",
        "cf_11": "sent anyway",
        "cf_13": "sent anyway",
    }
    confirmation_key(client.post("/forms/support/", post))
    assert Ticket.objects.get().custom_fields == {"10": "2", "12": ""}


def test_the_browser_gets_each_rule_and_a_hint_for_when_scripts_are_off(client, use_schema):
    use_schema(CONDITION_SCHEMA)
    html = client.get("/forms/support/").content.decode()
    assert (
        'data-show-if="{&quot;names&quot;: [&quot;cf_10&quot;], &quot;in&quot;: [&quot;1&quot;]}"'
        in html
    )
    assert (
        'data-show-if="{&quot;names&quot;: [&quot;cf_12&quot;], &quot;in&quot;: [&quot;1&quot;]}"'
        in html
    )
    assert "Only needed when “Device” is “Phone”." in html
    assert "Only needed when “Under warranty” is ticked." in html
    # Without scripts the browser must not demand a field whose condition may not hold.
    # (It carries a mark for the script, which requires it while it shows.)
    tag = html.split('name="cf_11"')[1].split(">")[0]
    assert not re.search(r"\srequired(?=[\s=>]|$)", tag), tag
    assert "data-required-when-shown" in tag


HIERARCHY_CONDITION = {
    "fields": [
        {
            "id": 20,
            "field_type": "hierarchy",
            "name": {"1": "Area", "2": "Part"},
            "permissions": {"user": {"required_to_create_ticket": True}},
            "options": [{"id": 1, "name": "Shop"}, {"id": 2, "pid": 1, "name": "Cart"}],
        },
        {
            "id": 21,
            "field_type": "text",
            "name": "Shop detail",
            "permissions": {"user": {"required_to_create_ticket": True}},
        },
    ],
    "forms": [
        {
            "slug": "support",
            "title": "S",
            "fields": [20, {"id": 21, "show_if": {"field": 20, "in": [1]}}],
        }
    ],
}


def test_a_half_chosen_hierarchy_already_shows_its_conditional_field(client, use_schema):
    use_schema(HIERARCHY_CONDITION)
    post = {**CORE, "form_token": token_for(client, "support"), "cf_20_0": "1"}
    errors = client.post("/forms/support/", post).context["form"].errors
    # Both at once, as the browser shows both: the level still to choose and the shown field.
    assert set(errors) == {"cf_20", "cf_21"}
