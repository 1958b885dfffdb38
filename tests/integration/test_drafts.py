"""Which forms the browser keeps a draft of (static/js/draft.js reads data-draft): a customer's
form that nothing prefilled, fresh or sent back with errors; never one a link or a signed ctx
filled in (someone else's draft must not come back into it), never a staff form."""

import pytest

pytestmark = pytest.mark.django_db

DRAFT = 'data-draft="support"'


def test_a_form_nothing_prefilled_keeps_a_draft_even_when_sent_back(client):
    assert DRAFT in client.get("/forms/support/").content.decode()
    assert DRAFT in client.get("/embed/support/").content.decode()
    sent_back = client.post(
        "/forms/support/", {"title": "Typed"}, headers={"Origin": "http://testserver"}
    )
    assert DRAFT in sent_back.content.decode()


def test_a_prefilled_form_keeps_none(client):
    for url in ("/forms/support/?title=From+a+link", "/embed/support/?cf_96=A-1&lock=cf_96"):
        html = client.get(url).content.decode()
        assert "data-draft" not in html, url


def test_a_staff_form_keeps_none(admin_client, sandbox_api):
    page = admin_client.get("/staff/forms/support/")
    assert page.status_code == 200
    assert "data-ticket-form" in page.content.decode()
    assert "data-draft" not in page.content.decode()
