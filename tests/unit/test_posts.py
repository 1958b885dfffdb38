"""A ticket's posts read tolerantly, in the shapes the API's clients show."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tickets.helpdesk.posts import helpdesk_moment, read_posts


def test_dates_are_read_on_the_helpdesks_clock(settings):
    settings.TICKETS_HELPDESK_TIME_ZONE = "Europe/Kyiv"
    kyiv = ZoneInfo("Europe/Kyiv")
    assert helpdesk_moment("17:45:00 26.01.2017") == datetime(2017, 1, 26, 17, 45, tzinfo=kyiv)
    assert helpdesk_moment("2016-08-15 17:05:19") == datetime(2016, 8, 15, 17, 5, 19, tzinfo=kyiv)
    assert helpdesk_moment("") is None
    assert helpdesk_moment("yesterday") is None


def test_posts_come_oldest_first_whatever_order_the_api_gives(settings):
    settings.TICKETS_HELPDESK_TIME_ZONE = "UTC"
    items = {
        "9": {"id": 9, "user_id": "3", "text": "<p>Second</p>", "date_created": "10:00:00 02.02.2026",
              "files": [{"id": 1, "name": "log.txt", "url": "https://hd.example/f/1"},
                        {"link": "https://hd.example/f/2"}, {"name": "no address"}, "junk"]},
        "7": {"id": "7", "user_id": 1001, "text": "First", "date_created": "09:00:00 02.02.2026"},
        "x": {"id": None, "text": "no id"},
        "y": {"id": 8, "text": "no date"},
        "z": "not a post",
    }.values()  # fmt: skip
    posts = read_posts(items)
    assert [p["id"] for p in posts] == [7, 9]
    assert posts[0] == {"id": 7, "user_id": 1001, "text": "First",
                        "at": "2026-02-02T09:00:00+00:00", "files": []}  # fmt: skip
    assert posts[1]["user_id"] == 3
    assert posts[1]["files"] == [
        {"name": "log.txt", "url": "https://hd.example/f/1"},
        {"name": "2", "url": "https://hd.example/f/2"},
    ]
