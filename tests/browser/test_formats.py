"""What a browser writes with Intl is what the server writes, so a page shows one format whether
the server or a script wrote it: the Intl options here are the ones static/js/conversation.js
uses for a post's time in the browser's zone (portal/formats/), and static/js/attachments.js for
a chosen file's size (tickets/lib/text.file_size)."""

from datetime import datetime

import pytest
from django.utils import formats, translation

from tickets.lib.text import file_size

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


# A size as static/js/attachments.js writes it: in 1024s, at most one decimal, CLDR's short units
# (bytes in words), never broken across lines.
SIZE_JS = """([lang, sizes]) => sizes.map((bytes) => {
    const units = [["gigabyte", 1024 ** 3], ["megabyte", 1024 ** 2], ["kilobyte", 1024]];
    const unit = units.find(([, factor]) => bytes >= factor);
    const text = unit
        ? new Intl.NumberFormat(lang, { style: "unit", unit: unit[0], unitDisplay: "short",
                                        maximumFractionDigits: 1 }).format(bytes / unit[1])
        : new Intl.NumberFormat(lang, { style: "unit", unit: "byte", unitDisplay: "long" })
              .format(bytes);
    return text.replace(/ /g, "\u00a0");
})"""
SIZES = [0, 1, 2, 3, 5, 21, 512, 1000, 1023, 1024, 1536, 10485, 10547, 1048575, 1572864]
SIZES += [20 * 1024**2, 1100 * 1024**2, 5 * 1024**3, int(2.25 * 1024**3)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_browser_writes_sizes_as_the_server_does(blank, lang):
    written = blank.evaluate(SIZE_JS, [lang, SIZES])
    with translation.override(lang):
        served = [file_size(size) for size in SIZES]
    assert written == served
