"""Embedding over HTTP (issue 4): framing headers and CSP, the cookie-free customer path (signed
token and Origin instead of CSRF), language, URL and signed `ctx` prefill, theme parameters and the
embed confirmation. The portal files into the sandbox on live_server (`sandbox_api`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import signing
from django.test import Client

from sandbox.models import Ticket
from tests.integration.test_portal_flow import (
    FORM_URL,
    _close_api_connections,  # noqa: F401  (autouse: closes the portal's API connections)
    confirmation_key,
    error_summary,
    form_state,
    get_token,
    hidden_value,
    page_text,
    valid_post_data,
)
from tickets.forms import tokens
from tickets.models import Submission


def sign_context(data: dict, secret: str) -> str:
    """README's recipe for a host site's server, word for word."""
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


pytestmark = pytest.mark.django_db(transaction=True)

EMBED_URL = "/embed/support/"
HOST = "https://help.example.com"
OWN_ORIGIN = "http://testserver"
SECRET = "s3cret"
SLUGS = ("support", "billing", "technical")
EMBED_CONFIRMATION_RE = re.compile(r"^/embed/tickets/(?P<key>[^/?]+)/(?:\?(?P<query>.*))?$")


# --- Helpers ------------------------------------------------------------------------------------
def csp(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> sources."""
    header = response["Content-Security-Policy"]
    return {parts[0]: parts[1:] for item in header.split(";") if (parts := item.split())}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(response) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(response.content.decode())
    return parser.tags


def html_attrs(response) -> dict[str, str | None]:
    return next(attrs for tag, attrs in tags(response) if tag == "html")


def control(response, name: str) -> tuple[str, dict[str, str | None]]:
    """The one form control posting under `name`: (tag, attributes)."""
    found = [(t, a) for t, a in tags(response) if t in ("input", "textarea", "select")]
    found = [(t, a) for t, a in found if a.get("name") == name]
    assert len(found) == 1, f"{len(found)} controls named {name!r}"
    return found[0]


def token_issued_ago(seconds: float, slug: str = "support") -> str:
    """A form token as if the form had been rendered `seconds` ago (the clock is moved only here)."""
    then = time.time() - seconds
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokens.time, "time", lambda: then)
        return tokens.issue(slug, "customer")


def assert_nothing_filed() -> None:
    assert Submission.objects.count() == 0
    assert Ticket.objects.count() == 0


def ctx(secret: str = SECRET, **changes) -> str:
    data = {
        "exp": time.time() + 600,
        "user_id": 1001,
        "email": "vip@example.com",
        "cf_96": "ACC-9",
        "cf_107": "internal-7",
    }
    return sign_context({**data, **changes}, secret)


def tampered(value: str) -> str:
    payload, signature = value.split(".")
    swapped = "A" if payload[10] != "A" else "B"
    return f"{payload[:10]}{swapped}{payload[11:]}.{signature}"


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)


@pytest.fixture
def filed(client, sandbox_api) -> str:
    """One ticket filed from the full page: its confirmation key."""
    return confirmation_key(client.post(FORM_URL, valid_post_data(get_token(client))))


# --- 1. Framing headers and CSP ---------------------------------------------------------------------
def test_embed_views_may_be_framed_by_the_allowed_origins_only(client, settings, filed):
    for url in (EMBED_URL, f"/embed/tickets/{filed}/"):
        settings.EMBED_ALLOWED_ORIGINS = [HOST]
        response = client.get(url)
        assert response.status_code == 200
        assert csp(response)["frame-ancestors"] == [HOST], url
        assert "X-Frame-Options" not in response, url

        settings.EMBED_ALLOWED_ORIGINS = []
        assert csp(client.get(url))["frame-ancestors"] == ["'none'"], url


