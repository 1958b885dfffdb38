"""Production refuses to start on development values; development needs no configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "TICKETS_API_URL": "https://acme.example/api/v2/",
    "TICKETS_API_EMAIL": "portal@acme.example",
    "TICKETS_API_KEY": "real-key",
}
OURS = (
    "TICKETS_",
    "DEBUG",
    "SECRET_KEY",
    "PORTAL_URL",
    "SANDBOX_",
    "SECURE_",
    "ALLOWED_HOSTS",
    "REDIS_URL",
)


def load_settings(
    show: str = "s.TICKETS_API_URL, s.TICKETS_API_EMAIL, s.SANDBOX_ENABLED", **env: str
) -> subprocess.CompletedProcess:
    """The settings under `env` (and no other of ours), printing `show` (`s` is the settings)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    # No .env of a developer's may change what is tested here.
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings", ENV_FILE="/nonexistent/.env")
    code = f"import django; django.setup(); from django.conf import settings as s; print({show})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_development_runs_on_the_sandbox_with_no_configuration():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "http://127.0.0.1:8000/sandbox/api/v2",
        "portal@sandbox.invalid",
        "True",
    ]


def test_production_with_its_api_account_starts():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://acme.example/api/v2", "portal@acme.example", "False"]


@pytest.mark.parametrize(
    ("redis", "backend"),
    [("", "db.DatabaseCache"), ("redis://127.0.0.1:6379/0", "redis.RedisCache")],
)
def test_the_throttle_cache_is_one_every_process_shares(redis, backend):
    """Used challenges and returning senders: Django's database cache, or its Redis cache with
    REDIS_URL (the throttles' own counts are pyrate-limiter's: tickets/abuse/buckets.py)."""
    result = load_settings("s.CACHES['throttle']['BACKEND']", REDIS_URL=redis)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"django.core.cache.backends.{backend}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"TICKETS_API_URL": ""}, "TICKETS_API_URL must be set"),
        ({"TICKETS_API_URL": "http://acme.example/api/v2"}, "must be https://"),
        ({"TICKETS_API_KEY": ""}, "TICKETS_API_EMAIL and TICKETS_API_KEY must be set"),
        ({"SANDBOX_ENABLED": "true"}, "SANDBOX_ENABLED is for development"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"TICKETS_API_READ_TIMEOUT": "soon"}, "TICKETS_API_READ_TIMEOUT='soon' is not a number"),
        ({"TICKETS_API_READ_TIMEOUT": "0"}, "must be from 0.1 to 300"),
        ({"TICKETS_MAX_FILES": "-3"}, "TICKETS_MAX_FILES='-3' must be from 0 to 100"),
        ({"TICKETS_MAX_FILES": "2.5"}, "TICKETS_MAX_FILES='2.5' must be a whole number"),
        # 0 used to switch the limit off, and past the API's own 300 the account is banned.
        (
            {"TICKETS_API_MAX_PER_MINUTE": "0"},
            "TICKETS_API_MAX_PER_MINUTE='0' must be from 1 to 300",
        ),
        ({"TICKETS_API_MAX_PER_MINUTE": "1000"}, "must be from 1 to 300"),
        ({"TICKETS_API_RESERVE": "200"}, "TICKETS_API_RESERVE='200' must be from 0 to 199"),
        ({"TICKETS_RETRY_MAX_SECONDS": "1", "TICKETS_RETRY_FIRST_SECONDS": "5"}, "from 5 to 86400"),
        ({"STAFF_LOGIN_FAILURE_LIMIT": "0"}, "must be from 1 to 1000"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' must be plain or json"),
        # A throttle rate that is not one stops the portal with its name (a period of 0 would
        # switch the throttle off in silence).
        *(
            (
                {"TICKETS_THROTTLE_ADDRESS": value},
                f"TICKETS_THROTTLE_ADDRESS={value!r}: {bad!r} is not a rate",
            )
            for value, bad in [
                ("20", "20"),
                ("20/w", "20/w"),
                ("0/h", "0/h"),
                ("5/0m", "5/0m"),
                ("x/h, 1/d", "x/h"),
            ]
        ),
        ({"SECURE_PROXY_SSL_HEADER": "perhaps"}, "is not a boolean"),
    ],
)
def test_bad_production_configuration_is_refused_with_a_message(change, message):
    result = load_settings(**{**PRODUCTION, **change})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
