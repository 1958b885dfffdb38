"""The pages around the form: the front page, the cost of a form GET, languages."""

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_front_page_lists_the_customer_forms(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/forms/support/"' in response.content
    assert "Contact support" in response.content.decode()


def test_form_get_makes_no_query_and_no_api_call(client, django_assert_num_queries, settings):
    settings.TICKETS_API_URL = "http://127.0.0.1:9/never-called"
    client.get("/forms/support/")  # builds the form class once
    with django_assert_num_queries(0):
        response = client.get("/forms/support/")
    assert response.status_code == 200


def test_form_speaks_the_visitors_language(client):
    response = client.get("/forms/support/", HTTP_ACCEPT_LANGUAGE="uk")
    html = response.content.decode()
    assert '<html lang="uk">' in html
    assert "Номер замовлення" in html  # the schema's `ua` label
    assert "Звернутися до підтримки" in html


def test_labels_are_text_never_html(client, use_schema):
    use_schema(
        {
            "format": 1,
            "fields": [
                {
                    "id": 1,
                    "field_type": "text",
                    "name": "<b>Bold</b>",
                    "help": "<script>alert(1)</script>",
                }
            ],
        }
    )
    html = client.get("/forms/support/").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_favicon_ico_is_the_portals_icon(client):
    # Asked for by a browser on pages that name no icon: Django's error pages, the admin.
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/favicon.svg")


def test_unknown_form_is_404(client):
    assert client.get("/forms/nope/").status_code == 404


def test_a_body_larger_than_every_allowed_file_is_refused_unread(client, settings):
    settings.TICKETS_MAX_FILES = 1
    settings.TICKETS_MAX_FILE_MB = 0.01
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.bin", b"x" * (3 * 1024 * 1024))
    response = client.post("/forms/support/", {"files": big})
    assert response.status_code == 413
    assert "Too much to send at once" in response.content.decode()


def test_language_links_keep_the_pages_other_parameters(client):
    html = client.get("/forms/support/?title=Hello&lang=en").content.decode()
    assert 'href="?title=Hello&amp;lang=uk"' in html
    index = client.get("/?lang=ru").content.decode()
    assert 'href="/forms/support/?lang=ru"' in index


def test_an_embed_can_fix_the_colour_scheme_and_says_its_state(client):
    html = client.get("/embed/support/?scheme=dark").content.decode()
    assert 'data-force-scheme="dark"' in html and 'data-state="form"' in html
    assert "data-force-scheme" not in client.get("/embed/support/?scheme=purple").content.decode()
    refused = client.get("/embed/support/?ctx=forged.sig").content.decode()
    assert 'data-state="refused"' in refused


def test_html_is_compressed_only_where_that_gives_nothing_away(client):
    """BREACH: a page's size must not tell whether its token matches text a third party chose.
    A GET naming nothing but the language is gzipped; one with a query that can be reflected,
    and every POST, is not."""
    gzip = {"HTTP_ACCEPT_ENCODING": "gzip"}
    assert client.get("/forms/support/", **gzip)["Content-Encoding"] == "gzip"
    assert client.get("/forms/support/?lang=ru", **gzip)["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/forms/support/?title=Hi", **gzip)
    assert "Content-Encoding" not in client.get("/embed/support/?email=a@example.com", **gzip)
    assert "Content-Encoding" not in client.post("/forms/support/", {"title": "Hi"}, **gzip)


@pytest.mark.parametrize(
    ("language", "description"),
    [
        ("en", "Contact support: send a ticket and follow it."),
        ("ru", "Обращение в поддержку: отправьте заявку и следите за ней."),
        ("uk", "Звернення до підтримки: надішліть заявку та стежте за нею."),
    ],
    ids=["en", "ru", "uk"],
)
@pytest.mark.parametrize("url", ["/", "/forms/support/", "/embed/support/"])
def test_pages_carry_a_description_in_the_visitors_language(client, url, language, description):
    # The request leaves its language active in this thread: restored after it.
    with translation.override(None):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<meta name="description" content="{description}">' in html