def test_other_pages_may_not_be_framed(client, settings, filed):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    for url in ("/", FORM_URL, f"/tickets/{filed}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert csp(response)["frame-ancestors"] == ["'none'"], url
        assert response["X-Frame-Options"] == "DENY", url


def test_customer_pages_have_a_strict_csp_and_no_inline_script_or_style(client, settings, filed):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    token = get_token(client)
    pages = {
        url: client.get(url)
        for url in (
            "/",
            *(f"/{kind}/{slug}/" for kind in ("forms", "embed") for slug in SLUGS),
            f"{EMBED_URL}?parent={HOST}&color=%23ff8800&bg=transparent&lang=uk",
            f"/tickets/{filed}/",
            f"/embed/tickets/{filed}/",
        )
    }
    pages["form with errors"] = client.post(EMBED_URL, {"form_token": token})
    pages["refused"] = client.post(FORM_URL, {}, headers={"Origin": "https://evil.example"})
    pages["bad ctx"] = client.get(f"{EMBED_URL}?ctx=x.y")
    for name, response in pages.items():
        header = response["Content-Security-Policy"]
        assert csp(response)["script-src"] == ["'self'"], name
        assert "unsafe-inline" not in header, name
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (name, INLINE_SCRIPT.search(html)[0])
        assert not STYLE_ATTR.search(html), (name, STYLE_ATTR.search(html)[0])
    assert pages["form with errors"].status_code == 200
    assert pages["refused"].status_code == 403
    assert pages["bad ctx"].status_code == 400


# --- 2. No cookie ----------------------------------------------------------------------------------
def test_the_customer_path_sets_no_cookie_and_needs_none(sandbox_api):
    browser = Client(enforce_csrf_checks=True, headers={"Origin": OWN_ORIGIN})
    page, embed = browser.get(FORM_URL), browser.get(EMBED_URL)
    invalid = browser.post(EMBED_URL, {"form_token": hidden_value(embed, "form_token")})
    assert "Your ticket has not been sent yet" in error_summary(invalid)
    posted = browser.post(FORM_URL, valid_post_data(hidden_value(page, "form_token")))
    key = confirmation_key(posted)
    embed_posted = browser.post(EMBED_URL, valid_post_data(hidden_value(invalid, "form_token")))
    assert embed_posted.status_code == 303, embed_posted.content.decode()[:2000]
    responses = [page, embed, invalid, posted, embed_posted]
    responses += [browser.get(posted["Location"]), browser.get(embed_posted["Location"])]
    responses.append(browser.get(f"/embed/tickets/{key}/"))

    for response in responses:
        assert not response.cookies, response.request["PATH_INFO"]
        assert "Set-Cookie" not in response, response.request["PATH_INFO"]
    assert not browser.cookies
    assert Ticket.objects.count() == 2
    assert Submission.objects.filter(state="filed").count() == 2


# --- 3. Origin --------------------------------------------------------------------------------------
def test_a_post_from_a_foreign_origin_is_refused_and_files_nothing(client, sandbox_api):
    data = valid_post_data(get_token(client))
    response = client.post(FORM_URL, data, headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert "can only be sent from its own page" in page_text(response)
    assert_nothing_filed()


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({}, False),
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
    ],
)
def test_without_origin_sec_fetch_site_decides(sandbox_api, headers, accepted):
    browser = Client()  # no Origin header
    response = browser.post(FORM_URL, valid_post_data(get_token(browser)), headers=headers)

    if accepted:
        confirmation_key(response)
        assert Ticket.objects.count() == 1
    else:
        assert response.status_code == 403
        assert "can only be sent from its own page" in page_text(response)
        assert_nothing_filed()


# --- 4. Tokens --------------------------------------------------------------------------------------
def test_a_forged_token_files_nothing_and_says_why(client, sandbox_api):
    forged = signing.dumps(
        {"n": "x" * 24, "f": "support", "a": "customer", "t": int(time.time()) - 600},
        salt=tokens.SALT,
        key="not-the-portal-secret",
    )
    response = client.post(FORM_URL, valid_post_data(forged))

    assert response.status_code == 200
    assert "could not be verified" in error_summary(response)
    assert hidden_value(response, "form_token") not in ("", forged)  # a fresh one to send again
    assert_nothing_filed()


