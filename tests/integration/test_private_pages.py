"""Pages that hold a person's data stay private (never cached, never indexed): a customer form's
answer to a POST or to a prefilling query, and every staff page; /robots.txt keeps crawlers off
the keyed and staff paths."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    get_token,
    valid_post_data,
)
from tests.integration.test_staff import FORM as STAFF_FORM

pytestmark = pytest.mark.django_db(transaction=True)


def is_private(response) -> bool:
    cache = response.get("Cache-Control", "")
    return (
        "private" in cache
        and "no-store" in cache
        and response.get("X-Robots-Tag") == "noindex, nofollow"
    )


def test_a_customer_forms_answer_to_a_post_is_private_the_empty_form_is_not(client, sandbox_api):
    empty = client.get(FORM_URL)
    assert empty.status_code == 200 and not is_private(empty)
    assert not is_private(client.get(FORM_URL, {"lang": "uk"}))
    post = valid_post_data(get_token(client), title="")
    again = client.post(FORM_URL, post)
    assert again.status_code == 200 and post["description"] in again.content.decode()
    assert is_private(again)
    assert is_private(client.get(FORM_URL, {"email": "ada@example.com"}))  # prefilled
    assert is_private(client.post("/embed/support/", {"title": "x"}))


def test_every_staff_page_is_private(sandbox_api):
    visitor = Client()
    for url in ("/staff/login/", "/staff/", STAFF_FORM, "/staff/api/clients/?q=ada"):
        response = visitor.get(url)
        assert is_private(response), url
    assert is_private(visitor.post("/staff/login/", {"username": "x", "password": "y"}))
    agent = get_user_model().objects.create_user("olena", "o@sandbox.invalid", "pw", is_staff=True)
    visitor.force_login(agent)
    for url in (
        "/staff/",
        STAFF_FORM,
        "/staff/api/clients/?q=grace",
        "/staff/api/staff/?q=a",
        "/staff/api/tickets/?q=SBX-9999",
    ):
        response = visitor.get(url)
        assert is_private(response), (url, response.status_code)
    assert is_private(visitor.post(STAFF_FORM, {"title": ""}))  # the form again, with errors
    assert is_private(visitor.post("/staff/logout/"))


def test_robots_txt_keeps_crawlers_off_keyed_and_staff_paths(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = [line.strip() for line in response.content.decode().splitlines()]
    assert "User-agent: *" in lines and "Allow: /" in lines
    disallowed = {line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")}
    assert disallowed == {"/tickets/", "/embed/tickets/", "/staff/", "/admin/", "/sandbox/"}
