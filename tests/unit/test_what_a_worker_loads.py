"""A web worker loads what the portal uses, no more: without REDIS_URL no Redis client, and no
DNS library (each cost several MB of every worker's memory: README, Speed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADED = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as the first request imports them
from portal.wsgi import application
import tickets.abuse.throttles, tickets.views.health
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded(also: str = "", **env: str) -> set[str]:
    """The top-level packages a worker has imported once the application and its views are (and
    `also` has run)."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED.replace("print(", f"{also}\nprint(")],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_without_redis_a_worker_loads_no_redis_client_and_no_dns_library():
    packages = loaded(REDIS_URL="")
    assert {"django", "tickets", "pyrate_limiter"} <= packages  # it did load the portal
    assert not packages & {"redis", "dns", "health_check"}


def test_with_redis_the_throttles_load_its_client():
    """The other side: the throttles' Redis store is imported where it is configured."""
    bucket = "from tickets.abuse.throttles import lookup; lookup(1)"  # fails open: no Redis there
    assert "redis" in loaded(bucket, REDIS_URL="redis://127.0.0.1:9/0")