def test_a_token_for_another_form_is_not_accepted(client, sandbox_api):
    response = client.post(FORM_URL, valid_post_data(tokens.issue("billing", "customer")))

    assert "could not be verified" in error_summary(response)
    assert_nothing_filed()


def test_an_expired_token_files_nothing_and_says_why(client, sandbox_api, settings):
    settings.TICKETS_FORM_MAX_AGE = 60
    response = client.post(FORM_URL, valid_post_data(token_issued_ago(2 * 3600)))

    assert response.status_code == 200
    assert "has expired" in error_summary(response)
    assert_nothing_filed()
    confirmation_key(client.post(FORM_URL, form_state(response)))  # the renewed form is sent
    assert Ticket.objects.count() == 1


def test_a_reused_token_leads_to_the_first_submission(client, sandbox_api):
    data = valid_post_data(get_token(client))
    first = client.post(FORM_URL, data)
    key = confirmation_key(first)

    again = client.post(FORM_URL, {**data, "title": "Sent a second time"})
    assert again.status_code == 303  # to the first one's status page, nothing else looked at
    assert again["Location"] == first["Location"] and key in first["Location"]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().title == data["title"]
    assert Submission.objects.count() == 1


def test_a_form_sent_too_quickly_is_refused_and_a_patient_one_is_filed(
    client, sandbox_api, settings
):
    settings.TICKETS_MIN_FILL_SECONDS = 60
    response = client.post(FORM_URL, valid_post_data(get_token(client)))
    assert response.status_code == 200
    assert "That was quick" in error_summary(response)
    assert_nothing_filed()

    confirmation_key(client.post(FORM_URL, valid_post_data(token_issued_ago(120))))
    assert Ticket.objects.count() == 1


# --- 5. Language ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "code", "label"),
    [
        ("uk", "uk", "Номер замовлення"),
        ("ua", "uk", "Номер замовлення"),
        ("xx", "en", "Order number"),
    ],
)
def test_lang_parameter_sets_the_page_language(client, lang, code, label):
    response = client.get(f"{EMBED_URL}?lang={lang}")

    assert response.status_code == 200
    assert html_attrs(response)["lang"] == code
    assert f'<html lang="{code}"' in response.content.decode()
    assert label in page_text(response)


# --- 6. URL prefill ---------------------------------------------------------------------------------
PREFILL_URL = (
    f"{FORM_URL}?title=Login%20fails&email=a%40b.example&cf_96=A-77&hide=cf_96&cf_107=leaked"
)


def test_url_prefill_fills_visible_fields_and_hides_what_it_is_told(client):
    response = client.get(PREFILL_URL)

    state = form_state(response)
    assert state["title"] == ["Login fails"]
    assert state["user_email"] == ["a@b.example"]
    _tag, attrs = control(response, "cf_96")
    assert (attrs["type"], attrs["value"]) == ("hidden", "A-77")
    # (The language links repeat the page's own query string; the form itself has no trace.)
    form_html = response.content.decode().split("<form", 1)[1].split("</form>", 1)[0]
    assert "cf_107" not in state and "leaked" not in form_html


def test_a_hidden_prefilled_field_keeps_its_value_on_post(client, sandbox_api):
    token = hidden_value(client.get(PREFILL_URL), "form_token")
    response = client.post(PREFILL_URL, valid_post_data(token, cf_96="other", cf_107="leaked"))

    confirmation_key(response)
    ticket = Ticket.objects.get()
    assert ticket.custom_fields["96"] == "A-77"
    assert "107" not in ticket.custom_fields
    assert "107" not in Submission.objects.get().payload["custom_fields"]


