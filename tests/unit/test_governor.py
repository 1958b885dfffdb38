"""The rate governor: one share for every process, a sliding window, a pause for everyone.

Real processes (multiprocessing, spawned) count in one SQLite file, and in one Redis server
where Debian's redis-server is installed."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from tests.stack import need_redis, redis_server
from tickets.helpdesk.errors import NotSent
from tickets.helpdesk.governor import BACKGROUND, FOLLOWING, INTERACTIVE, Governor


def _take_many(store: str, redis_url: str, share: int, tries: int, queue) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    governor = Governor(share, 0, store, redis_url)
    taken = 0
    for _ in range(tries):
        try:
            governor.take(INTERACTIVE)
            taken += 1
        except NotSent:
            pass
    queue.put(taken)


def permits_across_processes(store: str, redis_url: str = "", share: int = 30) -> int:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_take_many, args=(store, redis_url, share, 10, queue))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return sum(queue.get(timeout=5) for _ in workers)


def test_four_processes_share_one_share_in_a_sqlite_file(tmp_path):
    # 4 processes x 10 tries against a share of 30 a minute: exactly 30 go.
    assert permits_across_processes(str(tmp_path / "rate.sqlite3")) == 30


@pytest.fixture
def redis_url(tmp_path):
    need_redis()
    with redis_server(tmp_path) as url:
        yield url


def test_four_processes_share_one_share_in_redis(tmp_path, redis_url):
    assert permits_across_processes(str(tmp_path / "unused.sqlite3"), redis_url) == 30


def test_background_work_leaves_the_reserve_to_staff(tmp_path, settings):
    governor = Governor(10, 4, str(tmp_path / "rate.sqlite3"))
    background = 0
    for _ in range(10):
        try:
            governor.take(BACKGROUND)
            background += 1
        except NotSent:
            break
    assert background == 6
    for _ in range(4):
        governor.take(INTERACTIVE)  # the reserve is there for people waiting on a page
    with pytest.raises(NotSent):
        governor.take(INTERACTIVE)


def test_reading_conversations_stays_within_its_own_share(tmp_path):
    """Any number of open ticket pages cannot spend what new tickets and staff need."""
    governor = Governor(20, 4, str(tmp_path / "rate.sqlite3"), following=5)

    def taken(purpose: str, tries: int) -> int:
        count = 0
        for _ in range(tries):
            try:
                governor.take(purpose)
                count += 1
            except NotSent:
                pass
        return count

    # A few tries past each share: a refused try waits a moment (LOCK_WAIT), and the windows
    # must not start to slide meanwhile.
    assert taken(FOLLOWING, 7) == 5
    assert taken(BACKGROUND, 13) == 11  # the background share (16) less what was read
    assert taken(INTERACTIVE, 6) == 4  # the staff reserve, untouched


def test_a_ban_pauses_every_process_for_its_length(tmp_path, settings):
    settings.TICKETS_API_BAN_SECONDS = 1
    store = str(tmp_path / "rate.sqlite3")
    one, other = Governor(100, 0, store), Governor(100, 0, store)  # two processes' governors
    one.note_ban()
    with pytest.raises(NotSent) as caught:
        other.take(INTERACTIVE)
    assert 0 < caught.value.retry_after <= 1
    time.sleep(1.05)
    other.take(INTERACTIVE)


def test_the_window_slides_rather_than_resetting_each_calendar_minute(tmp_path):
    """A calendar-minute counter lets 2x the share through across a minute's edge; a sliding
    window never more than the share in any 60 s: what was taken 59 s ago still counts."""
    from pyrate_limiter import Limiter, Rate, SQLiteBucket

    bucket = SQLiteBucket.init_from_file(
        [Rate(3, 1000)], table="t", db_path=str(tmp_path / "w.sqlite3"), use_file_lock=True
    )  # 3 a second: the same algorithm the governor uses for 60 s, scaled down
    limiter = Limiter(bucket)
    times = []
    start = time.monotonic()
    while time.monotonic() - start < 2.5:
        if limiter.try_acquire("api", blocking=False):
            times.append(time.monotonic())
        time.sleep(0.01)
    assert all(later - earlier >= 0.99 for earlier, later in zip(times, times[3:], strict=False))


def test_a_pause_file_replaced_under_a_kept_connection_is_read_anew(tmp_path):
    """The pause keeps its SQLite connection; a file replaced (deleted, restored) is opened
    again, so no process goes on reading a ban pause nobody else sees."""
    from tickets.helpdesk.governor import _SQLitePause

    path = tmp_path / "pause.sqlite3"
    kept = _SQLitePause(path)
    kept.extend(100.0)
    assert kept.until() == 100.0
    path.unlink()
    _SQLitePause(path).extend(200.0)  # another process writes the new file
    assert kept.until() == 200.0
    kept.extend(300.0)
    assert _SQLitePause(path).until() == 300.0
