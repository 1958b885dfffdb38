"""Issue 25, 4: the privacy page says what the portal keeps, for how long and where it goes, its
figures read from the settings, its text a template a deployment can replace; every customer
page links to it, the embedded ones in a new tab."""

from html import unescape

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

pytestmark = pytest.mark.django_db


def page(client, path: str = "/privacy/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


def test_the_page_says_what_is_kept_for_how_long_with_the_settings_figures(client, settings):
    settings.TICKETS_KEEP_CONTENT_DAYS = 30
    settings.TICKETS_UPLOADS_KEEP_SECONDS = 2 * 86400
    settings.TICKETS_PAGE_CLOSED_DAYS = 90
    text = page(client)
    assert "erased from the portal 30 days after your ticket is filed or cancelled" in text
    assert "the files of a form that was never sent are deleted after 2 days" in text
    assert "90 days after your ticket is closed, its page shows only its number and state" in text
    assert "A reference such as TP-" in text
    assert "which version of its text you agreed to" in text  # consent, if a form asks
    assert "No cookies" in text and "after 7 days" in text  # the draft, in the browser

    settings.TICKETS_KEEP_CONTENT_DAYS = 7
    settings.TICKETS_UPLOADS_KEEP_SECONDS = 36 * 3600
    settings.TICKETS_PAGE_CLOSED_DAYS = 1
    text = page(client)
    assert "erased from the portal 7 days after your ticket is filed" in text
    assert "30 days" not in text
    assert "never sent are deleted after 36 hours" in text
    assert "1 day after your ticket is closed" in text

    settings.TICKETS_KEEP_CONTENT_DAYS = 0
    settings.TICKETS_PAGE_CLOSED_DAYS = 0
    text = page(client)
    assert "erased from the portal shortly after your ticket is filed" in text
    assert "Once your ticket is closed, its page shows only its number and state" in text


def test_the_address_is_counted_as_long_as_the_longest_throttle(client, settings):
    from tickets.abuse.throttles import THROTTLES

    for name in THROTTLES:
        setattr(settings, name, [])
    settings.TICKETS_THROTTLE_ADDRESS = ["20/h", "240/d"]
    assert "the limits count it for 1 day" in page(client)
    settings.TICKETS_THROTTLE_ADDRESS = ["5/10m"]
    assert "the limits count it for 1 hour" in page(client)  # a returning sender's mark
    settings.TICKETS_THROTTLE_REPLIES = ["40/2d"]
    assert "the limits count it for 2 days" in page(client)


def test_the_mail_and_the_contact_follow_the_settings(client, settings):
    settings.EMAIL_HOST = ""
    settings.TICKETS_PRIVACY_CONTACT = ""
    text = page(client)
    assert "The portal sends no email" in text
    assert "ask the support team and name the email address you used" in text

    settings.EMAIL_HOST = "smtp.example.com"
    settings.TICKETS_PRIVACY_CONTACT = "privacy@example.com"
    html = client.get("/privacy/").content.decode()
    text = page(client)
    assert "the portal emails the link to its page, once, to the address you gave" in text
    assert '<a href="mailto:privacy@example.com">privacy@example.com</a>' in html

    settings.TICKETS_PRIVACY_CONTACT = "https://example.com/privacy?ask=1&lang=en"
    html = client.get("/privacy/").content.decode()
    assert 'href="https://example.com/privacy?ask=1&amp;lang=en"' in html


def test_the_page_is_public_and_sets_no_cookie(client):
    response = client.get("/privacy/")
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert not response.cookies
    assert response["X-Frame-Options"] == "DENY"  # a page of its own: the embed opens a tab
    assert client.post("/privacy/").status_code == 405
    for path in ("/", "/forms/support/", "/embed/support/"):
        assert not client.get(path).cookies, path


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", ["Конфиденциальность", "через 30 дней"]),
        ("uk", ["Конфіденційність", "через 30 днів"]),
    ],
)
def test_the_page_speaks_russian_and_ukrainian(client, settings, lang, words):
    settings.TICKETS_KEEP_CONTENT_DAYS = 30
    response = client.get(f"/privacy/?lang={lang}")
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html
    assert "What the portal keeps" not in html
    by_browser = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert all(word in by_browser for word in words)


def test_a_deployment_replaces_the_text_with_its_own_template(client, settings, tmp_path):
    own = tmp_path / "templates" / "tickets"
    own.mkdir(parents=True)
    (own / "privacy_text.html").write_text(
        "<h1>Acme's privacy</h1><p>Kept {{ keeping.content_days }} days "
        "({{ keeping.content_after }}); ask {{ keeping.contact.link }}.</p>",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    settings.TICKETS_KEEP_CONTENT_DAYS = 14
    settings.TICKETS_PRIVACY_CONTACT = "dpo@acme.example"
    html = client.get("/privacy/").content.decode()
    assert "<h1>Acme's privacy</h1>" in html
    assert 'Kept 14 days (14 days); ask <a href="mailto:dpo@acme.example">' in html
    assert "What the portal keeps" not in html

    # A template by another name, and a language's own beside it.
    (tmp_path / "templates" / "acme").mkdir()
    (tmp_path / "templates" / "acme" / "privacy.html").write_text("<h1>Acme</h1>")
    (tmp_path / "templates" / "acme" / "privacy.uk.html").write_text("<h1>Акме</h1>")
    settings.TICKETS_PRIVACY_TEMPLATE = "acme/privacy.html"
    assert "<h1>Acme</h1>" in client.get("/privacy/").content.decode()
    assert "<h1>Акме</h1>" in client.get("/privacy/?lang=uk").content.decode()
    assert "<h1>Acme</h1>" in client.get("/privacy/?lang=ru").content.decode()


def test_a_missing_privacy_template_stops_the_portal(settings):
    settings.TICKETS_PRIVACY_TEMPLATE = "acme/nowhere.html"
    with pytest.raises(SystemCheckError, match=r"tickets\.E004"):
        call_command("check", fail_level="ERROR")


def test_every_customer_page_links_to_it_in_its_language(client):
    for path, link in [
        ("/", 'href="/privacy/"'),
        ("/forms/support/", 'href="/privacy/"'),
        ("/forms/support/?lang=uk", 'href="/privacy/?lang=uk"'),
    ]:
        html = client.get(path).content.decode()
        footer = html[html.index("<footer") : html.index("</footer>")]
        assert link in footer, path

    embedded = client.get("/embed/support/?lang=ru").content.decode()
    footer = embedded[embedded.index("<footer") : embedded.index("</footer>")]
    assert 'href="/privacy/?lang=ru" target="_blank" rel="noopener"' in footer
    assert "(откроется в новой вкладке)" in footer  # said to screen readers

    # The staff's pages are not the customers': no link there.
    assert "/privacy/" not in client.get("/staff/login/").content.decode()
