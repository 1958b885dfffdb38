"""Staff sign-in cannot be guessed: repeated wrong passwords lock the account (and the address)
out, on the staff pages and the admin alike, until the lock ends or an administrator lifts it."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-123"


@pytest.fixture
def agent():
    return get_user_model().objects.create_user("olena", "o@example.com", PASSWORD, is_staff=True)


def sign_in(client: Client, url: str, password: str):
    return client.post(url, {"username": "olena", "password": password})


@pytest.mark.parametrize("url", ["/staff/login/", "/admin/login/"])
def test_twenty_wrong_passwords_lock_the_account_until_it_is_unlocked(agent, url, settings):
    client = Client()
    answers = [sign_in(client, url, f"guess-{n}").status_code for n in range(20)]
    limit = settings.AXES_FAILURE_LIMIT
    assert answers[: limit - 1] == [200] * (limit - 1)  # the form again, "wrong password"
    assert set(answers[limit:]) == {429}
    locked = sign_in(client, url, PASSWORD)  # the right password, from a fresh browser too
    assert locked.status_code == 429
    assert sign_in(Client(), url, PASSWORD).status_code == 429
    text = locked.content.decode()
    assert "After 10 wrong passwords" in text and "Try again in 30 minutes" in text
    assert "_auth_user_id" not in client.session

    call_command("axes_reset_username", "olena", verbosity=0)  # an administrator unlocks it
    assert sign_in(Client(), url, PASSWORD).status_code == 302


def test_the_lock_ends_by_itself(agent, settings):
    from axes.models import AccessAttempt

    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/staff/login/", f"guess-{n}")
    assert sign_in(client, "/staff/login/", PASSWORD).status_code == 429
    # Half an hour later (the attempts are dated back instead of waiting).
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - timedelta(minutes=31)
        )
    assert sign_in(client, "/staff/login/", PASSWORD).status_code == 302


def test_a_person_who_mistypes_a_few_times_is_not_locked(agent):
    client = Client()
    for n in range(3):
        assert sign_in(client, "/staff/login/", f"typo-{n}").status_code == 200
    assert sign_in(client, "/staff/login/", PASSWORD).status_code == 302
