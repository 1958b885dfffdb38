"""TICKETS_HELPDESK_URL: an http(s) address or empty, else the portal does not start."""

import os
import subprocess
import sys

import pytest

from tests.unit.test_settings import OURS, ROOT, load_settings


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("", ""),
        ("https://support.example.com/", "https://support.example.com"),
        # A pattern is kept as written: its slash after {id} may be what the helpdesk needs.
        ("http://10.0.0.5:8080/desk/ticket/{id}/", "http://10.0.0.5:8080/desk/ticket/{id}/"),
    ],
)
def test_a_web_address_or_nothing_is_taken(value, read):
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    env.update(
        TICKETS_HELPDESK_URL=value,
        DJANGO_SETTINGS_MODULE="portal.settings",
        ENV_FILE="/nonexistent/.env",
    )
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(repr(s.TICKETS_HELPDESK_URL))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(read)


@pytest.mark.parametrize(
    "value",
    [
        "support.example.com",
        "ftp://support.example.com",
        "https://",
        "https://a b.example",
        "https://agent:secret@support.example.com",
    ],
)
def test_anything_else_is_refused_with_a_message(value):
    result = load_settings(TICKETS_HELPDESK_URL=value)
    assert result.returncode != 0
    assert f"TICKETS_HELPDESK_URL={value!r} must be an http:// or https:// address" in result.stderr
