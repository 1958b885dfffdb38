"""A form that asks for consent (issue 25, item 3), end to end: the box refused unticked on the
server with everything typed kept, the ticket filed once it is ticked with the schema's tag and
checkbox field, the version and time kept on the submission; no box (and nothing kept or added)
on a form without consent or on a staff form; the message in each language; the reused HTML."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sandbox.models import Ticket, TicketFile
from tests.examples import EXAMPLE_POST
from tests.integration.test_portal_flow import (  # noqa: F401  (fixture)
    _close_api_connections,
    assert_values_kept,
    confirmation_key,
    error_block,
    error_summary,
    form_state,
    get_token,
    hidden_value,
    page_text,
    valid_post_data,
)
from tickets.models import Submission
from tickets.templatetags import ticket_forms

pytestmark = pytest.mark.django_db(transaction=True)

FORM_URL = "/forms/support/"
CONSENT_FIELD = 120
TEXT = {
    "en": "I agree that my answers are used to handle this ticket.",
    "ru": "Я согласен, что мои ответы используются для работы с заявкой.",
    "ua": "Я погоджуюся, що мої відповіді використовуються для роботи із заявкою.",
}
MESSAGES = {
    "en": "To send the form, tick this box.",
    "ru": "Чтобы отправить форму, отметьте этот пункт.",
    "uk": "Щоб надіслати форму, позначте цей пункт.",
}
BOX = re.compile(r'<input type="checkbox" name="consent"[^>]*>')


def shipped() -> dict:
    path = Path(django_settings.BASE_DIR) / "portal" / "ticket_schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def consent_schema(use_schema):
    """The shipped schema; its `support` form asks for consent (a tag and a checkbox field that
    customers never see), `technical` does not."""
    document = shipped()
    document["fields"].append(
        {
            "id": CONSENT_FIELD,
            "field_type": "checkbox",
            "name": "Agreed to the privacy policy",
            "permissions": {"user": {"view": False}, "staff": {"view": True}},
        }
    )
    support = next(f for f in document["forms"] if f["slug"] == "support")
    support["consent"] = {
        "text": TEXT,
        "link": {"en": "https://example.com/privacy", "ua": "https://example.com/uk/privacy"},
        "version": "2026-12",
        "tag": "consent-2026-12",
        "custom_field": CONSENT_FIELD,
    }
    use_schema(document)
    return document


def report() -> SimpleUploadedFile:
    return SimpleUploadedFile("report.txt", b"It broke at 9:00\n", content_type="text/plain")


# --- Refused on the server, nothing typed lost -----------------------------------------------------
def test_a_post_without_the_box_is_refused_and_keeps_everything(
    client, sandbox_api, consent_schema
):
    # As a browser without the `required` check sends it (a script, an old browser, noValidate).
    data = valid_post_data(get_token(client))
    response = client.post(FORM_URL, {**data, "files": [report()]})

    assert response.status_code == 200
    assert error_block(response, "id_consent") == MESSAGES["en"]
    assert f"{TEXT['en']} : {MESSAGES['en']}" in error_summary(response)  # linked to the box
    assert 'href="#id_consent"' in response.content.decode()
    box = BOX.search(response.content.decode())[0]
    assert "checked" not in box and 'aria-invalid="true"' in box
    assert 'aria-describedby="id_consent_error"' in box
    assert_values_kept(response)  # every field as typed
    assert "report.txt" in page_text(response)  # and the file, stored for the next POST
    assert Submission.objects.count() == 0 and Ticket.objects.count() == 0

    # Ticked, the same form goes through with what it kept.
    again = {name: values[0] for name, values in form_state(response).items()}
    assert "consent" not in again  # still unticked: the person ticks it
    again["consent"] = "on"
    before = timezone.now()
    key = confirmation_key(client.post(FORM_URL, again))

    submission = Submission.objects.get()
    assert submission.public_key == key
    assert submission.consent_version == "2026-12"
    assert before <= submission.consent_at <= timezone.now()
    ticket = Ticket.objects.get()
    assert ticket.title == EXAMPLE_POST["title"]
    assert ticket.tags == ["consent-2026-12"]
    assert ticket.custom_fields[str(CONSENT_FIELD)] == "1"
    assert list(TicketFile.objects.filter(ticket=ticket).values_list("name", flat=True)) == [
        "report.txt"
    ]


def test_a_ticked_box_files_the_tag_and_the_field_and_keeps_version_and_time(
    client, sandbox_api, consent_schema, settings
):
    before = timezone.now()
    key = confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client), consent="on")))
    after = timezone.now()

    submission = Submission.objects.get(public_key=key)
    assert (submission.state, submission.consent_version) == (Submission.State.FILED, "2026-12")
    assert before <= submission.consent_at <= after
    assert submission.payload["tags"] == ["consent-2026-12"]
    ticket = Ticket.objects.get()
    assert ticket.tags == ["consent-2026-12"]
    assert ticket.custom_fields[str(CONSENT_FIELD)] == "1"
    assert ticket.custom_fields["104"] == "1"  # the form's own fields as always


def test_a_form_default_tag_and_the_consent_tag_go_together(client, sandbox_api, use_schema):
    document = shipped()
    billing = next(f for f in document["forms"] if f["slug"] == "billing")
    billing["consent"] = {"text": "I agree", "version": "v1", "tag": "consent-v1"}
    use_schema(document)
    url = "/forms/billing/"
    token = hidden_value(client.get(url), "form_token")
    data = {
        "form_token": token,
        "homepage": "",
        "user_email": "ann@example.com",
        "title": "Refund",
        "description": "Charged twice.",
        "cf_109": "INV-1",
        "cf_96": "A-1",
        "consent": "on",
    }
    confirmation_key(client.post(url, data))
    assert Ticket.objects.get().tags == ["billing", "consent-v1"]
    assert Submission.objects.get().consent_version == "v1"


# --- A form without consent; the staff form -----------------------------------------------------
def test_a_form_without_consent_shows_no_box_and_keeps_nothing(client, sandbox_api, consent_schema):
    url = "/forms/technical/"
    page = client.get(url)
    assert 'name="consent"' not in page.content.decode()
    data = {
        "form_token": hidden_value(page, "form_token"),
        "homepage": "",
        "user_email": "ann@example.com",
        "title": "Crash",
        "description": "It crashes.",
        "cf_99": "193",
        "cf_100_0": "198",
        "cf_100_1": "204",
        "cf_100_2": "211",
        "consent": "on",  # sent by hand: the form has no such field, nothing comes of it
    }
    confirmation_key(client.post(url, data))
    submission = Submission.objects.get()
    assert (submission.consent_version, submission.consent_at) == ("", None)
    ticket = Ticket.objects.get()
    assert ticket.tags == ["technical"]
    assert str(CONSENT_FIELD) not in ticket.custom_fields


def test_staff_filing_for_a_client_see_no_box_and_keep_no_consent(sandbox_api, consent_schema):
    agent = get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", "pw-olena-123", is_staff=True
    )
    staff = Client()
    staff.force_login(agent)
    page = staff.get("/staff/forms/support/")
    assert page.status_code == 200 and 'name="consent"' not in page.content.decode()
    data = {
        "form_token": hidden_value(page, "form_token"),
        "user_email": "ada@example.com",
        "title": "Phoned in",
        "description": "The client called.",
        "cf_96": "A-100",
        "cf_100_0": "200",
        "cf_100_1": "209",
        "consent": "on",
    }
    response = staff.post("/staff/forms/support/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    submission = Submission.objects.get()
    assert (submission.audience, submission.consent_version) == ("staff", "")
    assert submission.consent_at is None
    ticket = Ticket.objects.get()
    assert "consent-2026-12" not in ticket.tags
    assert ticket.custom_fields.get(str(CONSENT_FIELD), "") == ""


# --- Each language ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_the_box_and_its_message_speak_the_visitors_language(client, consent_schema, lang):
    url = f"{FORM_URL}?lang={lang}"
    page = client.get(url).content.decode()
    api_lang = "ua" if lang == "uk" else lang
    assert f'<label class="form-check-label" for="id_consent">{TEXT[api_lang]}<' in page
    assert f'data-msg-value-missing="{MESSAGES[lang]}"' in page
    response = client.post(url, valid_post_data(get_token(client)))
    assert error_block(response, "id_consent") == MESSAGES[lang]
    assert Submission.objects.count() == 0


def test_the_link_follows_the_language_and_opens_safely(client, consent_schema):
    def link(lang: str) -> str:
        html = client.get(f"{FORM_URL}?lang={lang}").content.decode()
        return re.search(r"<a [^>]*data-consent-link[^>]*>[^<]*</a>", html)[0]

    english = link("en")
    assert 'href="https://example.com/privacy"' in english
    assert 'target="_blank"' in english and 'rel="noopener"' in english
    assert "Privacy policy (opens in a new tab)" in english
    assert 'href="https://example.com/uk/privacy"' in link("uk")
    assert 'href="https://example.com/privacy"' in link("ru")  # no Russian address: the fallback
    assert "Политика конфиденциальности (откроется в новой вкладке)" in link("ru")


def test_no_link_no_anchor(client, use_schema):
    document = shipped()
    document["forms"][0]["consent"] = {"text": "I agree", "version": "1"}
    use_schema(document)
    html = client.get(FORM_URL).content.decode()
    assert BOX.search(html) and "data-consent-link" not in html


# --- The embed, a signed link, the reused HTML ----------------------------------------------------
def test_the_embedded_form_asks_too(client, consent_schema):
    html = client.get("/embed/support/").content.decode()
    assert BOX.search(html) and "required" in BOX.search(html)[0]


def test_a_signed_link_cannot_tick_the_box(client, consent_schema, settings):
    settings.EMBED_CONTEXT_SECRETS = ["secret"]
    claims = {"exp": int(time.time()) + 600, "consent": True}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    signature = hmac.new(b"secret", payload.encode(), hashlib.sha256).hexdigest()
    response = client.get(f"{FORM_URL}?ctx={payload}.{signature}")
    assert response.status_code == 400
    # Nor does a plain parameter.
    html = client.get(f"{FORM_URL}?consent=on&lock=consent").content.decode()
    assert "checked" not in BOX.search(html)[0] and "disabled" not in BOX.search(html)[0]


def fresh(client, url: str) -> str:
    """A fresh form page, its token set aside."""
    html = client.get(url).content.decode()
    return re.sub(r'name="form_token" value="[^"]+"', 'name="form_token" value="T"', html)


def test_the_reused_html_is_the_full_render_in_every_language(client, consent_schema, monkeypatch):
    urls = [f"{FORM_URL}?lang={lang}" for lang in ("en", "ru", "uk")]
    reused = {url: (fresh(client, url), fresh(client, url)) for url in urls}
    assert TEXT["ru"] in reused[urls[1]][0] and TEXT["en"] not in reused[urls[1]][0]
    monkeypatch.setattr(ticket_forms, "reusable", lambda form: False)
    for url, (first, again) in reused.items():
        assert first == again == fresh(client, url), url


def test_the_reused_html_follows_the_schema_and_a_ticked_box_is_never_reused(
    client, consent_schema, use_schema
):
    url = f"{FORM_URL}?lang=en"
    assert TEXT["en"] in fresh(client, url)
    # A box ticked and sent back (another field left empty) is rendered in full, ticked ...
    sent_back = client.post(url, valid_post_data(get_token(client), consent="on", title=""))
    assert "checked" in BOX.search(sent_back.content.decode())[0]
    assert "checked" not in BOX.search(fresh(client, url))[0]  # ... and the next fresh one is not
    # A new wording is a new schema: a new form class, its own HTML.
    consent_schema["forms"][0]["consent"]["text"] = {"en": "New wording"}
    use_schema(consent_schema)
    html = fresh(client, url)
    assert "New wording" in html and TEXT["en"] not in html
    consent_schema["forms"][0].pop("consent")
    use_schema(consent_schema)
    assert 'name="consent"' not in fresh(client, url)
