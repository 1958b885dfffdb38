"""Every user-facing string is translated into Russian and Ukrainian."""

import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_catalogue_is_complete(lang):
    po = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', po)
    untranslated = [msgid for msgid, msgstr in entries[1:] if msgstr.strip() == '""']
    assert len(entries) > 40
    assert untranslated == []
    assert "#, fuzzy" not in po


@pytest.mark.parametrize(("lang", "send"), [("ru", "Отправить"), ("uk", "Надіслати")])
def test_compiled_catalogue_is_used(lang, send):
    with translation.override(lang):
        assert translation.gettext("Send") == send


@pytest.mark.django_db
def test_error_messages_in_the_visitors_language(client):
    response = client.post("/forms/support/", {}, HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert "Ваша заявка ещё не отправлена" in html
