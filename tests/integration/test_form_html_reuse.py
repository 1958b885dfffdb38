"""A fresh customer form's fields are rendered once per (form class, language) and reused: the page is
byte for byte the page a full render makes, but for the token, for every form, both doors (the
page and the embed), every language (named by `?lang=`, by the browser, or by a `?lang=` that
names none of ours), and with the challenge on; a bound, prefilled or staff form is rendered in
full, and a host's parameters are the page's own."""

import json
import re
from pathlib import Path

import pytest

from tickets.schema.service import get_schema
from tickets.templatetags import ticket_forms
from tickets.views import customer

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="form_token" value="[^"]+"')


def page(client, url: str, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return TOKEN.sub('name="form_token" value="T"', response.content.decode())


@pytest.fixture
def full_render(monkeypatch):
    def render_fully():
        monkeypatch.setattr(ticket_forms, "reusable", lambda form: False)

    return render_fully


@pytest.mark.parametrize("challenge", [False, True], ids=["plain", "challenge"])
def test_the_reused_html_is_the_full_render_but_for_the_token(
    client, settings, full_render, challenge
):
    settings.TICKETS_CHALLENGE = challenge
    ticket_forms.clear()
    urls = [
        f"{door}/{spec.slug}/{query}"
        for spec in get_schema().forms_for("customer")
        for door in ("/forms", "/embed")
        for query in ("?lang=en", "?lang=ru", "?lang=uk", "", "?lang=xx")
    ]
    browser = {"HTTP_ACCEPT_LANGUAGE": "uk"}  # speaks for a page whose query names no language
    reused = {url: (page(client, url, **browser), page(client, url, **browser)) for url in urls}
    full_render()
    for url, (first, again) in reused.items():  # kept, then reused; then rendered in full
        assert first == again == page(client, url, **browser), url
        assert first.count('name="form_token"') == 1, url  # the page's own, beside the kept HTML
    # Each fresh page still carries a token of its own.
    tokens = {TOKEN.search(client.get(urls[0]).content.decode())[0] for _ in range(3)}
    assert len(tokens) == 3


def test_a_bound_or_prefilled_form_is_rendered_in_full(client):
    ticket_forms.clear()
    client.get("/forms/support/")
    prefilled = client.get("/forms/support/?title=From+the+link").content.decode()
    assert 'value="From the link"' in prefilled
    assert "From the link" not in client.get("/forms/support/").content.decode()
    sent_back = client.post("/forms/support/", {"title": "Typed"}).content.decode()
    assert 'value="Typed"' in sent_back


def test_the_field_templates_see_the_form_they_render(client, full_render):
    """The field templates read the form being rendered (its file limits), reused or rendered in
    full."""
    ticket_forms.clear()
    kept = page(client, "/forms/support/")
    full_render()
    for html in (kept, page(client, "/forms/support/")):
        assert 'data-file-limits data-max-files="' in html


def test_a_hosts_parameters_are_its_own_pages(client, settings):
    """A host's parameters (its colour, its background) are in its page, around the reused form,
    and in no other page."""
    settings.EMBED_ALLOWED_ORIGINS = ["https://help.example.com"]
    for query in ("?parent=https://help.example.com&color=%23aa0000", "?bg=transparent&n=1", ""):
        html = client.get(f"/embed/support/{query}").content.decode()
        assert ("#aa0000" in html) == ("color" in query)
        assert ("transparent" in html) == ("bg" in query)


def test_a_schema_changed_while_a_page_is_made_never_keeps_the_old_title(
    client, settings, tmp_path, monkeypatch
):
    """The file is edited between the view's read of the form's spec and its build of the form's
    class: the page shows the class's spec (the new schema's), never the old title beside the
    new form."""
    data = json.loads(Path(settings.TICKETS_SCHEMA_FILE).read_text(encoding="utf-8"))
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    settings.TICKETS_SCHEMA_FILE = path
    form = next(f for f in data["forms"] if f["slug"] == "support")
    read_spec, edited = customer.spec_for, []

    def spec_then_edit(slug, audience):
        spec = read_spec(slug, audience)
        if not edited:  # the file changes right after this request read its spec
            form["title"] = {"en": "New title", "ru": "Новое", "ua": "Нове"}
            path.write_text(json.dumps(data), encoding="utf-8")
            edited.append(True)
        return spec

    monkeypatch.setattr(customer, "spec_for", spec_then_edit)
    pages = [client.get("/forms/support/?lang=en").content.decode() for _ in range(3)]
    assert edited and all('<h1 class="h2">New title</h1>' in html for html in pages)
