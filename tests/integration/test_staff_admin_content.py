"""Issue 25, 5: the admin shows what a person sent (the payload, the API's answer and messages,
the attachments, their email and the search by it) only to staff with `tickets.view_content`,
writes each look at it to Django's admin log, and says when it was erased."""

from datetime import UTC, datetime
from html import unescape

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from tickets.admin import VIEWED_CONTENT
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db

LIST = "/admin/tickets/submission/"
SENT = "Broken checkout after paying"
EMAIL = "ada@example.com"
LISTED = EMAIL.replace("@", "@<wbr>")  # as the list shows it: free to break after its "@"


@pytest.fixture
def submission() -> Submission:
    submission = Submission.objects.create(
        token="nonce-1",
        form_slug="support",
        audience="customer",
        payload={"title": SENT, "user_email": EMAIL, "description": "Card 4242 declined"},
        state=Submission.State.FILED,
        unique_id="SBX-0042",
        api_id=42,
        api_response={"id": 42, "unique_id": "SBX-0042", "title": SENT},
        api_messages=[{"field": "title", "text": "Title trimmed for " + EMAIL}],
    )
    Attachment.objects.create(submission=submission, name="ada-passport.pdf", size=1234)
    return submission


def staff(username: str, *permissions: str) -> Client:
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw-12345678")
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def change_page(submission: Submission) -> str:
    return f"{LIST}{submission.pk}/change/"


def test_staff_without_the_permission_see_states_references_and_times_alone(submission):
    browser = staff("viewer", "view_submission")
    listing = text(browser.get(LIST))
    assert submission.reference in listing and "SBX-0042" in listing and "Filed" in listing
    assert EMAIL not in listing and LISTED not in listing
    assert "column-user_email" not in listing
    # The search by email finds nothing for them; by number or reference it still does.
    assert "SBX-0042" not in text(browser.get(LIST, {"q": EMAIL}))
    assert "SBX-0042" not in text(browser.get(LIST, {"q": "ada@"}))
    assert "SBX-0042" in text(browser.get(LIST, {"q": submission.reference}))

    detail = text(browser.get(change_page(submission)))
    assert submission.reference in detail and "SBX-0042" in detail
    for content in (SENT, EMAIL, "Card 4242", "ada-passport.pdf", "Title trimmed"):
        assert content not in detail, content
    assert "Can view what a person sent" in detail  # why it is not shown
    assert not LogEntry.objects.exists()  # nothing of a person's was seen


def test_deleting_names_no_file_to_those_who_may_not_see_content(submission):
    browser = staff("janitor", "view_submission", "delete_submission")
    confirm = text(browser.get(f"{LIST}{submission.pk}/delete/"))
    assert "SBX-0042" in confirm and "ada-passport.pdf" not in confirm
    assert "Attachments: 1" in confirm  # counted, not named
    dpo = staff("dpo", "view_submission", "delete_submission", "view_content")
    assert "ada-passport.pdf" in text(dpo.get(f"{LIST}{submission.pk}/delete/"))


def test_staff_with_the_permission_see_the_content_and_each_look_is_logged(submission):
    browser = staff("dpo", "view_submission", "view_content")
    listing = text(browser.get(LIST))
    assert LISTED in listing and "column-user_email" in listing
    assert "SBX-0042" in text(browser.get(LIST, {"q": EMAIL}))
    assert not LogEntry.objects.exists()  # a list is not a look at a ticket's content

    detail = text(browser.get(change_page(submission)))
    assert f'"title": "{SENT}"' in detail  # the payload sent
    assert '"unique_id": "SBX-0042"' in detail  # the API's answer
    assert "Title trimmed" in detail and "ada-passport.pdf" in detail
    browser.get(change_page(submission))

    entries = LogEntry.objects.order_by("action_time")
    assert [e.user.username for e in entries] == ["dpo", "dpo"]
    entry = entries.first()
    assert entry.action_flag == CHANGE and entry.get_change_message() == VIEWED_CONTENT
    assert entry.get_edited_object() == submission and entry.object_repr == "SBX-0042"
    assert EMAIL not in entry.object_repr
    # The submission's History says who looked.
    history = text(browser.get(f"{LIST}{submission.pk}/history/"))
    assert "dpo" in history and VIEWED_CONTENT in history


def test_a_superuser_has_the_permission(submission):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    browser = Client()
    browser.force_login(root)
    assert f'"title": "{SENT}"' in text(browser.get(change_page(submission)))
    assert LogEntry.objects.get().user == root


def test_an_erased_submission_says_so_instead_of_its_content(submission):
    erased_at = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
    Submission.objects.filter(pk=submission.pk).update(
        payload={}, api_response={"id": 42, "unique_id": "SBX-0042"}, api_messages=[],
        content_erased_at=erased_at,
    )  # fmt: skip
    for username, permissions in (("dpo", ("view_content",)), ("viewer", ())):
        browser = staff(username, "view_submission", *permissions)
        detail = text(browser.get(change_page(submission)))
        assert "Content erased on January 5, 2027, 09:30" in detail, username
        assert "Payload sent" not in detail and "ada-passport.pdf" not in detail
        assert "SBX-0042" in detail and submission.reference in detail
    # Nothing was there to see: no look is logged.
    assert not LogEntry.objects.exists()
    listing = text(staff("dpo2", "view_submission", "view_content").get(LIST))
    assert '<td class="field-user_email">erased</td>' in listing
