"""The privacy page's settings: a contact that is an email or a web address, and template
directories searched before the portal's own."""

import json

import pytest

from tests.unit.test_settings import load_settings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("privacy@example.com", "privacy@example.com"),
        ("mailto:privacy@example.com", "privacy@example.com"),
        ("https://example.com/privacy", "https://example.com/privacy"),
    ],
)
def test_the_contact_is_an_email_or_a_web_address(value, expected):
    result = load_settings("repr(s.TICKETS_PRIVACY_CONTACT)", TICKETS_PRIVACY_CONTACT=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)


@pytest.mark.parametrize(
    "value", ["the support team", "javascript:alert(1)", "https://user:pw@example.com/", "a@b"]
)
def test_any_other_contact_stops_the_portal(value):
    result = load_settings(TICKETS_PRIVACY_CONTACT=value)
    assert result.returncode != 0
    assert "TICKETS_PRIVACY_CONTACT" in result.stderr


def test_template_directories_come_before_the_portals_own():
    result = load_settings(
        "__import__('json').dumps([[str(d) for d in s.TEMPLATES[0]['DIRS']], "
        "s.TICKETS_PRIVACY_TEMPLATE])",
        TICKETS_TEMPLATE_DIRS="/srv/acme/templates, /srv/shared",
    )
    assert result.returncode == 0, result.stderr
    dirs, template = json.loads(result.stdout)
    assert dirs[:2] == ["/srv/acme/templates", "/srv/shared"]
    assert dirs[2].endswith("/templates") and len(dirs) == 3
    assert template == "tickets/privacy_text.html"
