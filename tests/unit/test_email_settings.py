"""Email settings (the link to a ticket's page, mailed): off without EMAIL_HOST, empty values are
the defaults, and production refuses a configuration whose link or sender would be wrong."""

import os

import pytest

from tests.unit.test_settings import PRODUCTION, load_settings

SHOW = "s.EMAIL_HOST, s.EMAIL_BACKEND, s.EMAIL_PORT, s.DEFAULT_FROM_EMAIL, s.PORTAL_URL"
MAIL = {
    "EMAIL_HOST": "smtp.example.com",
    "PORTAL_URL": "https://tickets.example.com/",
    "DEFAULT_FROM_EMAIL": "support@example.com",
}


@pytest.fixture(autouse=True)
def _no_email_settings_of_the_developers(monkeypatch):
    for name in list(os.environ):
        if name.startswith("EMAIL_") or name == "DEFAULT_FROM_EMAIL":
            monkeypatch.delenv(name)


def test_empty_values_as_in_env_example_are_the_defaults():
    empty = dict.fromkeys(
        ["EMAIL_HOST", "EMAIL_BACKEND", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL"], ""
    )
    result = load_settings(SHOW, **empty, DEFAULT_FROM_EMAIL="", PORTAL_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",  # EMAIL_HOST is "": no mail
        "25",
        "webmaster@localhost",
        "http://127.0.0.1:8000",
    ]


def test_production_with_mail_starts():
    result = load_settings(SHOW, **PRODUCTION, **MAIL, EMAIL_PORT="587", EMAIL_USE_TLS="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "smtp.example.com",
        "django.core.mail.backends.smtp.EmailBackend",
        "587",
        "support@example.com",
        "https://tickets.example.com",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PORTAL_URL": ""}, "PORTAL_URL must be the portal's public address"),
        ({"PORTAL_URL": "tickets.example.com"}, "PORTAL_URL must be the portal's public address"),
        ({"DEFAULT_FROM_EMAIL": ""}, "DEFAULT_FROM_EMAIL must be set"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "cannot both be true"),
        ({"EMAIL_PORT": "0"}, "EMAIL_PORT='0' must be from 1 to 65535"),
    ],
)
def test_production_refuses_mail_that_would_go_wrong(change, message):
    result = load_settings(**{**PRODUCTION, **MAIL, **change})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
