"""Production refuses to start on development values; development needs no configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TICKETS_", "DEBUG"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    code = "import django; django.setup(); from django.conf import settings; print(settings.TICKETS_API_URL)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_development_runs_on_the_sandbox_with_no_configuration():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8000/sandbox/api/v2"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DEBUG": "false", "TICKETS_API_URL": "https://x.example/api/v2"},
            "SECRET_KEY must be set",
        ),
        (
            {"DEBUG": "false", "SECRET_KEY": "short", "TICKETS_API_URL": "https://x/api/v2"},
            "SECRET_KEY",
        ),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_KEY}, "TICKETS_API_URL must be set"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"TICKETS_API_READ_TIMEOUT": "soon"}, "TICKETS_API_READ_TIMEOUT='soon' is not a number"),
    ],
)
def test_bad_configuration_is_refused_with_a_message(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_with_an_api_url_starts():
    result = load_settings(
        DEBUG="false", SECRET_KEY=GOOD_KEY, TICKETS_API_URL="https://acme.example/api/v2/"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://acme.example/api/v2"
