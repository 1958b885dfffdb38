"""What a browser writes with Intl is what the server writes (portal/formats/), so a page shows one
format whether a date came from the server or from a script: the Intl options here are the ones
static/js/conversation.js uses for a post's time in the browser's zone."""

from datetime import datetime

import pytest
from django.utils import formats, translation

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "ru", "uk"]
MOMENTS = [datetime(2026, 12, 1, 9, 5), datetime(2027, 5, 21, 18, 0), datetime(2027, 9, 30, 0, 30)]

# A moment as static/js/conversation.js writes it: the date, ", ", the time on a 24-hour clock.
DATETIME_JS = """([lang, moments]) => {
    const day = new Intl.DateTimeFormat(lang, {
        year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
    const clock = new Intl.DateTimeFormat(lang, {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
    return moments.map((iso) => {
        const moment = new Date(iso);
        return [day.format(moment), day.format(moment) + ", " + clock.format(moment)];
    });
}"""


@pytest.fixture(scope="module")
def blank(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_browser_writes_dates_and_times_as_the_server_does(blank, lang):
    written = blank.evaluate(DATETIME_JS, [lang, [m.isoformat() + "Z" for m in MOMENTS]])
    with translation.override(lang):
        served = [
            [
                formats.date_format(m.date(), "DATE_FORMAT"),
                formats.date_format(m, "DATETIME_FORMAT"),
            ]
            for m in MOMENTS
        ]
    assert written == served