def test_lock_renders_a_prefilled_field_disabled(client):
    response = client.get(f"{FORM_URL}?title=Login%20fails&lock=title")

    tag, attrs = control(response, "title")
    assert (tag, attrs["value"]) == ("input", "Login fails")
    assert "disabled" in attrs
    _tag, email = control(response, "user_email")
    assert "disabled" not in email


# --- 7. Signed ctx ------------------------------------------------------------------------------------
def test_signed_ctx_locks_its_fields_and_reaches_the_ticket(client, sandbox_api, settings):
    settings.EMBED_CONTEXT_SECRETS = [SECRET]
    query = {"email": "url@x.example", "cf_96": "url-hack", "user_id": "7", "ctx": ctx()}
    url = f"{EMBED_URL}?{urlencode(query)}"
    page = client.get(url)

    assert page.status_code == 200
    for name, value in (("user_email", "vip@example.com"), ("cf_96", "ACC-9")):
        _tag, attrs = control(page, name)
        assert attrs["value"] == value and "disabled" in attrs, name
    assert "internal-7" not in page.content.decode()

    token = hidden_value(page, "form_token")
    hack = {"user_email": "other@x", "cf_96": "hack", "user_id": "1", "cf_107": "hack"}
    response = client.post(url, valid_post_data(token, **hack))

    assert response.status_code == 303, response.content.decode()[:2000]
    assert EMBED_CONFIRMATION_RE.match(response["Location"])
    ticket = Ticket.objects.get()
    assert (ticket.user_id, ticket.user_email) == (1001, "vip@example.com")
    assert ticket.custom_fields["96"] == "ACC-9"
    assert ticket.custom_fields["107"] == "internal-7"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: tampered(ctx()), "may have been changed"),
        (lambda: ctx(secret="another-secret"), "may have been changed"),
        (lambda: ctx(exp=time.time() - 1), "has expired"),
    ],
    ids=["tampered", "other-secret", "expired"],
)
def test_a_bad_ctx_is_refused_on_get_and_post(client, sandbox_api, settings, make, message):
    settings.EMBED_CONTEXT_SECRETS = [SECRET]
    url = f"{EMBED_URL}?{urlencode({'ctx': make()})}"

    page = client.get(url)
    assert page.status_code == 400
    assert message in page_text(page)
    assert 'name="form_token"' not in page.content.decode()

    response = client.post(url, valid_post_data(get_token(client)))
    assert response.status_code == 400
    assert message in page_text(response)
    assert_nothing_filed()


def test_without_a_secret_every_ctx_is_refused(client, sandbox_api, settings):
    settings.EMBED_CONTEXT_SECRETS = []
    url = f"{EMBED_URL}?{urlencode({'ctx': ctx()})}"

    assert client.get(url).status_code == 400
    response = client.post(url, valid_post_data(get_token(client)))
    assert response.status_code == 400
    assert "does not accept signed form links" in page_text(response)
    assert_nothing_filed()


# --- 8. Theme and parent ---------------------------------------------------------------------------------
def test_theme_and_parent_reach_the_page(client, settings):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    query = {"parent": HOST, "color": "#ff8800", "radius": "12px", "font": "Georgia"}
    attrs = html_attrs(client.get(f"{EMBED_URL}?{urlencode({**query, 'bg': 'transparent'})}"))

    assert attrs["data-parent-origin"] == HOST
    assert attrs["data-portal-accent"] == "#ff8800"
    assert attrs["data-portal-accent-text"] == "#000000"  # white on orange would read at 2.2:1
    assert attrs["data-portal-radius"] == "12px"
    assert attrs["data-portal-font"] == "Georgia"
    assert "transparent" in attrs["class"].split()


