"""Pages speak the visitor's language (the catalogues themselves: tests/unit/test_translations.py)."""

import pytest
from django.utils import translation


@pytest.mark.parametrize(("lang", "send"), [("ru", "Отправить"), ("uk", "Надіслати")])
def test_compiled_catalogue_is_used(lang, send):
    with translation.override(lang):
        assert translation.gettext("Send") == send


@pytest.mark.django_db
def test_error_messages_in_the_visitors_language(client):
    response = client.post("/forms/support/", {}, HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert "Ваша заявка ещё не отправлена" in html
