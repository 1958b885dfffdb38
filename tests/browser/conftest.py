"""Browser tests drive Debian's Chromium through Playwright; never a downloaded browser."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop; Django's ORM refuses that unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the run: its sync API allows a single instance at a time."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: under CI the browser tests must run.")
        pytest.skip(f"{CHROMIUM} is missing (make test installs it where it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def launch(playwright, *extra_args: str):
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args]
    )


@pytest.fixture(scope="session")
def browser(playwright):
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _close_api_connections():
    """The portal's pooled keep-alive connections to the API are closed after each test, so no
    live-server thread is left serving an idle one when the run ends."""
    yield
    from tickets.helpdesk.client import close_clients

    close_clients()


@pytest.fixture
def agent(db):
    """A staff member whose email the sandbox's helpdesk knows (Olena Koval)."""
    from django.contrib.auth import get_user_model

    from tests.browser.test_staff import PASSWORD

    return get_user_model().objects.create_user(
        "olena", "olena.koval@sandbox.invalid", PASSWORD, is_staff=True
    )


@pytest.fixture
def open_page(browser):
    """open_page(scheme, width, height): a fresh page in that colour scheme and size."""
    contexts = []

    def open_(scheme: str = "light", width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            reduced_motion="reduce",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def axe_check():
    """Run axe-core on a page and fail with its report when it finds anything."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, label: str) -> None:
        results = axe.run(page)
        assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"

    return check


# --- A support site embedding the form (tests/browser/sites.py) ---------------------------------
@pytest.fixture(scope="module")
def site_browser(playwright):
    """Chromium with third-party cookies blocked (as Safari blocks them all)."""
    browser = launch(playwright, "--test-third-party-cookie-phaseout")
    yield browser
    browser.close()


@pytest.fixture
def visit(site_browser, live_server, sandbox_api, settings):
    """Open a support site embedding the form; the portal allows the site unless told not to."""
    from tests.browser.sites import DESKTOP, support_site

    contexts = []

    @contextmanager
    def opened(viewport=DESKTOP, color_scheme="light", allowed=True, mobile=False, **site):
        with support_site(live_server.url, **site) as host:
            settings.EMBED_ALLOWED_ORIGINS = [host] if allowed else ["https://elsewhere.example"]
            context = site_browser.new_context(
                viewport=viewport,
                color_scheme=color_scheme,
                reduced_motion="reduce",
                is_mobile=mobile,  # a phone's viewports: pinch zoom, a page wider than the screen
                has_touch=mobile,
            )
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(host)
            yield page

    yield opened
    for context in contexts:
        context.close()
