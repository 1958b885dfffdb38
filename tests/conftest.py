"""Shared fixtures. The schema check runs once, as it does for runserver and migrate."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def _system_checks(django_db_setup):
    # A broken schema file stops the test run, as it stops runserver and migrate.
    call_command("check", fail_level="ERROR")
