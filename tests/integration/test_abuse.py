"""Scripts get nothing: a POST that fills the honeypot, or does not carry it, files nothing
without a solved challenge; a person, who never sees it, files as always; uploads are held to
their limits."""

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    FORM_URL,
    _close_api_connections,
    confirmation_key,
    error_summary,
    get_token,
    hidden_value,
    two_files,
    valid_post_data,
)
from tickets.models import Attachment, Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "trap", [{"homepage": "https://spam.example"}, {"homepage": None}], ids=["filled", "missing"]
)
def test_a_post_that_falls_into_the_honeypot_files_nothing_without_a_solution(
    client, sandbox_api, trap
):
    """A script's POST (or a person's autofill, test_never_refused.py) is asked for a solved
    challenge: without one nothing is filed or queued, however often it is sent."""
    for _ in range(2):
        post = {**valid_post_data(get_token(client)), **trap}
        post = {k: v for k, v in post.items() if v is not None}
        response = client.post(FORM_URL, post)
        assert response.status_code == 200
        assert "shows that it is not a robot" in error_summary(response)
    assert (Submission.objects.count(), Ticket.objects.count()) == (0, 0)


def test_the_honeypot_is_out_of_everyones_way_and_a_person_files(client, sandbox_api):
    html = client.get(FORM_URL).content.decode()
    hp = html.split('class="portal-hp"')[1].split("</div>")[0]
    assert 'name="homepage"' in hp and 'tabindex="-1"' in hp and 'autocomplete="off"' in hp
    confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))
    assert Ticket.objects.count() == 1


def many_files(count: int) -> list:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [SimpleUploadedFile(f"f{n}.txt", b"x" * 100, "text/plain") for n in range(count)]


def test_one_rendering_keeps_no_more_files_than_the_form_allows(client, settings):
    """10 invalid POSTs of one rendered form, each with 10 files and without the form's own list
    of what it holds (as a script sends them): 10 files kept, not 100."""
    token = get_token(client)
    for _ in range(10):
        post = {**valid_post_data(token), "title": "", "files": many_files(10)}
        assert client.post(FORM_URL, post).status_code == 200  # invalid: no title
    assert Attachment.objects.count() == settings.TICKETS_MAX_FILES
    assert Submission.objects.count() == 0


def test_a_removed_file_is_deleted_at_once(client):
    from tests.integration.test_portal_flow import form_state

    response = client.post(
        FORM_URL, {**valid_post_data(get_token(client)), "title": "", "files": two_files()}
    )
    again = form_state(response)
    removed = Attachment.objects.get(name="report.txt")
    path = removed.file.path
    again["remove"] = [removed.key]
    client.post(FORM_URL, again)
    assert list(Attachment.objects.values_list("name", flat=True)) == ["screenshot.png"]
    import os

    assert not os.path.exists(path)


def test_past_the_ceiling_of_kept_uploads_new_files_are_refused_and_nothing_is_lost(
    client, settings, sandbox_api
):
    settings.TICKETS_UPLOADS_MAX_MB = 0.0001  # 104 bytes
    response = client.post(FORM_URL, {**valid_post_data(get_token(client)), "files": two_files()})
    assert response.status_code == 200
    assert "cannot take more attachments right now" in error_summary(response)
    assert Attachment.objects.count() == 0 and Submission.objects.count() == 0
    assert "Test Ticket" in response.content.decode()  # what was typed is still there