def test_an_origin_not_allowed_and_bad_theme_values_are_left_out(client, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://other.example"]
    query = {"parent": HOST, "color": "red;x", "radius": "1e9px", "font": "<script>"}
    response = client.get(f"{EMBED_URL}?{urlencode(query)}")
    attrs = html_attrs(response)

    assert attrs["data-parent-origin"] == ""
    assert not any(name.startswith("data-portal-") for name in attrs)
    assert "transparent" not in attrs["class"].split()
    assert "<script>" not in response.content.decode()


# --- 9. The embed confirmation ---------------------------------------------------------------------------------
def test_embed_post_leads_to_the_embed_confirmation_keeping_parent_and_lang(
    client, sandbox_api, settings
):
    settings.EMBED_ALLOWED_ORIGINS = [HOST]
    url = f"{EMBED_URL}?{urlencode({'parent': HOST, 'lang': 'uk'})}"
    token = hidden_value(client.get(url), "form_token")
    response = client.post(url, valid_post_data(token))

    assert response.status_code == 303, response.content.decode()[:2000]
    match = EMBED_CONFIRMATION_RE.match(response["Location"])
    assert match, response["Location"]
    assert parse_qs(match["query"]) == {"parent": [HOST], "lang": ["uk"]}
    assert match["key"] == Submission.objects.get().public_key

    page = client.get(response["Location"])
    assert page.status_code == 200
    attrs = html_attrs(page)
    assert (attrs["lang"], attrs["data-parent-origin"]) == ("uk", HOST)
    ticket = Ticket.objects.get()
    shown = [a for t, a in tags(page) if "data-unique-id" in a]
    assert len(shown) == 1 and shown[0]["data-form"] == "support"
    assert re.search(
        rf"data-unique-id[^>]*>\s*{re.escape(ticket.unique_id)}\s*<", page.content.decode()
    )
    assert urlsplit(response["Location"]).path == f"/embed/tickets/{match['key']}/"


def test_a_refused_post_shows_what_was_typed_again(client):
    page = client.get("/forms/support/")
    foreign = Client(headers={"Origin": "https://evil.example"})
    data = {
        "form_token": hidden_value(page, "form_token"),
        "title": "Keep this text",
        "description": "And this",
    }
    response = foreign.post("/forms/support/", data)
    assert response.status_code == 403
    html = response.content.decode()
    assert 'value="Keep this text"' in html and ">\nAnd this</textarea>" in html
    assert "can only be sent from its own page" in html
    assert Submission.objects.count() == 0


def test_the_chosen_language_follows_to_the_confirmation(client, sandbox_api):
    url = "/forms/support/?lang=ru"
    response = client.post(url, valid_post_data(hidden_value(client.get(url), "form_token")))
    assert response.status_code == 303 and response["Location"].endswith("?lang=ru")
    assert '<html lang="ru"' in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("asked", "kept"), [("ua", "?lang=uk"), ("xx<b>", ""), ("", "")])
def test_the_confirmation_repeats_only_a_language_the_portal_speaks(
    client, sandbox_api, asked, kept
):
    url = f"/forms/support/?{urlencode({'lang': asked})}"
    response = client.post(url, valid_post_data(hidden_value(client.get(url), "form_token")))
    assert response.status_code == 303
    assert re.fullmatch(r"/tickets/[^/?]+/" + re.escape(kept), response["Location"])


def test_the_embed_page_names_its_icon_and_describes_itself(client):
    # Without the link a browser asks for /favicon.ico, which is a 404.
    html = client.get(EMBED_URL).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert (
        '<meta name="description" content="Contact support: send a ticket and follow it.">' in html
    )


# --- A site the portal does not allow: embed.js names the form in its link ----------------------
@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Billing question"), ("ua", "Питання щодо оплати"), ("ru", "Вопрос по оплате")],
)
def test_any_site_may_read_a_forms_title_in_its_language(client, lang, title):
    response = client.get(f"/embed/billing/about/?lang={lang}", HTTP_ORIGIN="https://not.allowed")
    assert response.status_code == 200
    assert response.json() == {"form": "billing", "title": title}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies


def test_a_form_that_is_not_there_has_no_title(client):
    assert client.get("/embed/no-such-form/about/?lang=en").status_code == 404
