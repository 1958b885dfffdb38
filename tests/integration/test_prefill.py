"""Prefill from the URL and from a signed ctx, for every field type."""

import base64
import hashlib
import hmac
import json
import re
import time

import pytest

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    confirmation_key,
    form_state,
    hidden_value,
)

pytestmark = pytest.mark.django_db(transaction=True)

CORE = {
    "user_email": "p@example.com",
    "title": "Prefilled",
    "description": "From a link",
    "homepage": "",
}
SCHEMA = {
    "fields": [
        {
            "id": 1,
            "field_type": "select",
            "name": "Plan",
            "options": [{"id": 11, "name": "Basic"}, {"id": 12, "name": "Pro"}],
        },
        {
            "id": 2,
            "field_type": "multi_button",
            "name": "Channel",
            "options": [{"id": 21, "name": "Web"}, {"id": 22, "name": "App"}],
        },
        {"id": 3, "field_type": "checkbox", "name": "Urgent"},
        {"id": 4, "field_type": "date", "name": "Since"},
        {
            "id": 5,
            "field_type": "hierarchy",
            "name": {"1": "Area", "2": "Part"},
            "permissions": {"user": {"required_to_create_ticket": True}},
            "options": [
                {"id": 51, "name": "Shop"},
                {"id": 52, "pid": 51, "name": "Cart"},
                {"id": 53, "pid": 51, "name": "Search"},
            ],
        },
        {
            "id": 6,
            "field_type": "text",
            "name": "Account",
            "permissions": {"user": {"edit": False}},
        },
        {"id": 7, "field_type": "text", "name": "Plan detail"},
    ],
    "forms": [
        {
            "slug": "support",
            "title": "Support",
            "fields": [1, 2, 3, 4, 5, 6, {"id": 7, "show_if": {"field": 1, "in": [12]}}],
        },
        {"slug": "other", "title": "Other", "fields": [1]},
    ],
}


def sign_context(data: dict, secret: str) -> str:
    """README's recipe for a host site's server."""
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


@pytest.fixture(autouse=True)
def schema(use_schema, settings):
    use_schema(SCHEMA)
    settings.EMBED_CONTEXT_SECRETS = ["new-secret", "old-secret"]


def post_from(client, url: str, **body) -> object:
    page = client.get(url)
    assert page.status_code == 200, page.content.decode()[:500]
    data = {"form_token": hidden_value(page, "form_token"), **CORE, "cf_5_0": "51", "cf_5_1": "52"}
    data.update(body)
    return client.post(url, data)


def test_hide_works_for_every_field_type_and_files_the_values(client, sandbox_api):
    url = "/forms/support/?cf_1=12&cf_2=22&cf_3=1&cf_4=2027-03-01&cf_5=51,53&cf_7=Pro%20plus&hide=cf_1,cf_2,cf_3,cf_4,cf_5,cf_7"
    html = client.get(url).content.decode()
    for name in ("cf_1", "cf_2", "cf_3", "cf_4", "cf_7"):
        assert re.search(rf'<input type="hidden" name="{name}"', html), name
    assert "Channel" not in html and "Area" not in html  # no label of a hidden field
    response = post_from(
        client, url, cf_1="11", cf_2="21", cf_3="", cf_5_0="51", cf_5_1="52", cf_7="typed"
    )
    confirmation_key(response)
    assert Ticket.objects.get().custom_fields == {
        "1": "12", "2": "22", "3": "1", "4": "01.03.2027", "5": {"1": 51, "2": 53}, "7": "Pro plus",
    }  # fmt: skip


def test_a_field_shown_read_only_is_never_set_from_the_url(client, sandbox_api):
    html = client.get("/forms/support/?cf_6=INJECTED&lock=cf_6").content.decode()
    assert "INJECTED" not in html.split("<form", 1)[1]  # the language links repeat the URL
    confirmation_key(post_from(client, "/forms/support/?cf_6=INJECTED&lock=cf_6", cf_6="also"))
    assert "6" not in Ticket.objects.get().custom_fields


def test_a_value_the_field_would_refuse_is_dropped_and_dates_are_normalised(client):
    state = form_state(client.get("/forms/support/?cf_1=999&cf_4=31.01.2025&lock=cf_1"))
    assert state.get("cf_1") in (None, [""])
    assert state["cf_4"] == ["2025-01-31"]
    assert 'name="cf_1"' in client.get("/forms/support/?cf_1=999&lock=cf_1").content.decode()


def test_a_half_chosen_hierarchy_is_a_start_never_a_lock(client, sandbox_api):
    url = "/forms/support/?cf_5=51&lock=cf_5"
    state = form_state(client.get(url))
    assert state["cf_5_0"] == ["51"]
    confirmation_key(post_from(client, url, cf_5_0="51", cf_5_1="53"))
    assert Ticket.objects.get().custom_fields["5"] == {"1": 51, "2": 53}


def test_a_refused_hierarchy_in_a_link_leaves_the_next_form_unmarked(client, sandbox_api):
    """The link's value is cleaned on a copy: the refused level is not marked on the form class,
    which every later form and its kept HTML are made from."""
    client.get("/forms/support/?cf_5=99")
    client.get("/forms/support/?cf_5=52,53")  # a chain that breaks below its first level
    html = client.get("/forms/support/").content.decode()
    levels = re.findall(r'<select[^>]*name="cf_5_\d"[^>]*>', html)
    assert len(levels) == 2
    assert not any("is-invalid" in s or "aria-invalid" in s for s in levels), levels


def test_a_locked_controller_decides_its_condition_on_the_server(client, sandbox_api):
    url = "/forms/support/?cf_1=12&lock=cf_1"
    response = post_from(client, url, cf_1="11", cf_7="")
    assert response.status_code == 303, "cf_7 is optional; its condition holds through the lock"
    assert Ticket.objects.get().custom_fields["1"] == "12"


def test_a_ctx_for_another_form_or_too_long_a_life_is_refused(client):
    other = sign_context({"exp": time.time() + 600, "form": "other", "cf_1": "11"}, "new-secret")
    response = client.get(f"/forms/support/?ctx={other}")
    assert response.status_code == 400
    assert "made for another form" in response.content.decode()
    forever = sign_context({"exp": time.time() + 400 * 24 * 3600, "cf_1": "11"}, "new-secret")
    response = client.get(f"/forms/support/?ctx={forever}")
    assert response.status_code == 400
    assert "meant to last too long" in response.content.decode()


def test_a_ctx_signed_with_the_previous_secret_still_works_while_both_are_set(client):
    ctx = sign_context({"exp": time.time() + 600, "form": "support", "cf_1": "12"}, "old-secret")
    html = client.get(f"/forms/support/?ctx={ctx}").content.decode()
    assert re.search(r'<select name="cf_1"[^>]*disabled', html)


def test_a_ctx_value_the_form_cannot_take_is_refused(client):
    ctx = sign_context({"exp": time.time() + 600, "cf_1": "999"}, "new-secret")
    response = client.get(f"/forms/support/?ctx={ctx}")
    assert response.status_code == 400
    assert "holds a value the form cannot take" in response.content.decode()