def test_the_worker_deletes_uploads_of_abandoned_forms(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from tickets.delivery import tasks

    client.post(FORM_URL, {**valid_post_data(get_token(client)), "title": "", "files": two_files()})
    assert Attachment.objects.count() == 2
    Attachment.objects.update(created_at=timezone.now() - timedelta(days=3))
    tasks.sweep.call()
    assert Attachment.objects.count() == 0


def test_one_address_keeps_no_more_files_than_the_form_allows_across_renderings(client, settings):
    """A script that loads the form again for every POST (a new token each time) still keeps no
    more than the form's limit from its address; another address uploads as usual."""
    script = {"REMOTE_ADDR": "127.0.0.2"}
    for _ in range(5):
        token = hidden_value(client.get(FORM_URL, **script), "form_token")
        post = {**valid_post_data(token), "title": "", "files": many_files(10)}
        client.post(FORM_URL, post, **script)
    assert Attachment.objects.count() == settings.TICKETS_MAX_FILES
    person = {"REMOTE_ADDR": "127.0.0.3"}
    token = hidden_value(client.get(FORM_URL, **person), "form_token")
    client.post(FORM_URL, {**valid_post_data(token), "title": "", "files": many_files(2)}, **person)
    assert Attachment.objects.count() == settings.TICKETS_MAX_FILES + 2


@pytest.mark.parametrize(
    ("meta", "proxies", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.7"}, 0, "203.0.113.7"),
        ({"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, 0, "2001:db8:1:2::/64"),
        # A forged X-Forwarded-For is not believed without trusted proxies...
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}, 0, "10.0.0.1"),
        # ... and with one, only the entry that proxy added.
        (
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.9"},
            1,
            "198.51.100.9",
        ),
        ({"REMOTE_ADDR": "not an address"}, 0, ""),
    ],
)
def test_the_clients_address(rf, settings, meta, proxies, expected):
    from tickets.embedding.origin import client_address, client_key

    settings.TICKETS_TRUSTED_PROXIES = proxies
    request = rf.get("/", **meta)
    assert client_address(request) == expected
    key = client_key(request)  # what is stored: a keyed hash, never the address
    if expected:
        assert len(key) == 32 and expected not in key
    else:
        assert key == ""


class WatchingHandler(TemporaryFileUploadHandler):
    """Django's handler that stores uploads on disk, noting the size of each file it stored and
    any file it was left holding half-written (partial)."""

    stored: list[int] = []
    partial: list[str] = []

    def new_file(self, *args, **kwargs):
        self._note_partial()
        self.completed = False
        super().new_file(*args, **kwargs)

    def file_complete(self, file_size):
        self.completed = True
        self.stored.append(file_size)
        return super().file_complete(file_size)

    def upload_complete(self):
        self._note_partial()

    def _note_partial(self):
        held = getattr(self, "file", None)
        if held is not None and not getattr(self, "completed", True) and not held.closed:
            self.partial.append(self.file_name)


@pytest.fixture
def watched_uploads(settings, tmp_path):
    """Every upload Django stores goes to disk, through WatchingHandler."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.WatchingHandler"]
    WatchingHandler.stored, WatchingHandler.partial = [], []
    return WatchingHandler


def test_a_file_too_large_streams_past_unstored_and_the_rest_is_kept(
    client, settings, watched_uploads
):
    """Django's own handlers store every upload: the one too large reaches them only until it
    is found too large, and what they held of it is deleted at once; the form names it and
    keeps the files that fit and every value."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TICKETS_MAX_FILE_MB = 0.2  # past the parser's first 64 KiB chunk
    big = SimpleUploadedFile("video.mp4", b"v" * 3_000_000, "video/mp4")
    small = SimpleUploadedFile("log.txt", b"l" * 1000, "text/plain")
    post = {**valid_post_data(get_token(client)), "title": "", "files": [big, small]}
    response = client.post(FORM_URL, post)
    assert response.status_code == 200
    assert "video.mp4: larger than" in error_summary(response)
    assert watched_uploads.stored == [1000]  # the small file alone was stored
    assert watched_uploads.partial == []  # of the video, nothing is left on disk
    assert list(Attachment.objects.values_list("name", flat=True)) == ["log.txt"]
    assert "Ticket Description</textarea>" in response.content.decode()  # typed values kept


def test_past_the_count_and_under_other_names_files_stream_past_unstored(
    client, settings, watched_uploads
):
    settings.TICKETS_MAX_FILES = 2
    post = {**valid_post_data(get_token(client)), "title": "", "files": many_files(5),
            "junk": many_files(3)}  # fmt: skip
    response = client.post(FORM_URL, post)
    assert "at most 2 files" in error_summary(response)
    assert watched_uploads.stored == [100, 100]
    assert Attachment.objects.count() == 2


def test_files_under_another_name_cannot_make_a_stand_in_be_kept(client, settings):
    """A crafted POST: files under another name first, then the form's own; what is kept is
    the form's own file, whole."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TICKETS_MAX_FILES = 2
    real = SimpleUploadedFile("real.pdf", b"%PDF real content", "application/pdf")
    post = {**valid_post_data(get_token(client)), "title": "", "junk": many_files(2),
            "files": [real]}  # fmt: skip
    client.post(FORM_URL, post)
    (kept,) = Attachment.objects.all()
    assert kept.name == "real.pdf" and kept.file.read() == b"%PDF real content"


def test_more_text_than_any_browser_sends_is_said_plainly(client):
    post = {**valid_post_data(get_token(client)), "description": "x" * (10 * 1024 * 1024),
            "files": many_files(1)}  # fmt: skip
    response = client.post(FORM_URL, post)
    assert response.status_code == 413
    text = response.content.decode()
    assert "What you typed is longer than this form accepts" in text and "Bad Request" not in text
    assert Submission.objects.count() == Attachment.objects.count() == 0


def test_every_text_control_tells_the_browser_its_limit(client):
    """Why no person meets the page above: the browser stops typing and pasting at maxlength."""
    import re

    for slug in ("support", "billing", "technical"):
        html = client.get(f"/forms/{slug}/").content.decode()
        controls = re.findall(r"<(?:textarea|input)\b[^>]*>", html)
        typed = [c for c in controls if re.search(r'type="(?:text|email)"|<textarea', c)]
        assert typed and all("maxlength=" in c for c in typed), [
            c for c in typed if "maxlength=" not in c
        ]
